import { describe, expect, it } from 'vitest';
import { dueDate, dueInstant, isLate, nthCountedDay, usedDays, warningInstant, type Clocked } from '../../src/approval/deadlines.js';
import { calendar, cst } from './fixtures.js';

const clock = (start: string, limitDays: number, pauses: Clocked['pauses'] = []): Clocked =>
  ({ startAt: cst(start).toISOString(), limitDays, pauses });
const iso = (local: string) => cst(local).toISOString();

describe('due dates in working days from the trusted acceptance time', () => {
  it.each([
    // [accepted at (county time), limit, due date, why]
    ['2026-03-06T16:00', 1, '2026-03-09', 'Friday afternoon: day 1 is Monday'],
    ['2026-03-07T10:00', 1, '2026-03-09', 'a Saturday acceptance (on duty) still starts on Monday'],
    ['2026-02-13T10:00', 3, '2026-02-25', 'across the make-up Saturday and the Spring Festival'],
    ['2026-02-11T10:00', 5, '2026-02-25', 'Feb 12, 13, 14 (Sat make-up), 24, 25'],
    ['2026-09-28T10:00', 5, '2026-10-10', 'Sep 29, 30, Oct 8, 9, 10 (make-up Saturday)'],
    ['2026-09-28T10:00', 6, '2026-10-12', 'one more day skips Sunday Oct 11'],
    ['2026-09-18T10:00', 1, '2026-09-20', 'Friday → the make-up Sunday before National Day'],
    ['2026-02-13T23:59', 1, '2026-02-14', 'just before county midnight'],
    ['2026-02-14T00:00', 1, '2026-02-24', 'just after county midnight: the start date is the make-up Saturday'],
  ])('accepted %s, %i day(s) → %s (%s)', (start, limit, due) => {
    expect(dueDate(calendar, clock(start, limit), cst(start))).toBe(due);
  });

  it('the limit ends at 24:00 county time of the due date', () => {
    expect(dueInstant(calendar, clock('2026-02-13T10:00', 3), cst('2026-02-13T10:00')).toISOString()).toBe(iso('2026-02-26T00:00'));
    expect(isLate(calendar, clock('2026-02-13T10:00', 3), cst('2026-02-25T23:59'))).toBe(false);
    expect(isLate(calendar, clock('2026-02-13T10:00', 3), cst('2026-02-26T00:00'))).toBe(true);
    // Friday's limit is passed on Saturday even though Saturday is not a working day.
    expect(isLate(calendar, clock('2026-03-05T10:00', 1), cst('2026-03-07T09:00'))).toBe(true);
  });
});

describe('pauses while the applicant supplements are excluded', () => {
  // Accepted Monday 2026-03-02, 5 days: Mar 3, 4, 5, 6, 9 without a pause.
  it.each([
    ['no pause', [], '2026-03-09'],
    ['notice Tue 10:00, supplement Thu 15:00: Wed and Thu excluded', [{ from: iso('2026-03-03T10:00'), to: iso('2026-03-05T15:00') }], '2026-03-11'],
    ['notice and supplement the same day: nothing excluded', [{ from: iso('2026-03-03T10:00'), to: iso('2026-03-03T16:00') }], '2026-03-09'],
    ['a pause over a weekend costs only its working days', [{ from: iso('2026-03-05T10:00'), to: iso('2026-03-09T09:00') }], '2026-03-11'],
    ['two pauses add up', [{ from: iso('2026-03-03T10:00'), to: iso('2026-03-04T10:00') }, { from: iso('2026-03-05T10:00'), to: iso('2026-03-06T10:00') }], '2026-03-11'],
  ] as const)('%s', (_why, pauses, due) => {
    expect(dueDate(calendar, clock('2026-03-02T10:00', 5, pauses), cst('2026-03-20T10:00'))).toBe(due);
  });

  it('an open pause runs through the inspection date, and used days do not grow during it', () => {
    const c = clock('2026-03-02T10:00', 5, [{ from: iso('2026-03-03T10:00') }]);
    expect(usedDays(calendar, c, cst('2026-03-03T18:00'))).toBe(1);
    expect(usedDays(calendar, c, cst('2026-03-10T18:00'))).toBe(1);
    expect(dueDate(calendar, c, cst('2026-03-10T18:00'))).toBe('2026-03-16'); // Mar 3, then 11, 12, 13, 16
    expect(isLate(calendar, c, cst('2026-03-20T10:00'))).toBe(false);
  });

  it('a pause that starts after the inspection time is not yet counted', () => {
    const c = clock('2026-03-02T10:00', 5, [{ from: iso('2026-03-06T10:00'), to: iso('2026-03-10T10:00') }]);
    expect(dueDate(calendar, c, cst('2026-03-04T10:00'))).toBe('2026-03-09');
    expect(dueDate(calendar, c, cst('2026-03-12T10:00'))).toBe('2026-03-11'); // Mar 3, 4, 5, 6, (9, 10 paused) 11
  });
});

describe('the warning day is day ⌈share × limit⌉, counted like the limit', () => {
  it.each([
    [5, 0.8, '2026-03-06'], // day 4
    [3, 0.8, '2026-03-05'], // ⌈2.4⌉ = day 3
    [1, 0.8, '2026-03-03'], // a one-day limit warns on its only day
    [15, 0.8, '2026-03-18'], // exactly day 12, not 13 (0.8 × 15 = 12.000000000000002 in floating point)
    [10, 0.5, '2026-03-09'], // day 5
  ] as const)('limit %i, share %d → starts %s', (limit, share, day) => {
    expect(warningInstant(calendar, clock('2026-03-02T10:00', limit), share, cst('2026-03-02T10:00')).toISOString()).toBe(iso(`${day}T00:00`));
  });

  it('nthCountedDay(1) is the first working day after the start date', () => {
    expect(nthCountedDay(calendar, clock('2026-09-30T10:00', 1), 1, cst('2026-09-30T10:00'))).toBe('2026-10-08');
  });
});
