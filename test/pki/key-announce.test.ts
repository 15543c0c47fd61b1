// The receiver's judgement of a KeyAnnounce (PROTOCOL.md §6a), as a table of hostile variants built
// from a real dev PKI (and certificates openssl issues with its CA key): each must be refused with
// its code, and only the genuine announcement is adopted.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { loadGatewayKeys, type GatewayKeys } from '../../src/gateway/keys.js';
import { announceStatement, adoptPeerEncCert, judgeAnnouncement, makeAnnouncement } from '../../src/gateway/key-announce.js';
import { revokeDevCertificate } from '../../src/pki/dev-ca-crl.js';
import { CrlHolder } from '../../src/pki/crl-holder.js';
import { FERRY_ROLE_OIDS, type FerryRole } from '../../src/pki/roles.js';
import type { KeyAnnounceFrame } from '../../src/link/session.js';
import { hasTool } from '../helpers/tools.js';
import { tempDir } from './helpers.js';

if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let dir: string;
let internal: GatewayKeys;   // the receiver: the internal gateway, sealing to the external's encryption cert
let external: GatewayKeys;   // the announcer
const c = (f: string) => join(dir, f);
const cert = (f: string) => new X509Certificate(readFileSync(c(f)));
const quiet = { info() {}, warn() {}, error() {} };

let serial = 0x3300;
function issue(name: string, cn: string, role: FerryRole, ku: string): { crt: string; key: string } {
  const f = (e: string) => join(dir, 'issued', `${name}.${e}`);
  mkdirSync(join(dir, 'issued'), { recursive: true });
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('key')]);
  run(['req', '-new', '-key', f('key'), '-subj', `/CN=${cn}`, '-out', f('csr')]);
  writeFileSync(f('ext'), ['basicConstraints=critical,CA:FALSE', `keyUsage=critical,${ku}`, `certificatePolicies=${FERRY_ROLE_OIDS[role]}`].join('\n') + '\n');
  run(['x509', '-req', '-in', f('csr'), '-CA', c('ca.crt'), '-CAkey', c('ca.key'), '-set_serial', String(serial++), '-days', '30', '-sha256', '-extfile', f('ext'), '-out', f('crt')]);
  return { crt: f('crt'), key: f('key') };
}

const keysOf = (side: 'internal' | 'external', peer: 'internal' | 'external') => loadGatewayKeys(
  { ca: c('ca.crt'), signCert: c(`${side}-sign.crt`), signKey: c(`${side}-sign.key`), encCert: c(`${side}-enc.crt`), encKey: c(`${side}-enc.key`) },
  { encCert: c(`${peer}-enc.crt`), signerSubjects: [`ferry-${peer}-sign`], signerSha256: [] });

beforeAll(async () => {
  const t = tempDir('announce');
  dir = join(t.dir, 'certs');
  await initDevPki(dir);
  internal = keysOf('internal', 'external');
  external = keysOf('external', 'internal');
});

/** The external gateway's announcement of `encCrt`, signed by `signKey` (default: its signing key), naming `linkCrt`. */
function announce(encCrt: string, o: { linkCrt?: string; signKey?: string; signCrt?: string; atMs?: number } = {}): KeyAnnounceFrame {
  const enc = new X509Certificate(readFileSync(encCrt));
  const link = cert(o.linkCrt ?? 'external-tls.crt');
  if (!o.signKey) return makeAnnouncement({ ...external, encCert: enc }, link.raw, o.atMs ?? Date.now());
  const at = o.atMs ?? Date.now();
  return { encCertificate: enc.raw, signerCertificate: new X509Certificate(readFileSync(o.signCrt!)).raw, atMs: at,
    signature: sign('sha256', announceStatement(enc.raw, link.raw, at), { key: createPrivateKey(readFileSync(o.signKey)), dsaEncoding: 'der' }) };
}
const judge = (f: KeyAnnounceFrame, peerLink = 'external-tls.crt', revocation?: CrlHolder) =>
  judgeAnnouncement(f, { keys: internal, peerLinkCertDer: cert(peerLink).raw, ...(revocation ? { revocation } : {}), now: new Date() });

