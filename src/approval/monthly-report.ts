// The monthly circular (月度通报) per department: the figures behind "red-flag window" and "service
// star" awards — cases, on-time rate, working days taken against the limits, cards, satisfaction.
// A month is a county calendar month ('YYYY-MM', UTC+8); each figure counts what happened in it.

import type { Calendar } from './calendar.js';
import type { CaseState, Evaluation } from './case-state.js';
import { caseClock, isLate, taskClock, usedDays } from './deadlines.js';
import { involvedDepartments } from './item.js';
import { localDateOf } from './local-date.js';
import type { Card } from './supervision.js';

export interface DepartmentMonth {
  readonly department: string;
  readonly name: string;
  /** Cases this department took part in (lead or parallel) that were decided in the month. */
  readonly cases: number;
  /** Share of those decided within the case limit (promised, or green-channel); null when none. */
  readonly onTimeRate: number | null;
  /** Mean working days from acceptance to decision (pauses excluded). */
  readonly avgWorkingDays: number | null;
  /** Mean promised limit (green-channel limit where used) and statutory limit of the same cases. */
  readonly avgPromisedDays: number | null;
  readonly avgStatutoryDays: number | null;
  /** This department's own reviews (opinions) given in the month and their on-time share. */
  readonly reviews: number;
  readonly reviewOnTimeRate: number | null;
  readonly avgReviewDays: number | null;
  readonly yellowCards: number;
  readonly redCards: number;
  readonly evaluations: number;
  readonly avgScore: number | null;
  /** Share of evaluations scoring 4 or 5. */
  readonly satisfiedRate: number | null;
}

const inMonth = (iso: string, month: string) => localDateOf(new Date(iso)).slice(0, 7) === month;
const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const rate = (hits: number, n: number): number | null => (n === 0 ? null : hits / n);

/** Per-department figures for `month`, sorted by department code. */
export function monthlyReport(
  cases: readonly CaseState[], cards: readonly Card[], evaluations: readonly Evaluation[], month: string, calendar: Calendar,
): DepartmentMonth[] {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`monthlyReport: month must be YYYY-MM, got ${month}`);
  const names = new Map<string, string>();
  const deptsOf = new Map<string, readonly string[]>();
  for (const c of cases) {
    const ds = involvedDepartments(c.item);
    ds.forEach((d) => names.set(d.code, d.name));
    deptsOf.set(c.caseId, ds.map((d) => d.code));
  }
  for (const k of cards) if (!names.has(k.department)) names.set(k.department, k.department);

  return [...names.keys()].sort().map((dept) => {
    const decided = cases.filter((c) => c.decision && inMonth(c.decision.at, month) && deptsOf.get(c.caseId)!.includes(dept));
    const timed = decided.flatMap((c) => {
      const clock = caseClock(c);
      return clock ? [{ c, clock, end: new Date(c.decision!.at) }] : [];
    });
    const reviews = cases.flatMap((c) => c.tasks
      .filter((t) => t.department === dept && t.opinion && inMonth(t.opinion.at, month))
      .map((t) => ({ clock: taskClock(c, t), end: new Date(t.opinion!.at) })));
    const mine = cards.filter((k) => k.department === dept && inMonth(k.at, month));
    const evals = evaluations.filter((e) => inMonth(e.at, month) && (deptsOf.get(e.caseId) ?? []).includes(dept));
    const statutory = timed.flatMap(({ c }) => (c.item.statutoryDays !== undefined ? [c.item.statutoryDays] : []));
    return {
      department: dept,
      name: names.get(dept)!,
      cases: decided.length,
      onTimeRate: rate(timed.filter((x) => !isLate(calendar, x.clock, x.end)).length, timed.length),
      avgWorkingDays: mean(timed.map((x) => usedDays(calendar, x.clock, x.end))),
      avgPromisedDays: mean(timed.map((x) => x.clock.limitDays)),
      avgStatutoryDays: mean(statutory),
      reviews: reviews.length,
      reviewOnTimeRate: rate(reviews.filter((x) => !isLate(calendar, x.clock, x.end)).length, reviews.length),
      avgReviewDays: mean(reviews.map((x) => usedDays(calendar, x.clock, x.end))),
      yellowCards: mine.filter((k) => k.colour === 'yellow').length,
      redCards: mine.filter((k) => k.colour === 'red').length,
      evaluations: evals.length,
      avgScore: mean(evals.map((e) => e.score)),
      satisfiedRate: rate(evals.filter((e) => e.score >= 4).length, evals.length),
    };
  });
}
