// A peer that sends packets which do not open cannot fill the intranet's disk: the REAL internal
// gateway keeps, per refused packet, its SHA-256, size and first 4 KiB only, and at most `maxRejected`
// rows (here 3), the oldest dropped and counted. The test plays the external gateway over the real link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadTls } from '../../src/gateway/keys.js';
import { preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { FakeExternal } from './fake-external.js';

let files: PairFiles;
let internal: GatewayProc;
let ext: FakeExternal;
let db: Database.Database;

beforeAll(async () => {
  files = await preparePair({ logLevel: 'warn', extraInternal: 'maxRejected: 3' });
  const c = (f: string) => join(files.certs, f);
  ext = new FakeExternal({ port: files.linkPort, tls: loadTls({ cert: c('external-tls.crt'), key: c('external-tls.key') }, c('ca.crt')) });
  await ext.listen();
  internal = spawnGateway('internal', files.internalConfig);
  const end = Date.now() + 20_000;
  while (!ext.connected) {
    if (Date.now() > end || internal.proc.exitCode !== null) throw new Error(`link not up\n${internal.log.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
}, 60_000);

afterAll(async () => {
  db?.close();
  if (internal && internal.proc.exitCode === null) { internal.proc.kill('SIGTERM'); await internal.exited; }
  await ext?.close();
});

describe('rejected packets are bounded (real internal gateway)', () => {
  it('keeps digest, size and a 4 KiB prefix of each, and no more than maxRejected rows', async () => {
    const sent = Array.from({ length: 5 }, () => randomBytes(256 * 1024));
    for (const bytes of sent) await ext.deliver(randomBytes(16), bytes); // acknowledged = committed
    const rows = db.prepare('SELECT code, digest, size, length(prefix) AS kept FROM rejected_packets ORDER BY id').all() as { code: string; digest: Buffer; size: number; kept: number }[];
    expect(rows).toHaveLength(3);
    rows.forEach((r, i) => {
      const b = sent[i + 2]!; // the two oldest were dropped
      expect(r.digest.equals(createHash('sha256').update(b).digest())).toBe(true);
      expect([r.size, r.kept]).toEqual([b.length, 4096]);
      expect(r.code).toMatch(/^FERRY_ERR_SEAL_/);
    });
    expect(db.prepare('SELECT dropped FROM rejected_packets_dropped').pluck().get()).toBe(2);
    expect(internal.proc.exitCode).toBeNull();
  });
});
