// Verify an RFC 3161 time-stamp token or response: a pure check of bytes against the caller's trust
// anchors and expectations, returning a verdict. Order: structure → signature → messageDigest → ESS →
// certificate usage → chain at genTime → imprint → nonce, so a forged or altered token is reported as
// such before anything it claims is looked at.
import type { RevocationCheck } from '../pki/revocation.js';
import { createHash, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { HASHES, asVerdict, type TsaHashName } from './tsa-algorithms.js';
import { OID } from '../pki/oids.js';
import { certFacts, parseCertificate, validAt, type CertFacts } from '../pki/cert-extensions.js';
import { chainPath } from '../pki/chain.js';
import { timeStampingUsageProblem } from '../pki/role-fit.js';
import { DerError, TAG, readOctets, readOid } from '../pki/der.js';
import { essProblem } from './tsa-ess.js';
import { MAX_TOKEN_BYTES } from './tsa-limits.js';
import { nonceValue } from './tsa-request.js';
import { PKI_STATUS, parseTimeStampResp } from './tsa-response.js';
import { readTokenParts, type SignerId, type TokenParts } from './tsa-signed-data.js';
import { decodeTstInfo, type Accuracy, type TstInfo } from './tsa-tstinfo.js';

export interface VerifyTokenOptions {
  /** The time-stamped data; its hash under the token's imprint algorithm must match. */
  data?: Buffer;
  /** Or the digest itself (length must fit the token's algorithm). With neither, the imprint is returned unchecked. */
  digest?: Buffer;
  /** The nonce sent in the request; the token must carry the same (RFC 3161 §2.4.2). */
  nonce?: bigint | Buffer;
  /** Trust anchors: the TSA certificate must chain to one of these (or be one). */
  trusted: X509Certificate[];
  /** The TSA certificate, for tokens issued without one (certReq false). */
  tsaCertificate?: X509Certificate;
  /** Revocation (pki.crl): a token whose TSA certificate, or an intermediate on its path, is revoked
   *  (or whose CA's list is stale under whenStale: hold) fails with that code. Checked now, not at
   *  genTime: RFC 3161 §4.1 — once the TSA key is revoked its tokens cannot be told from forgeries. */
  revocation?: RevocationCheck;
}

export interface VerifiedTimeStamp {
  readonly genTime: Date;
  readonly genTimeText: string;
  readonly serial: bigint;
  readonly policy: string;
  readonly hashAlg: TsaHashName;
  readonly digest: Buffer;
  readonly accuracy?: Accuracy;
  readonly ordering: boolean;
  readonly nonce?: bigint;
  readonly tsaCert: X509Certificate;
  /** [TSA certificate, …, trust anchor]. */
  readonly chain: X509Certificate[];
}

/** The signature algorithms a TSA may use: ECDSA or RSA PKCS#1 v1.5 with SHA-2 (RFC 5754, RFC 5758). */
const SIG_ALGS: Record<string, { key: 'ec' | 'rsa'; hash?: TsaHashName }> = {
  [OID.ecdsaWithSha256]: { key: 'ec', hash: 'SHA-256' },
  [OID.ecdsaWithSha384]: { key: 'ec', hash: 'SHA-384' },
  [OID.ecdsaWithSha512]: { key: 'ec', hash: 'SHA-512' },
  [OID.ecPublicKey]: { key: 'ec' }, // what older OpenSSL writes; the hash is the digestAlgorithm
  [OID.rsaEncryption]: { key: 'rsa' }, // RFC 5652 §10.1.2 allows it; the hash is the digestAlgorithm
  [OID.sha256WithRsa]: { key: 'rsa', hash: 'SHA-256' },
  [OID.sha384WithRsa]: { key: 'rsa', hash: 'SHA-384' },
  [OID.sha512WithRsa]: { key: 'rsa', hash: 'SHA-512' },
};
const MIN_RSA_BITS = 2048;

function signatureProblem(p: TokenParts, key: KeyObject): Verdict<true> {
  const alg = SIG_ALGS[p.signatureAlgorithm.oid];
  if (!alg) return fail('FERRY_ERR_TSA_BAD_ALG', `signature algorithm ${p.signatureAlgorithm.oid} is not accepted`);
  const params = p.signatureAlgorithm.params;
  // RFC 5758 §3.2: ECDSA parameters absent; RFC 4055 §5: RSA PKCS#1 v1.5 parameters NULL (or absent).
  if (params && !(alg.key === 'rsa' && params.tag === TAG.NULL && params.end === params.contentStart)) {
    return fail('FERRY_ERR_TSA_BAD_ALG', 'unexpected signature algorithm parameters');
  }
  if (key.asymmetricKeyType !== alg.key) return fail('FERRY_ERR_TSA_BAD_ALG', `a ${key.asymmetricKeyType} key cannot make a ${alg.key} signature`);
  if (alg.key === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return fail('FERRY_ERR_TSA_BAD_ALG', `RSA key shorter than ${MIN_RSA_BITS} bits`);
  }
  let good = false;
  try {
    good = verify(HASHES[alg.hash ?? p.digestAlg].node, p.signedAttrs, key, p.signature);
  } catch {
    good = false; // an ECDSA-Sig-Value that does not even parse is a bad signature, not a fault
  }
  return good ? { ok: true, value: true } : fail('FERRY_ERR_TSA_SIGNATURE', 'the signature over the signed attributes does not verify');
}

function matchesSid(f: CertFacts, sid: SignerId): boolean {
  if (sid.kind === 'issuerSerial') return f.issuerDer.equals(sid.issuerDer) && f.serialDer.equals(sid.serialDer);
  return f.subjectKeyId !== undefined && f.subjectKeyId.equals(sid.keyId);
}

/** Pick the signer certificate named by the SignerInfo sid from the token's certificates and the given one. */
function findSigner(p: TokenParts, given: X509Certificate | undefined): { cert: X509Certificate; pool: X509Certificate[] } | null {
  const pool = p.certificates.map((d, i) => {
    try {
      return parseCertificate(d);
    } catch (e) {
      throw new DerError(`certificate ${i} in the token does not parse: ${(e as Error).message}`);
    }
  });
  for (const c of given ? [given, ...pool] : pool) {
    if (matchesSid(certFacts(c), p.sid)) return { cert: c, pool };
  }
  return null;
}

/** RFC 3161 §4 / RFC 5280 §6.1: the TSA certificate, and every certificate on its path to a trusted
 *  one, valid at genTime. The shared chain checker decides; its verdict is told in the TSA's codes. The
 *  TSA certificate's own validity is judged first, so a lapsed TSA is reported as such whatever else is
 *  wrong with it, and a pinned CA certificate never stamps (anchorMayBeLeaf false). */
function tsaPath(cert: X509Certificate, f: CertFacts, pool: readonly X509Certificate[], trusted: readonly X509Certificate[], genTime: Date): Verdict<X509Certificate[]> {
  if (!validAt(f, genTime)) {
    return fail('FERRY_ERR_TSA_CERT_EXPIRED', `TSA certificate valid ${f.notBefore.toISOString()} .. ${f.notAfter.toISOString()}, genTime ${genTime.toISOString()}`);
  }
  const v = chainPath(cert, trusted, genTime, { intermediates: pool, anchorMayBeLeaf: false });
  if (v.ok) return { ok: true, value: [...v.value] };
  switch (v.code) {
    case 'FERRY_ERR_PKI_EXPIRED':
    case 'FERRY_ERR_PKI_NOT_YET_VALID':
      return fail('FERRY_ERR_TSA_CERT_EXPIRED', v.detail);
    case 'FERRY_ERR_PKI_MALFORMED':
      return fail('FERRY_ERR_TSA_MALFORMED', v.detail);
    default:
      return fail('FERRY_ERR_TSA_CHAIN', v.detail);
  }
}

function checkImprint(t: TstInfo, opts: VerifyTokenOptions): Verdict<true> {
  if (opts.data !== undefined) {
    const h = createHash(HASHES[t.hashAlg].node).update(opts.data).digest();
    if (!h.equals(t.digest)) return fail('FERRY_ERR_TSA_IMPRINT', `the ${t.hashAlg} of the data is not the token's message imprint`);
  }
  if (opts.digest !== undefined && !opts.digest.equals(t.digest)) {
    return fail('FERRY_ERR_TSA_IMPRINT', `the digest given is not the token's ${t.hashAlg} message imprint`);
  }
  return { ok: true, value: true };
}

/** Verify a DER TimeStampToken (ContentInfo with SignedData over TSTInfo). Hostile input gives a
 *  verdict; only a broken environment throws. */
export async function verifyTimeStampToken(tokenDer: Buffer, opts: VerifyTokenOptions): Promise<Verdict<VerifiedTimeStamp>> {
  if (tokenDer.length > MAX_TOKEN_BYTES) return fail('FERRY_ERR_TSA_TOO_LARGE', `token is ${tokenDer.length} bytes, limit ${MAX_TOKEN_BYTES}`);
  const parsed = asVerdict(() => {
    const parts = readTokenParts(tokenDer);
    return { parts, tst: decodeTstInfo(parts.eContent), signer: findSigner(parts, opts.tsaCertificate) };
  });
  if (!parsed.ok) return parsed;
  const { parts, tst, signer } = parsed.value;
  if (!signer) return fail('FERRY_ERR_TSA_NO_CERT', 'the signer certificate is neither in the token nor given as tsaCertificate');
  const facts = certFacts(signer.cert);

  let publicKey: KeyObject;
  try {
    publicKey = signer.cert.publicKey;
  } catch {
    return fail('FERRY_ERR_TSA_BAD_ALG', 'the TSA certificate key is of a type node:crypto cannot use');
  }
  const sig = signatureProblem(parts, publicKey);
  if (!sig.ok) return sig;

  // RFC 5652 §11.1–11.2: contentType must equal eContentType; messageDigest must be the eContent's hash.
  const ct = parts.attributes.get(OID.contentType);
  const md = parts.attributes.get(OID.messageDigest);
  const attrs = asVerdict(() => ({
    ct: ct ? readOid(ct, 'contentType attribute') : undefined,
    md: md ? readOctets(md, 'messageDigest attribute') : undefined,
  }));
  if (!attrs.ok) return attrs;
  if (attrs.value.ct !== OID.tstInfo) return fail('FERRY_ERR_TSA_CONTENT_TYPE', `contentType attribute is ${attrs.value.ct ?? 'missing'}`);
  const want = createHash(HASHES[parts.digestAlg].node).update(parts.eContent).digest();
  if (!attrs.value.md || !attrs.value.md.equals(want)) return fail('FERRY_ERR_TSA_MESSAGE_DIGEST', 'the messageDigest attribute does not match the TSTInfo');

  const ess = asVerdict(() => essProblem(parts.attributes, signer.cert, facts));
  if (!ess.ok) return fail('FERRY_ERR_TSA_ESS', ess.detail);
  if (ess.value) return fail('FERRY_ERR_TSA_ESS', ess.value);

  const usage = timeStampingUsageProblem(facts);
  if (usage) return fail(usage.code, usage.detail);

  const path = tsaPath(signer.cert, facts, signer.pool, opts.trusted, tst.genTime);
  if (!path.ok) return path;
  for (const c of opts.revocation ? path.value.slice(0, -1) : []) {
    const r = opts.revocation!.check(c);
    if (!r.ok) return r;
  }

  const imprint = checkImprint(tst, opts);
  if (!imprint.ok) return imprint;

  if (opts.nonce !== undefined) {
    const n = nonceValue(opts.nonce);
    if (tst.nonce === undefined) return fail('FERRY_ERR_TSA_NONCE', 'the request had a nonce but the token has none');
    if (tst.nonce !== n) return fail('FERRY_ERR_TSA_NONCE', 'the token nonce differs from the request nonce');
  }

  return {
    ok: true,
    value: {
      genTime: tst.genTime,
      genTimeText: tst.genTimeText,
      serial: tst.serial,
      policy: tst.policy,
      hashAlg: tst.hashAlg,
      digest: tst.digest,
      ordering: tst.ordering,
      tsaCert: signer.cert,
      chain: path.value,
      ...(tst.accuracy ? { accuracy: tst.accuracy } : {}),
      ...(tst.nonce !== undefined ? { nonce: tst.nonce } : {}),
    },
  };
}

/** Verify a DER TimeStampResp: status granted (or grantedWithMods), then its token as above. */
export async function verifyTimeStampResponse(respDer: Buffer, opts: VerifyTokenOptions): Promise<Verdict<VerifiedTimeStamp>> {
  const resp = parseTimeStampResp(respDer);
  if (!resp.ok) return resp;
  const { status, failures, statusText, tokenDer } = resp.value;
  if (status !== PKI_STATUS.granted && status !== PKI_STATUS.grantedWithMods) {
    return fail('FERRY_ERR_TSA_STATUS', `status ${status}, failInfo [${failures.join(', ')}]${statusText.length ? `: ${statusText.join(' ')}` : ''}`);
  }
  if (!tokenDer) return fail('FERRY_ERR_TSA_MALFORMED', 'status granted but no token');
  return verifyTimeStampToken(tokenDer, opts);
}
