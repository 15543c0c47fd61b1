import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { x509 } from '../../src/pki/x509-provider.js';
import { verifyChain } from '../../src/pki/chain.js';
import { certSha256, colonHex, extendedKeyUsages, hasKeyUsage, isCaCert, isTimeStampingOnly } from '../../src/pki/cert-extensions.js';
import { EKU } from '../../src/pki/oids.js';
import { initDevPki, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { make, type Made } from './make-certs.js';
import { openssl, opensslTry, tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = new Date();
let tmp: ReturnType<typeof tempDir>;
let dev: DevPkiFiles;
let other: DevPkiFiles;
let past: DevPkiFiles;
const load = (p: string): X509Certificate => new X509Certificate(readFileSync(p));

let root: Made, inter: Made, interLeaf: Made, leafOnlyFuture: Made, leafOnlyExpired: Made, notCaIssuer: Made,
  leafOfNotCa: Made, forgedRoot: Made, forgedLeaf: Made, noCertSignCa: Made, leafOfNoCertSign: Made,
  pathLen0Root: Made, pathLen0Inter: Made, pathLen0Leaf: Made, critLeaf: Made, expiredInter: Made, leafOfExpiredInter: Made;

beforeAll(async () => {
  tmp = tempDir('chain');
  dev = await initDevPki(join(tmp.dir, 'dev'));
  other = await initDevPki(join(tmp.dir, 'other'));
  // issued 1000 days ago for 10 days: long expired; its CA (3650 days) is still valid
  past = await initDevPki(join(tmp.dir, 'past'), { now: new Date(NOW.getTime() - 1000 * DAY), days: 10 });

  root = await make({ subject: 'CN=Test Root', ca: true });
  inter = await make({ subject: 'CN=Test Intermediate', ca: true, issuer: root });
  interLeaf = await make({ subject: 'CN=leaf via intermediate', issuer: inter });
  leafOnlyFuture = await make({ subject: 'CN=future leaf', issuer: root, notBefore: new Date(NOW.getTime() + DAY) });
  leafOnlyExpired = await make({ subject: 'CN=expired leaf', issuer: root, notAfter: new Date(NOW.getTime() - DAY), notBefore: new Date(NOW.getTime() - 9 * DAY) });
  notCaIssuer = await make({ subject: 'CN=Not A CA', issuer: root });
  leafOfNotCa = await make({ subject: 'CN=leaf of non-CA', issuer: notCaIssuer });
  noCertSignCa = await make({ subject: 'CN=CA without keyCertSign', ca: true, issuer: root, keyUsage: x509.KeyUsageFlags.cRLSign });
  leafOfNoCertSign = await make({ subject: 'CN=leaf of CA without keyCertSign', issuer: noCertSignCa });
  // same name as the trusted root, different key: must not pass as the root's child
  forgedRoot = await make({ subject: 'CN=Test Root', ca: true });
  forgedLeaf = await make({ subject: 'CN=forged', issuer: forgedRoot });
  pathLen0Root = await make({ subject: 'CN=PathLen0 Root', ca: true, pathLength: 0 });
  pathLen0Inter = await make({ subject: 'CN=PathLen0 Inter', ca: true, issuer: pathLen0Root });
  pathLen0Leaf = await make({ subject: 'CN=leaf under pathLen 0', issuer: pathLen0Inter });
  critLeaf = await make({ subject: 'CN=critical policy', issuer: root, extra: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([0x05, 0x00]))] });
  expiredInter = await make({ subject: 'CN=Expired Intermediate', ca: true, issuer: root, notAfter: new Date(NOW.getTime() - DAY), notBefore: new Date(NOW.getTime() - 9 * DAY) });
  leafOfExpiredInter = await make({ subject: 'CN=leaf of expired intermediate', issuer: expiredInter });
});
afterAll(() => tmp.cleanup());

function write(name: string, ...certs: Made[]): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, certs.map((c) => c.pem).join(''));
  return p;
}

