// Electronic supervision (电子监察): yellow cards warn (预警), red cards mark violations (纠错).
//
// inspect() is pure and monotone: a card found at time t is found again at any later t' with the same
// id and the same content (its `at` is the instant the finding became true — a threshold instant, never
// the inspection time). So the supervision office may run it as often as it likes; the integrator
// stores cards by id (INSERT … ON CONFLICT DO NOTHING) and a finding is never issued twice.

import type { Calendar } from './calendar.js';
import type { CaseState, HistoryEntry } from './case-state.js';
import { caseClock, dueInstant, taskClock, warningInstant, type Clocked } from './deadlines.js';
import { chargingDepartmentOf, feeFen } from './item.js';
import type { SupervisionSettings } from './settings.js';
import { isAllowedStep } from './transitions.js';

export type CardColour = 'yellow' | 'red';

export type CardKind =
  | 'task-near-limit' | 'case-near-limit' | 'late-acceptance'
  | 'task-overtime' | 'case-overtime' | 'fee-mismatch' | 'fee-split' | 'procedure' | 'decision-without-opinions'
  | 'same-day-overtime';

export interface Card {
  /** `${caseId}/${kind}/${subject}` — the same finding always has the same id. */
  readonly id: string;
  readonly caseId: string;
  readonly colour: CardColour;
  readonly kind: CardKind;
  /** What in the case: a department code, 'case', 'acceptance-<n>', or a history position. */
  readonly subject: string;
  /** The department the card is reported to, which must rectify. */
  readonly department: string;
  /** The responsible officer, where one is known (A officer, decider, cashier, acting officer). */
  readonly officer?: string;
  /** When the finding became true (ISO instant). */
  readonly at: string;
  readonly detail: string;
}

function card(c: CaseState, colour: CardColour, kind: CardKind, subject: string, f: { department: string; officer?: string | undefined; at: Date | string; detail: string }): Card {
  return {
    id: `${c.caseId}/${kind}/${subject}`, caseId: c.caseId, colour, kind, subject, department: f.department,
    ...(f.officer !== undefined ? { officer: f.officer } : {}),
    at: typeof f.at === 'string' ? f.at : f.at.toISOString(),
    detail: f.detail,
  };
}

/** Every card the case deserves as of `now`, in a stable order. */
export function inspect(c: CaseState, now: Date, settings: SupervisionSettings, calendar: Calendar): Card[] {
  return [
    ...procedureCards(c),
    ...acceptanceCards(c, now, settings, calendar),
    ...timingCards(c, now, settings, calendar),
    ...decisionCards(c),
    ...feeCards(c),
  ];
}

const lead = (c: CaseState) => c.item.leadDepartment.code;
const staff = (e: HistoryEntry) => (e.actor.role === 'applicant' ? undefined : e.actor.id);

/** Re-check the recorded history against the transition table: a step that is not a row, does not
 *  start where the last one ended, or goes back in time is a step skipped or out of order. */
function procedureCards(c: CaseState): Card[] {
  const cards: Card[] = [];
  const bad = (e: HistoryEntry, detail: string) => cards.push(card(c, 'red', 'procedure', String(e.seq), {
    department: e.actor.department ?? lead(c), officer: staff(e), at: e.at, detail,
  }));
  c.history.forEach((e, i) => {
    if (i === 0) {
      if (e.event !== 'submit' || e.from !== null || e.to !== 'received') bad(e, 'the history does not start with the submission');
      return;
    }
    const prev = c.history[i - 1]!;
    if (e.seq !== i) bad(e, `history position ${e.seq} recorded at index ${i}`);
    else if (e.event === 'submit' || e.from !== prev.to) bad(e, `'${e.event}' recorded from '${e.from ?? 'nothing'}' but the case was '${prev.to}'`);
    else if (!isAllowedStep(e.from, e.event, e.to, e.actor.role)) bad(e, `'${e.from}' —${e.event}→ '${e.to}' by ${e.actor.role} is not in the transition table`);
    else if (e.at < prev.at) bad(e, `recorded at ${e.at}, before the previous step at ${prev.at}`);
  });
  const last = c.history.at(-1);
  if (last && last.to !== c.state && cards.length === 0) {
    bad(last, `the case is '${c.state}' but its last recorded step ended in '${last.to}'`);
  }
  return cards;
}

/** When the case stopped running: its decision, or a withdrawal. */
function stopAt(c: CaseState): string | undefined {
  return c.decision?.at ?? c.history.find((e) => e.event === 'withdraw')?.at;
}

/** Yellow (share of the limit used) and red (limit passed) for one clock that ended at endAt, or is
 *  still running at now. */
