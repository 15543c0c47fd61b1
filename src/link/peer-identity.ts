// The pinned peer: TLS already checked the chain to the deployment CA; this checks WHAT and WHO it is.
// Required, always: an end-entity certificate (never a CA) carrying the Ferry link role marker of the
// other gateway (a certificate policy only the deployment CA puts there, and only into a gateway's
// link certificate), AND a pinned subject CN. Optional on top: SHA-256 fingerprint pins.
// Why the role marker is the mandatory second factor rather than fingerprints: the CA already decides
// who is a gateway when it issues, so a township centre's certificate (same CA, any CN it asked
// for) is refused; fingerprints would be a second trust store to keep in step on both hosts at every
// renewal, which operators skip or get wrong. Deployments that want it add fingerprints as well.
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { endEntityProblem, type FerryRole } from '../pki/roles.js';
import type { RevocationCheck } from '../pki/revocation.js';

export interface PeerPin {
  subjects: readonly string[];
  sha256?: readonly string[];
  /** The Ferry role marker the peer's certificate must carry (which gateway's link identity). */
  role: FerryRole;
  /** The gateway's CRLs (pki.crl): a revoked peer, or one whose CA's list is stale under
   *  whenStale: hold, is refused at the handshake and dropped at the next refresh (recheckPeer). */
  revocation?: RevocationCheck;
}

/** What config pins; the role is not configurable: each end of the link knows which gateway it dials. */
export type PeerPinConfig = Omit<PeerPin, 'role'>;
/** The link server (external gateway) accepts only the internal gateway's link identity, and the client
 *  only the external one's: a gateway's own certificate reflected back is refused too. */
export const LINK_SERVER_PEER_ROLE: FerryRole = 'internal-gateway-link';
export const LINK_CLIENT_PEER_ROLE: FerryRole = 'external-gateway-link';

export function checkPeer(cert: PeerCertificate | DetailedPeerCertificate | undefined | null, pin: PeerPin): string | null {
  if (!cert || !cert.raw || cert.raw.length === 0) return 'FERRY_ERR_LINK_PEER: no peer certificate';
  const cn = typeof cert.subject?.CN === 'string' ? cert.subject.CN : '';
  let parsed: X509Certificate;
  let problem: string | null;
  try {
    parsed = new X509Certificate(cert.raw);
    problem = endEntityProblem(parsed, pin.role);
  } catch (e) {
    return `FERRY_ERR_LINK_PEER: peer certificate does not parse (${(e as Error).message})`;
  }
  if (problem) return `FERRY_ERR_LINK_PEER: peer CN=${cn} ${problem}`;
  const revoked = pin.revocation?.check(parsed);
  if (revoked && !revoked.ok) return `${revoked.code}: link peer CN=${cn}: ${revoked.detail}`;
  if (!pin.subjects.includes(cn)) return `FERRY_ERR_LINK_PEER: peer CN=${cn} is not pinned`;
  if (pin.sha256?.length) {
    const got = createHash('sha256').update(cert.raw).digest();
    const match = pin.sha256.some((p) => {
      const want = Buffer.from(p.replace(/:/g, ''), 'hex');
      return want.length === got.length && timingSafeEqual(want, got);
    });
    if (!match) return `FERRY_ERR_LINK_PEER: peer CN=${cn} fingerprint is not pinned`;
  }
  return null;
}