/** openssl verify as the independent judge: 0 = accepted. */
function opensslAccepts(leaf: Made, anchor: Made, untrusted: Made[] = []): boolean {
  // -partial_chain: like verifyChain, any certificate in the trust store may be the anchor
  const args = ['verify', '-partial_chain', '-attime', String(Math.floor(NOW.getTime() / 1000)), '-CAfile', write('anchor.pem', anchor)];
  if (untrusted.length) args.push('-untrusted', write('untrusted.pem', ...untrusted));
  args.push(write('leaf.pem', leaf));
  return opensslTry(args).status === 0;
}

describe('verifyChain', () => {
  it('accepts every dev PKI certificate against the dev CA', () => {
    const ca = load(dev.ca.cert);
    for (const [role, pair] of Object.entries(dev)) {
      expect(verifyChain(load(pair.cert), [ca], NOW), role).toEqual({ ok: true, value: undefined });
    }
  });

  it('refuses a certificate from another CA with FERRY_ERR_PKI_CHAIN', () => {
    const v = verifyChain(load(other['external-sign'].cert), [load(dev.ca.cert)], NOW);
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CHAIN' });
    expect(v.ok || v.detail).toMatch(/ferry-external-sign/);
  });

  it('refuses an expired certificate (made with a `now` in the past) with FERRY_ERR_PKI_EXPIRED', () => {
    const leaf = load(past['internal-sign'].cert);
    const ca = load(past.ca.cert);
    expect(verifyChain(leaf, [ca], NOW)).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_EXPIRED' });
    // the same certificate was fine while it was valid
    expect(verifyChain(leaf, [ca], new Date(NOW.getTime() - 995 * DAY)).ok).toBe(true);
    expect(opensslTry(['verify', '-CAfile', past.ca.cert, past['internal-sign'].cert]).out).toMatch(/certificate has expired/);
  });

  it('refuses a certificate before its notBefore with FERRY_ERR_PKI_NOT_YET_VALID', () => {
    const leaf = load(dev['external-tls'].cert);
    const v = verifyChain(leaf, [load(dev.ca.cert)], new Date(NOW.getTime() - 10 * 60_000));
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_NOT_YET_VALID' });
  });

  it('checks validity boundaries inclusively (RFC 5280 §4.1.2.5)', () => {
    const leaf = load(dev['external-sign'].cert);
    const ca = [load(dev.ca.cert)];
    const from = new Date(leaf.validFrom).getTime();
    const to = new Date(leaf.validTo).getTime();
    expect(verifyChain(leaf, ca, new Date(from)).ok).toBe(true);
    expect(verifyChain(leaf, ca, new Date(from - 1000))).toMatchObject({ code: 'FERRY_ERR_PKI_NOT_YET_VALID' });
    expect(verifyChain(leaf, ca, new Date(to)).ok).toBe(true);
    expect(verifyChain(leaf, ca, new Date(to + 1000))).toMatchObject({ code: 'FERRY_ERR_PKI_EXPIRED' });
  });

  it('reports a foreign expired certificate as not chaining, not as expired', () => {
    expect(verifyChain(load(past['internal-sign'].cert), [load(dev.ca.cert)], NOW)).toMatchObject({ code: 'FERRY_ERR_PKI_CHAIN' });
  });

  // input, anchors, intermediates offered, expected code (null = ok); openssl must agree on ok/not ok
  const table: Array<[string, () => Made, () => Made, () => Made[], string | null]> = [
    ['leaf → intermediate → root', () => interLeaf, () => root, () => [inter], null],
    ['leaf → intermediate, intermediate not offered', () => interLeaf, () => root, () => [], 'FERRY_ERR_PKI_CHAIN'],
    ['leaf → trusted intermediate (anchor is the intermediate)', () => interLeaf, () => inter, () => [], null],
    ['leaf not yet valid, CA fine', () => leafOnlyFuture, () => root, () => [], 'FERRY_ERR_PKI_NOT_YET_VALID'],
    ['leaf expired, CA fine', () => leafOnlyExpired, () => root, () => [], 'FERRY_ERR_PKI_EXPIRED'],
    ['issuer is not a CA', () => leafOfNotCa, () => root, () => [notCaIssuer], 'FERRY_ERR_PKI_NOT_CA'],
    ['issuer CA lacks keyCertSign', () => leafOfNoCertSign, () => root, () => [noCertSignCa], 'FERRY_ERR_PKI_NOT_CA'],
    // AKI (RFC 5280 §4.2.1.1) differs from the trusted root's SKI: not a candidate at all
    ['issuer has the trusted name but another key', () => forgedLeaf, () => root, () => [], 'FERRY_ERR_PKI_CHAIN'],
    // the offered self-signed impostor (no AKI) names the trusted root as issuer: its signature fails
    ['forged root offered as intermediate', () => forgedLeaf, () => root, () => [forgedRoot], 'FERRY_ERR_PKI_BAD_SIGNATURE'],
    ['root pathLen 0 with an intermediate below', () => pathLen0Leaf, () => pathLen0Root, () => [pathLen0Inter], 'FERRY_ERR_PKI_NOT_CA'],
    ['unknown critical extension on the leaf', () => critLeaf, () => root, () => [], 'FERRY_ERR_PKI_CRITICAL_EXTENSION'],
    ['intermediate expired', () => leafOfExpiredInter, () => root, () => [expiredInter], 'FERRY_ERR_PKI_EXPIRED'],
  ];
  it.each(table)('%s', (_name, leaf, anchor, inters, code) => {
    const v = verifyChain(leaf().node, [anchor().node], NOW, { intermediates: inters().map((m) => m.node) });
    if (code === null) expect(v).toEqual({ ok: true, value: undefined });
    else expect(v).toMatchObject({ ok: false, code });
    expect(opensslAccepts(leaf(), anchor(), inters())).toBe(code === null);
  });

  it('backtracks past an expired copy of an intermediate to its renewed copy (same key, same name)', async () => {
    const oldCopy = await make({
      subject: 'CN=Test Intermediate', ca: true, issuer: root, keys: inter.keys,
      notBefore: new Date(NOW.getTime() - 9 * DAY), notAfter: new Date(NOW.getTime() - DAY),
    });
    expect(verifyChain(interLeaf.node, [root.node], NOW, { intermediates: [oldCopy.node] })).toMatchObject({ code: 'FERRY_ERR_PKI_EXPIRED' });
    expect(verifyChain(interLeaf.node, [root.node], NOW, { intermediates: [oldCopy.node, inter.node] }).ok).toBe(true);
  });

  it('terminates on a loop of cross-signed certificates', async () => {
    const a = await make({ subject: 'CN=Loop A', ca: true });
    const b = await make({ subject: 'CN=Loop B', ca: true, issuer: a });
    const a2 = await make({ subject: 'CN=Loop A', ca: true, issuer: b, keys: a.keys });
    const leaf = await make({ subject: 'CN=loop leaf', issuer: a });
    const v = verifyChain(leaf.node, [root.node], NOW, { intermediates: [a2.node, b.node] });
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CHAIN' });
  });
});


