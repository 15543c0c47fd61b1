// The intranet approval service around the pure core: it loads a case, runs one step through the
// core's transition table with the trusted time and an authenticated actor, and commits the next state,
// the transition log, the outbound events and the audit call together — or nothing.
//
// Transactions: every writer runs in db.transaction(...).immediate(). better-sqlite3 turns a transaction
// opened inside another into a SAVEPOINT, so the gateway can call receiveSubmission/applicantAction
// inside its inbox transaction and the packet, the case and its events commit (or roll back) as one.
// A refusal is returned before the first write, so a refused step leaves no row behind — with one
// exception: a charge of the wrong amount is refused AND filed as a red card (一次收费 is supervised).

import {
  apply, evaluate, findItem, receive, refusedFeeCard, rowsFor,
  type Actor, type Calendar, type Catalogue, type CaseState, type OutboundEvent, type Role,
} from '../approval/index.js';
import { parseCommand } from '../approval/command.js';
import { fail, type Verdict } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import { ApprovalStore, type CaseRow } from './store/approval-store.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../time/clock.js';
import { noAudit, stateOf, eventOf, type AuditFn } from './case-record.js';
import { createDeskViews, type DeskViews } from './desk-views.js';
import { coreRoles, may, type StaffIdentity } from './roles.js';
import type { DeskSettings } from './settings.js';
import { checkAttachments, toCoreSubmission, type AttachmentMeta, type IncomingSubmission } from './submission.js';

type Refusal = Extract<Verdict<never>, { ok: false }>;

export interface DeskDeps {
  readonly db: Db;
  readonly catalogue: Catalogue;
  readonly calendar: Calendar;
  /** The trusted clock (src/time), never the host clock. */
  readonly clock: Clock;
  readonly settings: DeskSettings;
  readonly log: Logger;
  /** Called once per action inside the action's transaction; if it throws, the action rolls back. */
  readonly audit?: AuditFn;
  /** The desk emits nothing itself: outbound events wait in outbound_events for the gateway. */
  readonly emit?: never;
}

/** Commands an applicant's packet may carry (everything else is staff work). */
export const APPLICANT_COMMANDS = ['supplement', 'withdraw', 'supply-committed', 'evaluate'] as const;

export interface ApplicantOptions {
  /** Trusted time the packet was committed; defaults to the desk clock. */
  readonly receivedAt?: Date;
  /** Files that came with a supplement or a committed material. */
  readonly attachments?: readonly AttachmentMeta[];
}

export interface ApprovalDesk extends DeskViews {
  readonly store: ApprovalStore;
  receiveSubmission(s: IncomingSubmission): Verdict<OutboundEvent[]>;
  act(staff: StaffIdentity, caseId: string, command: unknown, opts?: { expectedVersion?: number }): Verdict<OutboundEvent[]>;
  applicantAction(caseId: string, command: unknown, opts?: ApplicantOptions): Verdict<OutboundEvent[]>;
  /** Undispatched events, oldest first. */
  pendingEvents(limit: number): OutboundEvent[];
  /** Mark events dispatched (call in the transaction that stores their packets); returns how many changed. */
  markDispatched(eventIds: readonly string[]): number;
}

/** What every step works with; built once per createApprovalDesk. */
interface DeskCtx {
  readonly d: DeskDeps;
  readonly store: ApprovalStore;
  readonly audit: AuditFn;
}

type What = Record<string, unknown>;

export function createApprovalDesk(d: DeskDeps): ApprovalDesk {
  const store = new ApprovalStore(d.db);
  const ctx: DeskCtx = { d, store, audit: d.audit ?? noAudit };
  // Each writer is one better-sqlite3 transaction, made once (see the header on nesting).
  const receiveTx = d.db.transaction((s: IncomingSubmission) => receiveStep(ctx, s));
  const actTx = d.db.transaction((staff: StaffIdentity, caseId: string, command: unknown, expectedVersion: number | undefined) =>
    staffStep(ctx, staff, caseId, command, expectedVersion));
  const applicantTx = d.db.transaction((caseId: string, command: unknown, opts: ApplicantOptions) => applicantStep(ctx, caseId, command, opts));
  const dispatchTx = d.db.transaction((ids: readonly string[]) => markDispatched(ctx, ids));
  return {
    store,
    ...createDeskViews({ store, catalogue: d.catalogue, calendar: d.calendar, clock: d.clock, settings: d.settings }),
    receiveSubmission: (s) => receiveTx.immediate(s),
    act: (staff, caseId, command, opts = {}) => actTx.immediate(staff, caseId, command, opts.expectedVersion),
    applicantAction: (caseId, command, opts = {}) => applicantTx.immediate(caseId, command, opts),
    pendingEvents: (limit) => store.pendingEvents(Math.max(1, Math.min(limit, 10_000))).map((r) => eventOf(r.payload)),
    markDispatched: (ids) => dispatchTx.immediate(ids),
  };
}

