// The packet kinds the intranet takes in, as one table (STYLE 16), the twin of approval/transitions.ts:
// per kind, how it is queued at the inbox, prepared (parsed once and re-checked in full) before
// stamping, delivered after stamping, and what goes back. A kind with no row is refused at the inbox
// ('no delivery for kind') and quarantined; adding a kind is one row here plus its three handlers.
//
// Every kind is admitted the same way before its row is consulted (gateway/admit.ts, zone 'internal':
// freshness by the trusted clock, declared domains, a direction into the intranet, a rule that carries
// the kind), then stamped (stamper.ts). What goes back leaves through the one way out (outbound.ts).
import type { KindName } from '../seal/packet-kind.js';
import type { KindHandler } from '../gateway/inbox.js';
import type { QueuedPacket } from './store/stamp-queue.js';
import type { Prepared } from './recheck.js';
import type { StampedHandler } from './stamper.js';
import { deliverSubmission, prepareSubmission, queueSubmission, type DeliverDeps } from './deliver-submission.js';
import { deliverAction, prepareAction, queueAction } from './deliver-action.js';

export interface InternalKind {
  /** At the inbox, inside the link's commit: the case checks this kind needs, then the stamp queue. */
  readonly queue: (d: DeliverDeps) => KindHandler;
  /** Before stamping, in the inspection pool: parsed once, re-checked against this gateway's policy. */
  readonly prepare: (d: DeliverDeps) => (q: QueuedPacket) => Promise<Prepared>;
  /** After stamping, inside the stamper's commit, with what `prepare` parsed: to the approval desk. */
  readonly deliver: (d: DeliverDeps) => StampedHandler;
  /** What goes back to the applicant side, in words (for a reader; the handlers do it). */
  readonly answer: string;
}

const row = (queue: InternalKind['queue'], prepare: InternalKind['prepare'], deliver: InternalKind['deliver'], answer: string): InternalKind =>
  Object.freeze({ queue, prepare, deliver, answer });

export const INTERNAL_KINDS: Readonly<Partial<Record<KindName, InternalKind>>> = Object.freeze({
  submission: row(queueSubmission, prepareSubmission, deliverSubmission,
    "a 'received' status with the applicant's receipt token, sealed in the same commit as the case"),
  supplement: row(queueAction, prepareAction, deliverAction, "the desk's events for the case (the drain in approval-wiring.ts)"),
  evaluation: row(queueAction, prepareAction, deliverAction, "the desk's events for the case (the drain in approval-wiring.ts)"),
});

/** The stages' handlers built from the table, for the inbox and the stamper. */
export interface InternalKindHandlers {
  queue: Partial<Record<KindName, KindHandler>>;
  prepare: (q: QueuedPacket) => Promise<Prepared>;
  deliver: Record<string, StampedHandler>;
}

export function internalKindHandlers(d: DeliverDeps, kinds: Readonly<Partial<Record<KindName, InternalKind>>> = INTERNAL_KINDS): InternalKindHandlers {
  const rows = Object.entries(kinds) as [KindName, InternalKind][];
  const prepare = new Map(rows.map(([k, r]) => [k as string, r.prepare(d)]));
  return {
    queue: Object.fromEntries(rows.map(([k, r]) => [k, r.queue(d)])),
    deliver: Object.fromEntries(rows.map(([k, r]) => [k, r.deliver(d)])),
    prepare: async (q) => {
      const p = prepare.get(q.kind);
      // Only the queue handlers fill the stamp queue, so this is a row removed while packets waited.
      return p ? p(q) : { receiptData: null, bar: { code: 'FERRY_ERR_POLICY_KIND', detail: `no preparation for kind ${q.kind}`, rule: 'default-deny' }, parsed: null };
    },
  };
}
