// Decides whether an attached signer certificate may sign packets for us: chain to the configured
// roots, the Ferry packet-signer role marker (never a CA), the pinned identity, digitalSignature key
// usage, and validity of the WHOLE path at the packet's creation time and at now. Chain structure is
// checked once per distinct certificate (keyed by the SHA-256 of its DER), leaving the path's validity
// window (latest notBefore .. earliest notAfter over leaf, intermediates and anchor), so the
// per-packet cost is a map lookup and two comparisons.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { chainValidity } from '../pki/chain.js';
import { hasRole, isCaAsserted } from '../pki/roles.js';
import { hasKeyUsage } from '../pki/cert-extensions.js';
import { sha256 } from './keyring.js';
import type { RevocationCheck } from '../pki/revocation.js';

export interface SignerPolicy {
  /** Trust anchors for peer signing certificates. */
  roots: readonly X509Certificate[];
  /** The peer's expected identity: subject common names allowed to sign (pinned in config). */
  expectedSubjects: readonly string[];
  /** Optional extra pin: SHA-256 fingerprints (hex, any case, colons allowed) the signer must match. */
  pinnedSha256?: readonly string[];
  /** Revocation (pki.crl), checked on every packet, after the cached structural verdict: a CRL that
   *  arrives later revokes a signer whose packets were accepted before. */
  revocation?: RevocationCheck;
}

export interface TrustedSigner {
  cert: X509Certificate;
  publicKey: KeyObject;
  sha256: Buffer;
  subject: string;
  notBefore: number;
  notAfter: number;
}

/** Bounded: a hostile peer sending endless distinct certificates cannot grow memory. */
const MAX_CACHED = 64;

export class SignerTrust {
  private readonly cache = new Map<string, Verdict<TrustedSigner>>();
  private pins: Set<string> | null = null;

  constructor(private policy: SignerPolicy) {
    this.adopt(policy);
  }

  /** Takes a new policy (a reload: new CA bundle, pins or subjects); verdicts made under the old one go. */
  adopt(policy: SignerPolicy): void {
    this.policy = policy;
    this.pins = policy.pinnedSha256?.length
      ? new Set(policy.pinnedSha256.map((p) => p.replace(/:/g, '').toLowerCase()))
      : null;
    this.cache.clear();
  }

  /** The policy in force (a reload hands it to the instance the packet paths already hold). */
  get currentPolicy(): SignerPolicy { return this.policy; }

  /** Checks the certificate for signing at `at` (the packet's creation time) and at `now`. */
  check(certDer: Uint8Array, at: Date, now: Date): Verdict<TrustedSigner> {
    const key = sha256(certDer).toString('hex');
    let v = this.cache.get(key);
    if (!v) {
      v = this.examine(certDer, key);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, v);
    }
    if (!v.ok) return v;
    const s = v.value;
    const revoked = this.policy.revocation?.check(s.cert);
    if (revoked && !revoked.ok) return revoked;
    for (const t of [at, now]) {
      // Written as "not inside" so that an Invalid Date (NaN) fails closed instead of passing.
      if (!(t.getTime() >= s.notBefore && t.getTime() <= s.notAfter)) {
        const when = Number.isNaN(t.getTime()) ? 'an invalid time' : t.toISOString();
        return fail('FERRY_ERR_SEAL_SIGNER_EXPIRED',
          `signer ${s.subject} (with its chain) valid ${new Date(s.notBefore).toISOString()}..${new Date(s.notAfter).toISOString()}, not at ${when}`);
      }
    }
    return v;
  }

  private examine(certDer: Uint8Array, fingerprint: string): Verdict<TrustedSigner> {
    try {
      return this.judge(certDer, fingerprint);
    } catch (e) {
      // node's parser accepts some damaged DER that the shared certificate reader (strict DER, used
      // by the chain checker and the key-usage check) throws on; a hostile certificate is a verdict
      // (STYLE §4).
      return fail('FERRY_ERR_SEAL_MALFORMED', `signer certificate does not parse: ${(e as Error).message}`);
    }
  }

  private judge(certDer: Uint8Array, fingerprint: string): Verdict<TrustedSigner> {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certDer);
    } catch {
      return fail('FERRY_ERR_SEAL_MALFORMED', 'signer certificate is not valid DER X.509');
    }
    const subject = commonName(cert.subject);
    if (this.pins && !this.pins.has(fingerprint)) {
      return fail('FERRY_ERR_SEAL_UNKNOWN_SIGNER', `signer ${subject} sha256:${fingerprint} is not pinned`);
    }
    if (!this.policy.expectedSubjects.includes(subject)) {
      return fail('FERRY_ERR_SEAL_UNKNOWN_SIGNER', `signer subject CN=${subject} is not an expected peer`);
    }
    // A CA key, or a key the CA issued for another job (a township centre's client certificate, a TLS
    // identity) never signs packets, whatever its CN says.
    if (isCaAsserted(cert)) return fail('FERRY_ERR_SEAL_SIGNER_ROLE', `signer CN=${subject} is a CA certificate (basicConstraints cA=true)`);
    if (!hasRole(cert, 'packet-signer')) return fail('FERRY_ERR_SEAL_SIGNER_ROLE', `signer CN=${subject} lacks the Ferry packet-signer role marker`);
    // Structure now; time per packet (above) against the whole path's window, at creation AND now:
    // an issuer that expired, or was not yet valid, counts as much as the leaf.
    const chain = chainValidity(cert, this.policy.roots);
    if (!chain.ok) return fail('FERRY_ERR_SEAL_UNKNOWN_SIGNER', `signer CN=${subject}: ${chain.detail}`);
    if (!hasKeyUsage(cert, 'digitalSignature')) {
      return fail('FERRY_ERR_SEAL_KEY_USAGE', `signer CN=${subject} lacks the digitalSignature key usage`);
    }
    return {
      ok: true,
      value: {
        cert, publicKey: cert.publicKey, sha256: Buffer.from(fingerprint, 'hex'), subject,
        notBefore: chain.value.notBefore.getTime(), notAfter: chain.value.notAfter.getTime(),
      },
    };
  }
}

/** The CN of a node X509Certificate subject ("C=CN\nO=..\nCN=x"). */
export function commonName(subject: string): string {
  for (const line of subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  return '';
}