function refuse(ctx: DeskCtx, v: Refusal, caseId: string, what: What): Refusal {
  // The case id may be hostile input (a URL segment): bounded before it reaches a log or the audit.
  const id = String(caseId).slice(0, 80);
  ctx.d.log.warn({ stage: 'desk', case: id, ...what, code: v.code, detail: v.detail }, 'case step refused');
  ctx.audit('case.refused', id, { ...what, code: v.code });
  return v;
}

/** Persist a step: the case at its new version, every new history entry, the events, then audit. */
function commit(ctx: DeskCtx, row: CaseRow, prev: CaseState, next: CaseState, events: readonly OutboundEvent[], at: Date,
  extra: { evaluate?: boolean; attachments?: readonly AttachmentMeta[] } = {}): Verdict<OutboundEvent[]> {
  const { store } = ctx;
  if (!store.updateCase(row.caseId, row.version, next.state, JSON.stringify(next), at.getTime())) {
    return fail('FERRY_ERR_DESK_CONFLICT', `case ${row.caseId} changed since version ${row.version}`);
  }
  for (const e of next.history.slice(prev.history.length)) {
    store.insertTransition({
      caseId: row.caseId, seq: e.seq, at: e.at, actor: e.actor.id, role: e.actor.role, department: e.actor.department ?? null,
      event: e.event, fromStatus: e.from, toStatus: e.to, reason: e.reason ?? null,
    });
  }
  const seq = next.history.length - 1;
  if (extra.attachments && extra.attachments.length > 0) store.addAttachments(row.caseId, seq, extra.attachments);
  if (extra.evaluate && next.evaluation) {
    const ev = next.evaluation;
    store.insertEvaluation({ caseId: row.caseId, score: ev.score, comment: ev.comment, at: ev.at });
    // The evaluation is an action on the case too; it follows the last history entry in the log.
    store.insertTransition({
      caseId: row.caseId, seq: next.history.length, at: ev.at, actor: next.applicantId, role: 'applicant', department: null,
      event: 'evaluate', fromStatus: next.state, toStatus: next.state, reason: null,
    });
  }
  for (const e of events) store.insertEvent(e.eventId, e.caseId, e.type, JSON.stringify(e), at.getTime());
  return { ok: true, value: [...events] };
}

function loadRow(ctx: DeskCtx, caseId: string): Verdict<CaseRow> {
  const row = typeof caseId === 'string' ? ctx.store.getCase(caseId) : undefined;
  return row ? { ok: true, value: row } : fail('FERRY_ERR_DESK_NO_CASE', `no case ${String(caseId).slice(0, 80)}`);
}

function receiveStep(ctx: DeskCtx, s: IncomingSubmission): Verdict<OutboundEvent[]> {
  const { d, store } = ctx;
  const caseId = typeof s?.caseId === 'string' ? s.caseId : '(none)';
  const sub = toCoreSubmission(s);
  if (!sub.ok) return refuse(ctx, sub, caseId, { event: 'submit' });
  const item = findItem(d.catalogue, s.itemCode);
  if (!item) return refuse(ctx, fail('FERRY_ERR_APPROVAL_UNKNOWN_ITEM', `no catalogue item ${String(s.itemCode).slice(0, 64)}`), caseId, { event: 'submit' });
  if (store.getCase(caseId)) return refuse(ctx, fail('FERRY_ERR_DESK_CASE_EXISTS', `case ${caseId} already exists`), caseId, { event: 'submit' });
  const actor: Actor = { role: 'applicant', id: sub.value.core.applicantId };
  const r = receive(item, sub.value.core, { now: s.receivedAt, actor });
  if (!r.ok) return refuse(ctx, r, caseId, { event: 'submit', item: item.code });
  const { next, events } = r.value;
  const at = s.receivedAt.getTime();
  store.insertCase({
    caseId, itemCode: item.code, leadDepartment: item.leadDepartment.code, status: next.state,
    state: JSON.stringify(next), receivedAt: at, updatedAt: at,
  });
  store.insertSubmission(caseId, {
    channel: s.channel, township: s.township ?? null, receivedAt: at,
    applicant: JSON.stringify(s.submission.applicant),
  });
  store.addAttachments(caseId, 0, sub.value.attachments);
  const e0 = next.history[0]!;
  store.insertTransition({
    caseId, seq: 0, at: e0.at, actor: actor.id, role: 'applicant', department: null, event: 'submit', fromStatus: null, toStatus: next.state, reason: null,
  });
  for (const e of events) store.insertEvent(e.eventId, caseId, e.type, JSON.stringify(e), at);
  ctx.audit('case.submit', caseId, { item: item.code, channel: s.channel, attachments: sub.value.attachments.length, green: next.greenRequested });
  d.log.info({ stage: 'desk', case: caseId, item: item.code, event: 'submit', channel: s.channel }, 'case received');
  return { ok: true, value: [...events] };
}

