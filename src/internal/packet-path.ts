// The intranet's packet path, wired from its stages: inbox (open, dedupe, admit, queue by kind) →
// stamp queue → stamper (re-check, RFC 3161 token, deliver by kind) → approval desk → drain (desk
// events) and catalogue publisher → the one way out (outbound.ts) → outbox → link. The per-kind
// handlers come from the table in kinds.ts; nothing here seals or writes SQL.
import type { Db } from '../store/db.js';
import type { Logger } from '../gateway/logger.js';
import type { Policy } from '../policy/policy-model.js';
import type { GatewayKeys } from '../gateway/keys.js';
import type { GatewayAudit } from '../gateway/audit.js';
import { auditHooks } from '../gateway/audit.js';
import { createInbox, type Inbox } from '../gateway/inbox.js';
import type { CryptoPool } from '../gateway/crypto-pool.js';
import type { OpenContext } from '../seal/open.js';
import type { QueuedPacket } from './store/stamp-queue.js';
import { admitPackets } from '../gateway/admit.js';
import { createOutbound } from '../gateway/outbound.js';
import { OutboxHeld } from '../store/outbox-held.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import { RejectedPackets } from '../store/rejected-packets.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { TokenSigner } from '../time/tsa-token.js';
import type { Catalogue } from '../approval/catalogue.js';
import type { ApprovalDesk } from '../desk/approval-desk.js';
import { createCataloguePublisher, createDrain } from './approval-wiring.js';
import { internalKindHandlers } from './kinds.js';
import { notificationText } from './notifier.js';
import { Stamper, type StampSource } from './stamper.js';
import { stampRefusal } from './stamp-refusal.js';
import type { InternalStore } from './store.js';

export interface PacketPathDeps {
  db: Db; store: InternalStore; keys: GatewayKeys; policy: () => Policy; trust: TimeTrust; log: Logger;
  audit: GatewayAudit; desk: ApprovalDesk; inspect: Pick<InspectPool, 'run'>; tsa: StampSource; catalogue: Catalogue;
  intranetDomain: string; maxOutbox: number; maxRejected: number; whenUntrusted: 'hold' | 'warn'; resultSigner: TokenSigner;
  /** Pumps the link's outbox after a commit that may have added packets (set once the link exists). */
  pump: () => void;
  /** Opens (and seals) large packets off the loop (absent: all on the loop). */
  crypto?: CryptoPool;
}

export interface PacketPath {
  inbox: Inbox;
  stamper: Stamper;
  /** Seals pending desk events and the catalogue (until it has gone out), then pumps the link. */
  flushOut: () => void;
  /** Publishes the catalogue again although this version went out once (a rebuilt peer lost it). */
  republishCatalogue: () => void;
  /** Packets the peer refused back (kept, alarmed, resent on each new session). */
  held: OutboxHeld;
}

/** A queued packet kept in the blob store: its bytes (digest verified) and its body, by opening it
 *  again in the crypto worker at queued_at — the instant the inbox judged it at, so the verdict is the
 *  one that let it in. A packet that no longer opens (its decryption key removed since) stays queued
 *  and the failure is logged on each try (the stamper retries): nothing is delivered unopened. */
function hydrateQueued(store: InternalStore, crypto: CryptoPool, open: Omit<OpenContext, 'now'>) {
  return async (q: QueuedPacket): Promise<QueuedPacket> => {
    // Hashed in the worker beside the opening (not on this loop), and compared below.
    const packet = await store.blobs.read(q.packetBlob!, { hashedBy: 'caller' });
    const r = await crypto.open(packet, { now: new Date(q.queuedAt), ...(open.maxPacketBytes !== undefined ? { maxPacketBytes: open.maxPacketBytes } : {}), ...(open.maxBodyBytes !== undefined ? { maxBodyBytes: open.maxBodyBytes } : {}) });
    const altered = store.blobs.mismatch(q.packetBlob!, r.sha256);
    if (altered) throw altered;
    if (!r.result.ok) throw new Error(`queued packet ${q.packetId.toString('hex')} no longer opens: ${r.result.code}: ${r.result.detail}`);
    return { ...q, packet: r.bytes, body: r.result.packet.body };
  };
}

export function wirePacketPath(d: PacketPathDeps): PacketPath {
  const { onSent, ...inboxHooks } = auditHooks(d.audit, d.store);
  const held = new OutboxHeld(d.db);
  const outbound = createOutbound({
    db: d.db, outbox: d.store.outbox, keys: d.keys.seal, policy: d.policy, clock: d.trust, maxOutbox: d.maxOutbox,
    held: () => held.depth().count, knownCase: (id) => d.store.cases.get(id) !== null, audit: onSent, log: d.log,
    ...(d.crypto ? { crypto: d.crypto } : {}), blobs: d.store.blobs,
  });
  const out = {
    store: d.store, desk: d.desk, log: d.log, intranetDomain: d.intranetDomain, outbound, resultSigner: d.resultSigner,
    notify: (e: Parameters<typeof notificationText>[0], at: Date) => {
      const text = notificationText(e);
      if (text) d.store.notifications.add(e.eventId, e.caseId, e.type, text, at.getTime());
    },
  };
  const drain = createDrain(out);
  const publish = createCataloguePublisher({ ...out, catalogue: d.catalogue, policy: d.policy });
  const flushOut = () => { publish(); drain(); d.pump(); };
  const kinds = internalKindHandlers({ store: d.store, policy: d.policy, desk: d.desk, inspect: d.inspect, outbound });
  const rejected = new RejectedPackets(d.db, d.maxRejected);
  const stamper = new Stamper({
    db: d.db, queue: d.store.stampQueue, tsa: d.tsa, trust: d.trust, whenUntrusted: d.whenUntrusted, log: d.log,
    handlers: kinds.deliver, prepare: kinds.prepare,
    outboxRoom: () => d.maxOutbox - d.store.outbox.count() - held.depth().count,
    refuse: stampRefusal({ store: d.store, rejected, audit: d.audit, clock: d.trust, log: d.log }),
    afterCommit: flushOut,
    blobs: d.store.blobs,
    ...(d.crypto ? { hydrate: hydrateQueued(d.store, d.crypto, { keys: d.keys.open, signers: d.keys.signers }) } : {}),
  });
  const inbox = createInbox({
    db: d.db, clock: d.trust, log: d.log, quarantine: d.store.quarantine, admit: admitPackets('internal', d.policy), rejected, ...inboxHooks,
    open: { keys: d.keys.open, signers: d.keys.signers }, ...(d.crypto ? { crypto: d.crypto } : {}), blobs: d.store.blobs,
    handlers: kinds.queue,
    afterCommit: () => stamper.kick(),
    backlog: () => d.store.stampQueue.count(),
  });
  return { inbox, stamper, flushOut, republishCatalogue: () => { publish.again(); publish(); }, held };
}
