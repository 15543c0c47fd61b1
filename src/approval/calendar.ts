// The working-day calendar: config/calendar/cn-<year>.yaml, the national public holidays and the
// make-up working weekends (调休) published each year by the State Council General Office.
//
// Administrative Licensing Law art. 82: its time limits are counted in working days, excluding
// statutory holidays. The counting rule used throughout Ferry (Civil Code arts. 201 and 203):
//   - the day an event happens (acceptance, a notice, a supplement) is NOT counted; day 1 is the first
//     working day after it — whether the event itself fell on a working day or not;
//   - a limit of N working days ends at 24:00 (county time) of the N-th working day.
// So a case accepted on Friday 2026-02-13 at 10:00 has day 1 = Saturday 2026-02-14 (a make-up working
// Saturday), and a 1-day limit ends at 2026-02-15 00:00 +08:00.
//
// A date in a year with no calendar file is an environment fault (the operator must install the
// year's calendar): it throws FERRY_ERR_APPROVAL_CALENDAR_RANGE rather than guessing weekends only.

import { FerryError } from '../errors.js';
import { deepFreeze, parseYamlConfig, readYamlFiles } from './config-node.js';
import { addDays, epochDay, localDateOf, weekday, yearOf, type LocalDate } from './local-date.js';

export type CalendarStatus = 'official' | 'provisional';

export interface CalendarYear {
  readonly year: number;
  /** 'official': the State Council schedule for the year. 'provisional': statutory holidays only, before
   *  the schedule (with its make-up weekends) is published — working-day counts may change. */
  readonly status: CalendarStatus;
  readonly source: string;
  readonly holidays: readonly { readonly name: string; readonly from: LocalDate; readonly to: LocalDate }[];
  readonly workdays: readonly { readonly date: LocalDate; readonly for: string }[];
}

export interface Calendar {
  readonly years: readonly CalendarYear[];
  /** Dates whose status differs from the Monday–Friday rule: holiday on a weekday, or a make-up
   *  working weekend day. Keyed by date. */
  readonly exceptions: Readonly<Record<LocalDate, 'holiday' | 'workday'>>;
}

/** Parse and validate one calendar file. Pure: `file` is only used in messages. */
export function parseCalendarYear(text: string, file: string): CalendarYear {
  const root = parseYamlConfig(text, file, 'FERRY_ERR_APPROVAL_CALENDAR').object(['year', 'status', 'source', 'holidays', 'workdays']);
  const year = root.key('year').int({ min: 2000, max: 2100 });
  const inYear = (n: typeof root): LocalDate => {
    const d = n.date();
    if (yearOf(d) !== year) n.fail(`${d} is not in ${year}`);
    return d;
  };
  const taken = new Map<LocalDate, string>();
  const holidays = root.key('holidays').list({ minLength: 1 }).map((n) => {
    n.object(['name', 'from', 'to']);
    const name = n.key('name').string({ maxLength: 100 });
    const from = inYear(n.key('from'));
    const to = inYear(n.key('to'));
    if (to < from) n.key('to').fail(`${to} is before from ${from}`);
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const other = taken.get(d);
      if (other) n.fail(`${d} is already part of ${other}`);
      taken.set(d, name);
    }
    return { name, from, to };
  });
  const workdays = root.key('workdays').optionalList().map((n) => {
    n.object(['date', 'for']);
    const date = inYear(n.key('date'));
    const wd = weekday(date);
    // A make-up working day (调休上班) is always a Saturday or Sunday; anything else is a typo.
    if (wd !== 0 && wd !== 6) n.key('date').fail(`${date} is not a Saturday or Sunday, so it cannot be a make-up working day`);
    const other = taken.get(date);
    if (other) n.key('date').fail(`${date} is already a holiday (${other})`);
    taken.set(date, 'a make-up working day');
    return { date, for: n.key('for').string({ maxLength: 100 }) };
  });
  return deepFreeze({
    year,
    status: root.key('status').oneOf(['official', 'provisional'] as const),
    source: root.key('source').string({ maxLength: 500 }),
    holidays,
    workdays,
  });
}

/** Combine parsed years (each at most once) into a calendar. Pure. */
export function calendarFromYears(years: readonly CalendarYear[]): Calendar {
  const exceptions: Record<LocalDate, 'holiday' | 'workday'> = Object.create(null) as Record<LocalDate, 'holiday' | 'workday'>;
  const seen = new Set<number>();
  for (const y of years) {
    if (seen.has(y.year)) throw new FerryError('FERRY_ERR_APPROVAL_CALENDAR', `year ${y.year}: defined twice`);
    seen.add(y.year);
    for (const h of y.holidays) {
      for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
        const wd = weekday(d);
        if (wd !== 0 && wd !== 6) exceptions[d] = 'holiday';
      }
    }
    for (const w of y.workdays) exceptions[w.date] = 'workday';
  }
  return deepFreeze({ years: [...years].sort((a, b) => a.year - b.year), exceptions });
}

/** Read cn-*.yaml (any *.yaml) from `dir`. */
export function loadCalendar(dir: string): Calendar {
  return calendarFromYears(readYamlFiles(dir, 'FERRY_ERR_APPROVAL_CALENDAR', 'calendar').map((f) => parseCalendarYear(f.text, f.file)));
}

function asDate(d: LocalDate | Date): LocalDate {
  return d instanceof Date ? localDateOf(d) : d;
}

function covered(cal: Calendar, date: LocalDate): void {
  const y = yearOf(date);
  if (!cal.years.some((c) => c.year === y)) {
    throw new FerryError('FERRY_ERR_APPROVAL_CALENDAR_RANGE', `${date}: no calendar is loaded for ${y} (loaded: ${cal.years.map((c) => c.year).join(', ') || 'none'})`);
  }
}

/** Is this civil date (or the county date of this instant) a working day? */
export function isWorkingDay(cal: Calendar, day: LocalDate | Date): boolean {
  const date = asDate(day);
  covered(cal, date);
  const ex = Object.hasOwn(cal.exceptions, date) ? cal.exceptions[date] : undefined;
  if (ex) return ex === 'workday';
  const wd = weekday(date);
  return wd !== 0 && wd !== 6;
}

/** The n-th working day after `from` (from itself is never counted; n = 0 returns from's date). */
export function addWorkingDays(cal: Calendar, from: LocalDate | Date, n: number): LocalDate {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be a non-negative integer, got ${n}`);
  let d = asDate(from);
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isWorkingDay(cal, d)) left--;
  }
  return d;
}

/** Working days d with from < d ≤ to (so 0 when both fall on the same date, and a case accepted on
 *  day D and decided on the first working day after D took 1). Negative when to is before from. */
export function workingDaysBetween(cal: Calendar, from: LocalDate | Date, to: LocalDate | Date): number {
  const a = asDate(from);
  const b = asDate(to);
  if (b < a) return -workingDaysBetween(cal, b, a);
  let count = 0;
  for (let d = addDays(a, 1), end = epochDay(b); epochDay(d) <= end; d = addDays(d, 1)) {
    if (isWorkingDay(cal, d)) count++;
  }
  return count;
}

/** The last date the calendar covers; the integrator should warn operators well before now reaches it. */
export function coveredThrough(cal: Calendar): LocalDate | undefined {
  const last = cal.years.at(-1);
  return last ? `${last.year}-12-31` : undefined;
}