describe('judgeAnnouncement', () => {
  it('adopts the genuine announcement of a rotated encryption certificate; sealing then targets it', () => {
    const next = issue('enc-next', 'ferry-external-enc', 'packet-encryption', 'keyAgreement');
    const v = judge(announce(next.crt));
    expect(v.ok, v.ok ? '' : v.detail).toBe(true);
    const before = Buffer.from(internal.seal.recipientCertSha256);
    const seal = internal.seal;
    adoptPeerEncCert(internal, (v as { value: X509Certificate }).value);
    expect(internal.seal).toBe(seal); // in place: the outbound path keeps its object
    expect(internal.seal.recipientCertSha256.equals(before)).toBe(false);
  });

  it.each<[string, () => { f: KeyAnnounceFrame; peerLink?: string }, string]>([
    ['bound to another link certificate than the session\'s peer', () => ({ f: announce(issue('e1', 'ferry-external-enc', 'packet-encryption', 'keyAgreement').crt), peerLink: 'internal-tls.crt' }), 'FERRY_ERR_LINK_ANNOUNCE'],
    ['signed by a key that is not the pinned peer signer (the township client key)', () => {
      const e = issue('e2', 'ferry-external-enc', 'packet-encryption', 'keyAgreement');
      return { f: announce(e.crt, { signKey: c('township-client.key'), signCrt: c('township-client.crt') }) };
    }, 'FERRY_ERR_SEAL_UNKNOWN_SIGNER'],
    ['signed by the peer\'s own TLS key posing with a look-alike signer CN', () => {
      const s = issue('s3', 'ferry-external-sign', 'external-gateway-link', 'digitalSignature');
      return { f: announce(issue('e3', 'ferry-external-enc', 'packet-encryption', 'keyAgreement').crt, { signKey: s.key, signCrt: s.crt }) };
    }, 'FERRY_ERR_SEAL_SIGNER_ROLE'],
    ['a signature over other bytes (at_ms changed after signing)', () => {
      const f = announce(issue('e4', 'ferry-external-enc', 'packet-encryption', 'keyAgreement').crt);
      return { f: { ...f, atMs: f.atMs + 1 } };
    }, 'FERRY_ERR_LINK_ANNOUNCE'],
    ['a certificate without the packet-encryption role (the peer\'s signing certificate)', () => ({ f: announce(c('external-sign.crt')) }), 'FERRY_ERR_LINK_ANNOUNCE'],
    ['a certificate with the role but another subject (the internal gateway\'s own identity)', () => ({ f: announce(issue('e6', 'ferry-internal-enc', 'packet-encryption', 'keyAgreement').crt) }), 'FERRY_ERR_LINK_ANNOUNCE'],
    // The first test adopted a certificate issued now; the dev PKI's original (issued before) is a rollback.
    ['a certificate older than the one in use (a rollback to the original)', () => ({ f: announce(c('external-enc.crt')) }), 'FERRY_ERR_LINK_ANNOUNCE'],
  ])('refuses %s', (_name, make, code) => {
    const { f, peerLink } = make();
    expect(judge(f, peerLink)).toMatchObject({ ok: false, code });
  });

  it('refuses a revoked certificate (the CRL holder as the gateway runs it)', async () => {
    const e = issue('e8', 'ferry-external-enc', 'packet-encryption', 'keyAgreement');
    await revokeDevCertificate(dir, { cert: e.crt, reason: 'keyCompromise', now: new Date() });
    const h = new CrlHolder({ crl: [{ file: c('ca.crl'), refreshSeconds: 3600 }], whenStale: 'hold' }, internal.ca, quiet);
    await h.start();
    expect(judge(announce(e.crt), undefined, h)).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
    h.stop();
  });
});
