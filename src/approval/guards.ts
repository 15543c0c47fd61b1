// Guards of the transition table: each states one rule the staff live by, and refuses with a code.
// A guard only reads; what a transition changes is in case-machine.ts.

import { fail, type Verdict } from '../errors.js';
import { addWorkingDays, type Calendar } from './calendar.js';
import type { Actor, CaseState } from './case-state.js';
import type { Command, CommandOf } from './command.js';
import { chargingDepartmentOf, involvedDepartments } from './item.js';
import { localDateOf } from './local-date.js';

export interface GuardInput<C extends Command = Command> {
  readonly c: CaseState;
  readonly cmd: C;
  readonly now: Date;
  readonly actor: Actor;
  readonly calendar: Calendar;
}

export type Guard = (g: GuardInput) => Verdict<null>;

const OK: Verdict<null> = { ok: true, value: null };

/** Narrow a guard to one command type; the table only calls it for rows of that event. */
function on<E extends Command['type']>(_e: E, f: (g: GuardInput<CommandOf<E>>) => Verdict<null>): Guard {
  return f as Guard;
}

export const always: Guard = () => OK;

/** Who the actor must be, beyond the role, for a role to act on this case. */
export function identityCheck(c: CaseState, actor: Actor): Verdict<null> {
  const lead = c.item.leadDepartment.code;
  switch (actor.role) {
    case 'applicant':
      return actor.id === c.applicantId ? OK : fail('FERRY_ERR_APPROVAL_ROLE', 'only the applicant of this case may do this');
    case 'window':
    case 'chief':
      // One window accepts (一窗受理) and the chief representative decides (首席代表): both sit for the
      // lead department, so a case is never handled at a second place (两头受理).
      return actor.department === lead ? OK : fail('FERRY_ERR_APPROVAL_ROLE', `only the lead department (${lead}) may do this as ${actor.role}`);
    case 'officer': {
      const t = c.tasks.find((x) => x.department === actor.department);
      if (!t) return fail('FERRY_ERR_APPROVAL_ROLE', `department ${actor.department ?? '(none)'} has no task on this case`);
      return actor.id === t.a || actor.id === t.b ? OK : fail('FERRY_ERR_APPROVAL_ROLE', `officer ${actor.id} is neither A nor B for ${t.department}`);
    }
    case 'cashier': {
      // One charge at one counter (一次收费): only the cashier of the department the catalogue names
      // collects the fee; a cashier elsewhere in the centre has no business with this case's money.
      const charging = chargingDepartmentOf(c.item);
      return actor.department === charging ? OK : fail('FERRY_ERR_APPROVAL_ROLE', `only a cashier of the charging department (${charging}) may record the fee`);
    }
    case 'supervisor':
      return fail('FERRY_ERR_APPROVAL_ROLE', 'supervisors read and change nothing');
  }
}

/** Item materials not provided (or named defective and not re-supplied), less those tolerated. */
export function outstandingMaterials(c: CaseState): string[] {
  const tolerated = new Set(c.acceptance?.tolerated.filter((t) => t.supplied === undefined).map((t) => t.materialId));
  return c.item.materials.map((m) => m.id).filter((id) => !c.materials.includes(id) && !tolerated.has(id));
}

export const notYetAccepted: Guard = ({ c }) =>
  c.acceptance ? fail('FERRY_ERR_APPROVAL_TRANSITION', 'the case is already accepted') : OK;

export const alreadyAccepted: Guard = ({ c }) =>
  c.acceptance ? OK : fail('FERRY_ERR_APPROVAL_TRANSITION', 'the case is not accepted yet: accept it, notify, or refuse');

