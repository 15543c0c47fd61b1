// Reads and verifies an X.509 v2 CRL (RFC 5280 §5) against the configured CA certificates. Pure: bytes
// and certificates in, a verdict out. The signature is checked over the exact tbsCertList bytes that
// arrived (STYLE §7), with the key of the CA certificate whose subject is the CRL's issuer, BEFORE any
// entry is believed: an unsigned or foreign list revokes nothing and un-revokes nothing.
// Not supported (refused, never half-read): indirect CRLs, delta CRLs, partitioned lists (an
// issuingDistributionPoint), any other critical extension: Ferry's CA issues one full CRL.
import { verify as verifySignature, type X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { certFacts } from './cert-extensions.js';
import {
  children, ctx, DerError, parseDer, raw, readBoolean, readInteger, readOctets, readOid, readSmallInt, readTime, SeqReader, TAG, type DerNode,
} from './der.js';
import { MAX_CRL_BYTES, MAX_CRL_ENTRIES } from './limits.js';
import { OID } from './oids.js';

/** RFC 5280 §5.3.1 CRLReason names, by code (7 is unused). */
export const CRL_REASONS = {
  unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4,
  cessationOfOperation: 5, certificateHold: 6, removeFromCRL: 8, privilegeWithdrawn: 9, aACompromise: 10,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;
export const CRL_REASON_NAMES = Object.keys(CRL_REASONS) as CrlReason[];

export interface RevokedEntry { readonly revokedAt: Date; readonly reason: CrlReason | undefined }

export interface VerifiedCrl {
  /** The exact bytes verified: what a gateway republishes. */
  readonly der: Buffer;
  readonly issuer: X509Certificate;
  /** DER of the issuer Name, compared byte for byte with a certificate's issuer. */
  readonly issuerDer: Buffer;
  readonly crlNumber: bigint | undefined;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers (as bigint) with when and why. */
  readonly revoked: ReadonlyMap<bigint, RevokedEntry>;
}

const SIG_HASH: Readonly<Record<string, string>> = {
  [OID.ecdsaWithSha256]: 'sha256', [OID.ecdsaWithSha384]: 'sha384', [OID.ecdsaWithSha512]: 'sha512',
  [OID.sha256WithRsa]: 'sha256', [OID.sha384WithRsa]: 'sha384', [OID.sha512WithRsa]: 'sha512',
};
const REASON_CODE = '2.5.29.21';
const INVALIDITY_DATE = '2.5.29.24';
/** CRL extensions read or harmless to ignore when non-critical (RFC 5280 §5.2). */
const UNDERSTOOD_CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.cRLNumber, OID.issuerAltName]);

interface Parsed {
  tbs: Buffer; sigAlgTbs: Buffer; sigAlgOuter: Buffer; sigOid: string; signature: Buffer; issuerDer: Buffer;
  thisUpdate: Date; nextUpdate: Date | undefined; entries: DerNode | undefined; extensions: DerNode | undefined;
}

function parse(der: Buffer): Parsed {
  const top = new SeqReader(parseDer(der, TAG.SEQUENCE), 'CertificateList');
  const tbsNode = top.next(TAG.SEQUENCE, 'tbsCertList');
  const sigAlgOuter = top.next(TAG.SEQUENCE, 'signatureAlgorithm');
  const sigBits = top.next(TAG.BIT_STRING, 'signatureValue');
  top.end();
  const tbs = new SeqReader(tbsNode, 'TBSCertList');
  const version = tbs.optional(TAG.INTEGER);
  // RFC 5280 §5.1.2.1: v2 (1) whenever extensions are present; Ferry reads only v2 lists.
  if (!version || readSmallInt(version, 'version') !== 1) throw new DerError('not an X.509 v2 CRL (version must be 2)');
  const sigAlgTbs = tbs.next(TAG.SEQUENCE, 'signature');
  const issuer = tbs.next(TAG.SEQUENCE, 'issuer');
  const thisUpdate = readTime(tbs.any() ?? (() => { throw new DerError('thisUpdate missing'); })(), 'thisUpdate');
  const maybeNext = tbs.optional(TAG.UTC_TIME) ?? tbs.optional(TAG.GENERALIZED_TIME);
  const entries = tbs.optional(TAG.SEQUENCE);
  const extensions = tbs.optional(ctx(0, true));
  tbs.end();
  const bits = sigBits.buf.subarray(sigBits.contentStart, sigBits.end);
  if (bits[0] !== 0) throw new DerError('signature BIT STRING has unused bits');
  const [algOidNode] = children(sigAlgOuter);
  if (!algOidNode) throw new DerError('signatureAlgorithm is empty');
  return {
    tbs: raw(tbsNode), sigAlgTbs: raw(sigAlgTbs), sigAlgOuter: raw(sigAlgOuter), sigOid: readOid(algOidNode, 'signatureAlgorithm'),
    signature: bits.subarray(1), issuerDer: raw(issuer), thisUpdate, nextUpdate: maybeNext ? readTime(maybeNext, 'nextUpdate') : undefined,
    entries, extensions,
  };
}

