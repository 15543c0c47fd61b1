// Revocation in the dev CA and the CRL reader, with openssl as the judge: every CRL `ferry certs
// revoke` writes must pass `openssl crl -verify`, and `openssl verify -crl_check` must agree with
// Ferry's verdict on each certificate. Lists OpenSSL's own CA writes are read the same way; lists that
// are forged, damaged, replayed or stale are refused or held as the configuration says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { readCaDb } from '../../src/pki/ca-db.js';
import { revokeDevCertificate, writeDevCrl } from '../../src/pki/dev-ca-crl.js';
import { verifyCrl } from '../../src/pki/crl.js';
import { issueCrl } from '../../src/pki/crl-issue.js';
import { revocationVerdict } from '../../src/pki/revocation.js';
import { certFacts } from '../../src/pki/cert-extensions.js';
import { FerryError } from '../../src/errors.js';
import { hasTool } from '../helpers/tools.js';
import { openssl, opensslTry, tempDir } from './helpers.js';

if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let tmp: ReturnType<typeof tempDir>;
let dir: string;
let other: string;
const cert = (name: string, d = dir) => new X509Certificate(readFileSync(join(d, `${name}.crt`)));
const ca = () => [cert('ca')];
const crlFile = () => join(dir, 'ca.crl');

beforeAll(async () => {
  tmp = tempDir('crl');
  dir = join(tmp.dir, 'certs');
  other = join(tmp.dir, 'other');
  await initDevPki(dir);
  await initDevPki(other);
});
afterAll(() => tmp.cleanup());

/** openssl's verdict on one certificate with the CA and the current CRL. */
function opensslCrlCheck(name: string): { status: number; out: string } {
  return opensslTry(['verify', '-crl_check', '-CAfile', join(dir, 'ca.crt'), '-CRLfile', crlPem(), join(dir, `${name}.crt`)]);
}
function crlPem(): string {
  const p = join(tmp.dir, 'current-crl.pem');
  writeFileSync(p, openssl(['crl', '-inform', 'DER', '-in', crlFile()]));
  return p;
}

describe('dev CA revocation (ferry certs revoke)', () => {
  it('keeps a CA database (mode 0600) of every issued serial, and writes CRL number 1 that openssl verifies', () => {
    expect(statSync(join(dir, 'ca-db.json')).mode & 0o777).toBe(0o600);
    const db = readCaDb(dir);
    expect(db.issued.map((i) => i.serial)).toContain(certFacts(cert('internal-tls')).serial.toString(16));
    expect(db.crlNumber).toBe(1);
    const out = openssl(['crl', '-inform', 'DER', '-in', crlFile(), '-CAfile', join(dir, 'ca.crt'), '-verify', '-noout', '-text']);
    expect(out).toMatch(/Version 2/);
    expect(out).toMatch(/X509v3 CRL Number:\s+1\b/);
    expect(out).toMatch(/No Revoked Certificates/);
    expect(opensslCrlCheck('internal-tls').status).toBe(0);
  });

  it('revokes by serial with a reason: a v2 CRL with the next number, the entry and its reason code; openssl then refuses the certificate', async () => {
    const serial = certFacts(cert('internal-sign')).serial.toString(16);
    const out = await revokeDevCertificate(dir, { serial: serial.toUpperCase(), reason: 'keyCompromise', now: new Date() });
    expect(out.crlNumber).toBe(2);
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile(), '-CAfile', join(dir, 'ca.crt'), '-verify', '-noout', '-text']);
    expect(text).toMatch(/X509v3 CRL Number:\s+2\b/);
    expect(text.toLowerCase()).toContain(`serial number: ${serial}`);
    expect(text).toMatch(/CRL Reason Code:\s+Key Compromise/);
    expect(text).toMatch(/Next Update:/);
    const judged = opensslCrlCheck('internal-sign');
    expect(judged.status).not.toBe(0);
    expect(judged.out).toMatch(/certificate revoked/);
    expect(opensslCrlCheck('external-sign').status).toBe(0);
  });

  it('revokes by certificate file (one the database never recorded is revocable if it chains to the CA)', async () => {
    const out = await revokeDevCertificate(dir, { cert: join(dir, 'tsa.crt'), reason: 'superseded', now: new Date() });
    expect(out.crlNumber).toBe(3);
    expect(opensslCrlCheck('tsa').out).toMatch(/certificate revoked/);
    expect(readCaDb(dir).revoked.map((r) => r.reason)).toEqual(['keyCompromise', 'superseded']);
  });

  it('refuses a serial the CA database never recorded (FERRY_ERR_PKI_CA_DB)', async () => {
    await expect(revokeDevCertificate(dir, { serial: 'abcdef', reason: 'unspecified', now: new Date() })).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_CA_DB' });
  });

  it('refuses to revoke twice, and a certificate of another CA', async () => {
    const serial = certFacts(cert('internal-sign')).serial.toString(16);
    await expect(revokeDevCertificate(dir, { serial, reason: 'unspecified', now: new Date() })).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_CA_DB' });
    await expect(revokeDevCertificate(dir, { cert: join(other, 'external-tls.crt'), reason: 'unspecified', now: new Date() }))
      .rejects.toBeInstanceOf(FerryError);
  });
});

