// Outbound events: what the workflow tells the applicant side. The internal gateway seals each into a
// packet for the external gateway's status cache and notifier. They carry only what the applicant may
// see: no officer ids, no review points. `eventId` is deterministic (case, history position, type), so
// a retried transition can never produce a second packet with a new id.

import type { CaseStatus, NoticeEntry } from './case-state.js';
import type { LocalDate } from './local-date.js';

interface Base {
  readonly eventId: string;
  readonly caseId: string;
  /** The trusted time of the transition that produced the event. */
  readonly at: string;
  /** The case's status after the transition, for the external status cache. */
  readonly status: CaseStatus;
}

export type OutboundEvent =
  /** The case was received (the receipt: case number + trusted time). */
  | (Base & { readonly type: 'received'; readonly itemCode: string })
  | (Base & {
    readonly type: 'accepted';
    readonly green: boolean;
    /** Last working day of the case's limit, as known at acceptance (a later supplement pause extends it). */
    readonly dueDate: LocalDate;
    readonly limitDays: number;
    readonly departments: readonly { readonly name: string; readonly dueDate: LocalDate }[];
    readonly commitments: readonly { readonly materialId: string; readonly materialName: string; readonly commitBy: LocalDate }[];
  })
  /** One-time notice (一次性告知): the full list of what to supply. */
  | (Base & {
    readonly type: 'notice';
    readonly materials: readonly (NoticeEntry & { readonly name: string })[];
    /** True when the case clock is paused until the supplement arrives. */
    readonly clockPaused: boolean;
  })
  | (Base & { readonly type: 'not-accepted'; readonly reason: string })
  | (Base & { readonly type: 'fee-due'; readonly amountFen: number; readonly legalBasis: string })
  | (Base & {
    readonly type: 'decision';
    readonly outcome: 'approved' | 'denied';
    readonly reasons: readonly { readonly department: string; readonly reason: string }[];
  })
  | (Base & { readonly type: 'result-ready'; readonly outcome: 'approved' | 'denied'; readonly result: string; readonly delivery: 'online' | 'centre' | 'township'; readonly documentNo?: string })
  | (Base & { readonly type: 'closed'; readonly outcome: 'completed' | 'withdrawn' })
  /** Any other change of status (supplement received, review started or resumed). */
  | (Base & { readonly type: 'status' });

export type OutboundEventType = OutboundEvent['type'];

export function eventId(caseId: string, seq: number, type: OutboundEventType): string {
  return `${caseId}/${seq}/${type}`;
}
