// Who may sign a packet: a certificate from the deployment CA with the pinned CN AND the Ferry
// packet-signer role marker, never a CA certificate, and with its WHOLE path (leaf, intermediates,
// root) valid both at the packet's creation time and now. Each row is a certificate a hostile holder
// could have; every packet is sealed with the real sealPacket and opened with the real openPacket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyObject, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { sealPacket, type PacketDraft } from '../../src/seal/seal.js';
import { openPacket } from '../../src/seal/open.js';
import { openKeys, sealKeys } from '../../src/seal/keyring.js';
import { SignerTrust } from '../../src/seal/signer-trust.js';
import { loadPrivateKey } from '../../src/pki/key-files.js';
import { x509 } from '../../src/pki/x509-provider.js';
import { FERRY_ROLE_OIDS } from '../../src/pki/roles.js';
import { makePki, tempDir, type DevPki } from '../seal/fixtures.js';
import { issueWithCa } from '../pki/openssl-issue.js';
import { make, type Made } from '../pki/make-certs.js';

const DAY = 86_400_000;
const NOW = new Date();
let tmp: ReturnType<typeof tempDir>;
let pki: DevPki;

const draft = (createdAt: Date): PacketDraft => ({
  kind: 'submission', fromDomain: 'public', toDomain: 'intranet', caseId: 'F20260601-0123456789ABCDEFGHJK',
  createdAt, body: Buffer.from('{"itemCode":"A-001"}'),
});

/** Seal with `signKey`/`signCert` as the external gateway's signer; open on the internal side. */
function sealAndOpen(signCert: X509Certificate, signKey: KeyObject, opts: { createdAt?: Date; roots?: X509Certificate[]; now?: Date } = {}) {
  const own = { ...pki.own('external'), signCert, signKey };
  const bytes = sealPacket(draft(opts.createdAt ?? NOW), sealKeys(own, { encCert: pki.cert('internal-enc') })).bytes;
  const signers = new SignerTrust({ roots: opts.roots ?? [pki.ca], expectedSubjects: ['ferry-external-sign'] });
  return openPacket(bytes, { keys: openKeys(pki.own('internal')), signers, now: opts.now ?? NOW });
}

beforeAll(async () => {
  tmp = tempDir('signer-roles');
  pki = await makePki(tmp.dir, 'pki');
});
afterAll(() => tmp.cleanup());

describe('packet signer role (same CA, pinned CN)', () => {
  it('accepts the dev PKI signer, which carries the packet-signer role', () => {
    expect(sealAndOpen(pki.cert('external-sign'), pki.key('external-sign')).ok).toBe(true);
  });

  const rows: Array<{ name: string; roles: Array<keyof typeof FERRY_ROLE_OIDS>; ca?: boolean; code: string }> = [
    { name: "a township centre's client certificate named ferry-external-sign", roles: ['township-client'], code: 'FERRY_ERR_SEAL_SIGNER_ROLE' },
    { name: 'a gateway link certificate named ferry-external-sign', roles: ['external-gateway-link'], code: 'FERRY_ERR_SEAL_SIGNER_ROLE' },
    { name: 'a certificate with no Ferry role at all', roles: [], code: 'FERRY_ERR_SEAL_SIGNER_ROLE' },
    { name: 'a CA certificate (cA=true) with the packet-signer role', roles: ['packet-signer'], ca: true, code: 'FERRY_ERR_SEAL_SIGNER_ROLE' },
  ];
  it.each(rows)('refuses $name with $code', ({ name, roles, ca, code }) => {
    const c = issueWithCa(join(tmp.dir, 'pki'), join(tmp.dir, 'issued'), name.replace(/\W+/g, '-'), {
      cn: 'ferry-external-sign', roles, ...(ca ? { ca } : {}), eku: 'clientAuth',
    });
    const r = sealAndOpen(new X509Certificate(c.cert), loadPrivateKey(c.keyPath));
    expect(r.ok ? 'ok' : r.code).toBe(code);
  });

  it('accepts an openssl-issued certificate with the role (the marker, not the issuing code, is what counts)', () => {
    const c = issueWithCa(join(tmp.dir, 'pki'), join(tmp.dir, 'issued'), 'good-signer', { cn: 'ferry-external-sign', roles: ['packet-signer'], eku: 'clientAuth' });
    // openssl starts the validity at the second it issues, after NOW was taken.
    const t = new Date(Date.now() + 2000);
    const r = sealAndOpen(new X509Certificate(c.cert), loadPrivateKey(c.keyPath), { createdAt: t, now: t });
    expect(r.ok ? 'ok' : `${r.code} ${r.detail}`).toBe('ok');
  });
});

describe('signer path validity at creation AND now (not at the leaf notBefore)', () => {
  const role = () => [new x509.CertificatePolicyExtension([FERRY_ROLE_OIDS['packet-signer']])];
  const signerUnder = async (issuer: Made, from: Date, to: Date): Promise<Made> =>
    make({ subject: 'CN=ferry-external-sign', issuer, notBefore: from, notAfter: to, extra: role() });
  const key = (m: Made) => KeyObject.from(m.keys.privateKey);

  it('refuses a packet, created now, whose root expired yesterday though the leaf is still valid', async () => {
    const root = await make({ subject: 'CN=Old Root', ca: true, notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const leaf = await signerUnder(root, new Date(NOW.getTime() - 20 * DAY), new Date(NOW.getTime() + 30 * DAY));
    const r = sealAndOpen(leaf.node, key(leaf), { roots: [root.node] });
    expect(r.ok ? 'ok' : r.code).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });

  it('refuses a packet dated before its intermediate CA existed, though inside the leaf validity', async () => {
    const root = await make({ subject: 'CN=Root', ca: true, notBefore: new Date(NOW.getTime() - 100 * DAY), notAfter: new Date(NOW.getTime() + 100 * DAY) });
    const inter = await make({ subject: 'CN=Inter', ca: true, issuer: root, notBefore: new Date(NOW.getTime() - 5 * DAY), notAfter: new Date(NOW.getTime() + 50 * DAY) });
    const leaf = await signerUnder(inter, new Date(NOW.getTime() - 40 * DAY), new Date(NOW.getTime() + 40 * DAY));
    // The intermediate is a trust anchor here too (the walk may end at any trusted certificate), so
    // the path is leaf → inter; inter's notBefore bounds the window.
    const at = (createdAt: Date) => {
      const r = sealAndOpen(leaf.node, key(leaf), { roots: [inter.node, root.node], createdAt });
      return r.ok ? 'ok' : r.code;
    };
    expect(at(new Date(NOW.getTime() - 10 * DAY))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
    expect(at(new Date(NOW.getTime() - DAY))).toBe('ok');
  });

  it('refuses, when opened after the root expired, a packet created while everything was valid', async () => {
    const root = await make({ subject: 'CN=Short Root', ca: true, notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() + 5 * DAY) });
    const leaf = await signerUnder(root, new Date(NOW.getTime() - 9 * DAY), new Date(NOW.getTime() + 60 * DAY));
    const created = new Date(NOW.getTime() - DAY);
    expect(sealAndOpen(leaf.node, key(leaf), { roots: [root.node], createdAt: created }).ok).toBe(true);
    const later = sealAndOpen(leaf.node, key(leaf), { roots: [root.node], createdAt: created, now: new Date(NOW.getTime() + 6 * DAY) });
    expect(later.ok ? 'ok' : later.code).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
});
