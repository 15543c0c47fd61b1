// What the internal gateway's operator listener reads (src/gateway/probe.ts): its SQLite store, the
// link client, the trusted clock and the certificates it loaded at start (the TSA's among them).
import type { InternalConfig } from '../config/gateway-config.js';
import { chainStatusReader } from '../audit/anchor-status.js';
import type { X509Certificate } from 'node:crypto';
import { certificateFacts } from '../gateway/cert-facts.js';
import type { GatewayKeys } from '../gateway/keys.js';
import { loadCertificate } from '../pki/key-files.js';
import { OutboxHeld } from '../store/outbox-held.js';
import type { GatewayProbe } from '../gateway/probe.js';
import { OUTBOX_HIGH_WATER_SHARE } from '../gateway/operator-limits.js';
import type { LinkClient } from '../link/client.js';
import type { RejectedPackets } from '../store/rejected-packets.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { InternalStore } from './store.js';
import { GatewayKv, PUBLISHED_CATALOGUE } from '../store/gateway-kv.js';

/** The certificates start loaded: the gateway keys, the link's TLS leaf and the TSA's. */
export interface InternalCertificates { readonly keys: GatewayKeys; readonly linkTls: X509Certificate; readonly tsa: X509Certificate }

/** `catalogueItems`: items in the catalogue loaded at start (the one the catalogue publisher sends). */
export function internalProbe(cfg: InternalConfig, store: InternalStore, link: LinkClient, rejected: RejectedPackets, trust: TimeTrust,
  catalogueItems: number | (() => number), certs: InternalCertificates): GatewayProbe {
  const held = new OutboxHeld(store.db);
  const chain = chainStatusReader(store.db, ['signature', 'rfc3161']);
  const kv = new GatewayKv(store.db);
  return {
    gateway: 'internal',
    now: Date.now,
    link: { connected: () => link.connected, lastFrameAt: () => link.lastFrameAt, heartbeatMs: cfg.link.heartbeatMs },
    queues: { outbox: () => store.outbox.depth(), stamp: () => store.stampQueue.depth(), held: () => held.depth() },
    outboxHighWater: Math.floor(cfg.maxOutbox * OUTBOX_HIGH_WATER_SHARE),
    quarantine: () => ({ ...store.quarantine.counts(), oldestHeldAt: store.quarantine.oldestHeldAt() }),
    rejected: () => rejected.count(),
    time: () => ({ state: trust.state(), reason: trust.reason(), detail: trust.detail?.() ?? null }),
    timeHolds: cfg.time.whenUntrusted === 'hold',
    certificates: certificateFacts({
      sign: certs.keys.signCert, encrypt: certs.keys.encCert, link_tls: certs.linkTls, tsa: certs.tsa, peer_encrypt: certs.keys.peerEncCert,
      // The operator listener loads its own TLS (src/gateway/operator-http.ts) after this probe exists.
      ...(cfg.operator.tls ? { operator_tls: loadCertificate(cfg.operator.tls.cert) } : {}),
    }, certs.keys.ca),
    chain,
    catalogue: () => { const sha = kv.get(PUBLISHED_CATALOGUE); return sha ? { sha256: sha, items: typeof catalogueItems === 'number' ? catalogueItems : catalogueItems() } : null; },
    details: () => ({ cases: store.cases.count(), notifications: store.notifications.counts() }),
  };
}
