// The work queues staff see, in one place for both faces of the desk: the staff JSON API
// (GET /api/v1/staff/queue) and the workbench pages call these, so a queue is computed one way.
//
//   queuesFor   the API's answer: the window queue and/or the review queue, by the roles held
//   workFor     the same queues cut per role for the workbench: cases to accept (window), tasks with
//               working days left and the colour they are heading for (officer A/B), cases ready for
//               the decision (lead, 首席代表), approved cases whose fee is not yet recorded, for the
//               cashier of the charging department
import { chargingDepartmentOf, feeFen, warningDay, type CaseStatus } from '../approval/index.js';
import type { DeskViews, QueueRow } from './desk-views.js';
import type { StaffIdentity } from './roles.js';

export interface StaffQueues { readonly window?: QueueRow[]; readonly review?: QueueRow[] }

/** The API's queue answer. Supervisors see every department's window queue and, for one department,
 *  its review queue; case handlers see their own department's queues for the roles they hold. */
export function queuesFor(desk: Pick<DeskViews, 'queue'>, s: StaffIdentity, department?: string): StaffQueues {
  if (s.roles.includes('supervisor')) {
    return { window: desk.queue({ as: 'window', ...(department ? { department } : {}) }), review: department ? desk.queue({ department, as: 'review' }) : [] };
  }
  const windowSide = s.roles.some((r) => r === 'window' || r === 'lead' || r === 'cashier');
  return {
    ...(windowSide ? { window: desk.queue({ department: s.department, as: 'window' }) } : {}),
    ...(s.roles.includes('officer') ? { review: desk.queue({ department: s.department, as: 'review' }) } : {}),
  };
}

/** Where a deadline stands: green on track, yellow past the yellow share of its limit (a yellow card
 *  is due), red late. `heading` is the colour it reaches next if nobody acts (red stays red). */
export type Colour = 'green' | 'yellow' | 'red';
export interface TaskRow extends QueueRow {
  readonly department: string;
  readonly a: string;
  readonly b: string;
  /** 'a' or 'b': which of the pair this staff member is (B stands in for A). */
  readonly mine: 'a' | 'b' | null;
  readonly usedDays: number;
  readonly limitDays: number;
  readonly daysLeft: number;
  readonly dueDate: string;
  readonly colour: Colour;
  readonly heading: Colour;
}

export interface FeeRow extends QueueRow { readonly amountFen: number }

export interface RoleWork {
  /** window: received or supplemented, waiting for accept / notice / not-accept. */
  readonly toAccept?: QueueRow[];
  /** window: decided, waiting for the result to be issued; issued, waiting to be closed. */
  readonly toFinish?: QueueRow[];
  readonly tasks?: TaskRow[];
  /** lead: every opinion is in, the decision is due. */
  readonly toDecide?: QueueRow[];
  readonly fees?: FeeRow[];
}

const ACCEPT: readonly CaseStatus[] = ['received', 'supplemented'];
const FINISH: readonly CaseStatus[] = ['decided-approved', 'decided-denied', 'result-issued'];

export function colourOf(usedDays: number, limitDays: number, late: boolean, yellowShare: number): { colour: Colour; heading: Colour } {
  if (late) return { colour: 'red', heading: 'red' };
  // The day supervision.ts raises the yellow card (the core's one rule for it).
  if (usedDays >= warningDay(limitDays, yellowShare)) return { colour: 'yellow', heading: 'red' };
  return { colour: 'green', heading: 'yellow' };
}

/** The workbench's queues for the roles `s` holds, each computed from queuesFor's rows. */
export function workFor(desk: Pick<DeskViews, 'queue' | 'caseView'>, s: StaffIdentity, yellowShare: number): RoleWork {
  const q = queuesFor(desk, s);
  const win = q.window ?? [];
  const has = (r: StaffIdentity['roles'][number]) => s.roles.includes(r);
  const out: { -readonly [K in keyof RoleWork]: RoleWork[K] } = {};
  if (has('window')) {
    out.toAccept = win.filter((r) => ACCEPT.includes(r.status));
    out.toFinish = win.filter((r) => FINISH.includes(r.status));
  }
  if (has('lead')) out.toDecide = win.filter((r) => r.status === 'under-review');
  // A cashier collects for the department the catalogue names (guards.ts), which need not lead the case.
  if (has('cashier')) out.fees = feesDue(desk, desk.queue({ as: 'window' }), s.department);
  if (has('officer')) out.tasks = tasksOf(desk, s, q.review ?? [], yellowShare);
  return out;
}

function feesDue(desk: Pick<DeskViews, 'caseView'>, rows: readonly QueueRow[], department: string): FeeRow[] {
  const out: FeeRow[] = [];
  for (const r of rows) {
    if (r.status !== 'decided-approved') continue;
    const v = desk.caseView(r.caseId);
    if (!v.ok) continue;
    const c = v.value.state;
    const amountFen = feeFen(c.item.fee);
    if (amountFen > 0 && c.payments.length === 0 && chargingDepartmentOf(c.item) === department) out.push({ ...r, amountFen });
  }
  return out;
}

function tasksOf(desk: Pick<DeskViews, 'caseView'>, s: StaffIdentity, rows: readonly QueueRow[], yellowShare: number): TaskRow[] {
  const out: TaskRow[] = [];
  for (const r of rows) {
    const v = desk.caseView(r.caseId);
    if (!v.ok) continue;
    const t = v.value.state.tasks.find((x) => x.department === s.department);
    const d = v.value.deadlines.tasks.find((x) => x.department === s.department);
    if (!t || !d || t.opinion) continue;
    out.push({
      ...r, department: t.department, a: t.a, b: t.b, mine: t.a === s.id ? 'a' : t.b === s.id ? 'b' : null,
      usedDays: d.usedDays, limitDays: d.limitDays, daysLeft: Math.max(0, d.limitDays - d.usedDays), dueDate: d.dueDate,
      ...colourOf(d.usedDays, d.limitDays, d.late, yellowShare),
    });
  }
  return out;
}
