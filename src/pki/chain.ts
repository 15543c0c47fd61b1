// The one certificate path checker (a subset of RFC 5280 §6.1 sufficient for Ferry's closed PKI):
// name chaining, signatures, validity at a given instant, CA-ness and keyCertSign of every issuer,
// pathLenConstraint, and refusal of unknown critical extensions. Used for link peers, packet signers,
// TSA certificates, the audit anchors and the CLI. Pure: no clock, no I/O. Callers cache the verdict
// per certificate where it sits on a hot path.
// Not done here: revocation (CRL/OCSP), name constraints and policy processing; a certificate that
// carries a *critical* extension for any of those is refused rather than half-checked.
import type { X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { certFacts, certSha256, validAt, type CertFacts } from './cert-extensions.js';
import { DerError } from './der.js';
import { MAX_CANDIDATE_TRIES, MAX_CHAIN_DEPTH } from './limits.js';
import { OID } from './oids.js';

/** Extensions this checker (or the role checks after it) processes; RFC 5280 §4.2: a certificate with
 *  any other critical extension MUST be rejected. Key identifiers and alternative names carry no
 *  constraint on the path; certificatePolicies holds Ferry's role markers, read by roles.ts (no policy
 *  constraints are ever set, so there is no policy tree to build). */
const UNDERSTOOD_CRITICAL = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.issuerAltName,
  OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.certificatePolicies,
]);

/** The instants at which a path is valid: the latest notBefore to the earliest notAfter on it. */
export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ChainOptions {
  /** Untrusted intermediates offered with the leaf (a bundle from the peer, a token, or config). */
  readonly intermediates?: readonly X509Certificate[];
  /** Whether a leaf that is itself a trust anchor may be a CA certificate (a configuration check of
   *  the anchor against itself). Default true; the TSA verifier says false: a pinned CA never stamps. */
  readonly anchorMayBeLeaf?: boolean;
}

/** A path that reached a trust anchor: [leaf, …, anchor], and the window in which all of it is valid. */
export interface ChainPath {
  readonly path: readonly X509Certificate[];
  readonly window: ValidityWindow;
}

const fpCache = new WeakMap<X509Certificate, string>();
function fp(cert: X509Certificate): string {
  let h = fpCache.get(cert);
  if (h === undefined) {
    h = certSha256(cert).toString('hex');
    fpCache.set(cert, h);
  }
  return h;
}

function label(cert: X509Certificate): string {
  return `"${cert.subject.replace(/\n/g, ', ')}"`;
}

/** Facts, or null for a certificate node:crypto parsed but that is not strict RFC 5280 DER. */
function factsOf(cert: X509Certificate): CertFacts | null {
  try {
    return certFacts(cert);
  } catch (e) {
    if (e instanceof DerError) return null;
    throw e;
  }
}

/** child → issuers whose key is known to have signed it. Certificate objects are immutable and, via
 *  parseCertificate, shared between verifications, so a signature checked once need not be again. */
const verifiedLinks = new WeakMap<X509Certificate, WeakSet<X509Certificate>>();

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  if (verifiedLinks.get(child)?.has(issuer)) return true;
  let good: boolean;
  try {
    good = child.verify(issuer.publicKey);
  } catch {
    good = false; // a key node:crypto cannot load signs nothing we can check
  }
  if (good) {
    const set = verifiedLinks.get(child) ?? new WeakSet<X509Certificate>();
    set.add(issuer);
    verifiedLinks.set(child, set);
  }
  return good;
}

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter inclusive. */
function checkTime(cert: X509Certificate, f: CertFacts, at: Date | null, role: string): Verdict<never> | undefined {
  if (at === null || validAt(f, at)) return undefined;
  if (at.getTime() < f.notBefore.getTime()) {
    return fail('FERRY_ERR_PKI_NOT_YET_VALID', `${role} ${label(cert)} is not valid until ${f.notBefore.toISOString()} (checked at ${at.toISOString()})`);
  }
  return fail('FERRY_ERR_PKI_EXPIRED', `${role} ${label(cert)} expired at ${f.notAfter.toISOString()} (checked at ${at.toISOString()})`);
}

/** The critical extensions of a certificate that Ferry does not process (RFC 5280 §4.2: reject it). */
export function unsupportedCritical(f: CertFacts): string[] {
  return f.criticalOids.filter((o) => !UNDERSTOOD_CRITICAL.has(o));
}

