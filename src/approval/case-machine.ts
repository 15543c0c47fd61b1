// The case machine: receive() creates a case from a submission, apply() runs one command through the
// transition table. Pure: the trusted time, the actor and the calendar come in; the next CaseState and
// the outbound events go out. Nothing is mutated; a refused command returns a verdict and no state.

import { fail, type Verdict } from '../errors.js';
import type { Calendar } from './calendar.js';
import type {
  Actor, CaseEventName, CaseState, HistoryEntry, Pause, ResultIssue, Task,
} from './case-state.js';
import { parseCommand, type Command, type CommandOf } from './command.js';
import { caseClock, dueDate, taskClock } from './deadlines.js';
import { eventId, type OutboundEvent } from './events.js';
import { validateForm } from './form.js';
import { identityCheck } from './guards.js';
import { involvedDepartments, type Item } from './item.js';
import { rowsFor, type Transition } from './transitions.js';

export interface CaseContext {
  /** The trusted time (from src/time), never the host clock. */
  readonly now: Date;
  readonly actor: Actor;
  readonly calendar: Calendar;
}

export interface Applied {
  readonly next: CaseState;
  readonly events: readonly OutboundEvent[];
}

export interface Submission {
  /** Assigned by the gateway; unique. */
  readonly caseId: string;
  readonly applicantId: string;
  readonly form: unknown;
  /** Ids of the materials attached. */
  readonly materials: readonly string[];
  /** A designated major project asks for the green channel (绿色通道). */
  readonly greenChannel?: boolean;
}

const CASE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Create a case in state `received` from an applicant's submission. */
export function receive(item: Item, sub: Submission, ctx: { readonly now: Date; readonly actor: Actor }): Verdict<Applied> {
  if (Number.isNaN(ctx.now.getTime())) return fail('FERRY_ERR_APPROVAL_CLOCK', 'the trusted time is not a valid date');
  if (typeof sub.caseId !== 'string' || !CASE_ID_RE.test(sub.caseId)) return fail('FERRY_ERR_APPROVAL_COMMAND', 'caseId must be 1–64 letters, digits, . _ -');
  if (!Array.isArray(sub.materials) || sub.materials.some((m) => typeof m !== 'string')) {
    return fail('FERRY_ERR_APPROVAL_COMMAND', 'materials must be a list of material ids');
  }
  if (ctx.actor.role !== 'applicant' || ctx.actor.id !== sub.applicantId) {
    return fail('FERRY_ERR_APPROVAL_ROLE', 'a case is submitted by its applicant');
  }
  const form = validateForm(item, sub.form);
  if (!form.ok) return form;
  const known = new Set(item.materials.map((m) => m.id));
  const bad = sub.materials.find((m, i) => !known.has(m) || sub.materials.indexOf(m) !== i);
  if (bad !== undefined) return fail('FERRY_ERR_APPROVAL_COMMAND', `materials: ${bad} is not a material of item ${item.code}, or is listed twice`);
  if (sub.greenChannel === true && !item.greenChannel.eligible) {
    return fail('FERRY_ERR_APPROVAL_GREEN', `item ${item.code} is not eligible for the green channel`);
  }
  const at = ctx.now.toISOString();
  const next: CaseState = {
    schema: 1,
    caseId: sub.caseId,
    applicantId: sub.applicantId,
    item,
    state: 'received',
    receivedAt: at,
    form: form.value,
    materials: [...sub.materials],
    greenRequested: sub.greenChannel === true,
    notices: [],
    supplements: [],
    tasks: [],
    pauses: [],
    payments: [],
    history: [{ seq: 0, at, event: 'submit', from: null, to: 'received', actor: { ...ctx.actor } }],
  };
  return { ok: true, value: { next, events: [event(next, 0, { type: 'received', itemCode: item.code })] } };
}

