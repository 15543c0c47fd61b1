import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { initDevPki, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { loadCertificate, loadCertificates, loadPrivateKey } from '../../src/pki/key-files.js';
import { openssl, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let files: DevPkiFiles;
beforeAll(async () => {
  tmp = tempDir('keyfiles');
  files = await initDevPki(join(tmp.dir, 'certs'));
});
afterAll(() => tmp.cleanup());

const at = (name: string): string => join(tmp.dir, name);

describe('loadPrivateKey', () => {
  it('loads a 0600 PKCS#8 PEM key', () => {
    const k = loadPrivateKey(files['external-sign'].key);
    expect(k.type).toBe('private');
    expect(k.asymmetricKeyType).toBe('ec');
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o601])('refuses a key file with mode %o, naming the file and its mode', (mode) => {
    const p = at(`k-${mode.toString(8)}.key`);
    copyFileSync(files['external-sign'].key, p);
    chmodSync(p, mode);
    const modeText = '0' + mode.toString(8);
    expect(() => loadPrivateKey(p)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PKI_KEY_FILE' }));
    expect(() => loadPrivateKey(p)).toThrow(`${p} has mode ${modeText}`);
  });

  it('accepts 0400 (read-only for the owner)', () => {
    const p = at('ro.key');
    copyFileSync(files['external-enc'].key, p);
    chmodSync(p, 0o400);
    expect(loadPrivateKey(p).asymmetricKeyType).toBe('ec');
  });

  it('loads SEC1 "EC PRIVATE KEY" PEM and DER PKCS#8 made by openssl', () => {
    const sec1 = at('sec1.key');
    openssl(['ec', '-in', files.tsa.key, '-out', sec1]);
    chmodSync(sec1, 0o600);
    expect(readFileSync(sec1, 'utf8')).toMatch(/BEGIN EC PRIVATE KEY/);
    const der = at('der.key');
    openssl(['pkey', '-in', files.tsa.key, '-outform', 'DER', '-out', der]);
    chmodSync(der, 0o600);
    const want = createPrivateKey(readFileSync(files.tsa.key)).export({ type: 'pkcs8', format: 'der' });
    expect(loadPrivateKey(sec1).export({ type: 'pkcs8', format: 'der' }).equals(want)).toBe(true);
    expect(loadPrivateKey(der).export({ type: 'pkcs8', format: 'der' }).equals(want)).toBe(true);
  });

  it.each([
    ['a missing file', 'missing.key', null, /missing\.key does not exist/],
    ['a certificate', 'cert-as-key.key', 'cert', /is not a readable private key/],
    ['random bytes', 'junk.key', 'junk', /is not a private key/],
    ['an encrypted key', 'enc.key', 'encrypted', /encrypted private key/],
  ])('refuses %s with FERRY_ERR_PKI_KEY_FILE', (_what, name, content, msg) => {
    const p = at(name);
    if (content === 'cert') copyFileSync(files.ca.cert, p);
    if (content === 'junk') writeFileSync(p, Buffer.from('0123456789abcdef'));
    if (content === 'encrypted') openssl(['pkey', '-in', files.ca.key, '-aes256', '-passout', 'pass:x', '-out', p]);
    if (content) chmodSync(p, 0o600);
    expect(() => loadPrivateKey(p)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PKI_KEY_FILE', message: expect.stringMatching(msg) }));
  });

  it('refuses a directory', () => {
    expect(() => loadPrivateKey(tmp.dir)).toThrow(/is not a regular file/);
  });
});

describe('loadCertificate(s)', () => {
  it('reads PEM and DER to the same certificate', () => {
    const der = at('ca.der');
    openssl(['x509', '-in', files.ca.cert, '-outform', 'DER', '-out', der]);
    const a = loadCertificate(files.ca.cert);
    const b = loadCertificate(der);
    expect(a).toBeInstanceOf(X509Certificate);
    expect(a.raw.equals(b.raw)).toBe(true);
    expect(a.raw.equals(readFileSync(der))).toBe(true);
  });

  it('reads every certificate of a PEM bundle in order, skipping openssl text between blocks', () => {
    const bundle = at('bundle.pem');
    const leafText = openssl(['x509', '-in', files['internal-tls'].cert, '-subject', '-issuer']);
    writeFileSync(bundle, 'Bag Attributes\n    friendlyName: x\n' + leafText + readFileSync(files.ca.cert, 'utf8'));
    const certs = loadCertificates(bundle);
    expect(certs.map((c) => c.subject)).toEqual(['CN=ferry-internal-tls', 'CN=Ferry Dev Root CA\nO=Ferry Dev']);
    expect(loadCertificate(bundle).subject).toBe('CN=ferry-internal-tls');
  });

  it.each([
    ['a missing file', 'nope.crt', null, /does not exist/],
    ['an empty file', 'empty.crt', '', /is empty/],
    ['a key file', 'key.crt', 'key', /no PEM CERTIFICATE block/],
    ['DER with trailing bytes', 'trail.der', 'trail', /trailing bytes/],
    ['damaged DER', 'bad.der', 'bad', /not a valid certificate/],
    ['damaged PEM body', 'bad.pem', 'badpem', /not a valid certificate/],
  ])('refuses %s with FERRY_ERR_PKI_CERT_FILE', (_what, name, content, msg) => {
    const p = at(name);
    const der = new X509Certificate(readFileSync(files.ca.cert)).raw;
    if (content === '') writeFileSync(p, '');
    if (content === 'key') copyFileSync(files.ca.key, p);
    if (content === 'trail') writeFileSync(p, Buffer.concat([der, Buffer.from([0, 0])]));
    if (content === 'bad') writeFileSync(p, der.subarray(0, der.length - 10));
    if (content === 'badpem') {
      writeFileSync(p, `-----BEGIN CERTIFICATE-----\n${der.subarray(0, 100).toString('base64')}\n-----END CERTIFICATE-----\n`);
    }
    expect(() => loadCertificates(p)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PKI_CERT_FILE', message: expect.stringMatching(msg) }));
  });
});
