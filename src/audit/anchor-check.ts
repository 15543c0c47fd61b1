// Checks one stored anchor's token cryptographically. The caller (verify.ts) has already checked that
// the anchor names the right head hash and that its audit.anchor entry binds the token's SHA-256.
// Fail closed: an anchor is "verified" only against pins given by the operator (signer fingerprints,
// the anchor policy OID); without them it is "unchecked", which `ferry audit verify` does not count.
import { verify, X509Certificate } from 'node:crypto';
import type { Verdict } from '../errors.js';
import { verifyChain } from '../pki/chain.js';
import { hasKeyUsage } from '../pki/cert-extensions.js';
import { SIGNATURE_HASH } from './anchor.js';
import { encodeAnchorRecord } from './anchor-record.js';
import type { AnchorRow } from './chain.js';
import { headRecord, sha256 } from './canonical.js';
import { DEFAULT_ANCHOR_TIME_TOLERANCE_MS } from './limits.js';

/** Verifies an RFC 3161 TimeStampToken over `data` against the deployment's trust anchors (the TSA
 *  module's verifier, bound by the integrator); returns what the token says. */
export type TimeStampCheck = (token: Buffer, data: Buffer) => Promise<Verdict<{ genTime: Date; policy: string }>>;

export interface AnchorTrust {
  /** CAs a signature anchor's signer certificate must chain to (checked at the anchor's time). */
  readonly ca?: readonly X509Certificate[];
  /** SHA-256 fingerprints (lowercase hex) of the gateway signing certificates allowed to sign anchors.
   *  Without them a signature anchor is "unchecked": any key with a certificate from the CA could
   *  have made it. */
  readonly signers?: ReadonlySet<string>;
  /** Without it rfc3161 tokens are "unchecked". */
  readonly checkTimeStamp?: TimeStampCheck;
  /** The policy OID the intranet TSA issues anchors under; tokens under any other policy (the public
   *  POST /tsa one) are refused. Without it rfc3161 tokens are "unchecked". */
  readonly anchorPolicyOid?: string;
  /** |genTime - entry time| allowed; default DEFAULT_ANCHOR_TIME_TOLERANCE_MS. */
  readonly timeToleranceMs?: number;
}

export type AnchorCheck =
  | { readonly status: 'verified'; readonly note: string; readonly genTime?: Date }
  | { readonly status: 'unchecked'; readonly note: string }
  | { readonly status: 'bad'; readonly detail: string };

function cn(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ');
}

/** A signature over an anchor record by a pinned signer whose certificate chains to the CA at `at`. */
export function checkSignedRecord(record: Buffer, signature: Buffer, signerCert: Buffer, at: Date, trust: AnchorTrust): AnchorCheck {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(signerCert);
  } catch {
    return { status: 'bad', detail: 'the stored signer certificate does not parse' };
  }
  let good = false;
  try {
    good = verify(SIGNATURE_HASH, record, cert.publicKey, signature);
  } catch {
    good = false; // a signature that does not even parse is a bad signature
  }
  if (!good) return { status: 'bad', detail: `the signature does not verify with the key of ${cn(cert)}` };
  const fp = sha256(signerCert).toString('hex');
  if (!trust.signers || trust.signers.size === 0) return { status: 'unchecked', note: `signature by ${cn(cert)} (signer ${fp} not checked: no pinned signer given)` };
  if (!trust.signers.has(fp)) return { status: 'bad', detail: `signed by ${cn(cert)} (SHA-256 ${fp}), which is not a pinned signer` };
  if (!trust.ca || trust.ca.length === 0) return { status: 'unchecked', note: `signature by ${cn(cert)} (issuer not checked: no CA given)` };
  const chain = verifyChain(cert, trust.ca, at);
  if (!chain.ok) return { status: 'bad', detail: `signer ${cn(cert)}: ${chain.detail}` };
  if (!hasKeyUsage(cert, 'digitalSignature')) return { status: 'bad', detail: `signer ${cn(cert)} lacks the digitalSignature key usage` };
  return { status: 'verified', note: `signed by ${cn(cert)}` };
}

function checkSignature(a: AnchorRow, anchoredAt: Date, trust: AnchorTrust): AnchorCheck {
  if (!a.signerCert) return { status: 'bad', detail: 'signature anchor without its signer certificate' };
  const record = encodeAnchorRecord({ seq: a.headSeq, hash: a.headHash, at: anchoredAt.getTime(), signerSha256: sha256(a.signerCert) });
  if (!record) return { status: 'bad', detail: 'the anchor names no valid head or time' };
  return checkSignedRecord(record, a.token, a.signerCert, anchoredAt, trust);
}

async function checkRfc3161(a: AnchorRow, anchoredAt: Date, trust: AnchorTrust): Promise<AnchorCheck> {
  if (!trust.checkTimeStamp || !trust.anchorPolicyOid) {
    return { status: 'unchecked', note: 'time-stamp token not checked (no TSA verifier and anchor policy OID configured)' };
  }
  const v = await trust.checkTimeStamp(a.token, headRecord({ seq: a.headSeq, hash: a.headHash }));
  if (!v.ok) return { status: 'bad', detail: `time-stamp token: ${v.detail}` };
  // A token from the public POST /tsa is genuine but issued under the public policy: not an anchor.
  if (v.value.policy !== trust.anchorPolicyOid) {
    return { status: 'bad', detail: `the token was issued under policy ${v.value.policy}, not the anchor policy ${trust.anchorPolicyOid} (a token from the public /tsa is no anchor)` };
  }
  const tol = trust.timeToleranceMs ?? DEFAULT_ANCHOR_TIME_TOLERANCE_MS;
  const skew = v.value.genTime.getTime() - anchoredAt.getTime();
  if (Math.abs(skew) > tol) {
    return { status: 'bad', detail: `genTime ${v.value.genTime.toISOString()} is ${skew} ms from the anchor entry's time ${anchoredAt.toISOString()} (tolerance ${tol} ms)` };
  }
  return { status: 'verified', note: `time-stamped ${v.value.genTime.toISOString()}`, genTime: v.value.genTime };
}

/** `anchoredAt` is the `at` of the anchor's audit.anchor entry: the signature binds it, the token's
 *  genTime must match it, and the signer must have been valid then. */
export async function checkAnchorToken(a: AnchorRow, anchoredAt: Date, trust: AnchorTrust): Promise<AnchorCheck> {
  switch (a.kind) {
    case 'signature':
      return checkSignature(a, anchoredAt, trust);
    case 'rfc3161':
      return checkRfc3161(a, anchoredAt, trust);
    default:
      return { status: 'bad', detail: `unknown anchor kind ${JSON.stringify(a.kind)}` };
  }
}