/** Apply one command. `command` may be undecoded input: its shape is checked first. */
export function apply(c: CaseState, command: Command | unknown, ctx: CaseContext): Verdict<Applied> {
  const parsed = parseCommand(command);
  if (!parsed.ok) return parsed;
  const cmd = parsed.value;
  const { now, actor } = ctx;
  if (Number.isNaN(now.getTime())) return fail('FERRY_ERR_APPROVAL_CLOCK', 'the trusted time is not a valid date');
  const lastAt = c.history.at(-1)?.at;
  if (lastAt !== undefined && now.toISOString() < lastAt) {
    return fail('FERRY_ERR_APPROVAL_CLOCK', `trusted time ${now.toISOString()} is before the last transition at ${lastAt}`);
  }
  const rows = rowsFor(c.state, cmd.type);
  if (rows.length === 0) return fail('FERRY_ERR_APPROVAL_TRANSITION', `no '${cmd.type}' from state '${c.state}'`);
  const mine = rows.filter((r) => r.roles.includes(actor.role));
  if (mine.length === 0) {
    return fail('FERRY_ERR_APPROVAL_ROLE', `'${cmd.type}' from '${c.state}' is for ${[...new Set(rows.flatMap((r) => r.roles))].join(' or ')}, not ${actor.role}`);
  }
  const who = identityCheck(c, actor);
  if (!who.ok) return who;

  let chosen: Transition | undefined;
  let firstRefusal: Verdict<null> | undefined;
  for (const r of mine) {
    const v = r.guard({ c, cmd, now, actor, calendar: ctx.calendar });
    if (v.ok) { chosen = r; break; }
    firstRefusal ??= v;
  }
  if (!chosen) return firstRefusal as Verdict<never>;

  const seq = c.history.length;
  const at = now.toISOString();
  const entry: HistoryEntry = {
    seq, at, event: cmd.type, from: c.state, to: chosen.to, actor: { ...actor },
    ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}),
  };
  const base: CaseState = { ...c, state: chosen.to, history: [...c.history, entry] };
  const step = { c: base, cmd, seq, at, actor, calendar: ctx.calendar, now };
  const { next, events } = EFFECTS[cmd.type](step as never);
  const changed = c.state !== chosen.to;
  const out = events.length === 0 && changed ? [event(next, seq, { type: 'status' })] : events;
  return { ok: true, value: { next, events: out } };
}

interface Step<E extends CaseEventName> {
  readonly c: CaseState;
  readonly cmd: CommandOf<E>;
  readonly seq: number;
  readonly at: string;
  readonly now: Date;
  readonly actor: Actor;
  readonly calendar: Calendar;
}

type Effect<E extends CaseEventName> = (s: Step<E>) => { next: CaseState; events: OutboundEvent[] };

type Payload = OutboundEvent extends infer U ? U extends OutboundEvent ? Omit<U, 'eventId' | 'caseId' | 'at' | 'status'> : never : never;

function event(c: CaseState, seq: number, p: Payload): OutboundEvent {
  return { ...p, eventId: eventId(c.caseId, seq, p.type), caseId: c.caseId, at: c.history[seq]!.at, status: c.state } as OutboundEvent;
}

const materialName = (c: CaseState, id: string): string => c.item.materials.find((m) => m.id === id)?.name ?? id;
const closePause = (pauses: readonly Pause[], at: string): Pause[] =>
  pauses.map((p) => (p.to === undefined ? { from: p.from, to: at } : p));
const DELIVERY: Record<Item['mode'], ResultIssue['delivery']> = { direct: 'online', 'pre-review': 'centre', extended: 'township' };

