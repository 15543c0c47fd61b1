// Fuzzes the REAL internal gateway process through the real mTLS link: the test plays the external
// gateway (test/hostile/fake-external.ts) and sends valid packets, then thousands of byte-level mutants
// of them (flips, splices, truncations, varint lengths, ... from mutate.ts) inside well-formed frames.
// The in-process decoder fuzz (decoders.test.ts) proves openPacket alone; this proves the process
// around it. The rules:
//   - every mutant is acknowledged (committed) and the process stays up;
//   - the process refuses exactly the mutants that openPacket refuses with the same keys, with the same
//     code, in order, each kept in rejected_packets with its bytes (the same bytes twice: one row, two
//     attempts — rejected-packets.ts); a mutant that does open carries an
//     original's signed bytes, so it is a duplicate of a delivered packet and is dropped;
//   - the intranet holds exactly the original cases: no mutant made a case, a quarantine entry or a second copy.
// FERRY_FUZZ_LINK_RUNS and FERRY_FUZZ_SEED vary the run; the default seed keeps CI deterministic.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeSubmission } from '../../src/gateway/bodies.js';
import { loadGatewayKeys, loadTls, type GatewayKeys } from '../../src/gateway/keys.js';
import { openPacket } from '../../src/seal/open.js';
import { sealPacket } from '../../src/seal/seal.js';
import { intranetCall, preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { FakeExternal } from '../hostile/fake-external.js';
import { submission } from '../hostile/submissions.js';
import { applyOps, opsArb } from './mutate.js';

const RUNS = Number(process.env.FERRY_FUZZ_LINK_RUNS ?? 10_000);
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20260601);
const BATCH = 200; // frames in flight at once, below the link window of 256

let files: PairFiles;
let gw: GatewayProc;
let ext: FakeExternal;
let db: Database.Database;
let sender: GatewayKeys;   // the external gateway's keys: seals to the internal gateway
let receiver: GatewayKeys; // the internal gateway's keys: the oracle opens what the process opens

