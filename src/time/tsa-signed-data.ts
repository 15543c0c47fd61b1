// Read a time-stamp token's CMS envelope (RFC 5652 §3, §5) into the parts the verifier checks.
// Structure only: no signature, hash or certificate is judged here.
//   ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
//   SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
//     certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
//   SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
//     signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
import { TsaReject, readHashAlgorithm, type TsaHashName } from './tsa-algorithms.js';
import { OID } from '../pki/oids.js';
import {
  DerError, SeqReader, TAG, children, content, ctx, expect, parseDer, raw, readOctets, readOid, readSmallInt,
  type DerNode,
} from '../pki/der.js';
import { MAX_TOKEN_CERTS } from './tsa-limits.js';

export type SignerId =
  | { readonly kind: 'issuerSerial'; readonly issuerDer: Buffer; readonly serialDer: Buffer }
  | { readonly kind: 'subjectKeyId'; readonly keyId: Buffer };

export interface TokenParts {
  /** The TSTInfo DER exactly as carried in eContent. */
  readonly eContent: Buffer;
  /** DER of each certificate in `certificates` (other certificate choices are skipped). */
  readonly certificates: readonly Buffer[];
  readonly sid: SignerId;
  readonly digestAlg: TsaHashName;
  /** The signed attributes re-tagged as SET OF (0x31): the bytes the signature covers (RFC 5652 §5.4). */
  readonly signedAttrs: Buffer;
  /** attrType → its single value. */
  readonly attributes: ReadonlyMap<string, DerNode>;
  readonly signatureAlgorithm: { readonly oid: string; readonly params?: DerNode };
  readonly signature: Buffer;
}

function reject(code: 'FERRY_ERR_TSA_CONTENT_TYPE' | 'FERRY_ERR_TSA_SIGNER' | 'FERRY_ERR_TSA_TOO_LARGE', detail: string): never {
  throw new TsaReject(code, detail);
}

/** Throws DerError or TsaReject; see asVerdict. */
export function readTokenParts(der: Buffer): TokenParts {
  const ci = new SeqReader(parseDer(der, TAG.SEQUENCE), 'ContentInfo');
  const contentType = readOid(ci.next(TAG.OID, 'contentType'), 'ContentInfo.contentType');
  if (contentType !== OID.signedData) reject('FERRY_ERR_TSA_CONTENT_TYPE', `ContentInfo is ${contentType}, not signedData`);
  const wrapped = children(ci.next(ctx(0, true), 'content'));
  ci.end();
  if (wrapped.length !== 1) throw new DerError('ContentInfo.content must hold one element');

  const sd = new SeqReader(expect(wrapped[0]!, TAG.SEQUENCE, 'SignedData'), 'SignedData');
  const version = readSmallInt(sd.next(TAG.INTEGER, 'version'), 'SignedData.version');
  if (version < 1 || version > 5) throw new DerError(`SignedData.version ${version}`);
  sd.next(TAG.SET, 'digestAlgorithms');
  const eci = new SeqReader(sd.next(TAG.SEQUENCE, 'encapContentInfo'), 'EncapsulatedContentInfo');
  const eContentType = readOid(eci.next(TAG.OID, 'eContentType'), 'eContentType');
  if (eContentType !== OID.tstInfo) reject('FERRY_ERR_TSA_CONTENT_TYPE', `eContentType is ${eContentType}, not id-ct-TSTInfo`);
  const eWrap = eci.optional(ctx(0, true));
  eci.end();
  if (!eWrap) throw new DerError('the token has no eContent (a detached TSTInfo is not a token)');
  const eInner = children(eWrap);
  if (eInner.length !== 1) throw new DerError('eContent must hold one OCTET STRING');
  const eContent = readOctets(eInner[0]!, 'eContent');

  const certsNode = sd.optional(ctx(0, true));
  sd.optional(ctx(1, true)); // crls: revocation is the pki module's business, not read here
  const signerInfos = children(sd.next(TAG.SET, 'signerInfos'));
  sd.end();

  const certificates: Buffer[] = [];
  if (certsNode) {
    const all = children(certsNode);
    if (all.length > MAX_TOKEN_CERTS) reject('FERRY_ERR_TSA_TOO_LARGE', `token carries ${all.length} certificates, limit ${MAX_TOKEN_CERTS}`);
    for (const c of all) if (c.tag === TAG.SEQUENCE) certificates.push(raw(c));
  }
  // RFC 3161 §2.4.2: the token "MUST NOT contain any signatures other than the signature of the TSA".
  if (signerInfos.length !== 1) reject('FERRY_ERR_TSA_SIGNER', `token has ${signerInfos.length} signers, expected exactly 1`);
  return { eContent, certificates, ...readSignerInfo(signerInfos[0]!) };
}

