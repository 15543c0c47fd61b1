// What each role needs of its key and certificate (src/pki/role-fit.ts), the check `ferry certs import`
// and each gateway's start run. Keys and certificates are real files made by openssl, issued by the
// dev PKI's own CA key; openssl judges the facts the verdicts rest on (key type, key/cert match).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initDevPki, roleMarkerFor, DEV_PKI_ROLES, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { loadPrivateKey } from '../../src/pki/key-files.js';
import { roleFit } from '../../src/pki/role-fit.js';
import type { FerryRole } from '../../src/pki/roles.js';
import { opensslCa, type OsslCert, type OsslOpts } from './openssl-ca.js';
import { openssl, tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = new Date();
let tmp: ReturnType<typeof tempDir>;
let dev: DevPkiFiles;
let devCa: OsslCert;
let ca: ReturnType<typeof opensslCa>;
let roots: X509Certificate[];

beforeAll(async () => {
  tmp = tempDir('role-fit');
  dev = await initDevPki(join(tmp.dir, 'dev'));
  devCa = { name: 'dev-ca', keyPath: dev.ca.key, certPath: dev.ca.cert, cert: new X509Certificate(readFileSync(dev.ca.cert)) };
  roots = [devCa.cert];
  ca = opensslCa(join(tmp.dir, 'ossl'));
});
afterAll(() => tmp.cleanup());

function check(role: FerryRole, c: OsslCert, keyPath = c.keyPath) {
  return roleFit({ role, cert: c.cert, key: loadPrivateKey(keyPath), ca: roots, at: NOW });
}

describe('the dev PKI', () => {
  it('every end-entity file fits the role its marker names, with its key and the dev CA', () => {
    for (const r of DEV_PKI_ROLES) {
      const role = roleMarkerFor(r)!;
      const v = roleFit({ role, cert: new X509Certificate(readFileSync(dev[r].cert)), key: loadPrivateKey(dev[r].key), ca: roots, at: NOW });
      expect(v, r).toEqual({ ok: true });
    }
  });
});

type Row = { name: string; role: FerryRole; opts: OsslOpts; code: string; about: string; detail: RegExp; issuer?: 'other' };
const rows: Row[] = [
  { name: 'an RSA-2048 signing key', role: 'packet-signer', opts: { key: 'rsa', roles: ['packet-signer'], keyUsage: 'digitalSignature,nonRepudiation' }, code: 'FERRY_ERR_PKI_KEY_TYPE', about: 'key', detail: /RSA-2048 key; the packet-signer role needs EC P-256/ },
  { name: 'a P-384 signing key', role: 'packet-signer', opts: { key: 'p384', roles: ['packet-signer'] }, code: 'FERRY_ERR_PKI_KEY_TYPE', about: 'key', detail: /EC P-384 key; the packet-signer role needs EC P-256/ },
  { name: 'an Ed25519 encryption key', role: 'packet-encryption', opts: { key: 'ed25519', roles: ['packet-encryption'], keyUsage: 'keyAgreement' }, code: 'FERRY_ERR_PKI_KEY_TYPE', about: 'key', detail: /Ed25519 key; the packet-encryption role needs EC P-256/ },
  { name: 'an RSA TSA key', role: 'tsa', opts: { key: 'rsa', roles: ['tsa'], eku: 'critical,timeStamping' }, code: 'FERRY_ERR_PKI_KEY_TYPE', about: 'key', detail: /tsa role needs EC P-256/ },
  { name: 'a signing certificate without any role marker', role: 'packet-signer', opts: {}, code: 'FERRY_ERR_PKI_ROLE', about: 'cert', detail: /lacks the Ferry packet-signer role marker.*it has none/ },
  { name: "a township client's certificate as the signer", role: 'packet-signer', opts: { roles: ['township-client'], eku: 'clientAuth' }, code: 'FERRY_ERR_PKI_ROLE', about: 'cert', detail: /it has township-client/ },
  { name: 'a signing certificate whose keyUsage is keyAgreement only', role: 'packet-signer', opts: { roles: ['packet-signer'], keyUsage: 'keyAgreement' }, code: 'FERRY_ERR_PKI_KEY_USAGE', about: 'cert', detail: /lacks digitalSignature/ },
  { name: 'an encryption certificate without keyAgreement', role: 'packet-encryption', opts: { roles: ['packet-encryption'] }, code: 'FERRY_ERR_PKI_KEY_USAGE', about: 'cert', detail: /lacks keyAgreement/ },
  { name: 'a link server certificate for e-mail only', role: 'external-gateway-link', opts: { roles: ['external-gateway-link'], eku: 'emailProtection' }, code: 'FERRY_ERR_PKI_KEY_USAGE', about: 'cert', detail: /lacks 1\.3\.6\.1\.5\.5\.7\.3\.1/ },
  { name: 'a link client certificate for serverAuth only', role: 'internal-gateway-link', opts: { roles: ['internal-gateway-link'], eku: 'serverAuth' }, code: 'FERRY_ERR_PKI_KEY_USAGE', about: 'cert', detail: /lacks 1\.3\.6\.1\.5\.5\.7\.3\.2/ },
  { name: 'a TSA certificate whose timeStamping EKU is not critical', role: 'tsa', opts: { roles: ['tsa'], eku: 'timeStamping' }, code: 'FERRY_ERR_PKI_KEY_USAGE', about: 'cert', detail: /not critical/ },
  { name: 'a CA certificate with the signer marker', role: 'packet-signer', opts: { ca: true, roles: ['packet-signer'], keyUsage: 'digitalSignature,keyCertSign' }, code: 'FERRY_ERR_PKI_LEAF_IS_CA', about: 'cert', detail: /CA certificate/ },
  { name: 'a signer from another CA', role: 'packet-signer', opts: { roles: ['packet-signer'] }, issuer: 'other', code: 'FERRY_ERR_PKI_CHAIN', about: 'cert', detail: /does not chain to the configured CA/ },
  { name: 'an expired signer', role: 'packet-signer', opts: { roles: ['packet-signer'], notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) }, code: 'FERRY_ERR_PKI_EXPIRED', about: 'cert', detail: /expired/ },
];