function staffStep(ctx: DeskCtx, staff: StaffIdentity, caseId: string, command: unknown, expectedVersion: number | undefined): Verdict<OutboundEvent[]> {
  const what = { actor: staff.id, event: typeof (command as { type?: unknown })?.type === 'string' ? String((command as { type: string }).type).slice(0, 32) : '(none)' };
  if (!may(staff, 'case.act')) return refuse(ctx, fail('FERRY_ERR_DESK_FORBIDDEN', `${staff.roles.join(', ')} may not change a case`), caseId, what);
  const rowV = loadRow(ctx, caseId);
  if (!rowV.ok) return refuse(ctx, rowV, caseId, what);
  const row = rowV.value;
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    return refuse(ctx, fail('FERRY_ERR_DESK_STALE', `case ${caseId} is at version ${row.version}, not ${expectedVersion}`), caseId, what);
  }
  const cmd = parseCommand(command);
  if (!cmd.ok) return refuse(ctx, cmd, caseId, what);
  const c = stateOf(row);
  const now = ctx.d.clock.now();
  const tried = applyAsStaff(ctx, staff, caseId, row, c, cmd.value, now);
  if (tried.done) return tried.done.ok ? tried.done : refuse(ctx, tried.done, caseId, what);
  if (tried.first?.code === 'FERRY_ERR_APPROVAL_FEE_AMOUNT' && cmd.value.type === 'record-payment') {
    fileRefusedFeeCard(ctx, c, staff, cmd.value.amountFen, now);
  }
  return refuse(ctx, tried.first ?? fail('FERRY_ERR_DESK_FORBIDDEN', 'no case-handling role'), caseId, what);
}

type Command = Extract<ReturnType<typeof parseCommand>, { ok: true }>['value'];

/** The core decides by role; a staff member holding several roles acts as the first one the table
 *  allows for this step and whose identity rules (lead department, A/B assignment) they meet.
 *  `done`: the committed step (or its commit's refusal); else `first`: the first role's refusal. */
function applyAsStaff(ctx: DeskCtx, staff: StaffIdentity, caseId: string, row: CaseRow, c: CaseState, cmd: Command, now: Date):
  { done?: Verdict<OutboundEvent[]>; first?: Refusal } {
  const allowed = new Set(rowsFor(c.state, cmd.type).flatMap((t) => t.roles));
  const mine = coreRoles(staff);
  const candidates: Role[] = mine.filter((r) => allowed.has(r));
  let first: Refusal | undefined;
  for (const role of candidates.length > 0 ? candidates : mine.slice(0, 1)) {
    const actor: Actor = { role, id: staff.id, department: staff.department };
    const r = apply(c, cmd, { now, actor, calendar: ctx.d.calendar });
    if (!r.ok) { first ??= r; continue; }
    const done = commit(ctx, row, c, r.value.next, r.value.events, now);
    if (!done.ok) return { done };
    ctx.audit(`case.${cmd.type}`, caseId, {
      actor: staff.id, role, department: staff.department, from: c.state, to: r.value.next.state,
      reason: cmd.reason ?? null, events: r.value.events.map((e) => e.eventId),
    });
    ctx.d.log.info({ stage: 'desk', case: caseId, event: cmd.type, actor: staff.id, role, from: c.state, to: r.value.next.state }, 'case step');
    return { done };
  }
  return first ? { first } : {};
}

