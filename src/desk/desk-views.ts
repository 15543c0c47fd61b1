// What the desk shows: work queues in the core's order (green channel first), one case for staff, the
// hall's public board (no personal data), supervision cards and the monthly circular. Read-only.

import {
  ENDED_STATES, TRANSITIONS, caseClock, dueDate, isLate, localDateOf, monthlyReport, orderQueue, queueEntry,
  startOfLocalDay, taskClock, usedDays,
  type Calendar, type Card, type Catalogue, type CaseState, type CaseStatus, type DepartmentMonth, type LocalDate, type QueueEntry,
} from '../approval/index.js';
import { fail, type Verdict } from '../errors.js';
import type { ApprovalStore, AttachmentRow, CardRow, TransitionRow } from './store/approval-store.js';
import type { Clock } from '../time/clock.js';
import { stateOf, stoppedAt } from './case-record.js';
import type { DeskSettings } from './settings.js';
import type { ApplicantData } from './submission.js';

export interface QueueRow extends QueueEntry {
  readonly itemCode: string;
  readonly itemName: string;
  readonly status: CaseStatus;
}

export interface QueueQuery {
  /** A department code: its review tasks ('review'), or the window queue of the cases it leads ('window'). */
  readonly department?: string;
  /** Default: 'review' with a department, 'window' (every case) without one. */
  readonly as?: 'window' | 'review';
  readonly limit?: number;
}

export interface ClockView { readonly limitDays: number; readonly dueDate: LocalDate; readonly usedDays: number; readonly late: boolean }

export interface CaseView {
  readonly caseId: string;
  readonly version: number;
  readonly status: CaseStatus;
  readonly state: CaseState;
  readonly submission: { readonly channel: 'public' | 'township'; readonly township: string | null; readonly applicant: ApplicantData; readonly attachments: readonly AttachmentRow[] };
  readonly transitions: readonly TransitionRow[];
  readonly deadlines: { readonly case: ClockView | null; readonly tasks: readonly (ClockView & { readonly department: string; readonly done: boolean })[] };
  readonly cards: readonly CardRow[];
  /** What may happen next, from the transition table: event, target, roles, rule. */
  readonly next: readonly { readonly event: string; readonly to: CaseStatus; readonly roles: readonly string[]; readonly rule: string }[];
}

/** One row of the hall's public board (八公开: each case's real-time status). No personal data: the
 *  case number is masked (it is the applicant's key to the status query) and no name or field shows. */
export interface BoardRow {
  /** Last 6 characters of the case number, e.g. '…7QK2M9'. */
  readonly ref: string;
  readonly item: string;
  readonly department: string;
  readonly status: CaseStatus;
  readonly statusText: string;
  readonly green: boolean;
  /** Working days used and the limit, once accepted (the clock starts at acceptance). */
  readonly daysUsed: number | null;
  readonly limitDays: number | null;
  readonly overdue: boolean;
}

export const STATUS_TEXT: Readonly<Record<CaseStatus, string>> = Object.freeze({
  received: '已收件，待受理', 'notice-issued': '已一次性告知，待补正', supplemented: '已补正，待审核', 'not-accepted': '不予受理',
  accepted: '已受理', 'under-review': '审查中', 'decided-approved': '已决定：准予许可', 'decided-denied': '已决定：不予许可',
  'result-issued': '结果已发放', closed: '已办结', withdrawn: '已撤回',
});

const OPEN_STATES = (['received', 'notice-issued', 'supplemented', 'accepted', 'under-review', 'decided-approved', 'decided-denied', 'result-issued'] as const)
  .filter((s) => !ENDED_STATES.includes(s));