describe('refusals, each naming the reason', () => {
  it.each(rows)('refuses $name: $code', ({ name, role, opts, code, about, detail, issuer }) => {
    const other = issuer === 'other' ? ca.root(`other-root-${rows.indexOf(rows.find((r) => r.name === name)!)}`) : devCa;
    const c = ca.issue(other, name.replace(/\W+/g, '-'), opts);
    const v = check(role, c);
    expect(v).toMatchObject({ ok: false, code, about });
    expect(v.ok ? '' : v.detail).toMatch(detail);
  });

  it('accepts RSA-2048 and P-384 keys for TLS roles, whose handshake can use them', () => {
    for (const key of ['rsa', 'p384'] as const) {
      const c = ca.issue(devCa, `tls-${key}`, { key, roles: ['external-gateway-link'], eku: 'serverAuth,clientAuth' });
      expect(check('external-gateway-link', c)).toEqual({ ok: true });
    }
  });

  it('accepts a link certificate without an EKU extension (RFC 5280: any purpose)', () => {
    expect(check('intranet-server', ca.issue(devCa, 'tls-no-eku', { roles: ['intranet-server'] }))).toEqual({ ok: true });
  });

  it('refuses a key that does not belong to its certificate, as openssl sees the two public keys differ', () => {
    const c = ca.issue(devCa, 'signer-a', { roles: ['packet-signer'] });
    const stranger = ca.issue(devCa, 'signer-b', { roles: ['packet-signer'] });
    const v = check('packet-signer', c, stranger.keyPath);
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_KEY_MISMATCH', about: 'pair' });
    const certPub = openssl(['x509', '-in', c.certPath, '-noout', '-pubkey']);
    expect(openssl(['pkey', '-in', stranger.keyPath, '-pubout'])).not.toBe(certPub);
    expect(openssl(['pkey', '-in', c.keyPath, '-pubout'])).toBe(certPub);
    expect(check('packet-signer', c)).toEqual({ ok: true });
  });

  it('names the key type as openssl does', () => {
    const c = ca.issue(devCa, 'rsa-probe', { key: 'rsa', roles: ['packet-signer'] });
    expect(openssl(['pkey', '-in', c.keyPath, '-noout', '-text'])).toMatch(/Private-Key: \(2048 bit/);
    expect(check('packet-signer', c)).toMatchObject({ code: 'FERRY_ERR_PKI_KEY_TYPE' });
  });
});
