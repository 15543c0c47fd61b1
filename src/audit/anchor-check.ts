// Checks one stored anchor's token cryptographically. The caller (verify.ts) has already checked that
// the anchor names the right head hash and that its audit.anchor entry binds the token's SHA-256.
import { verify, X509Certificate } from 'node:crypto';
import type { Verdict } from '../errors.js';
import { verifyChain } from '../pki/chain.js';
import { hasKeyUsage } from '../pki/cert-extensions.js';
import { SIGNATURE_HASH } from './anchor.js';
import type { AnchorRow } from './chain.js';
import { headRecord } from './canonical.js';

/** Verifies an RFC 3161 TimeStampToken over `data` against the deployment's trust anchors (the TSA
 *  module's verifier, bound by the integrator). */
export type TimeStampCheck = (token: Buffer, data: Buffer) => Promise<Verdict<{ genTime: Date }>>;

export interface AnchorTrust {
  /** CAs a signature anchor's signer certificate must chain to (checked at the anchor's time).
   *  Without them a valid signature only proves it matches the stored certificate: "unchecked". */
  readonly ca?: readonly X509Certificate[];
  /** Without it rfc3161 tokens are "unchecked". */
  readonly checkTimeStamp?: TimeStampCheck;
}

export type AnchorCheck =
  | { readonly status: 'verified'; readonly note: string }
  | { readonly status: 'unchecked'; readonly note: string }
  | { readonly status: 'bad'; readonly detail: string };

function cn(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ');
}

function checkSignature(a: AnchorRow, anchoredAt: Date, trust: AnchorTrust): AnchorCheck {
  if (!a.signerCert) return { status: 'bad', detail: 'signature anchor without its signer certificate' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(a.signerCert);
  } catch {
    return { status: 'bad', detail: 'the stored signer certificate does not parse' };
  }
  let good = false;
  try {
    good = verify(SIGNATURE_HASH, headRecord({ seq: a.headSeq, hash: a.headHash }), cert.publicKey, a.token);
  } catch {
    good = false; // a signature that does not even parse is a bad signature
  }
  if (!good) return { status: 'bad', detail: `the signature does not verify with the key of ${cn(cert)}` };
  if (!trust.ca || trust.ca.length === 0) return { status: 'unchecked', note: `signature by ${cn(cert)} (issuer not checked: no CA given)` };
  const chain = verifyChain(cert, trust.ca, anchoredAt);
  if (!chain.ok) return { status: 'bad', detail: `signer ${cn(cert)}: ${chain.detail}` };
  if (!hasKeyUsage(cert, 'digitalSignature')) return { status: 'bad', detail: `signer ${cn(cert)} lacks the digitalSignature key usage` };
  return { status: 'verified', note: `signed by ${cn(cert)}` };
}

/** `anchoredAt` is the `at` of the anchor's audit.anchor entry: the signer must have been valid then. */
export async function checkAnchorToken(a: AnchorRow, anchoredAt: Date, trust: AnchorTrust): Promise<AnchorCheck> {
  switch (a.kind) {
    case 'signature':
      return checkSignature(a, anchoredAt, trust);
    case 'rfc3161': {
      if (!trust.checkTimeStamp) return { status: 'unchecked', note: 'time-stamp token not checked (no verifier configured)' };
      const v = await trust.checkTimeStamp(a.token, headRecord({ seq: a.headSeq, hash: a.headHash }));
      return v.ok ? { status: 'verified', note: `time-stamped ${v.value.genTime.toISOString()}` } : { status: 'bad', detail: `time-stamp token: ${v.detail}` };
    }
    default:
      return { status: 'bad', detail: `unknown anchor kind ${JSON.stringify(a.kind)}` };
  }
}
