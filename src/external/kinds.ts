// The packet kinds the applicant side takes in from the intranet, as one table (STYLE 16), the twin
// of internal/kinds.ts: per kind, how it is delivered and what goes back. A kind with no row is
// refused at the inbox ('no delivery for kind') and quarantined; adding a kind is one row plus its
// handler. Nothing is queued or re-stamped here: each is delivered inside the link's batch commit.
//
// Every kind is admitted the same way before its row is consulted (gateway/admit.ts, zone 'external'):
// freshness by the trusted clock, declared domains, a direction out of the intranet, the full rule
// (size) and correlation — it must answer a case this side filed, unless the policy lists its kind in
// outbound.allowUnsolicited (the catalogue). Nothing goes back but the link's acknowledgement.
import type { KindName } from '../seal/packet-kind.js';
import type { KindHandler } from '../gateway/inbox.js';
import { applyCatalogue, applyStatus, type ExternalDeliverDeps } from './deliver.js';

export interface ExternalKind {
  /** Inside the link's batch commit: parse the body once and update what applicants read. */
  readonly deliver: (d: ExternalDeliverDeps) => KindHandler;
  /** What the applicant sees of it, in words (for a reader; the handler does it). */
  readonly effect: string;
}

const row = (deliver: ExternalKind['deliver'], effect: string): ExternalKind => Object.freeze({ deliver, effect });

export const EXTERNAL_KINDS: Readonly<Partial<Record<KindName, ExternalKind>>> = Object.freeze({
  status: row(applyStatus, "the case's status and history (GET /api/v1/cases/{id}); a 'received' status carries the receipt token"),
  notice: row(applyStatus, 'a one-time notice or a fee due, kept with its event for the applicant'),
  decision: row(applyStatus, 'the decision or the result document, kept with its event for the applicant'),
  catalogue: row(applyCatalogue, 'the published item catalogue submissions are checked against'),
});

export function externalKindHandlers(d: ExternalDeliverDeps, kinds: Readonly<Partial<Record<KindName, ExternalKind>>> = EXTERNAL_KINDS): Partial<Record<KindName, KindHandler>> {
  return Object.fromEntries((Object.entries(kinds) as [KindName, ExternalKind][]).map(([k, r]) => [k, r.deliver(d)]));
}