export interface DeskViews {
  queue(q?: QueueQuery): QueueRow[];
  caseView(caseId: string): Verdict<CaseView>;
  /** The board as of the trusted time `at`, most recently changed cases first. */
  board(): { at: string; cases: BoardRow[] };
  cards(f?: { department?: string; colour?: 'yellow' | 'red'; since?: string; limit?: number }): CardRow[];
  report(month: string): Verdict<DepartmentMonth[]>;
  listCases(f?: { status?: CaseStatus; limit?: number }): { caseId: string; itemCode: string; status: CaseStatus; version: number; green: boolean; receivedAt: string; daysUsed: number | null; limitDays: number | null }[];
}

type ListedCase = ReturnType<DeskViews['listCases']>[number];

/** What the views read from: the store, the catalogue's calendar, the trusted clock, the limits. */
interface ViewDeps { store: ApprovalStore; catalogue: Catalogue; calendar: Calendar; clock: Clock; settings: DeskSettings }

export function createDeskViews(d: ViewDeps): DeskViews {
  // A plain object of functions (not a class): the desk spreads these into its own object.
  return {
    queue: (q = {}) => queueView(d, q),
    caseView: (caseId) => caseView(d, caseId),
    board: () => boardView(d),
    cards: (f = {}) => cardsView(d, f),
    report: (month) => reportView(d, month),
    listCases: (f = {}) => listCasesView(d, f),
  };
}

function clockView(calendar: Calendar, clock: { startAt: string; limitDays: number; pauses: CaseState['pauses'] }, end: string | undefined, now: Date): ClockView {
  const asOf = end !== undefined && new Date(end) <= now ? new Date(end) : now;
  return { limitDays: clock.limitDays, dueDate: dueDate(calendar, clock, asOf), usedDays: usedDays(calendar, clock, asOf), late: isLate(calendar, clock, asOf) };
}

function daysOf(calendar: Calendar, c: CaseState, now: Date): { daysUsed: number | null; limitDays: number | null; overdue: boolean } {
  const cc = caseClock(c);
  if (!cc) return { daysUsed: null, limitDays: null, overdue: false };
  const v = clockView(calendar, cc, stoppedAt(c), now);
  return { daysUsed: v.usedDays, limitDays: v.limitDays, overdue: v.late };
}

function queueView(d: ViewDeps, q: QueueQuery): QueueRow[] {
  const now = d.clock.now();
  const as = q.as ?? (q.department !== undefined ? 'review' : 'window');
  const limit = Math.max(1, Math.min(q.limit ?? d.settings.queueLimit, d.settings.queueLimit));
  const rows = d.store.casesByStatus(as === 'review' ? ['accepted', 'under-review'] : OPEN_STATES)
    .filter((r) => as === 'review' || q.department === undefined || r.leadDepartment === q.department);
  const out: QueueRow[] = [];
  for (const r of rows) {
    const c = stateOf(r);
    const e = queueEntry(c, d.calendar, now, as === 'review' ? q.department : undefined, d.settings.supervision.acceptanceDecisionDays);
    if (e) out.push({ ...e, itemCode: c.item.code, itemName: c.item.name, status: c.state });
  }
  // The core's total order (green first, earliest deadline, longest waiting, case id); orderQueue
  // sorts the same objects, so the extra columns ride along.
  return (orderQueue(out) as QueueRow[]).slice(0, limit);
}

function caseView(d: ViewDeps, caseId: string): Verdict<CaseView> {
  const { store } = d;
  const row = typeof caseId === 'string' ? store.getCase(caseId) : undefined;
  if (!row) return fail('FERRY_ERR_DESK_NO_CASE', `no case ${String(caseId).slice(0, 80)}`);
  const c = stateOf(row);
  const sub = store.getSubmission(caseId)!;
  const now = d.clock.now();
  const cc = caseClock(c);
  const stop = stoppedAt(c);
  return {
    ok: true,
    value: {
      caseId, version: row.version, status: c.state, state: c,
      submission: { channel: sub.channel, township: sub.township, applicant: JSON.parse(sub.applicant) as ApplicantData, attachments: store.attachments(caseId) },
      transitions: store.transitions(caseId),
      deadlines: {
        case: cc ? clockView(d.calendar, cc, stop, now) : null,
        tasks: c.tasks.map((t) => ({ department: t.department, done: t.opinion !== undefined, ...clockView(d.calendar, taskClock(c, t), t.opinion?.at ?? stop, now) })),
      },
      cards: store.cardsOfCase(caseId),
      next: TRANSITIONS.filter((t) => t.from === c.state).map((t) => ({ event: t.event, to: t.to, roles: t.roles, rule: t.rule })),
    },
  };
}

