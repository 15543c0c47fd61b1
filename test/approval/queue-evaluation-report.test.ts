import { describe, expect, it } from 'vitest';
import type { CaseState, Evaluation } from '../../src/approval/case-state.js';
import { evaluate } from '../../src/approval/evaluation.js';
import { monthlyReport } from '../../src/approval/monthly-report.js';
import { compareQueueEntries, orderQueue, queueEntry, type QueueEntry } from '../../src/approval/queue.js';
import { DEFAULT_SUPERVISION_SETTINGS } from '../../src/approval/settings.js';
import { inspect } from '../../src/approval/supervision.js';
import { applicant, assignments, calendar, chief, cst, item, ok, officer, received, refused, run, window } from './fixtures.js';

const lic = item('SCJG-001');
const acceptLic = { type: 'accept', assignments: assignments(lic) } as const;

describe('queues: green channel first, then the earliest deadline', () => {
  it('orders by green, due, waiting since, case id (a total order)', () => {
    const e = (caseId: string, green: boolean, dueAt: string | undefined, waitingSince: string): QueueEntry =>
      ({ caseId, green, waitingSince, ...(dueAt ? { dueAt } : {}) });
    const entries = [
      e('n-late', false, '2026-03-10T16:00:00.000Z', '2026-03-01T00:00:00.000Z'),
      e('n-none', false, undefined, '2026-02-01T00:00:00.000Z'),
      e('g-late', true, '2026-03-20T16:00:00.000Z', '2026-03-05T00:00:00.000Z'),
      e('n-soon-b', false, '2026-03-05T16:00:00.000Z', '2026-03-02T00:00:00.000Z'),
      e('n-soon-a', false, '2026-03-05T16:00:00.000Z', '2026-03-02T00:00:00.000Z'),
      e('n-soon-old', false, '2026-03-05T16:00:00.000Z', '2026-03-01T00:00:00.000Z'),
      e('g-soon', true, '2026-03-03T16:00:00.000Z', '2026-03-02T00:00:00.000Z'),
    ];
    expect(orderQueue(entries).map((x) => x.caseId)).toEqual(['g-soon', 'g-late', 'n-soon-old', 'n-soon-a', 'n-soon-b', 'n-late', 'n-none']);
    expect(orderQueue([...entries].reverse())).toEqual(orderQueue(entries));
    expect(compareQueueEntries(entries[0]!, entries[0]!)).toBe(0);
  });

  it('a green case accepted later still comes first in a department queue', () => {
    const normal = run(received('SCJG-001', '2026-03-02T09:00', { caseId: 'C-1' }), [['2026-03-02T10:00', window('aic'), acceptLic]]).c;
    const green = run(received('SCJG-001', '2026-03-04T09:00', { caseId: 'C-2', greenChannel: true }), [['2026-03-04T10:00', window('aic'), acceptLic]]).c;
    const now = cst('2026-03-04T11:00');
    const q = orderQueue([normal, green].map((c) => queueEntry(c, calendar, now, 'tax')!));
    expect(q.map((x) => [x.caseId, x.green, x.dueAt])).toEqual([
      ['C-2', true, cst('2026-03-06T00:00').toISOString()], // green: 1 day, Mar 5
      ['C-1', false, cst('2026-03-05T00:00').toISOString()], // tax: 2 days, Mar 3, 4
    ]);
  });

  it('the window queue holds cases waiting for the acceptance decision, with its limit', () => {
    const c = received('SCJG-001', '2026-03-02T09:00');
    expect(queueEntry(c, calendar, cst('2026-03-02T10:00'))).toEqual({
      caseId: 'C-SCJG-001', green: false, waitingSince: c.receivedAt, dueAt: cst('2026-03-10T00:00').toISOString(),
    });
    expect(queueEntry(c, calendar, cst('2026-03-02T10:00'), 'tax')).toBeUndefined();
    const answered = run(run(c, [['2026-03-02T10:00', window('aic'), acceptLic]]).c, [['2026-03-03T10:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }]]).c;
    expect(queueEntry(answered, calendar, cst('2026-03-03T11:00'), 'tax')).toBeUndefined();
  });
});

/** A licence case that ran to the end: accepted Mon 2026-03-02, decided Tue 03-03, closed 03-04. */
function closedCase(id = 'C-SCJG-001', decisionAt = '2026-03-03T10:00'): CaseState {
  return run(received('SCJG-001', '2026-03-02T09:00', { caseId: id }), [
    ['2026-03-02T10:00', window('aic'), acceptLic],
    ['2026-03-03T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
    ['2026-03-03T09:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
    ['2026-03-03T09:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }],
    [decisionAt, chief('aic'), { type: 'decide' }],
    [decisionAt, window('aic'), { type: 'issue-result' }],
    [decisionAt, window('aic'), { type: 'close' }],
  ]).c;
}

describe('evaluation: one case, one evaluation, by the applicant, after the end', () => {
  it('records the rating once', () => {
    const r = ok(evaluate(closedCase(), { score: 5, comment: '一次办好' }, { now: cst('2026-03-04T10:00'), actor: applicant }));
    expect(r.evaluation).toEqual({ caseId: 'C-SCJG-001', score: 5, comment: '一次办好', at: cst('2026-03-04T10:00').toISOString() });
    expect(r.next.evaluation).toEqual(r.evaluation);
    refused(evaluate(r.next, { score: 1 }, { now: cst('2026-03-05T10:00'), actor: applicant }), 'FERRY_ERR_APPROVAL_EVALUATED');
  });

  it.each([
    ['before the case ends', () => run(received('SCJG-001', '2026-03-02T09:00'), [['2026-03-02T10:00', window('aic'), acceptLic]]).c, applicant, 5, 'FERRY_ERR_APPROVAL_NOT_ENDED'],
    ['by the window officer (staff never rate themselves)', () => closedCase(), window('aic'), 5, 'FERRY_ERR_APPROVAL_ROLE'],
    ['by another applicant', () => closedCase(), { role: 'applicant', id: 'applicant-2' } as const, 5, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a score of 0', () => closedCase(), applicant, 0, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a score of 6', () => closedCase(), applicant, 6, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a score of 4.5', () => closedCase(), applicant, 4.5, 'FERRY_ERR_APPROVAL_COMMAND'],
  ])('refuses an evaluation %s', (_why, make, actor, score, code) => {
    refused(evaluate(make(), { score }, { now: cst('2026-03-10T10:00'), actor }), code);
  });

  it('a withdrawn or not-accepted case can be rated too (every case evaluated)', () => {
    const withdrawn = run(received('SCJG-001', '2026-03-02T09:00'), [['2026-03-02T10:00', applicant, { type: 'withdraw' }]]).c;
    expect(evaluate(withdrawn, { score: 3 }, { now: cst('2026-03-02T11:00'), actor: applicant }).ok).toBe(true);
  });
});

describe('the monthly report per department', () => {
  it('counts cases, on-time rate, working days against limits, cards and satisfaction', () => {
    const onTime = closedCase('C-1', '2026-03-03T10:00'); // 1 working day of 3
    const late = closedCase('C-2', '2026-03-09T10:00'); // Mar 3, 4, 5, 6, 9: 5 working days of 3 → late
    const february = closedCase('C-3', '2026-03-03T10:00');
    const cases = [onTime, late, { ...february, decision: { ...february.decision!, at: cst('2026-02-27T10:00').toISOString() } }];
    const cards = cases.flatMap((c) => inspect(c, cst('2026-03-31T10:00'), DEFAULT_SUPERVISION_SETTINGS, calendar));
    const evaluations: Evaluation[] = [
      ok(evaluate(onTime, { score: 5 }, { now: cst('2026-03-04T10:00'), actor: applicant })).evaluation,
      ok(evaluate(late, { score: 2, comment: '超时' }, { now: cst('2026-03-10T10:00'), actor: applicant })).evaluation,
      { caseId: 'C-1', score: 4, comment: '', at: cst('2026-04-01T10:00').toISOString() }, // April: not counted
    ];
    const report = monthlyReport(cases, cards, evaluations, '2026-03', calendar);
    expect(report.map((r) => r.department)).toEqual(['aic', 'qts', 'tax']);
    const aic = report[0]!;
    expect(aic).toEqual({
      department: 'aic', name: '县工商行政管理局',
      cases: 2, onTimeRate: 0.5, avgWorkingDays: 3, avgPromisedDays: 3, avgStatutoryDays: 15,
      reviews: 3, reviewOnTimeRate: 1, avgReviewDays: 1,
      // C-2: the case passed day ⌈2.4⌉ = 3 (yellow) and its 3-day limit (red); its tasks answered on day 1.
      yellowCards: 1, redCards: 1,
      evaluations: 2, avgScore: 3.5, satisfiedRate: 0.5,
    });
    expect(report[2]).toMatchObject({ department: 'tax', cases: 2, yellowCards: 0, redCards: 0, evaluations: 2 });
    expect(monthlyReport(cases, cards, evaluations, '2026-05', calendar)[0]).toMatchObject({ cases: 0, onTimeRate: null, avgScore: null });
    expect(() => monthlyReport(cases, cards, evaluations, '2026-13', calendar)).toThrow(RangeError);
  });
});
