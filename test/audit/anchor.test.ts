// Anchors: a signature openssl dgst verifies over head.bin, an RFC 3161 token from an openssl TSA that
// openssl ts -verify accepts, and their recording as audit.anchor entries that verifyChain checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorHead, SignatureAnchorer, TsaAnchorer } from '../../src/audit/anchor.js';
import { startAnchoring } from '../../src/audit/anchor-schedule.js';
import { headRecord, sha256 } from '../../src/audit/canonical.js';
import { verifyChain } from '../../src/audit/verify.js';
import { FerryError } from '../../src/errors.js';
import { devPki, fill, forge, openssl, opensslTry, openStore, overwrite, row, T0, tamper, tempDir, type Pki } from './helpers.js';
import { makeTestTsa, type TestTsa } from './openssl-tsa.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let tsa: TestTsa;
let n = 0;
const clock = { now: () => new Date(T0 + 3_600_000) };
const opts = { clock, actor: 'gateway:internal' };
/** The openssl test TSA's policy (openssl-tsa.ts), standing in for the intranet TSA's anchor policy. */
const ANCHOR_POLICY = '1.3.6.1.4.1.99999.1';
// The openssl TSA stamps with the real clock while these tests' clock is fixed at T0 + 1 h: the time
// consistency of genTime and entry time is tested on its own below, with a clock that agrees.
const pinned = (timeToleranceMs = Number.MAX_SAFE_INTEGER) => ({
  ca: [pki.ca], signers: new Set([sha256(pki.signCert.raw).toString('hex')]), checkTimeStamp: tsa.check, anchorPolicyOid: ANCHOR_POLICY, timeToleranceMs,
});

beforeAll(async () => {
  tmp = tempDir('audit-anchor');
  pki = await devPki(tmp.dir);
  tsa = makeTestTsa(tmp.dir, pki.files.ca.cert, pki.files.ca.key);
});
afterAll(() => tmp.cleanup());

const fresh = () => openStore(tmp.dir, `a${++n}.sqlite`);
const file = (name: string, data: Buffer): string => {
  const f = join(tmp.dir, `${n}-${name}`);
  writeFileSync(f, data);
  return f;
};

describe('SignatureAnchorer', () => {
  it('signs the anchor record (head, entry time, signer fingerprint), and openssl dgst -verify accepts it', async () => {
    const head = { seq: 42, hash: sha256(Buffer.from('x')) };
    const at = new Date(T0);
    const t = await new SignatureAnchorer(pki.signKey, pki.signCert).anchor(head, at);
    expect(t.kind).toBe('signature');
    const fp = sha256(pki.signCert.raw).toString('hex');
    const rec = (seq: number, when: string, signer = fp) => Buffer.from(`ferry-audit-anchor/1 seq=${seq} hash=${head.hash.toString('hex')} at=${when} signer=${signer}\n`);
    const pub = file('pub.pem', Buffer.from(openssl(['x509', '-in', pki.files['external-sign'].cert, '-pubkey', '-noout'])));
    const args = ['dgst', '-sha256', '-verify', pub, '-signature', file('sig.der', t.token)];
    expect(opensslTry([...args, file('record.bin', rec(42, at.toISOString()))]).out).toMatch(/Verified OK/);
    // Another seq, another time, another signer fingerprint: each is a different statement.
    expect(opensslTry([...args, file('other.bin', rec(43, at.toISOString()))]).status).not.toBe(0);
    expect(opensslTry([...args, file('later.bin', rec(42, new Date(T0 + 1).toISOString()))]).status).not.toBe(0);
    expect(opensslTry([...args, file('signer.bin', rec(42, at.toISOString(), 'ab'.repeat(32)))]).status).not.toBe(0);
    expect(opensslTry([...args, file('head.bin', headRecord(head))]).status).not.toBe(0);
  });

  it('refuses a key that is not the certificate key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => new SignatureAnchorer(other, pki.signCert)).toThrow(FerryError);
  });
});

