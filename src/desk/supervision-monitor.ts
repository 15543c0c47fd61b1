// Electronic supervision (电子监察) on a timer: run the core's inspect() over the cases that can have a
// new card — changed since their last inspection, or past their next deadline (the indexed
// next_deadline column, NEXT_DEADLINE_SQL) — and record new cards. inspect() is monotone and its card
// ids stable, so recording is insert-if-absent: a card found again is left exactly as it was, and a
// finding is never issued twice. Nothing is sent outward; supervisors read the supervision_queue view
// (GET /api/v1/staff/supervision/cards).
//
// At scale (issue 12: 43,000 open cases read in one statement every minute grew the gateway by 170 MB
// and stalled /health), a pass reads a page at a time by keyset (never OFFSET), one short transaction
// per page, and the timer's pass yields to the event loop between pages. Memory is one page; the work is
// the cases due, not the cases open.

import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { inspect, nextDeadline, type Calendar, type Card, type SupervisionSettings } from '../approval/index.js';
import { isFerryError } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import { ApprovalStore, type CaseRow } from './store/approval-store.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../time/clock.js';
import { noAudit, stateOf, type AuditFn } from './case-record.js';

/** Cases per page. Inspecting one case (parse its state, inspect, next deadline, record) costs about
 *  0.5–1 ms on the reference 2-core machine (bench/supervision-scale.ts), so a page of 25 holds the event
 *  loop for ~15–25 ms between yields: /health and the link's heartbeats wait at most that long. */
export const SUPERVISION_PAGE = 25;

export interface SupervisionDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: SupervisionSettings;
  readonly calendar: Calendar;
  readonly log: Logger;
  readonly audit?: AuditFn;
  readonly pageSize?: number;
}

export interface PassResult {
  readonly inspected: number;
  readonly newCards: number;
  /** Cases whose inspection threw (a deadline in a year with no calendar installed); retried next pass. */
  readonly failed: number;
  /** Case rows read from the database (the cost of the pass: the cases due, not the cases open). */
  readonly read: number;
}

interface Counters { inspected: number; newCards: number; failed: number; read: number }

/** The hash of what the stored deadlines were computed with; a new one makes every deadline due. */
function basisOf(d: SupervisionDeps): string {
  return createHash('sha256').update(JSON.stringify({ settings: d.settings, calendar: d.calendar })).digest('hex');
}

/** One pass as a sequence of pages; each call of the returned step runs one page in its own
 *  transaction and says whether more may follow. */
function passSteps(d: SupervisionDeps): { step: () => boolean; result: () => PassResult } {
  const store = new ApprovalStore(d.db);
  const audit = d.audit ?? noAudit;
  const limit = Math.max(1, d.pageSize ?? SUPERVISION_PAGE);
  const n: Counters = { inspected: 0, newCards: 0, failed: 0, read: 0 };
  const basis = basisOf(d);
  if (store.supervisionBasis() !== basis) d.db.transaction(() => store.resetSupervisionBasis(basis)).immediate();
  const now = d.clock.now();
  let phase: 'changed' | 'due' | 'done' = 'changed';
  let afterCase = '';
  let after = { deadline: -1, caseId: '' };

  const one = (row: CaseRow) => {
    n.read++;
    const c = stateOf(row);
    let cards: Card[];
    let next: Date | undefined;
    try {
      cards = inspect(c, now, d.settings, d.calendar);
      next = nextDeadline(c, now, d.settings, d.calendar);
    } catch (e) {
      if (!isFerryError(e)) throw e;
      n.failed++;
      d.log.error({ stage: 'supervision', case: row.caseId, code: e.code, err: e.message }, 'case not inspected');
      return;
    }
    for (const k of cards) {
      const fresh = store.insertCard({
        cardId: k.id, caseId: k.caseId, colour: k.colour, kind: k.kind, subject: k.subject, department: k.department,
        officer: k.officer ?? null, at: k.at, detail: k.detail, issuedAt: now.getTime(),
      });
      if (!fresh) continue;
      n.newCards++;
      audit('supervision.card', k.id, { colour: k.colour, kind: k.kind, department: k.department, officer: k.officer ?? null, at: k.at });
      d.log.warn({ stage: 'supervision', case: k.caseId, card: k.id, colour: k.colour, kind: k.kind, department: k.department }, 'supervision card issued');
    }
    // Inspected at this version; it comes back when it changes or its next threshold arrives.
    store.markInspected(row.caseId, row.version, next?.getTime() ?? null);
    n.inspected++;
  };

  const page = d.db.transaction((): boolean => {
    if (phase === 'changed') {
      const rows = store.changedPage(afterCase, limit);
      for (const r of rows) { one(r); afterCase = r.caseId; }
      if (rows.length < limit) phase = 'due';
      return true;
    }
    if (phase === 'due') {
      const rows = store.duePage(now.getTime(), after, limit);
      for (const r of rows) { one(r); after = { deadline: r.nextDeadline, caseId: r.caseId }; }
      if (rows.length < limit) phase = 'done';
    }
    return phase !== 'done';
  });
  return { step: () => page.immediate(), result: () => ({ ...n }) };
}

/** A whole pass without yielding (the CLI, tests, and runNow). A case that cannot be inspected is
 *  logged and skipped, so one case whose deadline runs into an uninstalled calendar year does not blind
 *  the monitor to the rest. */
export function runSupervisionPass(d: SupervisionDeps): PassResult {
  const p = passSteps(d);
  while (p.step()) { /* next page */ }
  return p.result();
}

/** The same pass, yielding to the event loop between pages (the gateway's timer), so /health and the
 *  link's heartbeats are answered while a pass over many due cases runs. */
export async function runSupervisionPassYielding(d: SupervisionDeps, stopped: () => boolean = () => false): Promise<PassResult> {
  const p = passSteps(d);
  // Stopping between pages: the gateway closes the database right after stop().
  while (p.step()) {
    await yieldToLoop();
    if (stopped()) break;
  }
  return p.result();
}

export interface SupervisionMonitor {
  /** Run a whole pass now, without yielding (also retried by the timer). */
  runNow(): PassResult | undefined;
  stop(): void;
}

/** Start the monitor: a pass at once, then one every intervalMs after the last ended. A pass that fails
 *  (a locked or broken database) is logged and retried at the next interval; passes never overlap. */
export function startSupervisionMonitor(d: SupervisionDeps & { readonly intervalMs: number }): SupervisionMonitor {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const report = (r: PassResult) => {
    if (r.newCards > 0 || r.failed > 0) d.log.info({ stage: 'supervision', ...r }, 'supervision pass');
    return r;
  };
  const fault = (e: unknown) => {
    const code = (e as { code?: unknown }).code;
    d.log.error({ stage: 'supervision', code: typeof code === 'string' ? code : undefined, err: (e as Error).message }, 'supervision pass failed');
    return undefined;
  };
  const runNow = (): PassResult | undefined => {
    try { return report(runSupervisionPass(d)); } catch (e) { return fault(e); }
  };
  const tick = async () => {
    if (stopped) return;
    try { report(await runSupervisionPassYielding(d, () => stopped)); } catch (e) { if (!stopped) fault(e); }
    if (!stopped) {
      timer = setTimeout(() => void tick(), d.intervalMs);
      timer.unref();
    }
  };
  timer = setTimeout(() => void tick(), 0);
  timer.unref();
  return {
    runNow,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
