// `ferry audit verify` / `ferry audit export` as data: exit codes 0/1/2, the first line an operator
// reads, --json, and errors naming the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorHead, SignatureAnchorer } from '../../src/audit/anchor.js';
import { auditExportCommand, auditVerifyCommand, parsePeriodBound, ttyProgress } from '../../src/audit/commands.js';
import { devPki, fill, openStore, T0, tamper, tempDir, type Pki } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let good: string;
let headHex: string;

beforeAll(async () => {
  tmp = tempDir('audit-cmd');
  pki = await devPki(tmp.dir);
  const s = openStore(tmp.dir, 'good.sqlite');
  fill(s.log, 5);
  await anchorHead(s.log, new SignatureAnchorer(pki.signKey, pki.signCert), { clock: { now: () => new Date(T0 + 600_000) }, actor: 'gateway:external' });
  fill(s.log, 2, T0 + 700_000);
  headHex = s.log.head()!.hash.toString('hex');
  s.db.close();
  good = s.file;
});
afterAll(() => tmp.cleanup());

describe('auditVerifyCommand', () => {
  it('exits 0 with the verdict, the head and the anchors', async () => {
    const r = await auditVerifyCommand({ db: good, ca: [pki.files.ca.cert], signCerts: [pki.files['external-sign'].cert] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`audit chain OK: 8 entries, head seq 8 hash ${headHex}`);
    expect(r.stdout).toMatch(/anchors: 1 \(1 verified, 0 unchecked\)\n  anchored through seq 5; the 3 newest entries rest on the chain alone/);
  });

  it('fails closed (exit 1) when an anchor cannot be checked against the pins, saying why', async () => {
    const r = await auditVerifyCommand({ db: good });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/no verified anchor/);
    expect(r.stdout).toMatch(/note: anchor 6 over seq 5: signature by CN=ferry-external-sign \(signer [0-9a-f]{64} not checked: no pinned signer given/);
    expect(r.stdout).toMatch(/NOT VERIFIED/);
    const noCa = await auditVerifyCommand({ db: good, signCerts: [pki.files['external-sign'].cert] });
    expect(noCa.exitCode).toBe(1);
    expect(noCa.stdout).toMatch(/issuer not checked: no CA given/);
  });

  it('exits 1 naming the first bad seq and kind, in text and in --json', async () => {
    const f = join(tmp.dir, 'broken.sqlite');
    copyFileSync(good, f);
    tamper(f, (db) => db.prepare('DELETE FROM audit_entries WHERE seq = 3').run());
    const r = await auditVerifyCommand({ db: f, ca: [pki.files.ca.cert] });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^audit chain BROKEN at seq 3: removed\n  entry 3 is missing: row 4 holds entry 4\n  2 entries before it verified {2}\(FERRY_ERR_AUDIT_BROKEN\)/);
    const j = await auditVerifyCommand({ db: f, json: true });
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, firstBad: 3, kind: 'removed', code: 'FERRY_ERR_AUDIT_BROKEN' });
  });

  it('checks a head kept elsewhere (--expect-head seq:hash)', async () => {
    const pins = { ca: [pki.files.ca.cert], signCerts: [pki.files['external-sign'].cert] };
    expect((await auditVerifyCommand({ db: good, ...pins, expectHead: `8:${headHex}` })).exitCode).toBe(0);
    const f = join(tmp.dir, 'cut.sqlite');
    copyFileSync(good, f);
    tamper(f, (db) => db.prepare('DELETE FROM audit_entries WHERE seq > 6').run());
    const r = await auditVerifyCommand({ db: f, expectHead: `8:${headHex}` });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at seq 7: removed/);
    expect((await auditVerifyCommand({ db: good, expectHead: '8:xyz' })).exitCode).toBe(2);
  });

  it('exits 2 naming the file when it is missing or not a Ferry store', async () => {
    const missing = await auditVerifyCommand({ db: join(tmp.dir, 'nope.sqlite') });
    expect(missing).toMatchObject({ exitCode: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^FERRY_ERR_AUDIT_STORE: .*nope\.sqlite: cannot open/);
    const other = join(tmp.dir, 'other.sqlite');
    new Database(other).exec('CREATE TABLE t (x)');
    expect((await auditVerifyCommand({ db: other })).stderr).toMatch(/^FERRY_ERR_AUDIT_STORE: the database has no audit_entries/);
    expect((await auditVerifyCommand({ db: good, ca: [join(tmp.dir, 'no-ca.crt')] })).stderr).toMatch(/^FERRY_ERR_PKI_CERT_FILE: .*no-ca\.crt does not exist/);
  });
});

describe('auditExportCommand', () => {
  const certs = () => ({ ca: pki.files.ca.cert, signCert: pki.files['external-sign'].cert });

  it('exports a local-day period and says how to check it', () => {
    const day = new Date(T0);
    const ymd = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const r = auditExportCommand({ db: good, from: ymd, to: ymd, out: join(tmp.dir, 'exp'), ...certs() });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^exported entries 1\.\.8 to .*exp\n {2}prefix 0{64} \(hash of entry 0: the genesis\)\n {2}1 anchor\(s\), the last covering seq 5; entries 6\.\.8 are not anchored yet\n {2}check it with: sh .*exp\/verify\.sh/);
  });

  it('exits 2 for a bad date and for an export the store cannot make', () => {
    expect(auditExportCommand({ db: good, from: '2026-02-30', to: '2026-03-01', out: join(tmp.dir, 'e1'), ...certs() })).toMatchObject({ exitCode: 2 });
    const r = auditExportCommand({ db: good, from: '2030-01-01', to: '2030-01-02', out: join(tmp.dir, 'e2'), ...certs() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^FERRY_ERR_AUDIT_EXPORT: no audit entries/);
  });
});

describe('parsePeriodBound and ttyProgress', () => {
  it('takes plain local days and zoned date-times, and refuses ambiguous or impossible ones', () => {
    expect(parsePeriodBound('2026-11-25', false)).toEqual(new Date(2026, 10, 25));
    expect(parsePeriodBound('2026-11-25', true)).toEqual(new Date(2026, 10, 25, 23, 59, 59, 999));
    expect(parsePeriodBound('2026-11-25T08:00:00+08:00', false)).toEqual(new Date(Date.UTC(2026, 10, 25, 0)));
    expect(parsePeriodBound('2026-11-25T08:00', false)).toBeNull(); // no zone: which 08:00?
    expect(parsePeriodBound('2026-13-01', false)).toBeNull();
    expect(parsePeriodBound('yesterday', false)).toBeNull();
  });

  it('stays quiet when the stream is not a terminal', () => {
    expect(ttyProgress({ isTTY: false } as NodeJS.WriteStream, 'verified')).toBeUndefined();
    const out: string[] = [];
    const p = ttyProgress({ isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream, 'verified');
    p?.(10_000, 20_000);
    p?.(20_000, 20_000);
    expect(out).toEqual(['\rverified 10,000 / 20,000\x1b[K', '\rverified 20,000 / 20,000\x1b[K\n']);
  });
});