beforeAll(async () => {
  files = await preparePair({ logLevel: 'warn' });
  const c = (f: string) => join(files.certs, f);
  const own = (g: string) => ({ ca: c('ca.crt'), signCert: c(`${g}-sign.crt`), signKey: c(`${g}-sign.key`), encCert: c(`${g}-enc.crt`), encKey: c(`${g}-enc.key`) });
  sender = loadGatewayKeys(own('external'), { encCert: c('internal-enc.crt'), signerSubjects: ['ferry-internal-sign'], signerSha256: [] });
  receiver = loadGatewayKeys(own('internal'), { encCert: c('external-enc.crt'), signerSubjects: ['ferry-external-sign'], signerSha256: [] });
  ext = new FakeExternal({ port: files.linkPort, tls: loadTls({ cert: c('external-tls.crt'), key: c('external-tls.key') }, c('ca.crt')) });
  await ext.listen();
  gw = spawnGateway('internal', files.internalConfig);
  const end = Date.now() + 20_000;
  while (!ext.connected) {
    if (Date.now() > end || gw.proc.exitCode !== null) throw new Error(`link not up\n${gw.log.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  if (gw && gw.proc.exitCode === null && gw.proc.signalCode === null) { gw.proc.kill('SIGTERM'); await gw.exited; }
  await ext?.close();
});

const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

describe('link fuzz against the real internal gateway process', () => {
  it(`takes ${RUNS} mutated packets over the real link: refuses what openPacket refuses, delivers nothing new, stays up`, async () => {
    const originals = [0, 1, 2].map((i) => {
      const caseId = `F20260601-LINKFUZZ0000000${i}`;
      const body = encodeSubmission({ caseId, receivedAtMs: Date.now(), sourceAddress: '198.51.100.9', clientIdentity: '', requestBody: Buffer.from(submission()), contentType: 'application/json' });
      return { caseId, ...sealPacket({ kind: 'submission', fromDomain: 'public', toDomain: 'intranet', caseId, createdAt: new Date(), body }, sender.seal) };
    });
    for (const o of originals) await ext.deliver(o.packetId, o.bytes);
    const end = Date.now() + 20_000;
    while (count('intranet_cases') < originals.length) {
      if (Date.now() > end) throw new Error(`originals not delivered\n${gw.log.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const corpus = originals.map((o) => o.bytes);
    // An empty packet is not a packet frame at all (PROTOCOL.md §6: FERRY_ERR_LINK_FRAME, the link
    // closes 1007), so a mutant truncated to nothing is cut one byte longer; the frame-level refusal
    // is the protocol tests' business.
    const mutants = fc.sample(fc.tuple(fc.nat(), opsArb), { seed: SEED, numRuns: RUNS }).map(([i, ops]) => {
      const o = originals[i % originals.length]!;
      const bytes = applyOps(o.bytes, ops, corpus);
      return { frameId: o.packetId, bytes: bytes.length > 0 ? bytes : o.bytes.subarray(0, 1) };
    });
    // The oracle: the same library, the same keys, the same moment (the signer is valid for years).
    const oracle = { keys: receiver.open, signers: receiver.signers, now: new Date() };
    const refused: { bytes: Buffer; code: string }[] = [];
    const opened: { bytes: Buffer; packetId: Buffer }[] = [];
    for (const m of mutants) {
      const r = openPacket(m.bytes, oracle);
      if (!r.ok) { refused.push({ bytes: m.bytes, code: r.code }); continue; }
      // Only unsigned parts of the envelope may differ (decoders.test.ts proves it in depth).
      expect(originals.some((o) => o.packetId.equals(r.packet.packetId)), 'a mutant opened to new content').toBe(true);
      opened.push({ bytes: m.bytes, packetId: r.packet.packetId });
    }

    const rejectedBefore = db.prepare('SELECT COALESCE(MAX(id), 0) FROM rejected_packets').pluck().get() as number;
    const t0 = performance.now();
    // Refused mutants have no readable packet id; each rides under its own frame id, BATCH at a time.
    for (let i = 0; i < refused.length; i += BATCH) {
      await Promise.all(refused.slice(i, i + BATCH).map((m, k) => {
        const frameId = Buffer.alloc(16);
        frameId.writeUInt32BE(i + k + 1, 12);
        return ext.deliver(frameId, m.bytes);
      }));
    }
    // Mutants that open carry an original's id: framed under it, each is a duplicate and is dropped.
    for (const m of opened) await ext.deliver(m.packetId, m.bytes);
    const ms = performance.now() - t0;

    expect(gw.proc.exitCode, 'the internal gateway exited').toBeNull();
    const rows = db.prepare('SELECT code, digest, size, attempts FROM rejected_packets WHERE id > ? ORDER BY id').all(rejectedBefore) as { code: string; digest: Buffer; size: number; attempts: number }[];
    // Same verdicts, in the order first sent, each kept with the SHA-256 and size of the exact bytes that
    // arrived; identical bytes (two mutations can agree) share a row and count as attempts.
    const expected = new Map<string, { code: string; size: number; attempts: number }>();
    for (const m of refused) {
      const d = createHash('sha256').update(m.bytes).digest('hex');
      const e = expected.get(d);
      if (e) e.attempts++; else expected.set(d, { code: m.code, size: m.bytes.length, attempts: 1 });
    }
    expect(rows.map((r) => r.code)).toEqual([...expected.values()].map((e) => e.code));
    const entries = [...expected.entries()];
    expect(rows.every((r, i) => {
      const [d, e] = entries[i]!;
      return r.digest.toString('hex') === d && r.size === e.size && r.attempts === e.attempts;
    })).toBe(true);
    const byCode: Record<string, number> = {};
    for (const r of rows) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
    expect(count('intranet_cases')).toBe(originals.length);
    expect(count('quarantine')).toBe(0);
    const health = (await intranetCall(files, 'GET', '/health')).json as Record<string, unknown>;
    expect(health).toMatchObject({ link: 'up', cases: originals.length });
    console.log(`link process fuzz seed ${SEED}: ${mutants.length} mutated packets over the link in ${(ms / 1000).toFixed(1)} s `
      + `(${Math.round(mutants.length / (ms / 1000))}/s); ${refused.length} refused as openPacket refuses them, ${opened.length} opened to an `
      + `original and were dropped as duplicates; codes ${JSON.stringify(byCode)}`);
  }, 120_000);
});
