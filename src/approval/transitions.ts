// The case lifecycle as one table (STYLE 11): state × event → state, the roles allowed and a guard.
// It is the one place to read what may happen to a case; case-machine.ts applies it, and supervision
// re-checks every recorded history entry against it (a step skipped or out of order is a red card).
//
//   received ─accept→ accepted ─give-opinion→ under-review ─decide→ decided-approved | decided-denied
//   received | supplemented | accepted | under-review ─notify→ notice-issued ─supplement→ supplemented
//   supplemented ─accept→ accepted (not yet accepted) | ─resume-review→ under-review (accepted; clock resumes)
//   received | notice-issued | supplemented ─refuse→ not-accepted (only before acceptance)
//   decided-approved | decided-denied ─issue-result→ result-issued ─close→ closed
//   any state before a decision ─withdraw→ withdrawn (the applicant)
//   received | supplemented ─decide-on-the-spot→ decided-approved | decided-denied (same-day items, 即办件)

import type { CaseEventName, CaseStatus, Role } from './case-state.js';
import {
  allApprove, always, canAccept, canIssueApproved, canResume, committedMaterial, feeRules,
  notYetAccepted, noticeRules, opinionRules, sameDayApprove, sameDayDeny, someDeny, suppliesAskedMaterials, type Guard,
} from './guards.js';

export interface Transition {
  readonly from: CaseStatus;
  readonly event: CaseEventName;
  readonly to: CaseStatus;
  readonly roles: readonly Role[];
  readonly guard: Guard;
  /** The rule, in words, for staff screens and supervision reports. */
  readonly rule: string;
}

const row = (from: CaseStatus, event: CaseEventName, to: CaseStatus, roles: readonly Role[], guard: Guard, rule: string): Transition =>
  ({ from, event, to, roles, guard, rule });

const BEFORE_DECISION: readonly CaseStatus[] = ['received', 'notice-issued', 'supplemented', 'accepted', 'under-review'];
const COMMITTED_SUPPLY_STATES: readonly CaseStatus[] = ['accepted', 'under-review', 'notice-issued', 'supplemented', 'decided-approved', 'result-issued'];

export const TRANSITIONS: readonly Transition[] = Object.freeze([
  // Acceptance by the one window (一窗受理); every department's task starts at this instant.
  row('received', 'accept', 'accepted', ['window'], canAccept, 'complete file (or tolerable gaps against a commitment): accept and start every department'),
  row('supplemented', 'accept', 'accepted', ['window'], canAccept, 'supplement completes the file: accept'),
  // One-time notice (一次性告知), before acceptance …
  row('received', 'notify', 'notice-issued', ['window'], noticeRules, 'list every missing or defective material at once'),
  row('supplemented', 'notify', 'notice-issued', ['window', 'officer'], noticeRules, 'only materials just supplied and found defective, or still missing, may be asked again'),
  // … and after it (the case clock pauses until the supplement arrives).
  row('accepted', 'notify', 'notice-issued', ['window', 'officer'], noticeRules, 'after acceptance only newly supplied or committed materials may be asked for'),
  row('under-review', 'notify', 'notice-issued', ['window', 'officer'], noticeRules, 'after acceptance only newly supplied or committed materials may be asked for'),
  row('notice-issued', 'supplement', 'supplemented', ['applicant'], suppliesAskedMaterials, 'the applicant supplies what the notice asked for'),
  row('supplemented', 'resume-review', 'under-review', ['window', 'officer'], canResume, 'an accepted case resumes once the notice is answered in full'),
  // Not accepted (不予受理), with reasons, only before acceptance.
  row('received', 'refuse', 'not-accepted', ['window'], always, 'outside the item, or the applicant is not eligible: refuse with reasons'),
  row('notice-issued', 'refuse', 'not-accepted', ['window'], notYetAccepted, 'the notice went unanswered: refuse with reasons'),
  row('supplemented', 'refuse', 'not-accepted', ['window'], notYetAccepted, 'the supplement does not cure the file: refuse with reasons'),
  // Tolerance acceptance: committed materials arrive later, without stopping the case.
  ...COMMITTED_SUPPLY_STATES.map((s) => row(s, 'supply-committed', s, ['applicant'], committedMaterial, 'deliver a material tolerated at acceptance')),
  // Parallel review (并联审批): each department's A or B gives one opinion.
  row('accepted', 'give-opinion', 'under-review', ['officer'], opinionRules, 'the first opinion starts the review'),
  row('under-review', 'give-opinion', 'under-review', ['officer'], opinionRules, 'each involved department gives one opinion'),
  // Decision by the chief representative (首席代表): only when every opinion is in; the outcome follows.
  row('under-review', 'decide', 'decided-approved', ['chief'], allApprove, 'every department approved'),
  row('under-review', 'decide', 'decided-denied', ['chief'], someDeny, 'a department denied: denied, with its reasons'),
  // Same-day items (即办件: 能办即办、当场办结): the window accepts, reviews and decides in one step.
  row('received', 'decide-on-the-spot', 'decided-approved', ['window'], sameDayApprove, 'same-day item with the whole file: approve at the window'),
  row('received', 'decide-on-the-spot', 'decided-denied', ['window'], sameDayDeny, 'same-day item: deny at the window, with reasons'),
  row('supplemented', 'decide-on-the-spot', 'decided-approved', ['window'], sameDayApprove, 'same-day item completed by the supplement: approve at the window'),
  row('supplemented', 'decide-on-the-spot', 'decided-denied', ['window'], sameDayDeny, 'same-day item: deny at the window, with reasons'),
  // One charge (一次收费): the charging department's cashier records the catalogue fee, once; any other
  // amount is refused (and the desk files a red card for the attempt: supervision.ts refusedFeeCard).
  row('decided-approved', 'record-payment', 'decided-approved', ['cashier'], feeRules, 'the charging department\'s cashier records the catalogue fee, once, at exactly its amount'),
  row('decided-approved', 'issue-result', 'result-issued', ['window'], canIssueApproved, 'issue the licence once the fee is charged (and, pre-review, the originals checked)'),
  row('decided-denied', 'issue-result', 'result-issued', ['window'], always, 'issue the written decision not to grant'),
  row('result-issued', 'close', 'closed', ['window'], always, 'the result has reached the applicant'),
  // Withdrawal by the applicant before a decision.
  ...BEFORE_DECISION.map((s) => row(s, 'withdraw', 'withdrawn', ['applicant'], always, 'the applicant withdraws before a decision')),
]);
// Not rows, on purpose: accepting twice; any step for the supervisor role (supervisors change nothing);
// a decision or withdrawal after a decision.

/** The rows for (state, event), in table order. */
export function rowsFor(from: CaseStatus, event: CaseEventName): readonly Transition[] {
  return TRANSITIONS.filter((t) => t.from === from && t.event === event);
}

/** Is (from, event, to) by this role a row of the table? (Used to audit a recorded history.) */
export function isAllowedStep(from: CaseStatus, event: CaseEventName, to: CaseStatus, role: Role): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.event === event && t.to === to && t.roles.includes(role));
}
