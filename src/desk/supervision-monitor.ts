// Electronic supervision (电子监察) on a timer: run the core's inspect() over every open case, and once
// more over each case that ended since its last inspection, and record new cards. inspect() is monotone
// and its card ids stable, so recording is insert-if-absent: a card found again is left exactly as it
// was, and a finding is never issued twice. Nothing is sent outward; supervisors read the
// supervision_queue view (GET /api/v1/staff/supervision/cards).

import { ENDED_STATES, inspect, type Calendar, type Card, type SupervisionSettings } from '../approval/index.js';
import { isFerryError } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import { ApprovalStore } from './store/approval-store.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../time/clock.js';
import { noAudit, stateOf, type AuditFn } from './case-record.js';

export interface SupervisionDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: SupervisionSettings;
  readonly calendar: Calendar;
  readonly log: Logger;
  readonly audit?: AuditFn;
}

export interface PassResult {
  readonly inspected: number;
  readonly newCards: number;
  /** Cases whose inspection threw (a deadline in a year with no calendar installed); retried next pass. */
  readonly failed: number;
}

/** One inspection pass, in one transaction. A case that cannot be inspected is logged and skipped,
 *  so one case whose deadline runs into an uninstalled calendar year does not blind the monitor to the
 *  rest. */
export function runSupervisionPass(d: SupervisionDeps): PassResult {
  const store = new ApprovalStore(d.db);
  const audit = d.audit ?? noAudit;
  return d.db.transaction((): PassResult => {
    const now = d.clock.now();
    const issuedAt = now.getTime();
    let inspected = 0;
    let newCards = 0;
    let failed = 0;
    for (const row of store.casesToInspect(ENDED_STATES)) {
      let cards: Card[];
      try {
        cards = inspect(stateOf(row), now, d.settings, d.calendar);
      } catch (e) {
        if (!isFerryError(e)) throw e;
        failed++;
        d.log.error({ stage: 'supervision', case: row.caseId, code: e.code, err: e.message }, 'case not inspected');
        continue;
      }
      for (const k of cards) {
        const fresh = store.insertCard({
          cardId: k.id, caseId: k.caseId, colour: k.colour, kind: k.kind, subject: k.subject, department: k.department,
          officer: k.officer ?? null, at: k.at, detail: k.detail, issuedAt,
        });
        if (!fresh) continue;
        newCards++;
        audit('supervision.card', k.id, { colour: k.colour, kind: k.kind, department: k.department, officer: k.officer ?? null, at: k.at });
        d.log.warn({ stage: 'supervision', case: k.caseId, card: k.id, colour: k.colour, kind: k.kind, department: k.department }, 'supervision card issued');
      }
      // An ended case never changes again, so once inspected at this version it leaves the pass.
      store.markInspected(row.caseId, row.version);
      inspected++;
    }
    return { inspected, newCards, failed };
  }).immediate();
}

export interface SupervisionMonitor {
  /** Run a pass now (also what the timer does). */
  runNow(): PassResult | undefined;
  stop(): void;
}

/** Start the monitor: a pass at once, then one every intervalMs. A pass that fails (a locked or broken
 *  database) is logged and retried at the next interval; passes never overlap. */
export function startSupervisionMonitor(d: SupervisionDeps & { readonly intervalMs: number }): SupervisionMonitor {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runNow = (): PassResult | undefined => {
    try {
      const r = runSupervisionPass(d);
      if (r.newCards > 0 || r.failed > 0) d.log.info({ stage: 'supervision', ...r }, 'supervision pass');
      return r;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      d.log.error({ stage: 'supervision', code: typeof code === 'string' ? code : undefined, err: (e as Error).message }, 'supervision pass failed');
      return undefined;
    }
  };
  const tick = () => {
    if (stopped) return;
    runNow();
    if (!stopped) {
      timer = setTimeout(tick, d.intervalMs);
      timer.unref();
    }
  };
  timer = setTimeout(tick, 0);
  timer.unref();
  return {
    runNow,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