function clockCards(
  c: CaseState, clock: Clocked, endAt: string | undefined, now: Date, settings: SupervisionSettings, calendar: Calendar,
  f: { near: CardKind; over: CardKind; subject: string; department: string; officer?: string | undefined; what: string },
): Card[] {
  // A clock that stopped after `now` (a state newer than the inspection time) is judged as running.
  const ended = endAt !== undefined && new Date(endAt) <= now;
  const asOf = ended ? new Date(endAt) : now;
  if (asOf < new Date(clock.startAt)) return [];
  const cards: Card[] = [];
  const warn = warningInstant(calendar, clock, settings.yellowShare, asOf);
  if (asOf >= warn) {
    cards.push(card(c, 'yellow', f.near, f.subject, {
      department: f.department, officer: f.officer, at: warn,
      detail: `${f.what} reached ${Math.round(settings.yellowShare * 100)} % of its ${clock.limitDays}-working-day limit`,
    }));
  }
  const due = dueInstant(calendar, clock, asOf);
  if (asOf >= due) {
    cards.push(card(c, 'red', f.over, f.subject, {
      department: f.department, officer: f.officer, at: due,
      detail: `${f.what} ${ended ? 'finished after' : 'is past'} its ${clock.limitDays}-working-day limit (ended ${due.toISOString()})`,
    }));
  }
  return cards;
}

function timingCards(c: CaseState, now: Date, settings: SupervisionSettings, calendar: Calendar): Card[] {
  const cc = caseClock(c);
  if (!cc || !c.acceptance) return [];
  const stop = stopAt(c);
  const cards = c.tasks.flatMap((t) => clockCards(c, taskClock(c, t), t.opinion?.at ?? stop, now, settings, calendar, {
    near: 'task-near-limit', over: 'task-overtime', subject: t.department, department: t.department,
    officer: t.a, what: `the ${t.department} review`,
  }));
  // The case as a whole answers to the lead department and the window officer who accepted it (首问负责:
  // the first asked owns it). A task answers to its department's A officer, who owns the post (AB角).
  // Attribution never depends on what happens later, so a card's content never changes.
  cards.push(...clockCards(c, cc, stop, now, settings, calendar, {
    near: 'case-near-limit', over: 'case-overtime', subject: 'case', department: lead(c),
    officer: c.acceptance.by, what: 'the case',
  }));
  return cards;
}

/** The window must accept, notify or refuse within acceptanceDecisionDays of the receipt and of each
 *  supplement answering a notice before acceptance. */
function acceptanceCards(c: CaseState, now: Date, settings: SupervisionSettings, calendar: Calendar): Card[] {
  const sameDay = c.item.sameDay === true;
  const starts = c.history.filter((e) => e.event === 'submit' || (e.event === 'supplement' && (!c.acceptance || e.seq < c.acceptance.seq)));
  return starts.flatMap((start, n) => {
    const end = c.history.find((e) => e.seq > start.seq && ACCEPTANCE_ENDS.has(e.event));
    // A same-day item (即办件) is due the day it arrives (limit 0: the end of that day, or of the next
    // working day when it arrives on a rest day): no card unless it is left open past that day.
    const clock: Clocked = { startAt: start.at, limitDays: sameDay ? 0 : settings.acceptanceDecisionDays, pauses: [] };
    const asOf = end && new Date(end.at) <= now ? new Date(end.at) : now;
    const due = dueInstant(calendar, clock, asOf);
    if (asOf < due) return [];
    if (sameDay) {
      return [card(c, 'red', 'same-day-overtime', `same-day-${n}`, {
        department: lead(c), at: due,
        detail: `same-day item (即办件) not decided on the day of ${n === 0 ? 'receipt' : 'the supplement'}`,
      })];
    }
    // Reported to the lead department's window as a whole: no one officer had the case yet.
    return [card(c, 'yellow', 'late-acceptance', `acceptance-${n}`, {
      department: lead(c),
      at: due,
      detail: `no acceptance decision within ${settings.acceptanceDecisionDays} working days of ${n === 0 ? 'receipt' : 'the supplement'}`,
    })];
  });
}

/** Steps that end the window's acceptance clock (a decision on the spot is acceptance and decision). */
const ACCEPTANCE_ENDS: ReadonlySet<string> = new Set(['accept', 'notify', 'refuse', 'withdraw', 'decide-on-the-spot']);

/** Parallel approval: a decision only with every department's opinion, and its outcome must follow. */
function decisionCards(c: CaseState): Card[] {
  const d = c.decision;
  if (!d) return [];
  const missing = c.tasks.filter((t) => !t.opinion || t.opinion.at > d.at).map((t) => t.department);
  const denied = c.tasks.some((t) => t.opinion?.verdict === 'deny');
  const problems = [
    ...(c.tasks.length === 0 ? ['no department task was ever started'] : []),
    ...(missing.length > 0 ? [`decided without the opinion of ${missing.join(', ')}`] : []),
    ...(d.outcome === 'approved' && denied ? ['approved although a department denied'] : []),
  ];
  return problems.length === 0 ? [] : [card(c, 'red', 'decision-without-opinions', 'decision', {
    department: lead(c), officer: d.by, at: d.at, detail: problems.join('; '),
  })];
}

