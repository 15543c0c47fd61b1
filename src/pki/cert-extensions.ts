// The certificate facts node:crypto's X509Certificate does not expose (keyUsage bits, criticality,
// basicConstraints pathLen, key identifiers, DER names), parsed once per certificate with
// @peculiar/x509 from the certificate's own DER and cached for the object's lifetime.
import { createHash, type X509Certificate } from 'node:crypto';
import { x509 } from './x509-provider.js';

/** RFC 5280 §4.2.1.3 KeyUsage bit names. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/** RFC 5280 §4.2.1.12 and RFC 3161 §2.3 purpose OIDs Ferry cares about. */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  certificatePolicies: '2.5.29.32',
  crlDistributionPoints: '2.5.29.31',
} as const;

export interface CertFacts {
  /** KeyUsage bit names asserted; undefined when the extension is absent (RFC 5280: no restriction). */
  readonly keyUsage: readonly KeyUsageName[] | undefined;
  readonly keyUsageCritical: boolean;
  /** ExtendedKeyUsage purpose OIDs; undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly extKeyUsageCritical: boolean;
  /** basicConstraints; undefined when absent (RFC 5280 §4.2.1.9: then the key is not a CA key). */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined; readonly critical: boolean } | undefined;
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** DER of the subject and issuer Names, for RFC 5280 §6.1.3 (a)(4) name chaining. */
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  /** certificatePolicies policy identifiers (RFC 5280 §4.2.1.4); [] when the extension is absent. */
  readonly policies: readonly string[];
  /** OIDs of every extension marked critical. */
  readonly criticalOids: readonly string[];
}

/** Parsing with @peculiar/x509 costs ~2 ms a certificate (measured), so facts are cached twice: by
 *  object, and by DER digest for the fresh objects a caller makes from the same bytes (a signer
 *  certificate attached to every packet). The digest cache is bounded; the oldest entry goes first. */
export const CERT_FACTS_CACHE_MAX = 1024;
const byObject = new WeakMap<X509Certificate, CertFacts>();
const byDigest = new Map<string, CertFacts>();

function parse(cert: X509Certificate): CertFacts {
  const p = new x509.X509Certificate(cert.raw);
  const ku = p.getExtension(x509.KeyUsagesExtension);
  const eku = p.getExtension(x509.ExtendedKeyUsageExtension);
  const bc = p.getExtension(x509.BasicConstraintsExtension);
  const ski = p.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = p.getExtension(x509.AuthorityKeyIdentifierExtension);
  const pol = p.getExtension(x509.CertificatePolicyExtension);
  return {
    keyUsage: ku ? KEY_USAGE_NAMES.filter((_, i) => (ku.usages & (1 << i)) !== 0) : undefined,
    keyUsageCritical: ku?.critical ?? false,
    extKeyUsage: eku ? eku.usages.map((u) => String(u)) : undefined,
    extKeyUsageCritical: eku?.critical ?? false,
    basicConstraints: bc ? { ca: bc.ca, pathLength: bc.pathLength, critical: bc.critical } : undefined,
    subjectKeyId: ski?.keyId.toLowerCase(),
    authorityKeyId: aki?.keyId?.toLowerCase(),
    subjectDer: Buffer.from(p.subjectName.toArrayBuffer()),
    issuerDer: Buffer.from(p.issuerName.toArrayBuffer()),
    policies: pol ? policyOids(Buffer.from(pol.value)) : [],
    criticalOids: p.extensions.filter((e) => e.critical).map((e) => e.type),
  };
}

/** One DER TLV at `off`: tag, and the bounds of its contents. Throws on a length past the end. */
function tlv(der: Buffer, off: number): { tag: number; start: number; end: number } {
  const tag = der[off];
  let len = der[off + 1];
  if (tag === undefined || len === undefined) throw new Error('DER: truncated');
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] ?? 0);
    start += n;
  }
  const end = start + len;
  if (end > der.length) throw new Error('DER: length past the end');
  return { tag, start, end };
}

/** X.690 §8.19 with BigInt arcs: 2.25.<UUID> arcs exceed 2^53, and @peculiar/asn1-schema (asn1js)
 *  prints such an arc as hex in braces, which would never equal the dotted form. */
function decodeOid(b: Buffer): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const byte of b) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) { arcs.push(v); v = 0n; }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

/** RFC 5280 §4.2.1.4: certificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier, … }. */
function policyOids(der: Buffer): string[] {
  const seq = tlv(der, 0);
  if (seq.tag !== 0x30) throw new Error('certificatePolicies: not a SEQUENCE');
  const out: string[] = [];
  for (let off = seq.start; off < seq.end;) {
    const info = tlv(der, off);
    const id = tlv(der, info.start);
    if (info.tag !== 0x30 || id.tag !== 0x06) throw new Error('certificatePolicies: malformed PolicyInformation');
    out.push(decodeOid(der.subarray(id.start, id.end)));
    off = info.end;
  }
  return out;
}

/** Parsed extension facts for `cert`, computed once per certificate object. */
export function certFacts(cert: X509Certificate): CertFacts {
  let f = byObject.get(cert);
  if (f) return f;
  const digest = createHash('sha256').update(cert.raw).digest('base64');
  f = byDigest.get(digest);
  if (!f) {
    f = parse(cert);
    if (byDigest.size >= CERT_FACTS_CACHE_MAX) {
      const oldest = byDigest.keys().next();
      if (!oldest.done) byDigest.delete(oldest.value);
    }
    byDigest.set(digest, f);
  }
  byObject.set(cert, f);
  return f;
}

/** SHA-256 of the certificate's DER: the identity Ferry pins and caches by. */
export function certSha256(cert: X509Certificate): Buffer {
  return createHash('sha256').update(cert.raw).digest();
}

/** Colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it. */
export function colonHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Whether the certificate asserts `usage`. A certificate without a keyUsage extension asserts none
 *  here: Ferry's roles require an explicit keyUsage (stricter than RFC 5280's "absent = any"). */
export function hasKeyUsage(cert: X509Certificate, usage: KeyUsageName): boolean {
  return certFacts(cert).keyUsage?.includes(usage) ?? false;
}

/** Extended key usage OIDs, or [] when the extension is absent. */
export function extendedKeyUsages(cert: X509Certificate): readonly string[] {
  return certFacts(cert).extKeyUsage ?? [];
}

/** RFC 3161 §2.3: a TSA certificate has exactly one EKU, id-kp-timeStamping, and it is critical. */
export function isTimeStampingOnly(cert: X509Certificate): boolean {
  const f = certFacts(cert);
  return f.extKeyUsageCritical && f.extKeyUsage?.length === 1 && f.extKeyUsage[0] === EKU.timeStamping;
}

/** RFC 5280 §4.2.1.9 + §4.2.1.3: may this certificate's key sign certificates? */
export function isCaCert(cert: X509Certificate): boolean {
  const f = certFacts(cert);
  return f.basicConstraints?.ca === true && (f.keyUsage === undefined || f.keyUsage.includes('keyCertSign'));
}
