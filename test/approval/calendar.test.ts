import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays, calendarFromYears, coveredThrough, isWorkingDay, parseCalendarYear, workingDaysBetween,
} from '../../src/approval/calendar.js';
import { addDays, localDateOf, weekday } from '../../src/approval/local-date.js';
import { isFerryError } from '../../src/errors.js';
import { calendar, cst } from './fixtures.js';

describe('the shipped 2026 calendar follows the State Council schedule', () => {
  it.each([
    // [date, working?, why]
    ['2026-01-01', false, 'New Year (Thu)'],
    ['2026-01-02', false, 'New Year bridge (Fri)'],
    ['2026-01-04', true, 'make-up Sunday for New Year'],
    ['2026-01-05', true, 'ordinary Monday'],
    ['2026-02-13', true, 'Friday before Spring Festival'],
    ['2026-02-14', true, 'make-up Saturday for Spring Festival'],
    ['2026-02-15', false, 'Spring Festival starts (Sun)'],
    ['2026-02-17', false, 'lunar new year (Tue)'],
    ['2026-02-23', false, 'Spring Festival ends (Mon)'],
    ['2026-02-24', true, 'first working day after Spring Festival'],
    ['2026-02-28', true, 'second make-up Saturday for Spring Festival'],
    ['2026-03-01', false, 'ordinary Sunday'],
    ['2026-04-06', false, 'Qingming (Mon)'],
    ['2026-05-05', false, 'Labour Day holiday (Tue)'],
    ['2026-05-09', true, 'make-up Saturday for Labour Day'],
    ['2026-06-19', false, 'Dragon Boat (Fri)'],
    ['2026-09-20', true, 'make-up Sunday for National Day'],
    ['2026-09-25', false, 'Mid-Autumn (Fri)'],
    ['2026-10-01', false, 'National Day'],
    ['2026-10-07', false, 'National Day holiday ends (Wed)'],
    ['2026-10-08', true, 'first working day after National Day'],
    ['2026-10-10', true, 'make-up Saturday for National Day'],
    ['2026-10-11', false, 'ordinary Sunday'],
    ['2027-02-05', false, 'provisional 2027: Spring Festival eve'],
    ['2027-02-08', false, 'provisional 2027: third day of Spring Festival (Mon)'],
    ['2027-02-09', true, 'provisional 2027: Tuesday after'],
  ] as const)('%s is %s (%s)', (date, working, _why) => {
    expect(isWorkingDay(calendar, date)).toBe(working);
  });

  it('2026 is official and 2027 provisional; coverage ends 2027-12-31', () => {
    expect(calendar.years.map((y) => [y.year, y.status])).toEqual([[2026, 'official'], [2027, 'provisional']]);
    expect(coveredThrough(calendar)).toBe('2027-12-31');
  });
});

