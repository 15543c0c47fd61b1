// What the external gateway's operator listener reads (src/gateway/probe.ts): its SQLite store, the
// link listener, its clock and the certificates it loaded.
import type { ExternalConfig } from '../config/gateway-config.js';
import { chainStatusReader } from '../audit/anchor-status.js';
import { certificateFacts } from '../gateway/cert-facts.js';
import type { GatewayProbe } from '../gateway/probe.js';
import { OUTBOX_HIGH_WATER_SHARE } from '../gateway/operator-limits.js';
import type { LinkServer } from '../link/server.js';
import type { RejectedPackets } from '../store/rejected-packets.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { ExternalStore } from './store.js';

export function externalProbe(cfg: ExternalConfig, store: ExternalStore, link: LinkServer, rejected: RejectedPackets, trust: TimeTrust | undefined): GatewayProbe {
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
      sign: cfg.keys.signCert, encrypt: cfg.keys.encCert, link_tls: cfg.link.tls.cert, api_tls: cfg.api.tls.cert,
      peer_encrypt: cfg.peer.encCert, ...(cfg.operator.tls ? { operator_tls: cfg.operator.tls.cert } : {}),
    }, cfg.keys.ca),
    chain,
    catalogue: () => { const c = store.catalogue.current(); return c ? { sha256: c.sha256, items: c.items.length } : null; },
    details: () => ({}),
  };
}
