// An operator's release of a quarantined packet waives only the refusal that held it. Against the REAL
// internal gateway (the test plays the external gateway over the real mTLS link, as inside.test.ts):
// each packet below is first held for one reason (mostly: it is 3 days old, rule `freshness`), then
// released with `ferry quarantine release`. Whatever else is wrong with it must still stop it: hostile
// content, a wrong client identity, an undeclared domain. Only the clean control is delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { encodeSubmission } from '../../src/gateway/bodies.js';
import { loadGatewayKeys, loadTls, type GatewayKeys } from '../../src/gateway/keys.js';
import { sealPacket } from '../../src/seal/seal.js';
import { preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { ELF, makePdf, makePng } from '../policy-content/samples.js';
import { FakeExternal } from './fake-external.js';
import { submission, withFile } from './submissions.js';

const DAY = 86_400_000;
let files: PairFiles;
let internal: GatewayProc;
let ext: FakeExternal;
let db: Database.Database;
let K: GatewayKeys;
let serial = 0;

interface Draft { from?: string; createdAt?: Date; clientIdentity?: string; requestBody?: string }
function packet(d: Draft = {}) {
  const caseId = `F20260601-RELEASE${String(++serial).padStart(8, '0')}`;
  const body = encodeSubmission({
    caseId, receivedAtMs: Date.now(), sourceAddress: '198.51.100.7', clientIdentity: d.clientIdentity ?? '',
    requestBody: Buffer.from(d.requestBody ?? submission()), contentType: 'application/json',
  });
  const s = sealPacket({ kind: 'submission', fromDomain: d.from ?? 'public', toDomain: 'intranet', caseId, createdAt: d.createdAt ?? new Date(Date.now() - 3 * DAY), body }, K.seal);
  return { ...s, caseId, id: s.packetId.toString('hex') };
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end || internal.proc.exitCode !== null) throw new Error(`${what}: not reached in ${timeoutMs} ms\n${internal.log.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const held = (id: string) => db.prepare('SELECT code, rule, state, reason FROM quarantine WHERE packet_id = ?').get(id) as { code: string; rule: string; state: string; reason: string | null } | undefined;
const caseOf = (caseId: string) => db.prepare('SELECT case_id FROM intranet_cases WHERE case_id = ?').get(caseId);
const rejectedRow = (id: string) => db.prepare('SELECT code, detail FROM rejected_packets WHERE packet_id = ?').get(id) as { code: string; detail: string } | undefined;
const release = (id: string) => spawnSync(process.execPath, ['bin/ferry.js', 'quarantine', 'release', id, '--config', files.internalConfig, '--operator', 'zhang', '--reason', 'late because of the link outage'], { encoding: 'utf8' });

interface Row {
  name: string;
  draft: () => Draft;
  heldFor: { code: string; rule: string };
  /** What the release leads to: delivered; refused by the release's own re-check (CLI exit 1, quarantine
   *  entry rejected); or released, then refused at the stamp stage's re-check (kept in rejected_packets). */
  outcome: { delivered: true } | { refusedAtRelease: string } | { refusedAfterRelease: string };
}

const ROWS: Row[] = [
  { name: 'control: a stale but clean submission is delivered once released', draft: () => ({}),
    heldFor: { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }, outcome: { delivered: true } },
  { name: 'a stale submission carrying an ELF named report.pdf: content inspection runs again', draft: () => ({ requestBody: withFile('report.pdf', ELF) }),
    heldFor: { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }, outcome: { refusedAfterRelease: 'FERRY_ERR_CONTENT_EXECUTABLE' } },
  { name: 'a stale submission with a PDF /OpenAction', draft: () => ({ requestBody: withFile('a.pdf', makePdf({ catalogExtra: '/OpenAction [3 0 R /Fit]' })) }),
    heldFor: { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }, outcome: { refusedAfterRelease: 'FERRY_ERR_CONTENT_PDF_ACTION' } },
  { name: 'a stale township submission without the township\'s client identity: identity runs again', draft: () => ({ from: 'township-baishi' }),
    heldFor: { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }, outcome: { refusedAfterRelease: 'FERRY_ERR_POLICY_CLIENT_CERT' } },
  { name: 'a stale packet from an undeclared domain: the domain check runs again', draft: () => ({ from: 'public-evil' }),
    heldFor: { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }, outcome: { refusedAtRelease: 'FERRY_ERR_POLICY_DOMAIN' } },
  { name: 'a fresh packet from an undeclared domain (held by default-deny, which a release never waives)', draft: () => ({ from: 'public-evil', createdAt: new Date() }),
    heldFor: { code: 'FERRY_ERR_POLICY_DOMAIN', rule: 'default-deny' }, outcome: { refusedAtRelease: 'FERRY_ERR_POLICY_DOMAIN' } },
  { name: 'a fresh ELF (held by content inspection, which a release never waives)', draft: () => ({ requestBody: withFile('report.pdf', ELF), createdAt: new Date() }),
    heldFor: { code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' }, outcome: { refusedAfterRelease: 'FERRY_ERR_CONTENT_EXECUTABLE' } },
  { name: 'a PNG for a documents-only item, held by the named policy rule: releasing waives exactly that rule', draft: () => ({ requestBody: withFile('plan.png', makePng(), undefined, 'FGW-002'), createdAt: new Date() }),
    heldFor: { code: 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', rule: 'public-apply' }, outcome: { delivered: true } },
];

beforeAll(async () => {
  files = await preparePair({ pkiNow: new Date(Date.now() - 10 * DAY), logLevel: 'warn' });
  const c = (f: string) => join(files.certs, f);
  K = loadGatewayKeys(
    { ca: c('ca.crt'), signCert: c('external-sign.crt'), signKey: c('external-sign.key'), encCert: c('external-enc.crt'), encKey: c('external-enc.key') },
    { encCert: c('internal-enc.crt'), signerSubjects: ['ferry-internal-sign'], signerSha256: [] });
  ext = new FakeExternal({ port: files.linkPort, tls: loadTls({ cert: c('external-tls.crt'), key: c('external-tls.key') }, c('ca.crt')) });
  await ext.listen();
  internal = spawnGateway('internal', files.internalConfig);
  await until('link up', () => (ext.connected ? true : undefined));
  db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
}, 60_000);

afterAll(async () => {
  db?.close();
  if (internal && internal.proc.exitCode === null) { internal.proc.kill('SIGTERM'); await internal.exited; }
  await ext?.close();
});

describe('quarantine release waives only the rule that held the packet (real internal gateway)', () => {
  it.each(ROWS)('$name', async (row) => {
    const p = packet(row.draft());
    await ext.deliver(p.packetId, p.bytes);
    const h = await until('quarantined', () => held(p.id));
    expect({ code: h.code, rule: h.rule, state: h.state }).toEqual({ ...row.heldFor, state: 'held' });

    const r = release(p.id);
    const o = row.outcome;
    if ('refusedAtRelease' in o) {
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(o.refusedAtRelease);
      const after = held(p.id)!;
      expect(after.state).toBe('rejected');
      expect(after.reason).toContain(`release refused by the re-check`);
      expect(after.reason).toContain(o.refusedAtRelease);
      expect(db.prepare('SELECT COUNT(*) FROM stamp_queue WHERE packet_id = ?').pluck().get(p.packetId)).toBe(0);
    } else {
      expect(r.status, r.stderr).toBe(0);
      expect(held(p.id)!.state).toBe('released');
      if ('delivered' in o) {
        await until('delivered', () => caseOf(p.caseId));
      } else {
        const rej = await until('refused again after release', () => rejectedRow(p.id));
        expect(rej.code).toBe(o.refusedAfterRelease);
        expect(rej.detail).toMatch(/^after release from quarantine: rule /);
        await new Promise((res) => setTimeout(res, 300));
        expect(caseOf(p.caseId)).toBeUndefined();
      }
    }
    // Every decision is in the audit chain.
    const actions = db.prepare("SELECT action FROM audit_entries WHERE subject = ? ORDER BY seq").pluck().all(p.id) as string[];
    expect(actions).toContain('packet.refused'); // the hold
    expect(actions).toContain('refusedAtRelease' in o ? 'quarantine.reject' : 'quarantine.release');
    if ('refusedAfterRelease' in o) await until('audited', () => ((db.prepare("SELECT COUNT(*) FROM audit_entries WHERE subject = ? AND action = 'packet.refused'").pluck().get(p.id) as number) === 2 ? true : undefined));
  });
});