describe('certificate facts', () => {
  it('certSha256 equals openssl x509 -fingerprint -sha256', () => {
    const c = load(dev.tsa.cert);
    expect(certSha256(c).equals(createHash('sha256').update(c.raw).digest())).toBe(true);
    const out = openssl(['x509', '-in', dev.tsa.cert, '-noout', '-fingerprint', '-sha256']);
    expect(out.trim()).toBe(`sha256 Fingerprint=${colonHex(certSha256(c))}`);
  });

  it('reads key usage and EKU of each dev role', () => {
    const c = (r: keyof DevPkiFiles): X509Certificate => load(dev[r].cert);
    expect(hasKeyUsage(c('external-sign'), 'digitalSignature')).toBe(true);
    expect(hasKeyUsage(c('external-sign'), 'nonRepudiation')).toBe(true);
    expect(hasKeyUsage(c('external-sign'), 'keyAgreement')).toBe(false);
    expect(hasKeyUsage(c('internal-enc'), 'keyAgreement')).toBe(true);
    expect(hasKeyUsage(c('internal-enc'), 'digitalSignature')).toBe(false);
    expect(extendedKeyUsages(c('internal-tls'))).toEqual([EKU.serverAuth, EKU.clientAuth]);
    expect(extendedKeyUsages(c('internal-sign'))).toEqual([]);
    expect(isTimeStampingOnly(c('tsa'))).toBe(true);
    expect(isTimeStampingOnly(c('internal-tls'))).toBe(false);
    expect(isCaCert(c('ca'))).toBe(true);
    expect(isCaCert(c('tsa'))).toBe(false);
  });
});