function checkCritical(cert: X509Certificate, f: CertFacts, role: string): Verdict<never> | undefined {
  const unknown = unsupportedCritical(f);
  if (unknown.length > 0) {
    return fail('FERRY_ERR_PKI_CRITICAL_EXTENSION', `${role} ${label(cert)} has unsupported critical extension(s) ${unknown.join(', ')}`);
  }
  return undefined;
}

/** RFC 5280 §6.1.4 (k), (m), (n): the issuer is a CA, its keyUsage (if present) has keyCertSign, and
 *  its pathLenConstraint allows `below` intermediate CA certificates beneath it. */
function checkIssuerIsCa(issuer: X509Certificate, f: CertFacts, below: number): Verdict<never> | undefined {
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
function mayHaveIssued(i: CertFacts, issuer: X509Certificate, c: CertFacts, cert: X509Certificate): boolean {
  if (!c.issuerDer.equals(i.subjectDer) && cert.issuer !== issuer.subject) return false;
  if (c.authorityKeyId !== undefined && i.subjectKeyId !== undefined && !c.authorityKeyId.equals(i.subjectKeyId)) return false;
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

function extend(p: ChainPath, cert: X509Certificate, f: CertFacts): ChainPath {
  const w = p.window;
  return {
    path: [cert, ...p.path],
    window: {
      notBefore: f.notBefore > w.notBefore ? f.notBefore : w.notBefore,
      notAfter: f.notAfter < w.notAfter ? f.notAfter : w.notAfter,
    },
  };
}

interface Walk {
  readonly leaf: X509Certificate;
  readonly trusted: ReadonlySet<string>;
  readonly pool: readonly X509Certificate[];
  readonly at: Date | null;
  tries: number;
  best: Verdict<ChainPath> | undefined;
}

function consider(w: Walk, v: Verdict<ChainPath>): void {
  if (!v.ok && (!w.best || rank(v) > rank(w.best))) w.best = v;
}

/** One issuer candidate for `cert` at `depth`: CA-ness, signature, then the rest of the path above
 *  it, then `cert`'s own time (after the structure, so that an expired certificate from a foreign
 *  CA is reported as "not chaining", not as "expired"). */
function tryIssuer(w: Walk, cert: X509Certificate, f: CertFacts, issuer: X509Certificate, fi: CertFacts, depth: number, path: Set<string>): Verdict<ChainPath> {
  const structural = checkIssuerIsCa(issuer, fi, depth);
  if (structural) return structural;
  if (!signedBy(cert, issuer)) {
    return fail('FERRY_ERR_PKI_BAD_SIGNATURE', `the signature on ${label(cert)} does not verify with the key of ${label(issuer)}`);
  }
  const above = walk(w, issuer, fi, depth + 1, new Set([...path, fp(issuer)]));
  if (!above.ok) return above;
  return checkTime(cert, f, w.at, depth === 0 ? 'certificate' : 'intermediate') ?? { ok: true, value: extend(above.value, cert, f) };
}

/** Depth-first over issuer candidates; `path` holds fingerprints to refuse loops. */
function walk(w: Walk, cert: X509Certificate, f: CertFacts, depth: number, path: Set<string>): Verdict<ChainPath> {
  const crit = checkCritical(cert, f, depth === 0 ? 'certificate' : 'issuer');
  if (crit) return crit;
  // A trusted certificate ends the path (RFC 5280 §6.1.1 (d): the anchor is given, not validated
  // by signature); its validity is still required, as OpenSSL does.
  if (w.trusted.has(fp(cert))) {
    return checkTime(cert, f, w.at, depth === 0 ? 'certificate' : 'trust anchor')
      ?? { ok: true, value: { path: [cert], window: { notBefore: f.notBefore, notAfter: f.notAfter } } };
  }
  if (depth + 1 >= MAX_CHAIN_DEPTH) return fail('FERRY_ERR_PKI_CHAIN', `no trusted CA within ${MAX_CHAIN_DEPTH} certificates of ${label(w.leaf)}`);

  let local: Verdict<ChainPath> | undefined;
  for (const issuer of w.pool) {
    const fi = factsOf(issuer);
    if (!fi || !mayHaveIssued(fi, issuer, f, cert) || path.has(fp(issuer))) continue;
    if (++w.tries > MAX_CANDIDATE_TRIES) return fail('FERRY_ERR_PKI_CHAIN', `gave up after ${MAX_CANDIDATE_TRIES} issuer candidates`);
    const v = tryIssuer(w, cert, f, issuer, fi, depth, path);
    if (v.ok) return v;
    consider(w, v);
    if (!local || rank(v) > rank(local)) local = v;
  }
  return local ?? fail('FERRY_ERR_PKI_CHAIN', `no issuer of ${label(cert)} ("${cert.issuer.replace(/\n/g, ', ')}") among the trusted or offered certificates`);
}

/** The walk shared by every entry point (at = null: time not judged). */
function findPath(leaf: X509Certificate, trusted: readonly X509Certificate[], at: Date | null, opts: ChainOptions): Verdict<ChainPath> {
  if (at !== null && Number.isNaN(at.getTime())) return fail('FERRY_ERR_PKI_CHAIN', 'validation instant is not a valid date');
  const lf = factsOf(leaf);
  if (!lf) return fail('FERRY_ERR_PKI_MALFORMED', `${label(leaf)} is not a well-formed RFC 5280 certificate`);
  const trustedFps = new Set(trusted.map(fp));
  // A CA certificate is never an end entity (link peer, signer, TSA, client): its key could mint
  // look-alikes. Verifying a trust anchor against itself (a configuration check) is the one exception.
  const exempt = opts.anchorMayBeLeaf !== false && trustedFps.has(fp(leaf));
  if (!exempt && lf.basicConstraints?.ca === true) {
    return fail('FERRY_ERR_PKI_LEAF_IS_CA', `${label(leaf)} is a CA certificate (basicConstraints cA=true) presented as an end entity`);
  }
  const w: Walk = { leaf, trusted: trustedFps, pool: [...trusted, ...(opts.intermediates ?? [])], at, tries: 0, best: undefined };
  const v = walk(w, leaf, lf, 0, new Set([fp(leaf)]));
  if (v.ok) return v;
  consider(w, v);
  return w.best ?? v;
}

/**
 * Verifies that `leaf` chains to one of `trusted` at instant `at`.
 *
 * The walk goes leaf → issuer → … until it reaches a certificate in `trusted` (matched by DER, so
 * a trusted intermediate also ends the walk). Issuers are taken from `trusted` first, then from
 * `opts.intermediates`. Every certificate on the path, the anchor included, must be valid at `at`.
 * A leaf that is a CA certificate is refused unless it is itself a trust anchor (and
 * `opts.anchorMayBeLeaf` is not false).
 *
 * Codes: FERRY_ERR_PKI_CHAIN (no issuer found / path too long), FERRY_ERR_PKI_BAD_SIGNATURE (a
 * name-matching issuer's key does not verify the signature), FERRY_ERR_PKI_NOT_CA,
 * FERRY_ERR_PKI_EXPIRED, FERRY_ERR_PKI_NOT_YET_VALID, FERRY_ERR_PKI_CRITICAL_EXTENSION,
 * FERRY_ERR_PKI_LEAF_IS_CA, FERRY_ERR_PKI_MALFORMED.
 */
export function verifyChain(leaf: X509Certificate, trusted: readonly X509Certificate[], at: Date, opts: ChainOptions = {}): Verdict<void> {
  const v = findPath(leaf, trusted, at, opts);
  return v.ok ? { ok: true, value: undefined } : v;
}

/** As verifyChain, returning the path found: [leaf, …, anchor]. */
export function chainPath(leaf: X509Certificate, trusted: readonly X509Certificate[], at: Date, opts: ChainOptions = {}): Verdict<readonly X509Certificate[]> {
  const v = findPath(leaf, trusted, at, opts);
  return v.ok ? { ok: true, value: v.value.path } : v;
}

/**
 * The structure of the path checked once, time left open: the window in which every certificate on
 * the first path found is valid. A caller that judges many instants against one certificate (a
 * packet signer: its creation time AND now) checks each instant against this window, so an issuer
 * that expired before the leaf counts as well as the leaf itself.
 */
export function chainValidity(leaf: X509Certificate, trusted: readonly X509Certificate[], opts: ChainOptions = {}): Verdict<ValidityWindow> {
  const v = findPath(leaf, trusted, null, opts);
  return v.ok ? { ok: true, value: v.value.window } : v;
}