/** A charge of the wrong amount that the transition table refused (feeRules): it never reaches the
 *  case's history, so inspect() cannot see it; the desk files this card when it refuses the step. Its
 *  subject is the refused instant, so each attempt is one finding, filed once. */
export function refusedFeeCard(c: CaseState, attempt: { by: string; amountFen: number; at: Date }): Card {
  const at = attempt.at.toISOString();
  return card(c, 'red', 'fee-mismatch', `refused-${at}`, {
    department: chargingDepartmentOf(c.item), officer: attempt.by, at,
    detail: `tried to charge ${attempt.amountFen} fen; the catalogue fee is ${feeFen(c.item.fee)} fen (refused)`,
  });
}

/** One charge (一次收费) at the catalogue amount: a first charge of another amount, a different total,
 *  a grant issued uncharged, or a second charge, is a violation. (Once the first charge is wrong it
 *  stays a finding, whatever is charged after, so the card never disappears.) */
function feeCards(c: CaseState): Card[] {
  const due = feeFen(c.item.fee);
  const paid = c.payments.reduce((s, p) => s + p.amountFen, 0);
  const issuedGrant = c.result !== undefined && c.decision?.outcome === 'approved';
  const cards: Card[] = [];
  const first = c.payments[0];
  const wrong = first !== undefined ? first.amountFen !== due || paid !== due : issuedGrant && due > 0;
  if (wrong) {
    cards.push(card(c, 'red', 'fee-mismatch', 'fee', {
      department: lead(c), officer: first?.by, at: first?.at ?? c.result!.at,
      detail: `charged ${paid} fen; the catalogue fee is ${due} fen`,
    }));
  }
  const second = c.payments[1];
  if (second) {
    cards.push(card(c, 'red', 'fee-split', 'fee', {
      department: lead(c), officer: second.by, at: second.at,
      detail: `the fee was charged in ${c.payments.length} payments; it must be charged once`,
    }));
  }
  return cards;
}

/** The earliest instant after `now` at which inspect() can find a card it does not find at `now`
 *  without the case changing: the next yellow or red threshold of a clock still running (the window's
 *  acceptance clock, each department's task, the case). undefined: none ahead (every clock stopped).
 *  Card findings that depend on the record alone (procedure, decision, fee) can only change with the
 *  case, and a change bumps its version, which puts it before the monitor anyway.
 *
 *  Why early is safe and late cannot happen: each threshold is computed as known at `now`; a pause still
 *  open only adds days as time passes, so the threshold seen later is the same or later. The monitor
 *  inspects at this instant and computes the next one; an inspection that finds nothing new costs one
 *  case, never a missed card. */
export function nextDeadline(c: CaseState, now: Date, settings: SupervisionSettings, calendar: Calendar): Date | undefined {
  const ahead: Date[] = [];
  const add = (d: Date) => { if (d > now) ahead.push(d); };
  const running = (endAt: string | undefined) => endAt === undefined || new Date(endAt) > now;
  const thresholds = (clock: Clocked, endAt: string | undefined) => {
    if (!running(endAt)) return;
    if (now < new Date(clock.startAt)) { add(new Date(clock.startAt)); return; }
    add(warningInstant(calendar, clock, settings.yellowShare, now));
    add(dueInstant(calendar, clock, now));
  };
  // The window's acceptance clocks (acceptanceCards).
  const sameDay = c.item.sameDay === true;
  const starts = c.history.filter((e) => e.event === 'submit' || (e.event === 'supplement' && (!c.acceptance || e.seq < c.acceptance.seq)));
  for (const start of starts) {
    const end = c.history.find((e) => e.seq > start.seq && ACCEPTANCE_ENDS.has(e.event));
    if (!running(end?.at)) continue;
    add(dueInstant(calendar, { startAt: start.at, limitDays: sameDay ? 0 : settings.acceptanceDecisionDays, pauses: [] }, now));
  }
  // The tasks and the case (timingCards).
  const cc = caseClock(c);
  if (cc && c.acceptance) {
    const stop = stopAt(c);
    for (const t of c.tasks) thresholds(taskClock(c, t), t.opinion?.at ?? stop);
    thresholds(cc, stop);
  }
  return ahead.length === 0 ? undefined : new Date(Math.min(...ahead.map((d) => d.getTime())));
}