interface Extension { oid: string; critical: boolean; value: Buffer }
function readExtensions(list: DerNode): Extension[] {
  return children(list).map((e) => {
    const r = new SeqReader(e, 'Extension');
    const id = readOid(r.next(TAG.OID, 'extnID'), 'extnID');
    const crit = r.optional(TAG.BOOLEAN);
    const value = readOctets(r.next(TAG.OCTET_STRING, 'extnValue'), 'extnValue');
    r.end();
    return { oid: id, critical: crit ? readBoolean(crit, 'critical') : false, value };
  });
}

function readEntries(list: DerNode | undefined): Map<bigint, RevokedEntry> {
  const out = new Map<bigint, RevokedEntry>();
  if (!list) return out;
  const items = children(list);
  if (items.length > MAX_CRL_ENTRIES) throw new DerError(`${items.length} entries, limit ${MAX_CRL_ENTRIES}`);
  for (const item of items) {
    const r = new SeqReader(item, 'revokedCertificate');
    const serial = readInteger(r.next(TAG.INTEGER, 'userCertificate'), 'userCertificate');
    const revokedAt = readTime(r.any() ?? (() => { throw new DerError('revocationDate missing'); })(), 'revocationDate');
    const extNode = r.optional(TAG.SEQUENCE);
    r.end();
    let reason: CrlReason | undefined;
    for (const ext of extNode ? readExtensions(extNode) : []) {
      if (ext.oid === REASON_CODE) {
        // CRLReason ::= ENUMERATED (tag 0x0a)
        const n = parseDer(ext.value, 0x0a);
        const code = n.buf[n.contentStart];
        reason = CRL_REASON_NAMES.find((k) => CRL_REASONS[k] === code);
        if (reason === undefined || n.end - n.contentStart !== 1) throw new DerError(`unknown reason code on serial ${serial.toString(16)}`);
      } else if (ext.critical && ext.oid !== INVALIDITY_DATE) {
        // RFC 5280 §5.3: an unrecognised critical entry extension (e.g. certificateIssuer of an
        // indirect CRL) means the list cannot be used.
        throw new DerError(`critical entry extension ${ext.oid} is not supported`);
      }
    }
    out.set(serial, { revokedAt, reason });
  }
  return out;
}

/**
 * Verifies `der` as a CRL issued by one of `cas` and returns what it says. The issuer must be one of
 * the given CA certificates (matched by its subject Name, bytes for bytes) and must hold cRLSign when
 * it has a keyUsage (RFC 5280 §4.2.1.3); the signature must verify with that certificate's key.
 */
export function verifyCrl(der: Buffer, cas: readonly X509Certificate[]): Verdict<VerifiedCrl> {
  if (der.length > MAX_CRL_BYTES) return fail('FERRY_ERR_PKI_CRL', `CRL is ${der.length} bytes, limit ${MAX_CRL_BYTES}`);
  let p: Parsed;
  try {
    p = parse(der);
  } catch (e) {
    return fail('FERRY_ERR_PKI_CRL', `not a DER X.509 v2 CRL: ${(e as Error).message}`);
  }
  // RFC 5280 §5.1.1.2: the outer and inner algorithm identifiers MUST be the same.
  if (!p.sigAlgTbs.equals(p.sigAlgOuter)) return fail('FERRY_ERR_PKI_CRL', 'signatureAlgorithm differs from tbsCertList.signature');
  const hash = SIG_HASH[p.sigOid];
  if (!hash) return fail('FERRY_ERR_PKI_CRL', `signature algorithm ${p.sigOid} is not supported`);
  const issuer = cas.find((c) => certFacts(c).subjectDer.equals(p.issuerDer));
  if (!issuer) return fail('FERRY_ERR_PKI_CRL', 'the CRL issuer is none of the configured CA certificates');
  const ku = certFacts(issuer).keyUsage;
  if (ku && !ku.includes('cRLSign')) return fail('FERRY_ERR_PKI_CRL', 'the issuing CA certificate lacks the cRLSign key usage');
  let good = false;
  try {
    good = verifySignature(hash, p.tbs, { key: issuer.publicKey, dsaEncoding: 'der' }, p.signature);
  } catch { good = false; }
  if (!good) return fail('FERRY_ERR_PKI_CRL', 'the CRL signature does not verify with the CA key');
  // Only now, with the signature good, are the contents believed.
  try {
    let crlNumber: bigint | undefined;
    for (const ext of p.extensions ? readExtensions(children(p.extensions)[0] ?? (() => { throw new DerError('empty crlExtensions'); })()) : []) {
      if (ext.oid === OID.cRLNumber) crlNumber = readInteger(parseDer(ext.value), 'cRLNumber');
      else if (ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.oid)) throw new DerError(`critical CRL extension ${ext.oid} is not supported (delta or partitioned CRL?)`);
    }
    if (p.nextUpdate && p.nextUpdate.getTime() < p.thisUpdate.getTime()) throw new DerError('nextUpdate is before thisUpdate');
    return {
      ok: true,
      value: { der, issuer, issuerDer: p.issuerDer, crlNumber, thisUpdate: p.thisUpdate, nextUpdate: p.nextUpdate, revoked: readEntries(p.entries) },
    };
  } catch (e) {
    return fail('FERRY_ERR_PKI_CRL', `CRL content: ${(e as Error).message}`);
  }
}
