// The one chain checker (src/pki/chain.ts), which the link, the packet signer trust, the TSA verifier,
// the audit anchors and the CLI share, judged on chains the openssl CLI made (`openssl ca`), with
// `openssl verify` as the independent judge of every row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { X509Certificate } from 'node:crypto';
import { chainPath, verifyChain } from '../../src/pki/chain.js';
import { MAX_CHAIN_DEPTH } from '../../src/pki/limits.js';
import { opensslCa, opensslVerify, type OsslCert } from './openssl-ca.js';
import { tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = new Date();
let tmp: ReturnType<typeof tempDir>;
let ca: ReturnType<typeof opensslCa>;
let root: OsslCert, inter: OsslCert, otherRoot: OsslCert;
const c = new Map<string, { leaf: OsslCert; untrusted: OsslCert[] }>();

/** root → n intermediates → leaf, each intermediate issued by the one before. */
function deep(n: number, tag: string): { leaf: OsslCert; untrusted: OsslCert[] } {
  const chain: OsslCert[] = [];
  let issuer = root;
  for (let i = 0; i < n; i++) {
    issuer = ca.issue(issuer, `${tag}-inter-${i}`, { ca: true });
    chain.push(issuer);
  }
  return { leaf: ca.issue(issuer, `${tag}-leaf`), untrusted: chain };
}

beforeAll(() => {
  tmp = tempDir('chain-openssl');
  ca = opensslCa(tmp.dir);
  const longAgo = new Date(NOW.getTime() - 100 * DAY);
  root = ca.root('Ossl Root', { notBefore: longAgo });
  otherRoot = ca.root('Ossl Other Root', { notBefore: longAgo });
  inter = ca.issue(root, 'Ossl Intermediate', { ca: true, notBefore: longAgo });
  const expiredInter = ca.issue(root, 'Ossl Expired Intermediate', { ca: true, notBefore: new Date(NOW.getTime() - 90 * DAY), notAfter: new Date(NOW.getTime() - 30 * DAY) });
  const pathLen0 = ca.issue(root, 'Ossl PathLen0', { ca: true, pathlen: 0 });
  const belowPathLen0 = ca.issue(pathLen0, 'Ossl Below PathLen0', { ca: true });
  const notCa = ca.issue(root, 'Ossl Not A CA');
  c.set('leaf via an offered intermediate', { leaf: ca.issue(inter, 'leaf-via-inter'), untrusted: [inter] });
  c.set('leaf whose intermediate is not offered', { leaf: ca.issue(inter, 'leaf-no-inter'), untrusted: [] });
  c.set('leaf of another CA', { leaf: ca.issue(otherRoot, 'leaf-other-ca'), untrusted: [] });
  c.set('expired leaf', { leaf: ca.issue(inter, 'leaf-expired', { notBefore: new Date(NOW.getTime() - 20 * DAY), notAfter: new Date(NOW.getTime() - DAY) }), untrusted: [inter] });
  c.set('not-yet-valid leaf', { leaf: ca.issue(inter, 'leaf-future', { notBefore: new Date(NOW.getTime() + DAY), notAfter: new Date(NOW.getTime() + 20 * DAY) }), untrusted: [inter] });
  c.set('leaf under an expired intermediate', { leaf: ca.issue(expiredInter, 'leaf-expired-inter', { notBefore: new Date(NOW.getTime() - 60 * DAY) }), untrusted: [expiredInter] });
  c.set('leaf that is a CA certificate', { leaf: ca.issue(inter, 'leaf-is-ca', { ca: true }), untrusted: [inter] });
  c.set('leaf under a CA beyond its pathLenConstraint', { leaf: ca.issue(belowPathLen0, 'leaf-pathlen'), untrusted: [pathLen0, belowPathLen0] });
  c.set('leaf issued by a certificate that is not a CA', { leaf: ca.issue(notCa, 'leaf-of-not-ca'), untrusted: [notCa] });
  // MAX_CHAIN_DEPTH certificates in all (leaf + intermediates + root) pass; one more is too deep.
  c.set('the deepest path allowed', deep(MAX_CHAIN_DEPTH - 2, 'max'));
  c.set('a path one certificate too deep', deep(MAX_CHAIN_DEPTH - 1, 'toodeep'));
});
afterAll(() => tmp.cleanup());

const node = (x: OsslCert): X509Certificate => x.cert;

// openssl's -verify_depth counts intermediates (a chain of depth n has n + 2 certificates), so
// MAX_CHAIN_DEPTH - 2 makes openssl apply the same bound.
const rows: Array<{ name: string; code: string | null; openssl: RegExp; note?: string }> = [
  { name: 'leaf via an offered intermediate', code: null, openssl: /^OK$/ },
  { name: 'leaf whose intermediate is not offered', code: 'FERRY_ERR_PKI_CHAIN', openssl: /^20 / },
  { name: 'leaf of another CA', code: 'FERRY_ERR_PKI_CHAIN', openssl: /^20 / },
  { name: 'expired leaf', code: 'FERRY_ERR_PKI_EXPIRED', openssl: /^10 / },
  { name: 'not-yet-valid leaf', code: 'FERRY_ERR_PKI_NOT_YET_VALID', openssl: /^9 / },
  { name: 'leaf under an expired intermediate', code: 'FERRY_ERR_PKI_EXPIRED', openssl: /^10 / },
  { name: 'leaf under a CA beyond its pathLenConstraint', code: 'FERRY_ERR_PKI_NOT_CA', openssl: /^25 / },
  { name: 'leaf issued by a certificate that is not a CA', code: 'FERRY_ERR_PKI_NOT_CA', openssl: /^(24|79) / },
  { name: 'the deepest path allowed', code: null, openssl: /^OK$/ },
  { name: 'a path one certificate too deep', code: 'FERRY_ERR_PKI_CHAIN', openssl: /^22 / },
  // openssl verify (purpose any) takes a CA certificate as the target; Ferry never takes a CA as an
  // end entity: openssl judges only that the path itself is sound.
  { name: 'leaf that is a CA certificate', code: 'FERRY_ERR_PKI_LEAF_IS_CA', openssl: /^OK$/, note: 'stricter than openssl' },
];

describe('the shared chain checker on openssl-made chains, openssl verify as the judge', () => {
  it.each(rows)('$name: $code', ({ name, code, openssl }) => {
    const row = c.get(name)!;
    const v = verifyChain(node(row.leaf), [node(root)], NOW, { intermediates: row.untrusted.map(node) });
    expect(v.ok ? null : v.code).toBe(code);
    expect(opensslVerify(row.leaf, [root], row.untrusted, tmp.dir, ['-verify_depth', String(MAX_CHAIN_DEPTH - 2)])).toMatch(openssl);
  });

  it('returns the path it found, leaf first and the trust anchor last', () => {
    const row = c.get('leaf via an offered intermediate')!;
    const p = chainPath(node(row.leaf), [node(root)], NOW, { intermediates: [node(otherRoot), node(inter)] });
    expect(p.ok && p.value.map((x) => x.subject)).toEqual(['CN=leaf-via-inter', 'CN=Ossl Intermediate', 'CN=Ossl Root']);
  });

  it('judges time at the instant asked: the expired leaf passes at a time inside its validity, as openssl -attime agrees', () => {
    const row = c.get('expired leaf')!;
    const at = new Date(NOW.getTime() - 10 * DAY);
    expect(verifyChain(node(row.leaf), [node(root)], at, { intermediates: row.untrusted.map(node) }).ok).toBe(true);
    expect(opensslVerify(row.leaf, [root], row.untrusted, tmp.dir, ['-attime', String(Math.floor(at.getTime() / 1000))])).toBe('OK');
  });

  it('a trusted intermediate ends the path: no root needed, as openssl -partial_chain agrees', () => {
    const row = c.get('leaf whose intermediate is not offered')!;
    expect(verifyChain(node(row.leaf), [node(inter)], NOW).ok).toBe(true);
    expect(opensslVerify(row.leaf, [inter], [], tmp.dir, ['-partial_chain'])).toBe('OK');
  });

  it('a pinned CA certificate is an end entity only where the caller allows it (TSA: never)', () => {
    expect(verifyChain(node(inter), [node(inter)], NOW).ok).toBe(true);
    expect(verifyChain(node(inter), [node(inter)], NOW, { anchorMayBeLeaf: false })).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_LEAF_IS_CA' });
  });
});
