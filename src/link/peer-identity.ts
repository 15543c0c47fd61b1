// The pinned peer: TLS already checked the chain to the deployment CA; this checks WHO it is
// (subject CN, and optionally the certificate's SHA-256 fingerprint), so another certificate from the
// same CA cannot pose as the peer gateway.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';

export interface PeerPin {
  subjects: readonly string[];
  sha256?: readonly string[];
}

export function checkPeer(cert: PeerCertificate | DetailedPeerCertificate | undefined | null, pin: PeerPin): string | null {
  if (!cert || !cert.raw || cert.raw.length === 0) return 'FERRY_ERR_LINK_PEER: no peer certificate';
  const cn = typeof cert.subject?.CN === 'string' ? cert.subject.CN : '';
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