describe('verifyCrl: signature first, then the contents', () => {
  it('accepts the dev CA list and reads number, dates and entries', () => {
    const v = verifyCrl(readFileSync(crlFile()), ca());
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.crlNumber).toBe(3n);
    expect(v.value.revoked.get(certFacts(cert('internal-sign')).serial)?.reason).toBe('keyCompromise');
    expect(v.value.nextUpdate!.getTime()).toBeGreaterThan(v.value.thisUpdate.getTime());
  });

  it('reads a CRL written by OpenSSL\'s own CA (openssl ca -revoke, -gencrl) the same way', () => {
    const o = join(tmp.dir, 'ossl');
    execFileSync('mkdir', ['-p', o]);
    writeFileSync(join(o, 'index.txt'), '');
    writeFileSync(join(o, 'crlnumber'), '1000\n');
    writeFileSync(join(o, 'ca.cnf'), `[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = ${o}/index.txt\ncrlnumber = ${o}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n`);
    openssl(['ca', '-config', join(o, 'ca.cnf'), '-keyfile', join(dir, 'ca.key'), '-cert', join(dir, 'ca.crt'), '-revoke', join(dir, 'external-tls.crt'), '-crl_reason', 'affiliationChanged']);
    openssl(['ca', '-config', join(o, 'ca.cnf'), '-keyfile', join(dir, 'ca.key'), '-cert', join(dir, 'ca.crt'), '-gencrl', '-out', join(o, 'o.crl')]);
    const der = Buffer.from(execFileSync('openssl', ['crl', '-in', join(o, 'o.crl'), '-outform', 'DER']));
    const v = verifyCrl(der, ca());
    expect(v.ok, v.ok ? '' : v.detail).toBe(true);
    if (!v.ok) return;
    expect(v.value.revoked.get(certFacts(cert('external-tls')).serial)?.reason).toBe('affiliationChanged');
    expect(revocationVerdict(cert('external-tls'), { lists: new Map([[v.value.issuerDer.toString('hex'), v.value]]), covered: new Set([v.value.issuerDer.toString('hex')]), whenStale: 'hold' }, new Date()))
      .toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
  });

  const flip = (b: Buffer, at: number) => { const c = Buffer.from(b); c[at] = c[at]! ^ 0x01; return c; };
  it.each([
    ['a list signed by another CA', () => readFileSync(join(other, 'ca.crl'))],
    ['a list whose signature was altered', () => flip(readFileSync(crlFile()), readFileSync(crlFile()).length - 3)],
    ['a list whose entries were altered (an entry removed is a changed tbsCertList)', () => flip(readFileSync(crlFile()), 60)],
    ['a truncated list', () => readFileSync(crlFile()).subarray(0, 100)],
    ['bytes that are not a CRL', () => readFileSync(join(dir, 'ca.crt'))],
    ['nothing', () => Buffer.alloc(0)],
  ])('refuses %s with FERRY_ERR_PKI_CRL', (_name, bytes) => {
    expect(verifyCrl(bytes(), ca())).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CRL' });
  });
});

describe('revocationVerdict: revoked, stale (hold | warn), not covered', () => {
  const past = async (whenStale: 'hold' | 'warn') => {
    const der = await issueCrl({
      caCertPem: readFileSync(join(dir, 'ca.crt')), caKeyPem: readFileSync(join(dir, 'ca.key'), 'utf8'), crlNumber: 99,
      thisUpdate: new Date(Date.now() - 3 * 86_400_000), nextUpdate: new Date(Date.now() - 86_400_000), revoked: [],
    });
    const v = verifyCrl(der, ca());
    if (!v.ok) throw new Error(v.detail);
    const k = v.value.issuerDer.toString('hex');
    return { lists: new Map([[k, v.value]]), covered: new Set([k]), whenStale };
  };
  it('hold (the default): every certificate of a CA whose list is past nextUpdate is refused as stale', async () => {
    expect(revocationVerdict(cert('external-tls'), await past('hold'), new Date())).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CRL_STALE' });
  });
  it('warn: accepted while stale', async () => {
    expect(revocationVerdict(cert('external-tls'), await past('warn'), new Date())).toEqual({ ok: true, value: undefined });
  });
  it('hold: a CA with a source configured but no list yet refuses; with no source at all nothing is checked', () => {
    const k = certFacts(cert('ca')).subjectDer.toString('hex');
    expect(revocationVerdict(cert('external-tls'), { lists: new Map(), covered: new Set([k]), whenStale: 'hold' }, new Date()))
      .toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CRL_STALE' });
    expect(revocationVerdict(cert('external-tls'), { lists: new Map(), covered: new Set(), whenStale: 'hold' }, new Date())).toEqual({ ok: true, value: undefined });
  });
  it('hold: a certificate whose issuer no configured CA list covers (another CA, an intermediate) is refused; warn accepts it', () => {
    // Revocation is on for one CA (a name unlike the dev CA's); the dev CA's certificate has no list.
    const snap = { lists: new Map(), covered: new Set(['3000']), whenStale: 'hold' as const };
    const foreign = cert('external-tls');
    expect(revocationVerdict(foreign, snap, new Date())).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CRL_STALE' });
    expect(revocationVerdict(foreign, { ...snap, whenStale: 'warn' }, new Date())).toEqual({ ok: true, value: undefined });
  });
  it('`ferry certs crl` re-issues with a fresh nextUpdate and the next number, the revocations kept', async () => {
    const before = readCaDb(dir).crlNumber;
    const out = await writeDevCrl(dir, readCaDb(dir), new Date(), 2);
    expect(out.crlNumber).toBe(before + 1);
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile(), '-CAfile', join(dir, 'ca.crt'), '-verify', '-noout', '-text']);
    expect(text).toMatch(/Key Compromise/);
  });
});
