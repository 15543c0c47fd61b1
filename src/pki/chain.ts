// Certificate path validation (a subset of RFC 5280 §6.1 sufficient for Ferry's closed PKI):
// name chaining, signatures, validity at a given instant, CA-ness and keyCertSign of every issuer,
// pathLenConstraint, and refusal of unknown critical extensions. Pure: no clock, no I/O. Callers cache
// the verdict per (leaf fingerprint, instant bucket).
// Not done here: revocation (CRL/OCSP), name constraints and policy processing; a certificate that
// carries a *critical* extension for any of those is refused rather than half-checked.
import { createHash, type X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { certFacts, OID } from './cert-extensions.js';

/** Longest path walked (leaf + intermediates + anchor). Deeper PKIs are not what Ferry deploys, and
 *  the bound keeps a hostile bundle of cross-signed certificates from making the walk explode. */
export const MAX_CHAIN_DEPTH = 8;
/** Cap on issuer candidates tried in total, for the same reason. */
const MAX_CANDIDATE_TRIES = 64;

/** Extensions this validator understands; RFC 5280 §4.2: a certificate with any other critical
 *  extension MUST be rejected. */
const UNDERSTOOD_CRITICAL = new Set<string>([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName]);

/** The instants at which a path is valid: the latest notBefore to the earliest notAfter on it. */
export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ChainOptions {
  /** Untrusted intermediates offered with the leaf (a bundle from the peer or from config). */
  readonly intermediates?: readonly X509Certificate[];
}

const fpCache = new WeakMap<X509Certificate, string>();
function fp(cert: X509Certificate): string {
  let h = fpCache.get(cert);
  if (h === undefined) {
    h = createHash('sha256').update(cert.raw).digest('hex');
    fpCache.set(cert, h);
  }
  return h;
}

function label(cert: X509Certificate): string {
  return `"${cert.subject.replace(/\n/g, ', ')}"`;
}

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter inclusive. */
function checkTime(cert: X509Certificate, at: Date | null, role: string): Verdict<never> | undefined {
  if (at === null) return undefined;
  const t = at.getTime();
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  if (t < from) return fail('FERRY_ERR_PKI_NOT_YET_VALID', `${role} ${label(cert)} is not valid until ${new Date(from).toISOString()} (checked at ${at.toISOString()})`);
  if (t > to) return fail('FERRY_ERR_PKI_EXPIRED', `${role} ${label(cert)} expired at ${new Date(to).toISOString()} (checked at ${at.toISOString()})`);
  return undefined;
}

function checkCritical(cert: X509Certificate, role: string): Verdict<never> | undefined {
  const unknown = certFacts(cert).criticalOids.filter((o) => !UNDERSTOOD_CRITICAL.has(o));
  if (unknown.length > 0) {
    return fail('FERRY_ERR_PKI_CRITICAL_EXTENSION', `${role} ${label(cert)} has unsupported critical extension(s) ${unknown.join(', ')}`);
  }
  return undefined;
}

/** RFC 5280 §6.1.4 (k), (m), (n): the issuer is a CA, its keyUsage (if present) has keyCertSign, and
 *  its pathLenConstraint allows `below` intermediate CA certificates beneath it. */
function checkIssuerIsCa(issuer: X509Certificate, below: number): Verdict<never> | undefined {
  const f = certFacts(issuer);
  if (f.basicConstraints?.ca !== true) return fail('FERRY_ERR_PKI_NOT_CA', `issuer ${label(issuer)} is not a CA (basicConstraints cA is not set)`);
  if (f.keyUsage !== undefined && !f.keyUsage.includes('keyCertSign')) {
    return fail('FERRY_ERR_PKI_NOT_CA', `issuer ${label(issuer)} lacks keyUsage keyCertSign`);
  }
  const max = f.basicConstraints.pathLength;
  if (max !== undefined && below > max) {
    return fail('FERRY_ERR_PKI_NOT_CA', `issuer ${label(issuer)} allows ${max} intermediate CA(s) below it, path has ${below}`);
  }
  return undefined;
}

/** RFC 5280 §6.1.3 (a)(4): the issuer name of a certificate equals the subject of the next one.
 *  Key identifiers (§4.2.1.1), when both are present, narrow the candidates further. */
function mayHaveIssued(issuer: X509Certificate, cert: X509Certificate): boolean {
  const c = certFacts(cert);
  const i = certFacts(issuer);
  if (!c.issuerDer.equals(i.subjectDer) && cert.issuer !== issuer.subject) return false;
  if (c.authorityKeyId !== undefined && i.subjectKeyId !== undefined && c.authorityKeyId !== i.subjectKeyId) return false;
  return true;
}

/** Severity of a failure, so that when several paths fail the most informative reason is reported:
 *  a path that reached a trust anchor and failed on time or CA-ness beats "no path at all". */
function rank(v: Verdict<unknown>): number {
  if (v.ok) return 99;
  switch (v.code) {
    case 'FERRY_ERR_PKI_EXPIRED':
    case 'FERRY_ERR_PKI_NOT_YET_VALID':
      return 4;
    case 'FERRY_ERR_PKI_NOT_CA':
    case 'FERRY_ERR_PKI_CRITICAL_EXTENSION':
      return 3;
    case 'FERRY_ERR_PKI_BAD_SIGNATURE':
      return 2;
    default:
      return 1;
  }
}

function windowOf(cert: X509Certificate): ValidityWindow {
  return { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
}

function narrow(w: ValidityWindow, cert: X509Certificate): ValidityWindow {
  const c = windowOf(cert);
  return {
    notBefore: c.notBefore > w.notBefore ? c.notBefore : w.notBefore,
    notAfter: c.notAfter < w.notAfter ? c.notAfter : w.notAfter,
  };
}

/** The walk shared by verifyChain (at an instant) and chainValidity (at = null: time not judged). */
function findPath(
  leaf: X509Certificate,
  trusted: readonly X509Certificate[],
  at: Date | null,
  opts: ChainOptions,
): Verdict<ValidityWindow> {
  if (at !== null && Number.isNaN(at.getTime())) return fail('FERRY_ERR_PKI_CHAIN', 'validation instant is not a valid date');
  const trustedFps = new Set(trusted.map(fp));
  // A CA certificate is never an end entity (link peer, signer, TSA, client): its key could mint
  // look-alikes. Verifying a trust anchor against itself (a configuration check) is the one exception.
  if (!trustedFps.has(fp(leaf)) && certFacts(leaf).basicConstraints?.ca === true) {
    return fail('FERRY_ERR_PKI_LEAF_IS_CA', `${label(leaf)} is a CA certificate (basicConstraints cA=true) presented as an end entity`);
  }
  const pool = [...trusted, ...(opts.intermediates ?? [])];
  let tries = 0;
  let best: Verdict<ValidityWindow> | undefined;
  const consider = (v: Verdict<ValidityWindow>): void => {
    if (!v.ok && (!best || rank(v) > rank(best))) best = v;
  };

  // Depth-first over issuer candidates; `path` holds fingerprints to refuse loops.
  const walk = (cert: X509Certificate, depth: number, path: Set<string>): Verdict<ValidityWindow> => {
    const crit = checkCritical(cert, depth === 0 ? 'certificate' : 'issuer');
    if (crit) return crit;
    // A trusted certificate ends the path (RFC 5280 §6.1.1 (d): the anchor is given, not validated
    // by signature); its validity is still required, as OpenSSL does.
    if (trustedFps.has(fp(cert))) return checkTime(cert, at, depth === 0 ? 'certificate' : 'trust anchor') ?? { ok: true, value: windowOf(cert) };
    if (depth + 1 >= MAX_CHAIN_DEPTH) return fail('FERRY_ERR_PKI_CHAIN', `no trusted CA within ${MAX_CHAIN_DEPTH} certificates of ${label(leaf)}`);

    let local: Verdict<ValidityWindow> | undefined;
    for (const issuer of pool) {
      if (!mayHaveIssued(issuer, cert)) continue;
      const ifp = fp(issuer);
      if (path.has(ifp)) continue;
      if (++tries > MAX_CANDIDATE_TRIES) return fail('FERRY_ERR_PKI_CHAIN', `gave up after ${MAX_CANDIDATE_TRIES} issuer candidates`);
      let v: Verdict<ValidityWindow> | undefined = checkIssuerIsCa(issuer, Math.max(0, depth));
      if (!v && !cert.verify(issuer.publicKey)) {
        v = fail('FERRY_ERR_PKI_BAD_SIGNATURE', `the signature on ${label(cert)} does not verify with the key of ${label(issuer)}`);
      }
      if (!v) {
        // Time is checked after the structure, so that an expired certificate from a foreign CA is
        // reported as "not chaining", not as "expired".
        v = walk(issuer, depth + 1, new Set([...path, ifp]));
        if (v.ok) v = checkTime(cert, at, depth === 0 ? 'certificate' : 'intermediate') ?? { ok: true, value: narrow(v.value, cert) };
        if (v.ok) return v;
      }
      consider(v);
      if (!local || rank(v) > rank(local)) local = v;
    }
    return local ?? fail('FERRY_ERR_PKI_CHAIN', `no issuer of ${label(cert)} ("${cert.issuer.replace(/\n/g, ', ')}") among the trusted or offered certificates`);
  };

  const v = walk(leaf, 0, new Set([fp(leaf)]));
  if (v.ok) return v;
  consider(v);
  return best ?? v;
}

/**
 * Verifies that `leaf` chains to one of `trusted` at instant `at`.
 *
 * The walk goes leaf → issuer → … until it reaches a certificate in `trusted` (matched by DER, so
 * a trusted intermediate also ends the walk) or an issuer that is in `trusted`. Issuers are taken
 * from `trusted` first, then from `opts.intermediates`. Every certificate on the path, the anchor
 * included, must be valid at `at`. A leaf that is a CA certificate is refused unless it is itself
 * a trust anchor.
 *
 * Codes: FERRY_ERR_PKI_CHAIN (no issuer found / path too long), FERRY_ERR_PKI_BAD_SIGNATURE (a
 * name-matching issuer's key does not verify the signature), FERRY_ERR_PKI_NOT_CA,
 * FERRY_ERR_PKI_EXPIRED, FERRY_ERR_PKI_NOT_YET_VALID, FERRY_ERR_PKI_CRITICAL_EXTENSION,
 * FERRY_ERR_PKI_LEAF_IS_CA.
 */
export function verifyChain(
  leaf: X509Certificate,
  trusted: readonly X509Certificate[],
  at: Date,
  opts: ChainOptions = {},
): Verdict<void> {
  const v = findPath(leaf, trusted, at, opts);
  return v.ok ? { ok: true, value: undefined } : v;
}

/**
 * The structure of the path checked once, time left open: the window in which every certificate on
 * the first path found is valid. A caller that judges many instants against one certificate (a
 * packet signer: its creation time AND now) checks each instant against this window, so an issuer
 * that expired before the leaf counts as well as the leaf itself.
 */
export function chainValidity(
  leaf: X509Certificate,
  trusted: readonly X509Certificate[],
  opts: ChainOptions = {},
): Verdict<ValidityWindow> {
  return findPath(leaf, trusted, null, opts);
}