describe('addWorkingDays: day 1 is the first working day after the start date', () => {
  it.each([
    ['2026-03-06', 1, '2026-03-09', 'Friday → Monday across a weekend'],
    ['2026-03-07', 1, '2026-03-09', 'accepted on a Saturday: day 1 is still the next working day'],
    ['2026-03-02', 0, '2026-03-02', 'zero days is the start date itself'],
    ['2026-02-13', 1, '2026-02-14', 'Friday before Spring Festival → the make-up Saturday'],
    ['2026-02-13', 2, '2026-02-24', 'then across the whole Spring Festival holiday'],
    ['2026-02-12', 3, '2026-02-24', 'Thursday + 3'],
    ['2026-02-27', 1, '2026-02-28', 'Friday → make-up Saturday 2026-02-28'],
    ['2026-02-27', 2, '2026-03-02', 'then Monday'],
    ['2026-09-18', 1, '2026-09-20', 'Friday → make-up Sunday 2026-09-20'],
    ['2026-09-30', 1, '2026-10-08', 'across National Day'],
    ['2026-09-29', 5, '2026-10-12', 'Sep 30, Oct 8, 9, 10 (make-up Sat), 12'],
    ['2026-04-30', 2, '2026-05-07', 'across Labour Day'],
    ['2026-12-31', 1, '2027-01-04', 'into the next year'],
  ] as const)('%s + %i → %s (%s)', (from, n, expected, _why) => {
    expect(addWorkingDays(calendar, from, n)).toBe(expected);
  });

  it('takes an instant and uses its county date (UTC+8): 16:30Z on the 13th is the 14th in the county', () => {
    expect(localDateOf(new Date('2026-02-13T16:30:00Z'))).toBe('2026-02-14');
    expect(addWorkingDays(calendar, new Date('2026-02-13T15:59:59Z'), 1)).toBe('2026-02-14');
    expect(addWorkingDays(calendar, new Date('2026-02-13T16:00:00Z'), 1)).toBe('2026-02-24');
  });

  it('throws FERRY_ERR_APPROVAL_CALENDAR_RANGE instead of guessing past the loaded years', () => {
    const e = (() => { try { addWorkingDays(calendar, '2027-12-30', 2); } catch (x) { return x; } return undefined; })();
    expect(isFerryError(e) && e.code).toBe('FERRY_ERR_APPROVAL_CALENDAR_RANGE');
    expect(() => isWorkingDay(calendar, '2025-12-31')).toThrow(/no calendar is loaded for 2025/);
  });

  it('rejects a negative or fractional count', () => {
    expect(() => addWorkingDays(calendar, '2026-03-02', -1)).toThrow(RangeError);
    expect(() => addWorkingDays(calendar, '2026-03-02', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween counts working days d with from < d ≤ to', () => {
  it.each([
    ['2026-02-13', '2026-02-13', 0],
    ['2026-02-13', '2026-02-14', 1],
    ['2026-02-13', '2026-02-24', 2],
    ['2026-02-24', '2026-02-13', -2],
    ['2026-09-29', '2026-10-12', 5],
    ['2026-10-01', '2026-10-07', 0],
    // 261 weekdays in 2026, less 19 weekday holidays (Jan 1–2; Feb 16–20, 23; Apr 6; May 1, 4, 5;
    // Jun 19; Sep 25; Oct 1, 2, 5, 6, 7), plus 6 make-up weekend days = 248 (Jan 1 itself is a holiday).
    ['2026-01-01', '2026-12-31', 248],
  ] as const)('%s → %s = %i', (a, b, n) => {
    expect(workingDaysBetween(calendar, a, b)).toBe(n);
  });

  it('counts by county date across midnight UTC+8', () => {
    expect(workingDaysBetween(calendar, cst('2026-03-02T23:59'), cst('2026-03-03T00:01'))).toBe(1);
    expect(workingDaysBetween(calendar, cst('2026-03-02T00:01'), cst('2026-03-02T23:59'))).toBe(0);
  });

  it('is the inverse of addWorkingDays, and addWorkingDays lands on a working day (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 364 }), fc.integer({ min: 1, max: 60 }), (offset, n) => {
      const from = addDays('2026-01-01', offset);
      const to = addWorkingDays(calendar, from, n);
      return workingDaysBetween(calendar, from, to) === n && isWorkingDay(calendar, to)
        && workingDaysBetween(calendar, from, addDays(to, -1)) === n - 1;
    }), { numRuns: 300 });
  });
});

describe('calendar files are validated, naming the file and the key', () => {
  const good = 'year: 2026\nstatus: official\nsource: test\nholidays:\n  - { name: A, from: 2026-01-01, to: 2026-01-03 }\n';
  it.each([
    ['unknown top-level key', good + 'extra: 1\n', /x\.yaml:\d+: extra: unknown key/],
    ['holiday outside the year', good.replace('to: 2026-01-03', 'to: 2027-01-03'), /holidays\[0\]\.to: 2027-01-03 is not in 2026/],
    ['impossible date', good.replace('2026-01-03', '2026-02-30'), /holidays\[0\]\.to: must be a date/],
    ['range backwards', good.replace('from: 2026-01-01, to: 2026-01-03', 'from: 2026-01-03, to: 2026-01-01'), /is before from/],
    ['make-up day on a weekday', good + 'workdays:\n  - { date: 2026-01-05, for: A }\n', /workdays\[0\]\.date: 2026-01-05 is not a Saturday or Sunday/],
    ['make-up day inside a holiday', good + 'workdays:\n  - { date: 2026-01-03, for: A }\n', /already a holiday/],
    ['overlapping holidays', good + '  - { name: B, from: 2026-01-02, to: 2026-01-02 }\n', /holidays\[1\]: 2026-01-02 is already part of A/],
    ['bad status', good.replace('official', 'draft'), /status: must be one of official, provisional/],
    ['unknown key in a holiday', good.replace('to: 2026-01-03 }', 'to: 2026-01-03, days: 3 }'), /holidays\[0\]\.days: unknown key/],
    ['not YAML', 'year: [2026', /not valid YAML/],
    ['a YAML alias', good + 'workdays: &w []\nextra: *w\n', /x\.yaml: .*aliases are not allowed/],
  ])('%s', (_why, text, message) => {
    expect(() => parseCalendarYear(text, 'x.yaml')).toThrow(message);
  });

  it('refuses the same year twice', () => {
    const y = parseCalendarYear('year: 2026\nstatus: official\nsource: t\nholidays:\n  - { name: A, from: 2026-01-01, to: 2026-01-01 }\n', 'a.yaml');
    expect(() => calendarFromYears([y, y])).toThrow(/year 2026: defined twice/);
  });

  it('every make-up day in the shipped files is a weekend day, and the result is frozen', () => {
    for (const y of calendar.years) for (const w of y.workdays) expect([0, 6]).toContain(weekday(w.date));
    expect(Object.isFrozen(calendar.exceptions)).toBe(true);
  });
});
