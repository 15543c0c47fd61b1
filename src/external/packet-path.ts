// The applicant side's packet path, wired from its stages. Inward: inbox (open, dedupe, admit — the
// full outbound rule and correlation — then deliver by kind from the table in kinds.ts). Outward:
// intake → the one way out (outbound.ts: the outbox bound, the rule the API checked, the trusted
// clock, the seal, the outbox, the audit entry) → link. Nothing here seals or writes SQL.
import type { Logger } from '../gateway/logger.js';
import type { GatewayKeys } from '../gateway/keys.js';
import { auditHooks, type GatewayAudit } from '../gateway/audit.js';
import { createInbox } from '../gateway/inbox.js';
import { admitPackets } from '../gateway/admit.js';
import { createOutbound } from '../gateway/outbound.js';
import type { CryptoPool } from '../gateway/crypto-pool.js';
import type { Policy } from '../policy/policy-model.js';
import { RejectedPackets } from '../store/rejected-packets.js';
import type { Clock } from '../time/clock.js';
import { createActionIntake, createIntake } from './intake.js';
import { externalKindHandlers } from './kinds.js';
import type { ExternalStore } from './store.js';

export interface ExternalPathDeps {
  store: ExternalStore; keys: GatewayKeys; policy: () => Policy; clock: Clock; log: Logger; audit: GatewayAudit;
  maxRejected: number; maxOutbox: number; peerDomain: string;
  /** Seals and opens large packets off the loop (absent: all on the loop, as in unit tests). */
  crypto?: CryptoPool;
}

export function wireExternalPath(d: ExternalPathDeps) {
  const { onSent, ...inboxHooks } = auditHooks(d.audit, d.store);
  // A case this side filed: what a packet from the intranet must answer (correlation).
  const knownCase = (caseId: string) => d.store.status.get(caseId) !== null;
  const inbox = createInbox({
    db: d.store.db, clock: d.clock, log: d.log, quarantine: d.store.quarantine, rejected: new RejectedPackets(d.store.db, d.maxRejected), ...inboxHooks,
    admit: admitPackets('external', d.policy, knownCase),
    open: { keys: d.keys.open, signers: d.keys.signers }, ...(d.crypto ? { crypto: d.crypto } : {}),
    handlers: externalKindHandlers({ store: d.store, log: d.log }),
  });
  const outbound = createOutbound({
    db: d.store.db, outbox: d.store.outbox, keys: d.keys.seal, policy: d.policy, clock: d.clock, maxOutbox: d.maxOutbox, held: () => d.store.held.depth().count, knownCase, audit: onSent, log: d.log,
    ...(d.crypto ? { crypto: d.crypto } : {}), blobs: d.store.blobs,
  });
  return {
    inbox,
    intake: createIntake({ store: d.store, outbound, peerDomain: d.peerDomain }),
    sendAction: createActionIntake({ store: d.store, outbound, peerDomain: d.peerDomain }),
  };
}