describe('TsaAnchorer', () => {
  it('stamps SHA-256 of the head record; openssl ts -verify accepts the token over head.bin', async () => {
    const head = { seq: 7, hash: sha256(Buffer.from('y')) };
    const t = await new TsaAnchorer(tsa.stamp).anchor(head, new Date(T0));
    expect(t.kind).toBe('rfc3161');
    const common = ['-in', file('token.tst', t.token), '-token_in', '-CAfile', pki.files.ca.cert, '-untrusted', tsa.certPath];
    const good = opensslTry(['ts', '-verify', '-data', file('head.bin', headRecord(head)), ...common]);
    expect(good.out).toMatch(/Verification: OK/);
    expect(opensslTry(['ts', '-verify', '-data', file('other.bin', headRecord({ ...head, seq: 8 })), ...common]).status).not.toBe(0);
  });

  it('turns a TSA failure or a non-token into FERRY_ERR_AUDIT_ANCHOR', async () => {
    const head = { seq: 1, hash: Buffer.alloc(32) };
    await expect(new TsaAnchorer(() => Promise.reject(new Error('connection refused'))).anchor(head, new Date(T0))).rejects.toMatchObject({ code: 'FERRY_ERR_AUDIT_ANCHOR' });
    await expect(new TsaAnchorer(() => Promise.resolve(Buffer.from('<html>'))).anchor(head, new Date(T0))).rejects.toMatchObject({ code: 'FERRY_ERR_AUDIT_ANCHOR' });
  });
});

describe('anchorHead and verifyChain', () => {
  it('records both kinds as audit.anchor entries that verifyChain checks with the CA and the TSA verifier', async () => {
    const s = fresh();
    fill(s.log, 5);
    const sig = await anchorHead(s.log, new SignatureAnchorer(pki.signKey, pki.signCert), opts);
    const ts = await anchorHead(s.log, new TsaAnchorer(tsa.stamp), opts);
    expect(sig).toMatchObject({ seq: 6, action: 'audit.anchor', subject: 'seq:5' });
    expect(ts).toMatchObject({ seq: 7, action: 'audit.anchor', subject: 'seq:6' });
    const r = await verifyChain(s.db, { trust: pinned() });
    expect(r).toMatchObject({ ok: true, entries: 7, anchors: 2, anchorsVerified: 2, anchoredThrough: 6 });
    if (r.ok) expect(r.kinds).toMatchObject({ signature: { count: 1, verified: 1, failures: [] }, rfc3161: { count: 1, verified: 1, failures: [] } });
    s.db.close();
  });

  it('says which anchors it could not check when no trust is given', async () => {
    const s = fresh();
    fill(s.log, 2);
    await anchorHead(s.log, new SignatureAnchorer(pki.signKey, pki.signCert), opts);
    await anchorHead(s.log, new TsaAnchorer(tsa.stamp), opts);
    const r = await verifyChain(s.db);
    expect(r).toMatchObject({ ok: true, anchorsVerified: 0, anchorsUnchecked: 2, anchoredThrough: 0 });
    if (r.ok) expect(r.notes.join('\n')).toMatch(/no pinned signer given[\s\S]*no TSA verifier and anchor policy OID configured/);
    s.db.close();
  });

  it('does not anchor again when only anchor entries were added since', async () => {
    const s = fresh();
    const a = new SignatureAnchorer(pki.signKey, pki.signCert);
    expect(await anchorHead(s.log, a, opts)).toBeNull(); // empty chain
    fill(s.log, 1);
    expect(await anchorHead(s.log, a, opts)).not.toBeNull();
    expect(await anchorHead(s.log, a, opts)).toBeNull();
    fill(s.log, 1);
    expect(await anchorHead(s.log, a, opts)).toMatchObject({ subject: 'seq:3' });
    s.db.close();
  });

  it('rejects a signature anchor whose signer does not chain to the CA', async () => {
    const s = fresh();
    fill(s.log, 3);
    const stranger = await devPki(join(tmp.dir, `stranger-${n}`));
    await anchorHead(s.log, new SignatureAnchorer(stranger.signKey, stranger.signCert), opts);
    // Pinned to the deployment's signer: another key is refused whatever its certificate says.
    const r = await verifyChain(s.db, { trust: pinned() });
    expect(r).toMatchObject({ ok: false, firstBad: 4, kind: 'altered' });
    if (!r.ok) expect(r.detail).toMatch(/does not verify: signed by .*ferry-external-sign \(SHA-256 [0-9a-f]{64}\), which is not a pinned signer/);
    // Pinned to the stranger's certificate: it still has to chain to the CA.
    const r2 = await verifyChain(s.db, { trust: { ca: [pki.ca], signers: new Set([sha256(stranger.signCert.raw).toString('hex')]) } });
    expect(r2).toMatchObject({ ok: false, firstBad: 4, kind: 'altered' });
    if (!r2.ok) expect(r2.detail).toMatch(/does not verify: signer .*ferry-external-sign/);
    s.db.close();
  });

  it('rejects an rfc3161 anchor whose token was swapped for one over another head (and its binding re-forged)', async () => {
    const s = fresh();
    fill(s.log, 3);
    const a = new TsaAnchorer(tsa.stamp);
    await anchorHead(s.log, a, opts); // entry 4 anchors head 3
    const foreign = await a.anchor({ seq: 3, hash: sha256(Buffer.from('another chain')) }, new Date(T0));
    s.db.close();
    tamper(s.file, (db) => {
      db.prepare('UPDATE audit_anchors SET token = ? WHERE entry_seq = 4').run(foreign.token);
      // Re-forge entry 4 (the newest, so no later link breaks) to bind the foreign token's digest.
      const r = row(db, 4);
      const detail = { ...JSON.parse(r.detail), tokenSha256: sha256(foreign.token).toString('hex') };
      overwrite(db, 4, forge(4, r.prev_hash, r.at, r.actor, r.action, r.subject, detail));
    });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(s.file, { readonly: true });
    const r = await verifyChain(db, { trust: pinned() });
    expect(r).toMatchObject({ ok: false, firstBad: 4, kind: 'altered' });
    if (!r.ok) expect(r.detail).toMatch(/rfc3161 anchor recorded by entry 4 \(over seq 3\) does not verify: time-stamp token: openssl ts -verify/);
    db.close();
  });
});