/** 一次收费 is supervised: a charge of the wrong amount is refused AND filed as a red card. */
function fileRefusedFeeCard(ctx: DeskCtx, c: CaseState, staff: StaffIdentity, amountFen: number, now: Date): void {
  const k = refusedFeeCard(c, { by: staff.id, amountFen, at: now });
  if (ctx.store.insertCard({ cardId: k.id, caseId: k.caseId, colour: k.colour, kind: k.kind, subject: k.subject, department: k.department,
    officer: k.officer ?? null, at: k.at, detail: k.detail, issuedAt: now.getTime() })) {
    ctx.audit('supervision.card', k.id, { colour: k.colour, kind: k.kind, department: k.department, officer: k.officer ?? null, at: k.at });
    ctx.d.log.warn({ stage: 'supervision', case: k.caseId, card: k.id, colour: k.colour, kind: k.kind, department: k.department }, 'supervision card issued');
  }
}

function applicantStep(ctx: DeskCtx, caseId: string, command: unknown, opts: ApplicantOptions): Verdict<OutboundEvent[]> {
  const type = (command as { type?: unknown })?.type;
  const what = { actor: 'applicant', event: typeof type === 'string' ? type.slice(0, 32) : '(none)' };
  if (typeof type !== 'string' || !(APPLICANT_COMMANDS as readonly string[]).includes(type)) {
    return refuse(ctx, fail('FERRY_ERR_DESK_FORBIDDEN', `an applicant may send ${APPLICANT_COMMANDS.join(', ')}`), caseId, what);
  }
  const rowV = loadRow(ctx, caseId);
  if (!rowV.ok) return refuse(ctx, rowV, caseId, what);
  const row = rowV.value;
  const attachments = checkAttachments(opts.attachments ?? [], 'attachments');
  if (!attachments.ok) return refuse(ctx, attachments, caseId, what);
  const c = stateOf(row);
  const now = opts.receivedAt ?? ctx.d.clock.now();
  // The external gateway answers for the link between a packet and its case's applicant; the desk
  // acts as that applicant, so only the case's own applicant id ever appears in its history.
  const actor: Actor = { role: 'applicant', id: c.applicantId };
  if (type === 'evaluate') return evaluateStep(ctx, caseId, row, c, command, { now, actor }, what);
  const r = apply(c, command, { now, actor, calendar: ctx.d.calendar });
  if (!r.ok) return refuse(ctx, r, caseId, what);
  const done = commit(ctx, row, c, r.value.next, r.value.events, now, { attachments: attachments.value });
  if (!done.ok) return refuse(ctx, done, caseId, what);
  ctx.audit(`case.${type}`, caseId, { actor: 'applicant', from: c.state, to: r.value.next.state, attachments: attachments.value.length, events: r.value.events.map((e) => e.eventId) });
  ctx.d.log.info({ stage: 'desk', case: caseId, event: type, from: c.state, to: r.value.next.state }, 'case step');
  return done;
}

/** The applicant's evaluation (好差评): its own fields, checked here, then the core's evaluate. */
function evaluateStep(ctx: DeskCtx, caseId: string, row: CaseRow, c: CaseState, command: unknown, at: { now: Date; actor: Actor }, what: What): Verdict<OutboundEvent[]> {
  const { score, comment, ...rest } = command as { score?: unknown; comment?: unknown };
  const unknown = Object.keys(rest).find((k) => k !== 'type');
  if (unknown) return refuse(ctx, fail('FERRY_ERR_APPROVAL_COMMAND', `evaluate: unknown field ${unknown.slice(0, 32)}`), caseId, what);
  const r = evaluate(c, { score: score as number, ...(comment !== undefined ? { comment: comment as string } : {}) }, at);
  if (!r.ok) return refuse(ctx, r, caseId, what);
  const done = commit(ctx, row, c, r.value.next, [], at.now, { evaluate: true });
  if (!done.ok) return refuse(ctx, done, caseId, what);
  ctx.audit('case.evaluate', caseId, { score: r.value.evaluation.score });
  ctx.d.log.info({ stage: 'desk', case: caseId, event: 'evaluate', score: r.value.evaluation.score }, 'case evaluated');
  return done;
}

function markDispatched(ctx: DeskCtx, ids: readonly string[]): number {
  const at = ctx.d.clock.now().getTime();
  let n = 0;
  for (const id of ids) if (ctx.store.markDispatched(id, at)) n++;
  if (n > 0) ctx.audit('events.dispatched', `${n} events`, { eventIds: [...ids] });
  return n;
}
