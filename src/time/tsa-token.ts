// Build a time-stamp token: ContentInfo { SignedData over id-ct-TSTInfo } (RFC 3161 §2.4.2, RFC 5652 §5).
// We assemble the SignedData ourselves: pkijs's TimeStampResp.sign() drops the signature and its
// SignedData.sign() defaults to SHA-1 (TOOLCHAIN.md), and node:crypto signs ~10x faster than WebCrypto.
// No certificate checks happen here; TimeStampAuthority checks before it ever calls this.
import { createHash, sign, type KeyObject, type X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import { hashAlgorithmDer } from './tsa-algorithms.js';
import { OID } from '../pki/oids.js';
import { certFacts } from '../pki/cert-extensions.js';
import { ctx, integer, oid, octets, seq, setOf, tlv } from '../pki/der.js';
import { signingCertificateV2Attribute } from './tsa-ess.js';

/** Everything about the signer that does not change between tokens, encoded once. */
export interface TokenSigner {
  readonly key: KeyObject;
  readonly certificate: X509Certificate;
  /** IssuerAndSerialNumber of the certificate (RFC 5652 §5.3 sid, SignerInfo version 1). */
  readonly sidDer: Buffer;
  /** The signingCertificateV2 Attribute. */
  readonly essAttributeDer: Buffer;
  /** certificates [0] IMPLICIT CertificateSet: the TSA certificate and the chain, in DER SET OF order. */
  readonly certificatesDer: Buffer;
}

const SHA256_ALG = hashAlgorithmDer('SHA-256');
// RFC 5758 §3.2: ecdsa-with-SHA256 with the parameters field absent.
const ECDSA_SHA256_ALG = seq(oid(OID.ecdsaWithSha256));
const ID_DATA = '1.2.840.113549.1.7.1'; // RFC 5652 §4: id-data
const SIGNED_DATA_OID = oid(OID.signedData);

/** Precompute the signer's fixed encodings. The key must be EC P-256 (signed with ECDSA-SHA-256). */
export function prepareTokenSigner(key: KeyObject, certificate: X509Certificate, chain: readonly X509Certificate[] = []): TokenSigner {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new FerryError('FERRY_ERR_TSA_CONFIG', 'the TSA signing key must be an EC P-256 private key');
  }
  const facts = certFacts(certificate);
  return {
    key,
    certificate,
    sidDer: seq(facts.issuerDer, facts.serialDer),
    essAttributeDer: signingCertificateV2Attribute(certificate, facts),
    certificatesDer: tlv(ctx(0, true), ...[certificate, ...chain].map((c) => c.raw).sort(Buffer.compare)),
  };
}

/** Sign a TSTInfo into a DER TimeStampToken. `includeCerts` follows the request's certReq
 *  (RFC 3161 §2.4.1: the certificate MUST be present when certReq is true). */
export function buildTimeStampToken(signer: TokenSigner, tstInfoDer: Buffer, includeCerts: boolean): Buffer {
  return buildSignedData(signer, OID.tstInfo, tstInfoDer, includeCerts);
}

/** An attached CMS SignedData over `content` of type `eContentType` (id-ct-TSTInfo for tokens, id-data
 *  for documents such as a signed approval result), signed with ECDSA P-256 / SHA-256, with the
 *  contentType, messageDigest and ESS signingCertificateV2 attributes. `openssl cms -verify` reads it. */
export function buildSignedData(signer: TokenSigner, eContentType: string, content: Buffer, includeCerts: boolean): Buffer {
  // RFC 5652 §5.3–5.4: with signed attributes, the signature covers their DER as a SET OF (tag 0x31),
  // and they must hold contentType and the messageDigest of the eContent.
  const messageDigest = seq(oid(OID.messageDigest), setOf(octets(createHash('sha256').update(content).digest())));
  const contentTypeAttr = seq(oid(OID.contentType), setOf(oid(eContentType)));
  const signedAttrs = setOf(contentTypeAttr, messageDigest, signer.essAttributeDer);
  const signature = sign('sha256', signedAttrs, signer.key); // ECDSA-Sig-Value DER (RFC 5753 §2.1.1)
  const signedAttrsImplicit = Buffer.concat([Buffer.from([ctx(0, true)]), signedAttrs.subarray(1)]);
  const signerInfo = seq(integer(1n), signer.sidDer, SHA256_ALG, signedAttrsImplicit, ECDSA_SHA256_ALG, octets(signature));
  const signedData = seq(
    integer(eContentType === ID_DATA ? 1n : 3n), // RFC 5652 §5.1: version 3 when eContentType is not id-data
    setOf(SHA256_ALG),
    seq(oid(eContentType), tlv(ctx(0, true), octets(content))),
    ...(includeCerts ? [signer.certificatesDer] : []),
    setOf(signerInfo),
  );
  return seq(SIGNED_DATA_OID, tlv(ctx(0, true), signedData));
}

export const CMS_ID_DATA = ID_DATA;
