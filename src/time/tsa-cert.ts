// What the TSA and its verifier need to know about a certificate that node:crypto's X509Certificate
// does not say: extension criticality, key usage bits, basic constraints, validity as Dates, and the
// exact issuer / serial encodings (RFC 5280 §4.1). Read once per certificate object and cached.
import { X509Certificate, createHash } from 'node:crypto';
import { OID } from './tsa-algorithms.js';
import { MAX_PARSED_CERTS } from './tsa-limits.js';
import {
  DerError, SeqReader, TAG, children, ctx, parseDer, raw, readBoolean, readInteger, readNamedBits, readOctets, readOid,
  readTime,
} from './tsa-der.js';

export interface CertFacts {
  /** The serialNumber INTEGER exactly as encoded (tag and length included). */
  readonly serialDer: Buffer;
  readonly serial: bigint;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly eku?: { readonly oids: readonly string[]; readonly critical: boolean };
  /** Named bits of keyUsage (RFC 5280 §4.2.1.3), absent when the extension is. */
  readonly keyUsage?: ReadonlySet<number>;
  readonly ca: boolean;
  readonly pathLen?: number;
  /** subjectKeyIdentifier (RFC 5280 §4.2.1.2), for SignerInfo sids of that form. */
  readonly subjectKeyId?: Buffer;
  /** Critical extensions this code does not process: RFC 5280 §4.2 says reject the certificate. */
  readonly unknownCritical: readonly string[];
}

export const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5 } as const;

/** Extensions whose meaning we either enforce here or that carry no constraint a verifier must apply. */
const UNDERSTOOD = new Set<string>([
  OID.keyUsage, OID.extKeyUsage, OID.basicConstraints,
  OID.subjectKeyIdentifier,
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.32', // certificatePolicies: accepted without policy processing (no policy constraints are set)
]);

const cache = new WeakMap<X509Certificate, CertFacts>();
const parsed = new Map<string, X509Certificate>();

/** The certificate object for these DER bytes. Parsing is a third of a token verification (measured
 *  by bench/tsa.ts), and a TSA sends the same certificate in every token, so parsed certificates are
 *  kept, keyed by the SHA-256 of their exact bytes: the same bytes always give the same, immutable
 *  object. Bounded (MAX_PARSED_CERTS, oldest out first). Throws on bytes node:crypto cannot parse. */
export function parseCertificate(der: Buffer): X509Certificate {
  const key = createHash('sha256').update(der).digest('base64');
  let c = parsed.get(key);
  if (!c) {
    c = new X509Certificate(der);
    if (parsed.size >= MAX_PARSED_CERTS) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, c);
  }
  return c;
}

/** Throws DerError when the certificate DER does not have the RFC 5280 shape. */
export function certFacts(cert: X509Certificate): CertFacts {
  const hit = cache.get(cert);
  if (hit) return hit;
  const facts = readCertFacts(cert.raw);
  cache.set(cert, facts);
  return facts;
}

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

  let eku: CertFacts['eku'];
  let keyUsage: Set<number> | undefined;
  let ca = false;
  let pathLen: number | undefined;
  let subjectKeyId: Buffer | undefined;
  const unknownCritical: string[] = [];
  const seen = new Set<string>();
  const exts = extsNode ? children(extsNode) : [];
  if (extsNode && exts.length !== 1) throw new DerError('extensions: [3] must hold one SEQUENCE');
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
    if (id === OID.extKeyUsage) {
      eku = { oids: children(value).map((n) => readOid(n, 'ExtKeyUsageSyntax')), critical };
    } else if (id === OID.keyUsage) {
      keyUsage = readNamedBits(value, 'KeyUsage');
    } else if (id === OID.basicConstraints) {
      const b = new SeqReader(value, 'BasicConstraints');
      const caNode = b.optional(TAG.BOOLEAN);
      const lenNode = b.optional(TAG.INTEGER);
      b.end();
      ca = caNode ? readBoolean(caNode, 'BasicConstraints.cA') : false;
      if (lenNode) {
        const n = readInteger(lenNode, 'BasicConstraints.pathLenConstraint');
        if (n < 0n || n > 255n) throw new DerError('BasicConstraints.pathLenConstraint out of range');
        pathLen = Number(n);
      }
    } else if (id === OID.subjectKeyIdentifier) {
      subjectKeyId = readOctets(value, 'SubjectKeyIdentifier');
    } else if (critical && !UNDERSTOOD.has(id)) {
      unknownCritical.push(id);
    }
  }
  return {
    serialDer: raw(serialNode),
    serial: readInteger(serialNode, 'serialNumber'),
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    notBefore,
    notAfter,
    ca,
    unknownCritical,
    ...(eku ? { eku } : {}),
    ...(keyUsage ? { keyUsage } : {}),
    ...(pathLen !== undefined ? { pathLen } : {}),
    ...(subjectKeyId ? { subjectKeyId } : {}),
  };
}

function missing(field: string): never {
  throw new DerError(`Validity.${field} missing`);
}

export type UsageProblem = { code: 'FERRY_ERR_TSA_EKU' | 'FERRY_ERR_TSA_KEY_USAGE'; detail: string };

/** RFC 3161 §2.3: the TSA certificate "MUST contain only one instance of the extended key usage field
 *  extension ... with KeyPurposeID having value id-kp-timeStamping. This extension MUST be critical."
 *  Like OpenSSL's timestampsign purpose, a keyUsage, when present, may only allow signing. */
export function timeStampingUsageProblem(f: CertFacts): UsageProblem | null {
  if (!f.eku) return { code: 'FERRY_ERR_TSA_EKU', detail: 'the certificate has no extendedKeyUsage extension' };
  if (!f.eku.critical) return { code: 'FERRY_ERR_TSA_EKU', detail: 'the extendedKeyUsage extension is not critical' };
  if (f.eku.oids.length !== 1 || f.eku.oids[0] !== OID.timeStamping) {
    return { code: 'FERRY_ERR_TSA_EKU', detail: `extendedKeyUsage is [${f.eku.oids.join(', ')}], not timeStamping alone` };
  }
  if (f.keyUsage) {
    const allowed = new Set<number>([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation]);
    const extra = [...f.keyUsage].filter((b) => !allowed.has(b));
    if (extra.length || f.keyUsage.size === 0) {
      return { code: 'FERRY_ERR_TSA_KEY_USAGE', detail: `keyUsage bits [${[...f.keyUsage].join(', ')}] allow more than digitalSignature/nonRepudiation` };
    }
  }
  return null;
}

export function validAt(f: CertFacts, t: Date): boolean {
  return t.getTime() >= f.notBefore.getTime() && t.getTime() <= f.notAfter.getTime();
}
