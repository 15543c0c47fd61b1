// The state of one case: a plain JSON value (no Dates, no classes, no undefined-valued keys), so the
// integrator stores it as JSON next to an append-only event log, and JSON.parse(JSON.stringify(s))
// is the same case. Instants are ISO-8601 UTC strings of the trusted time; civil dates are LocalDate.

import type { FormValues } from './form.js';
import type { Item } from './item.js';
import type { LocalDate } from './local-date.js';

export type CaseStatus =
  | 'received' | 'accepted' | 'notice-issued' | 'supplemented' | 'not-accepted' | 'under-review'
  | 'decided-approved' | 'decided-denied' | 'result-issued' | 'closed' | 'withdrawn';

/** States after which nothing more happens to the case (evaluation becomes possible). */
export const ENDED_STATES: readonly CaseStatus[] = ['closed', 'withdrawn', 'not-accepted'];
export const DECIDED_STATES: readonly CaseStatus[] = ['decided-approved', 'decided-denied', 'result-issued', 'closed'];

/** Who acts. The integrator authenticates the person and supplies role, id and department.
 *  - applicant: the citizen or enterprise (or a township centre filing for them, 延伸式);
 *  - window: an officer at the lead department's window (一窗受理): accepts, notifies, issues results;
 *  - officer: a department officer, the A or B of that department's task (AB角);
 *  - chief: the lead department's chief representative at the centre (首席代表): decides;
 *  - cashier: records a fee actually charged (bank or counter);
 *  - supervisor: reads everything and changes nothing — no transition allows this role. */
export type Role = 'applicant' | 'window' | 'officer' | 'chief' | 'cashier' | 'supervisor';
export const ROLES: readonly Role[] = ['applicant', 'window', 'officer', 'chief', 'cashier', 'supervisor'];

export interface Actor {
  readonly role: Role;
  readonly id: string;
  /** The department code the staff member acts for; absent for applicants. */
  readonly department?: string;
}

export interface HistoryEntry {
  /** Position in history, from 0 (the submission). */
  readonly seq: number;
  readonly at: string;
  readonly event: CaseEventName | 'submit';
  /** null only for the submission that creates the case. */
  readonly from: CaseStatus | null;
  readonly to: CaseStatus;
  readonly actor: Actor;
  readonly reason?: string;
}

export type CaseEventName =
  | 'accept' | 'notify' | 'supplement' | 'refuse' | 'resume-review' | 'supply-committed'
  | 'give-opinion' | 'decide' | 'record-payment' | 'issue-result' | 'close' | 'withdraw'
  /** Same-day item (即办件): accepted, reviewed and decided at the window in one step. */
  | 'decide-on-the-spot';

export interface NoticeEntry {
  readonly materialId: string;
  /** What is missing or wrong ("missing", "unsigned page 3", …). */
  readonly reason: string;
}

export interface Notice {
  /** History position of the notify transition (orders events even within one millisecond). */
  readonly seq: number;
  readonly at: string;
  readonly by: string;
  readonly materials: readonly NoticeEntry[];
  /** True when issued after acceptance: the case clock is paused until the supplement arrives. */
  readonly afterAcceptance: boolean;
}

export interface Supplement {
  readonly seq: number;
  readonly at: string;
  readonly materials: readonly string[];
}

export interface Tolerated {
  readonly materialId: string;
  /** The applicant's written commitment: supplied by the end of this date. */
  readonly commitBy: LocalDate;
  /** When the committed material arrived, if it has (history position and time). */
  readonly supplied?: { readonly seq: number; readonly at: string };
}

export interface Opinion {
  readonly verdict: 'approve' | 'deny';
  readonly reason: string;
  readonly by: string;
  readonly at: string;
}

/** One department's review in a parallel case (并联审批). */
export interface Task {
  readonly department: string;
  readonly departmentName: string;
  /** A officer and B stand-in (AB角). */
  readonly a: string;
  readonly b: string;
  /** The acceptance instant: every task of a case starts at the same moment (同步启动). */
  readonly startedAt: string;
  readonly limitDays: number;
  readonly opinion?: Opinion;
}

export interface Acceptance {
  readonly seq: number;
  readonly at: string;
  readonly by: string;
  readonly green: boolean;
  /** The case's own limit in working days: the promised limit, or the green-channel limit. */
  readonly limitDays: number;
  readonly tolerated: readonly Tolerated[];
}

/** An interval during which the case clock stops (the applicant supplementing after acceptance). */
export interface Pause {
  readonly from: string;
  readonly to?: string;
}

export interface Decision {
  readonly at: string;
  readonly by: string;
  readonly outcome: 'approved' | 'denied';
  readonly reasons: readonly { readonly department: string; readonly reason: string }[];
}

export interface Payment {
  readonly at: string;
  readonly by: string;
  readonly amountFen: number;
  readonly reference: string;
}

export interface ResultIssue {
  readonly at: string;
  readonly by: string;
  readonly delivery: 'online' | 'centre' | 'township';
  readonly documentNo?: string;
}

export interface Evaluation {
  readonly caseId: string;
  readonly score: 1 | 2 | 3 | 4 | 5;
  readonly comment: string;
  readonly at: string;
}

export interface CaseState {
  readonly schema: 1;
  readonly caseId: string;
  readonly applicantId: string;
  /** The catalogue item as it stood when the case was received: the terms the case runs under. */
  readonly item: Item;
  readonly state: CaseStatus;
  readonly receivedAt: string;
  readonly form: FormValues;
  /** Material ids the applicant has provided so far (submission, supplements, committed deliveries). */
  readonly materials: readonly string[];
  /** Requested at submission (a designated major project); the window confirms or revokes at acceptance. */
  readonly greenRequested: boolean;
  readonly notices: readonly Notice[];
  readonly supplements: readonly Supplement[];
  readonly acceptance?: Acceptance;
  readonly tasks: readonly Task[];
  readonly pauses: readonly Pause[];
  readonly decision?: Decision;
  readonly payments: readonly Payment[];
  readonly result?: ResultIssue;
  readonly evaluation?: Evaluation;
  readonly history: readonly HistoryEntry[];
}