function readSignerInfo(n: DerNode): Omit<TokenParts, 'eContent' | 'certificates'> {
  const si = new SeqReader(expect(n, TAG.SEQUENCE, 'SignerInfo'), 'SignerInfo');
  const version = readSmallInt(si.next(TAG.INTEGER, 'version'), 'SignerInfo.version');
  const sidNode = si.any() ?? (() => { throw new DerError('SignerInfo.sid missing'); })();
  let sid: SignerId;
  if (sidNode.tag === TAG.SEQUENCE && version === 1) {
    const r = new SeqReader(sidNode, 'IssuerAndSerialNumber');
    const issuer = r.next(TAG.SEQUENCE, 'issuer');
    const serial = r.next(TAG.INTEGER, 'serialNumber');
    r.end();
    sid = { kind: 'issuerSerial', issuerDer: raw(issuer), serialDer: raw(serial) };
  } else if (sidNode.tag === ctx(0, false) && version === 3) {
    sid = { kind: 'subjectKeyId', keyId: content(sidNode) };
  } else {
    throw new DerError(`SignerInfo version ${version} does not fit its sid (RFC 5652 §5.3)`);
  }
  const digestAlg = readHashAlgorithm(si.next(TAG.SEQUENCE, 'digestAlgorithm'), 'SignerInfo.digestAlgorithm');
  const attrsNode = si.optional(ctx(0, true));
  // RFC 3161 §2.4.1 requires the ESS attribute, so a token always has signed attributes.
  if (!attrsNode) reject('FERRY_ERR_TSA_SIGNER', 'the signer has no signed attributes');
  const alg = new SeqReader(si.next(TAG.SEQUENCE, 'signatureAlgorithm'), 'signatureAlgorithm');
  const sigOid = readOid(alg.next(TAG.OID, 'algorithm'), 'signatureAlgorithm.algorithm');
  const params = alg.any();
  alg.end();
  const signature = readOctets(si.next(TAG.OCTET_STRING, 'signature'), 'SignerInfo.signature');
  si.optional(ctx(1, true)); // unsignedAttrs: not covered by the signature, not read
  si.end();

  const attributes = new Map<string, DerNode>();
  for (const a of children(attrsNode)) {
    const r = new SeqReader(expect(a, TAG.SEQUENCE, 'Attribute'), 'Attribute');
    const type = readOid(r.next(TAG.OID, 'attrType'), 'Attribute.attrType');
    const values = children(r.next(TAG.SET, 'attrValues'));
    r.end();
    // RFC 5652 §5.3 / §11: contentType and messageDigest are single-valued and appear once; the ESS
    // attributes likewise. We hold every attribute to that so no reader can pick a different value.
    if (attributes.has(type) || values.length !== 1) throw new DerError(`signed attribute ${type} must appear once with one value`);
    attributes.set(type, values[0]!);
  }
  const signedAttrs = Buffer.concat([Buffer.from([TAG.SET]), raw(attrsNode).subarray(1)]);
  return {
    sid,
    digestAlg,
    signedAttrs,
    attributes,
    signatureAlgorithm: { oid: sigOid, ...(params ? { params } : {}) },
    signature,
  };
}