const EFFECTS: { [E in CaseEventName]: Effect<E> } = {
  accept: ({ c, cmd, seq, at, now, actor, calendar }) => {
    const greenLimit = c.item.greenChannel.eligible ? c.item.greenChannel.promisedDays : undefined;
    const green = (cmd.green ?? c.greenRequested) && greenLimit !== undefined;
    // Green channel: the shortened limit, and no department may take longer than the whole case.
    const limit = (days: number) => (green && greenLimit !== undefined ? Math.min(days, greenLimit) : days);
    // Parallel approval: every involved department's task starts at this one instant (同步启动).
    const tasks: Task[] = involvedDepartments(c.item).map((d) => ({
      department: d.code, departmentName: d.name, a: cmd.assignments[d.code]!.a, b: cmd.assignments[d.code]!.b,
      startedAt: at, limitDays: limit(d.taskDays),
    }));
    const tolerated = (cmd.tolerated ?? []).map((t) => ({ materialId: t.materialId, commitBy: t.commitBy }));
    const next: CaseState = {
      ...c, tasks,
      acceptance: { seq, at, by: actor.id, green, limitDays: limit(c.item.promisedDays), tolerated },
    };
    const clock = caseClock(next)!;
    return {
      next,
      events: [event(next, seq, {
        type: 'accepted', green, limitDays: clock.limitDays, dueDate: dueDate(calendar, clock, now),
        departments: tasks.map((t) => ({ name: t.departmentName, dueDate: dueDate(calendar, taskClock(next, t), now) })),
        commitments: tolerated.map((t) => ({ materialId: t.materialId, materialName: materialName(c, t.materialId), commitBy: t.commitBy })),
      })],
    };
  },
  notify: ({ c, cmd, seq, at, actor }) => {
    const afterAcceptance = c.acceptance !== undefined;
    const named = new Set(cmd.materials.map((m) => m.id));
    const next: CaseState = {
      ...c,
      notices: [...c.notices, { seq, at, by: actor.id, materials: cmd.materials.map((m) => ({ materialId: m.id, reason: m.reason })), afterAcceptance }],
      // A material named as missing or defective no longer counts as provided until it is supplied again.
      materials: c.materials.filter((id) => !named.has(id)),
      // After acceptance the case clock stops until the supplement arrives.
      pauses: afterAcceptance ? [...c.pauses, { from: at }] : c.pauses,
    };
    return {
      next,
      events: [event(next, seq, {
        type: 'notice', clockPaused: afterAcceptance,
        materials: cmd.materials.map((m) => ({ materialId: m.id, name: materialName(c, m.id), reason: m.reason })),
      })],
    };
  },
  supplement: ({ c, cmd, seq, at }) => ({
    next: {
      ...c,
      supplements: [...c.supplements, { seq, at, materials: [...cmd.materials] }],
      materials: [...c.materials, ...cmd.materials.filter((id) => !c.materials.includes(id))],
      pauses: closePause(c.pauses, at),
    },
    events: [],
  }),
  refuse: ({ c, cmd, seq }) => ({ next: c, events: [event(c, seq, { type: 'not-accepted', reason: cmd.reason })] }),
  'resume-review': ({ c }) => ({ next: c, events: [] }),
  'supply-committed': ({ c, cmd, seq, at }) => ({
    next: {
      ...c,
      materials: c.materials.includes(cmd.materialId) ? c.materials : [...c.materials, cmd.materialId],
      acceptance: {
        ...c.acceptance!,
        tolerated: c.acceptance!.tolerated.map((t) => (t.materialId === cmd.materialId ? { ...t, supplied: { seq, at } } : t)),
      },
    },
    events: [],
  }),
  'give-opinion': ({ c, cmd, at, actor }) => ({
    next: {
      ...c,
      tasks: c.tasks.map((t) => (t.department === actor.department
        ? { ...t, opinion: { verdict: cmd.verdict, reason: cmd.reason ?? '', by: actor.id, at } }
        : t)),
    },
    events: [],
  }),
  decide: ({ c, seq, at, actor }) => {
    const denials = c.tasks.filter((t) => t.opinion?.verdict === 'deny');
    const outcome = denials.length > 0 ? 'denied' : 'approved';
    const reasons = denials.map((t) => ({ department: t.department, reason: t.opinion!.reason }));
    const next: CaseState = { ...c, decision: { at, by: actor.id, outcome, reasons } };
    const events = [event(next, seq, {
      type: 'decision', outcome,
      reasons: denials.map((t) => ({ department: t.departmentName, reason: t.opinion!.reason })),
    })];
    // One charge: the whole fee is announced once, at the catalogue amount, when the grant is decided.
    if (outcome === 'approved' && c.item.fee.kind === 'charged') {
      events.push(event(next, seq, { type: 'fee-due', amountFen: c.item.fee.amountFen, legalBasis: c.item.fee.legalBasis }));
    }
    return { next, events };
  },
  'decide-on-the-spot': (s) => {
    const { c, cmd, seq, at, actor } = s;
    // One step stands for acceptance, the lead department's review and the decision, all at this
    // instant: the record has the shape of any decided case, so reports and supervision read it alike.
    const lead = c.item.leadDepartment;
    const opinion = { verdict: cmd.verdict, reason: cmd.reason ?? '', by: actor.id, at };
    const next: CaseState = {
      ...c,
      acceptance: { seq, at, by: actor.id, green: false, limitDays: 0, tolerated: [] },
      tasks: [{ department: lead.code, departmentName: lead.name, a: actor.id, b: actor.id, startedAt: at, limitDays: 0, opinion }],
    };
    return EFFECTS.decide({ ...s, c: next, cmd: { type: 'decide' } });
  },
  'record-payment': ({ c, cmd, at, actor }) => ({
    next: { ...c, payments: [...c.payments, { at, by: actor.id, amountFen: cmd.amountFen, reference: cmd.reference }] },
    events: [],
  }),
  'issue-result': ({ c, cmd, seq, at, actor }) => {
    const delivery = DELIVERY[c.item.mode];
    const next: CaseState = { ...c, result: { at, by: actor.id, delivery, ...(cmd.documentNo !== undefined ? { documentNo: cmd.documentNo } : {}) } };
    return {
      next,
      events: [event(next, seq, {
        type: 'result-ready', outcome: c.decision!.outcome, result: c.item.result, delivery,
        ...(cmd.documentNo !== undefined ? { documentNo: cmd.documentNo } : {}),
      })],
    };
  },
  close: ({ c, seq }) => ({ next: c, events: [event(c, seq, { type: 'closed', outcome: 'completed' })] }),
  withdraw: ({ c, seq, at }) => {
    const next: CaseState = { ...c, pauses: closePause(c.pauses, at) };
    return { next, events: [event(next, seq, { type: 'closed', outcome: 'withdrawn' })] };
  },
};