export const canAccept = on('accept', ({ c, cmd, now, calendar }) => {
  if (c.acceptance) return fail('FERRY_ERR_APPROVAL_TRANSITION', 'the case is already accepted');
  if (c.item.sameDay === true) return fail('FERRY_ERR_APPROVAL_TRANSITION', `item ${c.item.code} is a same-day item (即办件): decide it at the window in one step (decide-on-the-spot)`);
  const depts = involvedDepartments(c.item).map((d) => d.code);
  for (const d of depts) {
    const ab = cmd.assignments[d];
    if (!ab) return fail('FERRY_ERR_APPROVAL_ASSIGNMENT', `no A/B officers for department ${d}`);
    if (ab.a === ab.b) return fail('FERRY_ERR_APPROVAL_ASSIGNMENT', `department ${d}: A and B must be different officers`);
  }
  const extra = Object.keys(cmd.assignments).find((d) => !depts.includes(d));
  if (extra) return fail('FERRY_ERR_APPROVAL_ASSIGNMENT', `department ${extra} is not involved in item ${c.item.code}`);

  // Tolerance acceptance (容缺受理): only materials the catalogue marks tolerable, each with a written
  // commitment date after today and within the item's commitment window.
  const today = localDateOf(now);
  const tolerated = new Set<string>();
  for (const t of cmd.tolerated ?? []) {
    const m = c.item.materials.find((x) => x.id === t.materialId);
    if (!m) return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${t.materialId} is not a material of item ${c.item.code}`);
    if (m.acceptance !== 'tolerable' || m.commitWithinDays === undefined) return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${m.id} is required and cannot be tolerated`);
    if (tolerated.has(m.id)) return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${m.id} is listed twice`);
    if (c.materials.includes(m.id)) return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${m.id} was provided; there is nothing to tolerate`);
    const latest = addWorkingDays(calendar, today, m.commitWithinDays);
    if (t.commitBy <= today || t.commitBy > latest) {
      return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${m.id}: commitment date ${t.commitBy} must be after ${today} and no later than ${latest} (${m.commitWithinDays} working days)`);
    }
    tolerated.add(m.id);
  }
  const missing = outstandingMaterials(c).filter((id) => !tolerated.has(id));
  if (missing.length > 0) {
    return fail('FERRY_ERR_APPROVAL_MATERIALS_MISSING', `missing and not tolerated: ${missing.join(', ')} — issue a one-time notice or tolerate them against a commitment`);
  }
  if ((cmd.green ?? c.greenRequested) && !c.item.greenChannel.eligible) {
    return fail('FERRY_ERR_APPROVAL_GREEN', `item ${c.item.code} is not eligible for the green channel`);
  }
  return OK;
});

/** Same-day items (即办件: 能办即办、当场办结): the window decides in one step, only for an item the
 *  catalogue marks same-day, with the whole file in hand (nothing can be tolerated: there is no
 *  acceptance step to commit against). The outcome is the verdict given. */
const sameDay = (verdict: 'approve' | 'deny') => on('decide-on-the-spot', ({ c, cmd }) => {
  if (c.item.sameDay !== true) return fail('FERRY_ERR_APPROVAL_TRANSITION', `item ${c.item.code} is not a same-day item: accept it and review it`);
  const missing = outstandingMaterials(c);
  if (missing.length > 0) return fail('FERRY_ERR_APPROVAL_MATERIALS_MISSING', `missing: ${missing.join(', ')} — issue a one-time notice`);
  return cmd.verdict === verdict ? OK : fail('FERRY_ERR_APPROVAL_TRANSITION', `the verdict is ${cmd.verdict}`);
});
export const sameDayApprove = sameDay('approve');
export const sameDayDeny = sameDay('deny');

/** Materials supplied after history position `since`: supplements and committed deliveries. */
function suppliedAfter(c: CaseState, since: number): Set<string> {
  const out = new Set<string>();
  for (const s of c.supplements) if (s.seq > since) s.materials.forEach((m) => out.add(m));
  for (const t of c.acceptance?.tolerated ?? []) if (t.supplied !== undefined && t.supplied.seq > since) out.add(t.materialId);
  return out;
}

/** One-time notice (一次性告知). Every notice must name every outstanding material. The first look at
 *  the file (the first notice, or the acceptance) may name anything. After that — a "judgement point"
 *  at which every material present was judged — a notice may name a material only if
 *    (a) it was supplied after the last judgement point (and is now found defective), or
 *    (b) it was identified before (named in an earlier notice, or tolerated at acceptance) and is still
 *        not provided.
 *  Anything else the earlier look could have named: asking now is the violation, so it is refused. */
export const noticeRules = on('notify', ({ c, cmd }) => {
  const ids = cmd.materials.map((m) => m.id);
  const unknown = ids.find((id) => !c.item.materials.some((m) => m.id === id));
  if (unknown) return fail('FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', `${unknown} is not a material of item ${c.item.code}`);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) return fail('FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', `${dup} is listed twice`);
  const omitted = outstandingMaterials(c).filter((id) => !ids.includes(id));
  if (omitted.length > 0) return fail('FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', `the notice must list every outstanding material; it omits ${omitted.join(', ')}`);

  const judgements = [...c.notices, ...(c.acceptance ? [c.acceptance] : [])];
  if (judgements.length === 0) return OK;
  const last = judgements.reduce((a, b) => (a.seq > b.seq ? a : b));
  const fresh = suppliedAfter(c, last.seq);
  const identified = new Set([...c.notices.flatMap((n) => n.materials.map((m) => m.materialId)), ...(c.acceptance?.tolerated.map((t) => t.materialId) ?? [])]);
  const repeat = ids.find((id) => !fresh.has(id) && !(identified.has(id) && !c.materials.includes(id)));
  if (repeat) {
    return fail('FERRY_ERR_APPROVAL_NOTICE_REPEAT', `${repeat} could have been named at the earlier look (${last.at}) and was not supplied since; a second request for it is not allowed`);
  }
  return OK;
});

export const suppliesAskedMaterials = on('supplement', ({ c, cmd }) => {
  const last = c.notices.at(-1);
  const asked = new Set(last?.materials.map((m) => m.materialId));
  const other = cmd.materials.find((id) => !asked.has(id));
  if (other) return fail('FERRY_ERR_APPROVAL_COMMAND', `supplement: ${other} was not asked for in the notice`);
  const dup = cmd.materials.find((id, i) => cmd.materials.indexOf(id) !== i);
  return dup ? fail('FERRY_ERR_APPROVAL_COMMAND', `supplement: ${dup} is listed twice`) : OK;
});

export const canResume: Guard = (g) => {
  const acc = alreadyAccepted(g);
  if (!acc.ok) return acc;
  const missing = outstandingMaterials(g.c);
  return missing.length > 0
    ? fail('FERRY_ERR_APPROVAL_MATERIALS_MISSING', `still outstanding from the notice: ${missing.join(', ')}`)
    : OK;
};

export const committedMaterial = on('supply-committed', ({ c, cmd }) => {
  const t = c.acceptance?.tolerated.find((x) => x.materialId === cmd.materialId);
  if (!t) return fail('FERRY_ERR_APPROVAL_TOLERANCE', `${cmd.materialId} was not tolerated at acceptance`);
  return t.supplied === undefined ? OK : fail('FERRY_ERR_APPROVAL_TOLERANCE', `${cmd.materialId} was already supplied at ${t.supplied.at}`);
});

export const opinionRules = on('give-opinion', ({ c, actor }) => {
  const t = c.tasks.find((x) => x.department === actor.department);
  if (!t) return fail('FERRY_ERR_APPROVAL_ROLE', `department ${actor.department ?? '(none)'} has no task on this case`);
  return t.opinion ? fail('FERRY_ERR_APPROVAL_OPINION_GIVEN', `${t.department} already gave its opinion at ${t.opinion.at}`) : OK;
});

function allOpinions(c: CaseState): Verdict<null> {
  const pending = c.tasks.filter((t) => !t.opinion).map((t) => t.department);
  return pending.length > 0
    ? fail('FERRY_ERR_APPROVAL_OPINIONS_PENDING', `waiting for the opinion of ${pending.join(', ')}`)
    : OK;
}

/** Parallel approval: a decision only when every department has given its opinion; the outcome is not
 *  chosen, it follows: all approve → approved; any deny → denied, with the reasons. */
export const allApprove: Guard = ({ c }) => {
  const all = allOpinions(c);
  if (!all.ok) return all;
  return c.tasks.every((t) => t.opinion?.verdict === 'approve') ? OK : fail('FERRY_ERR_APPROVAL_TRANSITION', 'a department denied');
};

export const someDeny: Guard = ({ c }) => {
  const all = allOpinions(c);
  if (!all.ok) return all;
  return c.tasks.some((t) => t.opinion?.verdict === 'deny') ? OK : fail('FERRY_ERR_APPROVAL_TRANSITION', 'every department approved');
};

/** One charge (一次收费), at the catalogue amount: the cashier records exactly the published fee, once.
 *  Amounts are integer fen on both sides, compared as integers (parseCommand refuses a fraction). */
export const feeRules = on('record-payment', ({ c, cmd }) => {
  const fee = c.item.fee;
  if (fee.kind === 'free') return fail('FERRY_ERR_APPROVAL_FEE_AMOUNT', `item ${c.item.code} is free of charge; nothing may be charged`);
  if (c.payments.length > 0) return fail('FERRY_ERR_APPROVAL_FEE_CHARGED', `the fee was already charged at ${c.payments[0]!.at}; it is charged once`);
  if (!Number.isSafeInteger(cmd.amountFen) || cmd.amountFen !== fee.amountFen) {
    return fail('FERRY_ERR_APPROVAL_FEE_AMOUNT', `amount ${cmd.amountFen} fen is not the catalogue fee ${fee.amountFen} fen`);
  }
  return OK;
});

export const canIssueApproved = on('issue-result', ({ c, cmd }) => {
  // One charge (一次收费): the result is released only once the catalogue fee has been charged.
  if (c.item.fee.kind === 'charged' && c.payments.length === 0) {
    return fail('FERRY_ERR_APPROVAL_FEE_UNPAID', `fee ${c.item.fee.amountFen} fen not charged yet`);
  }
  // Pre-review (预审式): the applicant brings the originals once, when collecting the result.
  if (c.item.mode === 'pre-review' && cmd.originalsChecked !== true) {
    return fail('FERRY_ERR_APPROVAL_ORIGINALS', 'pre-review item: check the originals (originalsChecked: true) before issuing');
  }
  return OK;
});
