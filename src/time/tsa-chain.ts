// Find a path from the TSA certificate to a trusted certificate, every certificate valid at genTime
// (RFC 3161 §4 / RFC 5280 §6.1, without revocation and policy processing: the pki module owns CRLs).
// Why not pkijs's CertificateChainValidationEngine: it works through WebCrypto (slow) and reports by
// throwing; node:crypto's X509Certificate does name matching (checkIssued) and signatures (verify).
import type { X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { certFacts, validAt, type CertFacts } from './tsa-cert.js';
import { DerError } from './tsa-der.js';
import { MAX_CHAIN_DEPTH } from './tsa-limits.js';

interface Search {
  readonly pool: readonly X509Certificate[];
  readonly trusted: readonly X509Certificate[];
  readonly at: Date;
  /** Why candidates were turned down, for the detail of a failure. */
  readonly reasons: string[];
  expired: boolean;
}

function facts(c: X509Certificate): CertFacts | null {
  try {
    return certFacts(c);
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

const isIn = (c: X509Certificate, list: readonly X509Certificate[]) => list.some((t) => t.raw.equals(c.raw));

/** A path [leaf, …, anchor] whose last element is in `trusted`, or CHAIN / CERT_EXPIRED. `pool` holds
 *  untrusted intermediates (the token's certificates). The leaf itself may be trusted (pinned). */
export function trustedPath(
  leaf: X509Certificate, pool: readonly X509Certificate[], trusted: readonly X509Certificate[], at: Date,
): Verdict<X509Certificate[]> {
  const lf = facts(leaf);
  if (!lf) return fail('FERRY_ERR_TSA_MALFORMED', 'the TSA certificate is not a well-formed X.509 certificate');
  if (!validAt(lf, at)) {
    return fail('FERRY_ERR_TSA_CERT_EXPIRED', `TSA certificate valid ${lf.notBefore.toISOString()} .. ${lf.notAfter.toISOString()}, genTime ${at.toISOString()}`);
  }
  if (lf.unknownCritical.length) return fail('FERRY_ERR_TSA_CHAIN', `TSA certificate has unsupported critical extensions ${lf.unknownCritical.join(', ')}`);
  // A CA key is never an end entity: a CA certificate with a timeStamping EKU could otherwise stamp.
  if (lf.ca) return fail('FERRY_ERR_TSA_CHAIN', 'the TSA certificate is a CA certificate (basicConstraints cA=true); a CA is never accepted as an end entity');
  const s: Search = { pool, trusted, at, reasons: [], expired: false };
  const path = extend([leaf], s);
  if (path) return { ok: true, value: path };
  const why = s.reasons.length ? `: ${[...new Set(s.reasons)].slice(0, 3).join('; ')}` : '';
  if (s.expired) return fail('FERRY_ERR_TSA_CERT_EXPIRED', `an issuer certificate was not valid at genTime ${at.toISOString()}${why}`);
  return fail('FERRY_ERR_TSA_CHAIN', `no path from ${leaf.subject.replace(/\n/g, ', ')} to a trusted certificate${why}`);
}

function extend(path: X509Certificate[], s: Search): X509Certificate[] | null {
  const cur = path[path.length - 1]!;
  if (isIn(cur, s.trusted)) return path;
  if (path.length >= MAX_CHAIN_DEPTH) {
    s.reasons.push(`longer than ${MAX_CHAIN_DEPTH} certificates`);
    return null;
  }
  for (const cand of [...s.trusted, ...s.pool]) {
    if (isIn(cand, path) || !cur.checkIssued(cand)) continue;
    const f = facts(cand);
    const name = cand.subject.replace(/\n/g, ', ');
    if (!f) {
      s.reasons.push(`${name} is malformed`);
      continue;
    }
    // RFC 5280 §4.2.1.9: only a CA certificate may issue; pathLen counts the CAs below it, leaf excluded.
    if (!f.ca) {
      s.reasons.push(`${name} is not a CA`);
      continue;
    }
    if (f.pathLen !== undefined && path.length - 1 > f.pathLen) {
      s.reasons.push(`${name} allows ${f.pathLen} intermediates below it`);
      continue;
    }
    if (f.unknownCritical.length) {
      s.reasons.push(`${name} has unsupported critical extensions`);
      continue;
    }
    if (!signedBy(cur, cand)) {
      s.reasons.push(`${name}'s key did not sign ${cur.subject.replace(/\n/g, ', ')}`);
      continue;
    }
    if (!validAt(f, s.at)) {
      s.expired = true;
      s.reasons.push(`${name} valid ${f.notBefore.toISOString()} .. ${f.notAfter.toISOString()}`);
      continue;
    }
    const done = extend([...path, cand], s);
    if (done) return done;
  }
  return null;
}
