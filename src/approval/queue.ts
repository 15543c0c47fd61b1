// Work queues: what a window or a department should handle next. Green-channel cases (绿色通道:
// 特事特办、急事急办) come first in every queue; then the earliest deadline; then the longest waiting;
// then the case id, so the order is total and the same on every screen.

import type { Calendar } from './calendar.js';
import type { CaseState } from './case-state.js';
import { caseClock, dueInstant, taskClock } from './deadlines.js';
import { DEFAULT_ACCEPTANCE_DECISION_DAYS } from './settings.js';

export interface QueueEntry {
  readonly caseId: string;
  readonly green: boolean;
  /** The deadline that matters for this queue (ISO instant), if the case has one. */
  readonly dueAt?: string;
  /** When the case started waiting for this queue (ISO instant). */
  readonly waitingSince: string;
}

/** The entry for a case in the queue of `department` (its task), or in the window queue (no
 *  department: the acceptance decision before acceptance, the case limit after). Undefined when the
 *  case is not waiting for that queue. */
export function queueEntry(c: CaseState, calendar: Calendar, now: Date, department?: string,
  acceptanceDecisionDays = DEFAULT_ACCEPTANCE_DECISION_DAYS): QueueEntry | undefined {
  const green = c.acceptance ? c.acceptance.green : c.greenRequested && c.item.greenChannel.eligible;
  const entry = (waitingSince: string, due?: Date): QueueEntry =>
    ({ caseId: c.caseId, green, waitingSince, ...(due ? { dueAt: due.toISOString() } : {}) });
  if (department !== undefined) {
    const t = c.tasks.find((x) => x.department === department);
    if (!t || t.opinion || (c.state !== 'accepted' && c.state !== 'under-review')) return undefined;
    return entry(t.startedAt, dueInstant(calendar, taskClock(c, t), now));
  }
  switch (c.state) {
    case 'received':
    case 'supplemented': {
      const since = c.history.at(-1)!.at;
      if (c.acceptance) return entry(since, dueInstant(calendar, caseClock(c)!, now));
      return entry(since, dueInstant(calendar, { startAt: since, limitDays: acceptanceDecisionDays, pauses: [] }, now));
    }
    case 'under-review':
      // The window watches the case as a whole once every opinion is in (ready for the decision).
      return c.tasks.every((t) => t.opinion) ? entry(c.history.at(-1)!.at, dueInstant(calendar, caseClock(c)!, now)) : undefined;
    case 'decided-approved':
    case 'decided-denied':
    case 'result-issued':
      return entry(c.history.at(-1)!.at);
    default:
      return undefined;
  }
}

/** Total order: green first, earliest deadline (none last), longest waiting, case id. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  if (a.green !== b.green) return a.green ? -1 : 1;
  if (a.dueAt !== b.dueAt) {
    if (a.dueAt === undefined) return 1;
    if (b.dueAt === undefined) return -1;
    return a.dueAt < b.dueAt ? -1 : 1;
  }
  if (a.waitingSince !== b.waitingSince) return a.waitingSince < b.waitingSince ? -1 : 1;
  return a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}

/** A new array in queue order. */
export function orderQueue(entries: readonly QueueEntry[]): QueueEntry[] {
  return [...entries].sort(compareQueueEntries);
}