function boardView(d: ViewDeps): { at: string; cases: BoardRow[] } {
  const now = d.clock.now();
  const cases = d.store.recentCases(d.settings.boardLimit).map((r) => {
    const c = stateOf(r);
    const green = c.acceptance ? c.acceptance.green : c.greenRequested && c.item.greenChannel.eligible;
    return {
      ref: `…${c.caseId.slice(-6)}`, item: c.item.name, department: c.item.leadDepartment.name,
      status: c.state, statusText: STATUS_TEXT[c.state], green, ...daysOf(d.calendar, c, now),
    };
  });
  return { at: now.toISOString(), cases };
}

function cardsView(d: ViewDeps, f: NonNullable<Parameters<DeskViews['cards']>[0]>): CardRow[] {
  const limit = Math.max(1, Math.min(f.limit ?? d.settings.cardLimit, d.settings.cardLimit));
  return d.store.cards({ department: f.department, colour: f.colour, since: f.since, limit });
}

function reportView(d: ViewDeps, month: string): Verdict<DepartmentMonth[]> {
  const { store } = d;
  if (typeof month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return fail('FERRY_ERR_DESK_FIELD', 'month: must be YYYY-MM');
  const start = startOfLocalDay(`${month}-01`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const end = startOfLocalDay(nextMonth);
  const cards = store.cardsBetween(start.toISOString(), end.toISOString());
  const evaluations = store.evaluationsBetween(start.toISOString(), end.toISOString());
  // Decisions, opinions and evaluations in the month changed their case at or after its start;
  // cards raised in the month on idle cases bring their case in too (for department names).
  const cases = new Map(store.casesUpdatedSince(start.getTime()).map((r) => [r.caseId, stateOf(r)] as const));
  for (const id of new Set(cards.map((k) => k.caseId))) {
    if (!cases.has(id)) {
      const r = store.getCase(id);
      if (r) cases.set(id, stateOf(r));
    }
  }
  const asCards: Card[] = cards.map((k) => ({
    id: k.cardId, caseId: k.caseId, colour: k.colour, kind: k.kind as Card['kind'], subject: k.subject, department: k.department,
    ...(k.officer !== null ? { officer: k.officer } : {}), at: k.at, detail: k.detail,
  }));
  const evals = evaluations.map((e) => ({ caseId: e.caseId, score: e.score as 1 | 2 | 3 | 4 | 5, comment: e.comment, at: e.at }));
  return { ok: true, value: monthlyReport([...cases.values()], asCards, evals, month, d.calendar) };
}

function listCasesView(d: ViewDeps, f: { status?: CaseStatus; limit?: number }): ListedCase[] {
  const now = d.clock.now();
  const limit = Math.max(1, Math.min(f.limit ?? d.settings.queueLimit, 10_000));
  const rows = f.status !== undefined ? d.store.casesByStatus([f.status]).slice(-limit) : d.store.recentCases(limit);
  return rows.map((r) => {
    const c = stateOf(r);
    const green = c.acceptance ? c.acceptance.green : c.greenRequested;
    const { daysUsed, limitDays } = daysOf(d.calendar, c, now);
    return { caseId: c.caseId, itemCode: c.item.code, status: c.state, version: r.version, green, receivedAt: c.receivedAt, daysUsed, limitDays };
  });
}

/** The civil month ('YYYY-MM') an instant falls in, in the county. */
export function monthOf(at: Date): string {
  return localDateOf(at).slice(0, 7);
}
