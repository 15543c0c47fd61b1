// Deadlines in working days from a trusted start instant, with pauses excluded.
//
// Counting rule (see calendar.ts): the start date is not counted; day k is the k-th COUNTED working day
// after it; a limit of N days ends at 24:00 of day N. A pause (notice after acceptance → supplement)
// removes from the count every working day d with notice date < d ≤ supplement date: the day the notice
// goes out was worked, the day the supplement arrives is its own "start day" and is not counted.
// A pause still open at `asOf` is taken to run through asOf's date.

import { addWorkingDays, isWorkingDay, type Calendar } from './calendar.js';
import type { CaseState, Pause, Task } from './case-state.js';
import { addDays, endOfLocalDay, localDateOf, startOfLocalDay, type LocalDate } from './local-date.js';

export interface Clocked {
  readonly startAt: string;
  readonly limitDays: number;
  readonly pauses: readonly Pause[];
}

export function caseClock(c: CaseState): Clocked | undefined {
  return c.acceptance ? { startAt: c.acceptance.at, limitDays: c.acceptance.limitDays, pauses: c.pauses } : undefined;
}

export function taskClock(c: CaseState, t: Task): Clocked {
  return { startAt: t.startedAt, limitDays: t.limitDays, pauses: c.pauses };
}

function pausedDays(cal: Calendar, pauses: readonly Pause[], asOf: Date): Set<LocalDate> {
  const days = new Set<LocalDate>();
  for (const p of pauses) {
    const from = new Date(p.from);
    if (from > asOf) continue;
    const to = p.to !== undefined && new Date(p.to) < asOf ? new Date(p.to) : asOf;
    const last = localDateOf(to);
    for (let d = addDays(localDateOf(from), 1); d <= last; d = addDays(d, 1)) {
      if (isWorkingDay(cal, d)) days.add(d);
    }
  }
  return days;
}

/** The k-th counted working day (k ≥ 1) after the start date, as known at asOf. */
export function nthCountedDay(cal: Calendar, clock: Clocked, k: number, asOf: Date): LocalDate {
  const paused = pausedDays(cal, clock.pauses, asOf);
  let d = localDateOf(new Date(clock.startAt));
  // A limit of 0 (a same-day item, 即办件) ends with the start day itself, or with the next working
  // day when the case arrived on a rest day (filed online on a Sunday).
  if (k === 0) return isWorkingDay(cal, d) ? d : addWorkingDays(cal, d, 1);
  for (let left = k; left > 0;) {
    d = addWorkingDays(cal, d, 1);
    if (!paused.has(d)) left--;
  }
  return d;
}

/** The last working day of the limit, as known at asOf. */
export function dueDate(cal: Calendar, clock: Clocked, asOf: Date): LocalDate {
  return nthCountedDay(cal, clock, clock.limitDays, asOf);
}

/** The instant the limit runs out: 24:00 county time of the due date. */
export function dueInstant(cal: Calendar, clock: Clocked, asOf: Date): Date {
  return endOfLocalDay(dueDate(cal, clock, asOf));
}

/** Counted working days used by `at`: counted days d with start date < d ≤ at's date. */
export function usedDays(cal: Calendar, clock: Clocked, at: Date): number {
  const paused = pausedDays(cal, clock.pauses, at);
  const last = localDateOf(at);
  let n = 0;
  for (let d = addDays(localDateOf(new Date(clock.startAt)), 1); d <= last; d = addDays(d, 1)) {
    if (isWorkingDay(cal, d) && !paused.has(d)) n++;
  }
  return n;
}

/** The day on which the used share first reaches `share` of the limit: day ⌈share × limit⌉ (at least
 *  day 1). The warning applies from the start of that day. */
/** The counted day the yellow card comes on: the first whose used share of the limit reaches `share`. */
export function warningDay(limitDays: number, share: number): number {
  // The epsilon keeps 0.8 × 15 = 12.000000000000002 from becoming day 13.
  return Math.max(1, Math.ceil(share * limitDays - 1e-9));
}

export function warningInstant(cal: Calendar, clock: Clocked, share: number, asOf: Date): Date {
  return startOfLocalDay(nthCountedDay(cal, clock, warningDay(clock.limitDays, share), asOf));
}

/** Finished (or, for an open clock, checked at asOf) after the due date? */
export function isLate(cal: Calendar, clock: Clocked, endAt: Date): boolean {
  return endAt >= dueInstant(cal, clock, endAt);
}
