// The one certificate reader: the facts node:crypto's X509Certificate does not expose (serial and
// names as encoded, validity as Dates, keyUsage bits, extended key usages, basicConstraints, key
// identifiers, policies, criticality), read with the strict DER reader (der.ts) from the
// certificate's own bytes (STYLE §7) and cached. Used by the chain checker, the role checks, the link,
// the sealer's signer trust, the TSA and its verifier, and the CLI.
// Why the strict DER reader and not @peculiar/x509 (the link's former reader): the TSA needs the exact
// encodings (serial, names) for CMS sids and ESS, strict DER refuses BER variants a certificate could
// hide behind, and it reads a certificate in ~0.03-0.07 ms against ~3 ms (bench/pki.ts).
import { createHash, X509Certificate } from 'node:crypto';
import {
  DerError, SeqReader, TAG, children, ctx, parseDer, raw, readBoolean, readInteger, readNamedBits, readOctets, readOid, readTime,
  type DerNode,
} from './der.js';
import { CERT_FACTS_CACHE_MAX, MAX_PARSED_CERTS } from './limits.js';
import { EKU, OID } from './oids.js';

/** RFC 5280 §4.2.1.3 KeyUsage bit names, by bit number. */
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

export interface CertFacts {
  /** The serialNumber INTEGER exactly as encoded (tag and length included), for CMS sids and ESS. */
  readonly serialDer: Buffer;
  readonly serial: bigint;
  /** DER of the issuer and subject Names, for RFC 5280 §6.1.3 (a)(4) name chaining and CMS sids. */
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** KeyUsage bit names asserted; undefined when the extension is absent (RFC 5280: no restriction). */
  readonly keyUsage: readonly KeyUsageName[] | undefined;
  readonly keyUsageCritical: boolean;
  /** ExtendedKeyUsage purpose OIDs; undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly extKeyUsageCritical: boolean;
  /** basicConstraints; undefined when absent (RFC 5280 §4.2.1.9: then the key is not a CA key). */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined; readonly critical: boolean } | undefined;
  readonly subjectKeyId: Buffer | undefined;
  readonly authorityKeyId: Buffer | undefined;
  /** certificatePolicies policy identifiers (RFC 5280 §4.2.1.4); [] when the extension is absent. */
  readonly policies: readonly string[];
  /** OIDs of every extension marked critical. */
  readonly criticalOids: readonly string[];
}

const byObject = new WeakMap<X509Certificate, CertFacts>();
const byDigest = new Map<string, CertFacts>();
const parsed = new Map<string, X509Certificate>();

/** Bounded insert: the oldest entry goes first. */
function remember<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/** The certificate object for these DER bytes, shared between verifications: the same bytes always
 *  give the same immutable object, so its facts and verified issuer links are computed once. Throws
 *  on bytes node:crypto cannot parse. */
export function parseCertificate(der: Buffer): X509Certificate {
  const key = createHash('sha256').update(der).digest('base64');
  let c = parsed.get(key);
  if (!c) {
    c = new X509Certificate(der);
    remember(parsed, key, c, MAX_PARSED_CERTS);
  }
  return c;
}

/** Facts for `cert`, read once per certificate object and per distinct DER. Throws DerError when
 *  the certificate is not the RFC 5280 shape in strict DER. */
export function certFacts(cert: X509Certificate): CertFacts {
  let f = byObject.get(cert);
  if (f) return f;
  const digest = createHash('sha256').update(cert.raw).digest('base64');
  f = byDigest.get(digest);
  if (!f) {
    f = readCertFacts(cert.raw);
    remember(byDigest, digest, f, CERT_FACTS_CACHE_MAX);
  }
  byObject.set(cert, f);
  return f;
}

interface Extensions {
  keyUsage?: KeyUsageName[]; keyUsageCritical: boolean;
  extKeyUsage?: string[]; extKeyUsageCritical: boolean;
  basicConstraints?: CertFacts['basicConstraints'];
  subjectKeyId?: Buffer; authorityKeyId?: Buffer;
  policies: string[]; criticalOids: string[];
}

/** RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
export function readCertFacts(der: Buffer): CertFacts {
  const top = new SeqReader(parseDer(der, TAG.SEQUENCE), 'Certificate');
  const tbs = new SeqReader(top.next(TAG.SEQUENCE, 'tbsCertificate'), 'TBSCertificate');
  tbs.optional(ctx(0, true));
  const serialNode = tbs.next(TAG.INTEGER, 'serialNumber');
  tbs.next(TAG.SEQUENCE, 'signature');
  const issuer = tbs.next(TAG.SEQUENCE, 'issuer');
  const validity = new SeqReader(tbs.next(TAG.SEQUENCE, 'validity'), 'Validity');
  const notBefore = readTime(validity.any() ?? missing('notBefore'), 'Validity.notBefore');
  const notAfter = readTime(validity.any() ?? missing('notAfter'), 'Validity.notAfter');
  validity.end();
  const subject = tbs.next(TAG.SEQUENCE, 'subject');
  tbs.next(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  tbs.optional(ctx(1, false));
  tbs.optional(ctx(2, false));
  const extsNode = tbs.optional(ctx(3, true));
  tbs.end();
  const e = readExtensions(extsNode);
  return {
    serialDer: raw(serialNode),
    serial: readInteger(serialNode, 'serialNumber'),
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    notBefore,
    notAfter,
    keyUsage: e.keyUsage,
    keyUsageCritical: e.keyUsageCritical,
    extKeyUsage: e.extKeyUsage,
    extKeyUsageCritical: e.extKeyUsageCritical,
    basicConstraints: e.basicConstraints,
    subjectKeyId: e.subjectKeyId,
    authorityKeyId: e.authorityKeyId,
    policies: e.policies,
    criticalOids: e.criticalOids,
  };
}

function readExtensions(extsNode: DerNode | undefined): Extensions {
  const out: Extensions = { keyUsageCritical: false, extKeyUsageCritical: false, policies: [], criticalOids: [] };
  const exts = extsNode ? children(extsNode) : [];
  if (extsNode && exts.length !== 1) throw new DerError('extensions: [3] must hold one SEQUENCE');
  const seen = new Set<string>();
  for (const ext of exts[0] ? children(exts[0]) : []) {
    const r = new SeqReader(ext, 'Extension');
    const id = readOid(r.next(TAG.OID, 'extnID'), 'Extension.extnID');
    const critNode = r.optional(TAG.BOOLEAN);
    const critical = critNode ? readBoolean(critNode, 'Extension.critical') : false;
    const value = parseDer(readOctets(r.next(TAG.OCTET_STRING, 'extnValue'), 'Extension.extnValue'));
    r.end();
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(id)) throw new DerError(`extension ${id} appears twice`);
    seen.add(id);
    if (critical) out.criticalOids.push(id);
    switch (id) {
      case OID.keyUsage:
        out.keyUsage = [...readNamedBits(value, 'KeyUsage')].sort((a, b) => a - b)
          .map((b) => KEY_USAGE_NAMES[b]).filter((n): n is KeyUsageName => n !== undefined);
        out.keyUsageCritical = critical;
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = children(value).map((n) => readOid(n, 'ExtKeyUsageSyntax'));
        out.extKeyUsageCritical = critical;
        break;
      case OID.basicConstraints:
        out.basicConstraints = { ...readBasicConstraints(value), critical };
        break;
      case OID.subjectKeyIdentifier:
        out.subjectKeyId = readOctets(value, 'SubjectKeyIdentifier');
        break;
      case OID.authorityKeyIdentifier: {
        // RFC 5280 §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
        const first = children(value)[0];
        if (first?.tag === ctx(0, false)) out.authorityKeyId = first.buf.subarray(first.contentStart, first.end);
        break;
      }
      case OID.certificatePolicies:
        // RFC 5280 §4.2.1.4: SEQUENCE OF PolicyInformation { policyIdentifier, qualifiers OPTIONAL }.
        out.policies = children(value).map((info) => readOid(new SeqReader(info, 'PolicyInformation').next(TAG.OID, 'policyIdentifier'), 'policyIdentifier'));
        break;
      default:
        break;
    }
  }
  return out;
}

function readBasicConstraints(value: DerNode): { ca: boolean; pathLength: number | undefined } {
  const b = new SeqReader(value, 'BasicConstraints');
  const caNode = b.optional(TAG.BOOLEAN);
  const lenNode = b.optional(TAG.INTEGER);
  b.end();
  let pathLength: number | undefined;
  if (lenNode) {
    const n = readInteger(lenNode, 'BasicConstraints.pathLenConstraint');
    if (n < 0n || n > 255n) throw new DerError('BasicConstraints.pathLenConstraint out of range');
    pathLength = Number(n);
  }
  return { ca: caNode ? readBoolean(caNode, 'BasicConstraints.cA') : false, pathLength };
}

function missing(field: string): never {
  throw new DerError(`Validity.${field} missing`);
}

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter inclusive. An Invalid Date fails. */
export function validAt(f: CertFacts, t: Date): boolean {
  return t.getTime() >= f.notBefore.getTime() && t.getTime() <= f.notAfter.getTime();
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
