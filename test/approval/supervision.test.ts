import { describe, expect, it } from 'vitest';
import type { CaseState, HistoryEntry } from '../../src/approval/case-state.js';
import { DEFAULT_SUPERVISION_SETTINGS, supervisionSettings } from '../../src/approval/settings.js';
import { inspect, refusedFeeCard, type Card } from '../../src/approval/supervision.js';
import { applicant, assignments, calendar, chief, cst, item, officer, received, run, window } from './fixtures.js';

const S = DEFAULT_SUPERVISION_SETTINGS;
const at = (local: string) => cst(local).toISOString();
const ids = (cards: readonly Card[]) => cards.map((k) => k.id);
const look = (c: CaseState, local: string, settings = S) => inspect(c, cst(local), settings, calendar);

/** Transfer registration accepted Tuesday 2026-09-29 10:00, right before National Day.
 *  rer (5 days): Sep 30, Oct 8, 9, 10 (make-up Saturday), 12. ltax (3 days): Sep 30, Oct 8, 9. */
function deedBeforeNationalDay(): CaseState {
  return run(received('BDC-003', '2026-09-29T09:00'), [
    ['2026-09-29T10:00', window('rer'), { type: 'accept', assignments: assignments(item('BDC-003')) }],
  ]).c;
}

describe('yellow, then red, for the same task across the National Day holiday', () => {
  const c = run(deedBeforeNationalDay(), [['2026-10-09T09:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }]]).c;

  it.each([
    ['2026-10-07T12:00', [], 'in the holiday nothing is due'],
    ['2026-10-09T08:59', ['C-BDC-003/task-near-limit/ltax'], 'ltax reaches day 3 of 3 (⌈2.4⌉) at the start of Oct 9'],
    ['2026-10-09T12:00', ['C-BDC-003/task-near-limit/ltax'], 'ltax reached day 3 of 3 (⌈2.4⌉) and answered that morning: yellow, never red'],
    ['2026-10-10T09:00', ['C-BDC-003/task-near-limit/rer', 'C-BDC-003/task-near-limit/ltax', 'C-BDC-003/case-near-limit/case'], 'rer and the case reach day 4 of 5 on the make-up Saturday'],
    ['2026-10-12T23:59', ['C-BDC-003/task-near-limit/rer', 'C-BDC-003/task-near-limit/ltax', 'C-BDC-003/case-near-limit/case'], 'the last minute of day 5'],
    ['2026-10-13T00:00', ['C-BDC-003/task-near-limit/rer', 'C-BDC-003/task-overtime/rer', 'C-BDC-003/task-near-limit/ltax', 'C-BDC-003/case-near-limit/case', 'C-BDC-003/case-overtime/case'], 'county midnight after day 5: red'],
  ])('at %s → %j (%s)', (when, expected, _why) => {
    // Inspect the case as it stood then: the ltax opinion exists from 2026-10-09 09:00.
    const then = cst(when) < cst('2026-10-09T09:00') ? deedBeforeNationalDay() : c;
    expect(ids(look(then, when))).toEqual(expected);
  });

  it('the yellow card is the same card before and after the red one (issued once)', () => {
    const early = look(c, '2026-10-10T09:00').find((k) => k.id === 'C-BDC-003/task-near-limit/rer');
    const late = look(c, '2026-10-20T09:00').find((k) => k.id === 'C-BDC-003/task-near-limit/rer');
    expect(late).toEqual(early);
    expect(early).toMatchObject({ colour: 'yellow', department: 'rer', officer: 'rer-a', at: at('2026-10-10T00:00') });
    expect(look(c, '2026-10-20T09:00').find((k) => k.id === 'C-BDC-003/task-overtime/rer'))
      .toMatchObject({ colour: 'red', department: 'rer', officer: 'rer-a', at: at('2026-10-13T00:00') });
  });

  it('the findings only ever grow, with unchanged content, as time passes (hourly for three weeks)', () => {
    let before = new Map<string, Card>();
    for (let h = 0; h < 21 * 24; h++) {
      const now = new Date(cst('2026-09-29T10:00').getTime() + h * 3_600_000);
      const cards = inspect(c, now, S, calendar);
      for (const [id, k] of before) expect(cards.find((x) => x.id === id)).toEqual(k);
      before = new Map(cards.map((k) => [k.id, k]));
    }
    expect(before.size).toBe(5);
  });

  it('the yellow share is configurable', () => {
    const half = supervisionSettings({ yellowShare: 0.5 });
    // 0.5 × 5 = day 3 for rer (Oct 9); 0.5 × 3 → day 2 for ltax (Oct 8).
    expect(ids(look(c, '2026-10-09T08:00', half))).toEqual(['C-BDC-003/task-near-limit/rer', 'C-BDC-003/task-near-limit/ltax', 'C-BDC-003/case-near-limit/case']);
  });

  it('a task finished late keeps its red card after the case is decided', () => {
    const done = run(c, [
      ['2026-10-13T09:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-10-13T10:00', chief('rer'), { type: 'decide' }],
    ]).c;
    expect(look(done, '2026-11-30T10:00').filter((k) => k.colour === 'red').map((k) => k.id)).toEqual(['C-BDC-003/task-overtime/rer', 'C-BDC-003/case-overtime/case']);
  });
});

describe('the acceptance decision has a limit too (yellow when late)', () => {
  it('warns after acceptanceDecisionDays working days without accept, notice or refusal', () => {
    const c = received('SCJG-001', '2026-09-29T10:00'); // Sep 30, Oct 8, 9, 10, 12 → due end of Oct 12
    expect(look(c, '2026-10-12T20:00')).toEqual([]);
    const [card] = look(c, '2026-10-13T00:00');
    expect(card).toEqual({
      id: 'C-SCJG-001/late-acceptance/acceptance-0', caseId: 'C-SCJG-001', colour: 'yellow', kind: 'late-acceptance', subject: 'acceptance-0',
      department: 'aic', at: at('2026-10-13T00:00'), detail: 'no acceptance decision within 5 working days of receipt',
    });
    const acceptedLate = run(c, [['2026-10-14T10:00', window('aic'), { type: 'accept', assignments: assignments(item('SCJG-001')) }]]).c;
    expect(look(acceptedLate, '2026-10-14T11:00')).toContainEqual(card);
    const onTime = run(c, [['2026-10-12T10:00', window('aic'), { type: 'accept', assignments: assignments(item('SCJG-001')) }]]).c;
    expect(look(onTime, '2026-10-14T11:00').filter((k) => k.kind === 'late-acceptance')).toEqual([]);
  });
});

describe('fee violations (one charge, at the catalogue amount)', () => {
  function decided(): CaseState {
    return run(deedBeforeNationalDay(), [
      ['2026-09-30T09:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-09-30T09:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-09-30T10:00', chief('rer'), { type: 'decide' }],
    ]).c;
  }
  // The table now refuses every charge but the one right one (transitions.test.ts); supervision still
  // judges whatever payments a stored case carries (a case recorded before that guard, or a row edited
  // by hand), so these cases write the payments straight into the state.
  const pay = (c: CaseState, ...amounts: number[]): CaseState => ({
    ...c, payments: amounts.map((a, i) => ({ at: at(`2026-09-30T1${i + 1}:00`), by: 'cashier-1', amountFen: a, reference: `B${i}` })),
  });
  const fee = (c: CaseState) => look(c, '2026-09-30T18:00').filter((k) => k.kind.startsWith('fee'));

  it.each([
    ['the catalogue amount, once', [8000], []],
    ['a different amount', [7000], ['fee-mismatch']],
    ['the right total in two charges', [4000, 4000], ['fee-mismatch', 'fee-split']],
    ['the right amount charged twice', [8000, 8000], ['fee-mismatch', 'fee-split']],
  ])('%s → %j', (_why, amounts, kinds) => {
    expect(fee(pay(decided(), ...amounts)).map((k) => k.kind)).toEqual(kinds);
  });

  it('is red, attributed to the lead department and the cashier, dated at the charge', () => {
    expect(fee(pay(decided(), 7000))).toEqual([{
      id: 'C-BDC-003/fee-mismatch/fee', caseId: 'C-BDC-003', colour: 'red', kind: 'fee-mismatch', subject: 'fee', department: 'rer',
      officer: 'cashier-1', at: at('2026-09-30T11:00'), detail: 'charged 7000 fen; the catalogue fee is 8000 fen',
    }]);
  });

  it('a charge on a free item is a mismatch', () => {
    const lic = run(received('SCJG-001', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('aic'), { type: 'accept', assignments: assignments(item('SCJG-001')) }],
      ['2026-03-03T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T10:00', chief('aic'), { type: 'decide' }],
    ]).c;
    const charged: CaseState = { ...lic, payments: [{ at: at('2026-03-03T11:00'), by: 'cashier-1', amountFen: 1000, reference: 'B1' }] };
    expect(look(charged, '2026-03-03T12:00').map((k) => k.detail)).toEqual(['charged 1000 fen; the catalogue fee is 0 fen']);
  });
});

describe('a refused charge of the wrong amount is still a red card', () => {
  it('names the charging department, the cashier, the instant and both amounts', () => {
    const c = run(deedBeforeNationalDay(), [
      ['2026-09-30T09:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-09-30T09:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-09-30T10:00', chief('rer'), { type: 'decide' }],
    ]).c;
    expect(refusedFeeCard(c, { by: 'rer.cash', amountFen: 7999, at: cst('2026-09-30T11:00') })).toEqual({
      id: `C-BDC-003/fee-mismatch/refused-${at('2026-09-30T11:00')}`, caseId: 'C-BDC-003', colour: 'red', kind: 'fee-mismatch',
      subject: `refused-${at('2026-09-30T11:00')}`, department: 'rer', officer: 'rer.cash', at: at('2026-09-30T11:00'),
      detail: 'tried to charge 7999 fen; the catalogue fee is 8000 fen (refused)',
    });
  });
});

describe('a step skipped or out of order in the recorded history is red', () => {
  /** A clean closed licence case. */
  function closed(): CaseState {
    return run(received('SCJG-001', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('aic'), { type: 'accept', assignments: assignments(item('SCJG-001')) }],
      ['2026-03-03T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:10', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:20', officer('tax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T10:00', chief('aic'), { type: 'decide' }],
      ['2026-03-03T11:00', window('aic'), { type: 'issue-result' }],
      ['2026-03-03T12:00', window('aic'), { type: 'close' }],
    ]).c;
  }
  const edit = (f: (h: HistoryEntry[], c: CaseState) => Partial<CaseState> | void): CaseState => {
    const c = JSON.parse(JSON.stringify(closed())) as CaseState;
    const h = c.history as HistoryEntry[];
    return { ...c, ...(f(h, c) ?? {}) };
  };

  it('a clean case has no card', () => {
    expect(look(closed(), '2026-04-30T10:00')).toEqual([]);
  });

  it.each([
    ['acceptance skipped', () => edit((h) => ({ history: [h[0]!, ...h.slice(2)].map((e, i) => ({ ...e, seq: i })) })), '1', /'give-opinion' recorded from 'accepted' but the case was 'received'/],
    ['the decision recorded by the window', () => edit((h) => { h[5] = { ...h[5]!, actor: window('aic') }; }), '5', /by window is not in the transition table/],
    ['a step back in time', () => edit((h) => { h[3] = { ...h[3]!, at: at('2026-03-01T09:00') }; }), '3', /before the previous step/],
    ['the state changed without a step', () => edit(() => ({ state: 'withdrawn' })), '7', /the case is 'withdrawn' but its last recorded step ended in 'closed'/],
    ['a step that is not a row (closed → accepted)', () => edit((h) => { h.push({ seq: 8, at: at('2026-03-04T09:00'), event: 'accept', from: 'closed', to: 'accepted', actor: window('aic') }); return { state: 'accepted' }; }), '8', /not in the transition table/],
  ])('%s', (_why, make, subject, detail) => {
    const cards = look(make(), '2026-04-30T10:00').filter((k) => k.kind === 'procedure');
    expect(cards.map((k) => [k.colour, k.subject])).toEqual([['red', subject]]);
    expect(cards[0]!.detail).toMatch(detail);
  });

  it('a decision without every parallel opinion is red, attributed to the decider', () => {
    const c = edit((_h, x) => ({ tasks: x.tasks.map((t) => (t.department === 'tax' ? { ...t, opinion: undefined } : t)) }));
    expect(look(c, '2026-04-30T10:00').filter((k) => k.kind === 'decision-without-opinions')).toEqual([{
      id: 'C-SCJG-001/decision-without-opinions/decision', caseId: 'C-SCJG-001', colour: 'red', kind: 'decision-without-opinions',
      subject: 'decision', department: 'aic', officer: 'chief-aic', at: at('2026-03-03T10:00'), detail: 'decided without the opinion of tax',
    }]);
  });

  it('an approval over a denial is red', () => {
    const c = edit((_h, x) => ({ tasks: x.tasks.map((t) => (t.department === 'qts' ? { ...t, opinion: { ...t.opinion!, verdict: 'deny' as const } } : t)) }));
    expect(look(c, '2026-04-30T10:00').map((k) => k.detail)).toEqual(['approved although a department denied']);
  });
});

describe('pauses hold the cards back', () => {
  it('no yellow while the applicant supplements after acceptance', () => {
    const lic = item('SCJG-001');
    const base = run(received('SCJG-001', '2026-03-02T09:00', { materials: lic.materials.map((m) => m.id).filter((m) => m !== 'premises-proof') }), [
      ['2026-03-02T10:00', window('aic'), { type: 'accept', assignments: assignments(lic), tolerated: [{ materialId: 'premises-proof', commitBy: '2026-03-13' }] }],
      ['2026-03-02T11:00', applicant, { type: 'supply-committed', materialId: 'premises-proof' }],
    ]).c;
    // Without a pause the case (3 days: Mar 3, 4, 5) warns from Mar 5 and is red from Mar 6.
    expect(ids(look(base, '2026-03-05T10:00'))).toContain('C-SCJG-001/case-near-limit/case');
    const paused = run(base, [['2026-03-03T10:00', officer('aic'), { type: 'notify', materials: [{ id: 'premises-proof', reason: '无产权人签章' }] }]]).c;
    expect(ids(look(paused, '2026-03-09T10:00')).filter((id) => id.includes('case'))).toEqual([]);
  });
});

// The ranges of approval.supervision are checked with the rest of internal.yaml: test/config/config-sections.test.ts.
describe('supervision settings', () => {
  it('absent keys take the named defaults', () => {
    expect(supervisionSettings()).toEqual({ yellowShare: 0.8, acceptanceDecisionDays: 5 });
    expect(supervisionSettings({ acceptanceDecisionDays: 3 })).toEqual({ yellowShare: 0.8, acceptanceDecisionDays: 3 });
  });
});
