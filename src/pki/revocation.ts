// The revocation verdict for one certificate, from the CRLs a gateway holds (verified by crl.ts before
// they get here). Pure: the holder of the lists (crl-sources.ts) passes them and the time in.
//
// Stale lists (RFC 5280 §5.1.2.5: past nextUpdate) and lists that never arrived: deny by default.
// `hold` (the default) refuses every certificate the stale CA issued, with FERRY_ERR_PKI_CRL_STALE:
// a revocation the gateway cannot see must not let a revoked peer through, and the refusal is loud
// and recoverable (link down and alarmed, packets refused back and held by the sender, retried once a
// fresh list is in). `warn` accepts while stale, with the metric and a log line at each refresh: for
// a deployment that prefers availability and watches the alert. Certificates of a CA for which no
// CRL source is configured are not checked (revocation is opt-in per CA, by configuring a source).
import type { X509Certificate } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { certFacts } from './cert-extensions.js';
import type { VerifiedCrl } from './crl.js';

export type StalePolicy = 'hold' | 'warn';

export interface RevocationSnapshot {
  /** The latest verified list per issuing CA (by issuer subject DER, hex). */
  readonly lists: ReadonlyMap<string, VerifiedCrl>;
  /** CAs (subject DER, hex) a source is configured for, whether or not a list has arrived. */
  readonly covered: ReadonlySet<string>;
  readonly whenStale: StalePolicy;
}

/** Anything that can say whether a certificate is revoked now: what the link, the packet opener and
 *  the TSA verifier are given. */
export interface RevocationCheck {
  check(cert: X509Certificate): Verdict<void>;
}

const OK: Verdict<void> = { ok: true, value: undefined };

export function isStale(crl: VerifiedCrl, now: Date): boolean {
  return crl.nextUpdate !== undefined && now.getTime() > crl.nextUpdate.getTime();
}

export function revocationVerdict(cert: X509Certificate, snap: RevocationSnapshot, now: Date): Verdict<void> {
  let f;
  try {
    f = certFacts(cert);
  } catch (e) {
    return fail('FERRY_ERR_PKI_MALFORMED', `certificate does not parse: ${(e as Error).message}`);
  }
  const issuer = f.issuerDer.toString('hex');
  const subject = cert.subject.replace(/\n/g, ', ');
  if (!snap.covered.has(issuer)) {
    // Revocation is on (a source is configured) but nothing can say whether this certificate is revoked:
    // its issuer (an intermediate not in keys.ca) has no list. Deny by default under hold.
    if (snap.covered.size === 0 || snap.whenStale === 'warn') return OK;
    return fail('FERRY_ERR_PKI_CRL_STALE', `no CRL covers the issuer of ${subject} (add that CA to keys.ca and its CRL to pki.crl; pki.whenStale: hold)`);
  }
  const crl = snap.lists.get(issuer);
  if (crl) {
    const entry = crl.revoked.get(f.serial);
    if (entry) {
      return fail('FERRY_ERR_PKI_REVOKED', `certificate ${subject} (serial ${f.serial.toString(16)}) was revoked at ${entry.revokedAt.toISOString()}`
        + `${entry.reason ? ` (${entry.reason})` : ''} (CRL number ${crl.crlNumber?.toString() ?? 'none'})`);
    }
  }
  if (snap.whenStale === 'hold') {
    if (!crl) return fail('FERRY_ERR_PKI_CRL_STALE', `no verified CRL has arrived yet for the issuer of ${subject} (pki.whenStale: hold)`);
    if (isStale(crl, now)) {
      return fail('FERRY_ERR_PKI_CRL_STALE', `the CRL for the issuer of ${subject} is past its nextUpdate ${crl.nextUpdate!.toISOString()} (pki.whenStale: hold)`);
    }
  }
  return OK;
}
