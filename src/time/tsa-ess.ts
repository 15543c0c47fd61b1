// The ESS signing-certificate attribute, which binds the token's signature to one certificate so a
// second certificate for the same key (say, without the timeStamping EKU) cannot be swapped in.
// RFC 3161 §2.4.1 requires it; RFC 5816 allows the V2 form (any hash) beside the SHA-1 original.
//   SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL }
//   ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
//     certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }              -- RFC 5035 §3
//   SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies ... OPTIONAL }
//   ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL } -- RFC 2634 §5.4
//   IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
import { createHash, type X509Certificate } from 'node:crypto';
import { HASHES, readHashAlgorithm } from './tsa-algorithms.js';
import { OID } from '../pki/oids.js';
import { SeqReader, TAG, children, ctx, expect, oid, octets, raw, readOctets, seq, setOf, tlv, type DerNode } from '../pki/der.js';
import type { CertFacts } from '../pki/cert-extensions.js';

/** The signingCertificateV2 Attribute (attrType + SET OF one value) naming `cert` by SHA-256 hash and
 *  issuer/serial. The hashAlgorithm is left out: it is the DEFAULT (DER, X.690 §11.5). */
export function signingCertificateV2Attribute(cert: X509Certificate, facts: CertFacts): Buffer {
  const certHash = createHash('sha256').update(cert.raw).digest();
  const issuerSerial = seq(seq(tlv(ctx(4, true), facts.issuerDer)), facts.serialDer);
  const value = seq(seq(seq(octets(certHash), issuerSerial)));
  return seq(oid(OID.signingCertificateV2), setOf(value));
}

/** The reason the ESS attribute does not identify `cert`, or null when it does. At least one of the two
 *  forms must be present; each present form must name the signer first (RFC 5035 §5.4.1). */
export function essProblem(attrs: ReadonlyMap<string, DerNode>, cert: X509Certificate, facts: CertFacts): string | null {
  const v2 = attrs.get(OID.signingCertificateV2);
  const v1 = attrs.get(OID.signingCertificate);
  if (!v2 && !v1) return 'no signingCertificate or signingCertificateV2 attribute';
  if (v2) {
    const p = checkFirstId(v2, cert, facts, true);
    if (p) return `signingCertificateV2: ${p}`;
  }
  if (v1) {
    const p = checkFirstId(v1, cert, facts, false);
    if (p) return `signingCertificate: ${p}`;
  }
  return null;
}

function checkFirstId(value: DerNode, cert: X509Certificate, facts: CertFacts, v2: boolean): string | null {
  const r = new SeqReader(expect(value, TAG.SEQUENCE, 'SigningCertificate'), 'SigningCertificate');
  const ids = children(r.next(TAG.SEQUENCE, 'certs'));
  const first = ids[0];
  if (!first) return 'empty certs list';
  const idr = new SeqReader(expect(first, TAG.SEQUENCE, 'ESSCertID'), 'ESSCertID');
  let hashNode = 'sha1';
  if (v2) {
    const alg = idr.optional(TAG.SEQUENCE);
    hashNode = alg ? HASHES[readHashAlgorithm(alg, 'ESSCertIDv2.hashAlgorithm')].node : 'sha256';
  }
  const certHash = readOctets(idr.next(TAG.OCTET_STRING, 'certHash'), 'ESSCertID.certHash');
  const issuerSerial = idr.optional(TAG.SEQUENCE);
  idr.end();
  if (!createHash(hashNode).update(cert.raw).digest().equals(certHash)) return `certHash (${hashNode}) is not the signer certificate's`;
  if (issuerSerial) {
    const is = new SeqReader(issuerSerial, 'IssuerSerial');
    const names = children(is.next(TAG.SEQUENCE, 'issuer'));
    const serial = is.next(TAG.INTEGER, 'serialNumber');
    is.end();
    // GeneralName directoryName [4] wraps the Name (a CHOICE, so the tag is explicit).
    const dirNames = names.filter((n) => n.tag === ctx(4, true)).map((n) => children(n)[0]).filter((n): n is DerNode => !!n);
    if (!dirNames.some((n) => raw(n).equals(facts.issuerDer))) return 'issuerSerial.issuer is not the signer certificate issuer';
    if (!raw(serial).equals(facts.serialDer)) return 'issuerSerial.serialNumber is not the signer certificate serial';
  }
  return null;
}
