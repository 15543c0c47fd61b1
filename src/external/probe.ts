// What the external gateway's operator listener reads (src/gateway/probe.ts): its SQLite store, the
// link listener, its clock and the certificates it loaded at start.
import type { ExternalConfig } from '../config/gateway-config.js';
import { chainStatusReader } from '../audit/anchor-status.js';
import type { X509Certificate } from 'node:crypto';
import { certificateFacts } from '../gateway/cert-facts.js';
import type { GatewayKeys } from '../gateway/keys.js';
import { loadCertificate } from '../pki/key-files.js';
import type { GatewayProbe } from '../gateway/probe.js';
import { OUTBOX_HIGH_WATER_SHARE } from '../gateway/operator-limits.js';
import type { LinkServer } from '../link/server.js';
import type { RejectedPackets } from '../store/rejected-packets.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { ExternalStore } from './store.js';

/** The certificates start loaded: the gateway keys and the TLS leaves of the link and the applicant API. */
export interface ExternalCertificates { readonly keys: GatewayKeys; readonly linkTls: X509Certificate; readonly apiTls: X509Certificate }

export function externalProbe(cfg: ExternalConfig, store: ExternalStore, link: LinkServer, rejected: RejectedPackets, trust: TimeTrust | undefined,
  certs: ExternalCertificates): GatewayProbe {
  const chain = chainStatusReader(store.db, ['signature']);
  return {
    gateway: 'external',
    now: Date.now,
    link: { connected: () => link.connected, lastFrameAt: () => link.lastFrameAt, heartbeatMs: cfg.link.heartbeatMs },
    queues: { outbox: () => store.outbox.depth(), held: () => store.held.depth() },
    outboxHighWater: Math.floor(cfg.api.maxOutbox * OUTBOX_HIGH_WATER_SHARE),
    quarantine: () => ({ ...store.quarantine.counts(), oldestHeldAt: store.quarantine.oldestHeldAt() }),
    rejected: () => rejected.count(),
    time: () => (trust
      ? { state: trust.state(), reason: trust.reason(), detail: trust.detail?.() ?? null }
      : { state: 'untrusted', reason: 'no trusted clock wired', detail: null }),
    // Nothing on this side waits for trusted time: applicants are answered and packets sealed either way.
    timeHolds: false,
    certificates: certificateFacts({
      sign: certs.keys.signCert, encrypt: certs.keys.encCert, link_tls: certs.linkTls, api_tls: certs.apiTls, peer_encrypt: certs.keys.peerEncCert,
      // The operator listener loads its own TLS (src/gateway/operator-http.ts) after this probe exists.
      ...(cfg.operator.tls ? { operator_tls: loadCertificate(cfg.operator.tls.cert) } : {}),
    }, certs.keys.ca),
    chain,
    catalogue: () => { const c = store.catalogue.current(); return c ? { sha256: c.sha256, items: c.items.length } : null; },
    details: () => ({}),
  };
}