describe('rfc3161 anchors: policy and time', () => {
  it('verifies a token whose genTime matches the entry time, and refuses one dated away from it', async () => {
    const s = fresh();
    fill(s.log, 2);
    const real = { clock: { now: () => new Date() }, actor: 'gateway:internal' };
    await anchorHead(s.log, new TsaAnchorer(tsa.stamp), real);
    expect(await verifyChain(s.db, { trust: pinned(60_000) })).toMatchObject({ ok: true, kinds: { rfc3161: { count: 1, verified: 1 } } });
    fill(s.log, 1);
    // The entry says two hours ago; the token says now.
    await anchorHead(s.log, new TsaAnchorer(tsa.stamp), { ...real, clock: { now: () => new Date(Date.now() - 7_200_000) } });
    const r = await verifyChain(s.db, { trust: pinned(60_000) });
    expect(r).toMatchObject({ ok: false, firstBad: 5, kind: 'altered' });
    if (!r.ok) expect(r.detail).toMatch(/genTime \S+ is \d+ ms from the anchor entry's time/);
    s.db.close();
  });

  it('refuses a genuine token issued under another policy than the anchor policy (the public /tsa one)', async () => {
    const s = fresh();
    fill(s.log, 2);
    await anchorHead(s.log, new TsaAnchorer(tsa.stamp), opts);
    const r = await verifyChain(s.db, { trust: { ...pinned(), anchorPolicyOid: '1.3.6.1.4.1.99999.7' } });
    expect(r).toMatchObject({ ok: false, firstBad: 3, kind: 'altered' });
    if (!r.ok) {
      expect(r.detail).toMatch(/issued under policy 1.3.6.1.4.1.99999.1, not the anchor policy 1.3.6.1.4.1.99999.7/);
      expect(r.kinds?.rfc3161.failures).toHaveLength(1);
    }
    s.db.close();
  });
});

describe('startAnchoring', () => {
  it('anchors on demand and once more on stop, and reports a failing anchorer without stopping the others', async () => {
    const s = fresh();
    const errors: string[] = [];
    const broken = new TsaAnchorer(() => Promise.reject(new Error('TSA unreachable')));
    const sched = startAnchoring(s.log, [broken, new SignatureAnchorer(pki.signKey, pki.signCert)], {
      clock, actor: 'gateway:external', intervalMs: 60_000, onError: (e, kind) => errors.push(`${kind}: ${(e as Error).message}`),
    });
    fill(s.log, 2);
    await sched.anchorNow();
    fill(s.log, 1);
    await sched.stop();
    expect(s.log.lastAnchoredSeq('signature')).toBe(4);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^rfc3161: the TSA did not stamp audit head 2 \(TSA unreachable\)/);
    s.db.close();
  });
});
