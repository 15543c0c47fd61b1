import { describe, expect, it } from 'vitest';
import type { CaseEventName, CaseState, CaseStatus } from '../../src/approval/case-state.js';
import { ENDED_STATES, ROLES } from '../../src/approval/case-state.js';
import { COMMAND_TYPES } from '../../src/approval/command.js';
import { TRANSITIONS, isAllowedStep, rowsFor } from '../../src/approval/transitions.js';
import { applicant, assignments, cashier, chief, item, officer, ok, received, refused, run, step, window } from './fixtures.js';

const STATES: CaseStatus[] = ['received', 'accepted', 'notice-issued', 'supplemented', 'not-accepted', 'under-review',
  'decided-approved', 'decided-denied', 'result-issued', 'closed', 'withdrawn'];

/** A well-formed command of each type, so that only the table can refuse it. */
const SAMPLE: Record<CaseEventName, unknown> = {
  accept: { type: 'accept', assignments: { aic: { a: 'a', b: 'b' } } },
  notify: { type: 'notify', materials: [{ id: 'articles', reason: 'x' }] },
  supplement: { type: 'supplement', materials: ['articles'] },
  refuse: { type: 'refuse', reason: 'x' },
  'resume-review': { type: 'resume-review' },
  'supply-committed': { type: 'supply-committed', materialId: 'premises-proof' },
  'give-opinion': { type: 'give-opinion', verdict: 'approve' },
  decide: { type: 'decide' },
  'record-payment': { type: 'record-payment', amountFen: 1, reference: 'r' },
  'issue-result': { type: 'issue-result' },
  close: { type: 'close' },
  withdraw: { type: 'withdraw' },
  'decide-on-the-spot': { type: 'decide-on-the-spot', verdict: 'approve' },
};

describe('the transition table', () => {
  it('has every state reachable from received', () => {
    const seen = new Set<CaseStatus>(['received']);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of TRANSITIONS) if (seen.has(t.from) && !seen.has(t.to)) { seen.add(t.to); grew = true; }
    }
    expect([...seen].sort()).toEqual([...STATES].sort());
  });

  it('lets nothing leave an ended state', () => {
    expect(TRANSITIONS.filter((t) => ENDED_STATES.includes(t.from))).toEqual([]);
  });

  it('gives the supervisor no row at all (supervisors change nothing)', () => {
    expect(TRANSITIONS.filter((t) => t.roles.includes('supervisor'))).toEqual([]);
  });

  it('allows withdrawal by the applicant exactly before a decision', () => {
    const from = TRANSITIONS.filter((t) => t.event === 'withdraw').map((t) => t.from).sort();
    expect(from).toEqual(['accepted', 'notice-issued', 'received', 'supplemented', 'under-review']);
    expect(TRANSITIONS.filter((t) => t.event === 'withdraw').every((t) => t.roles.join() === 'applicant' && t.to === 'withdrawn')).toBe(true);
  });

  it('has one row per (state, event) except where the outcome follows a guard (decide)', () => {
    const multi = new Set(TRANSITIONS.filter((t) => rowsFor(t.from, t.event).length > 1).map((t) => `${t.from} ${t.event}`));
    // …and a same-day decision at the window (即办件), whose outcome follows the verdict given.
    expect([...multi]).toEqual(['under-review decide', 'received decide-on-the-spot', 'supplemented decide-on-the-spot']);
    expect(rowsFor('under-review', 'decide').map((t) => t.to)).toEqual(['decided-approved', 'decided-denied']);
  });

  it('names only known states, events and roles', () => {
    for (const t of TRANSITIONS) {
      expect(STATES).toContain(t.from);
      expect(STATES).toContain(t.to);
      expect(COMMAND_TYPES).toContain(t.event);
      for (const r of t.roles) expect(ROLES).toContain(r);
      expect(t.rule.length).toBeGreaterThan(0);
    }
  });

  it('isAllowedStep checks role as well as states', () => {
    expect(isAllowedStep('under-review', 'decide', 'decided-approved', 'chief')).toBe(true);
    expect(isAllowedStep('under-review', 'decide', 'decided-approved', 'window')).toBe(false);
    expect(isAllowedStep('received', 'decide', 'decided-approved', 'chief')).toBe(false);
  });
});

describe('the machine refuses every (state, event) that is not a row', () => {
  const base = received('SCJG-001', '2026-03-02T09:00');
  const actors = { applicant, window: window('aic'), officer: officer('aic'), chief: chief('aic'), cashier: cashier('aic') };
  const cells = STATES.flatMap((s) => COMMAND_TYPES.filter((e) => rowsFor(s, e).length === 0).map((e) => [s, e] as const));

  it(`covers ${cells.length} empty cells`, () => {
    expect(cells.length).toBeGreaterThan(80);
  });

  it.each(cells)('%s × %s → FERRY_ERR_APPROVAL_TRANSITION', (state, event) => {
    const c: CaseState = { ...base, state };
    for (const actor of Object.values(actors)) refused(step(c, '2026-03-02T10:00', actor, SAMPLE[event]), 'FERRY_ERR_APPROVAL_TRANSITION');
  });
});

describe('recording the fee (one charge, at the catalogue amount, by the charging department)', () => {
  /** BDC-003: a charged item (8000 fen), lead and charging department rer, parallel ltax; decided. */
  function decidedDeed(): CaseState {
    return run(received('BDC-003', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('rer'), { type: 'accept', assignments: assignments(item('BDC-003')) }],
      ['2026-03-03T10:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T11:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-04T10:00', chief('rer'), { type: 'decide' }],
    ]).c;
  }
  const pay = (amountFen: number) => ({ type: 'record-payment', amountFen, reference: 'BANK-1' });

  it('charges to the lead department when the catalogue names no other', () => {
    expect(item('BDC-003').chargingDepartment).toBe('rer');
  });

  it.each([
    ['the charging department\'s cashier, the exact fee', cashier('rer'), 8000, 'ok'],
    ['a cashier of a parallel department of the case', cashier('ltax'), 8000, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a cashier of a department not on the case', cashier('aic'), 8000, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a cashier with no department', { role: 'cashier', id: 'cashier-x' } as const, 8000, 'FERRY_ERR_APPROVAL_ROLE'],
    ['one fen short', cashier('rer'), 7999, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['one fen over', cashier('rer'), 8001, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['the fee in yuan instead of fen', cashier('rer'), 80, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['a token amount that unlocks the result', cashier('rer'), 1, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['the largest safe integer', cashier('rer'), Number.MAX_SAFE_INTEGER, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['a fraction of a fen', cashier('rer'), 8000.5, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['the window, not a cashier', window('rer'), 8000, 'FERRY_ERR_APPROVAL_ROLE'],
  ])('%s → %s', (_why, actor, amountFen, expected) => {
    const r = step(decidedDeed(), '2026-03-04T11:00', actor, pay(amountFen));
    if (expected === 'ok') expect(ok(r).next.payments).toEqual([{ at: '2026-03-04T03:00:00.000Z', by: actor.id, amountFen, reference: 'BANK-1' }]);
    else refused(r, expected);
  });

  it('a refused charge leaves the result locked', () => {
    const c = decidedDeed();
    refused(step(c, '2026-03-04T11:00', cashier('aic'), pay(8000)), 'FERRY_ERR_APPROVAL_ROLE');
    refused(step(c, '2026-03-04T11:00', cashier('rer'), pay(1)), 'FERRY_ERR_APPROVAL_FEE_AMOUNT');
    refused(step(c, '2026-03-04T12:00', window('rer'), { type: 'issue-result', originalsChecked: true }), 'FERRY_ERR_APPROVAL_FEE_UNPAID');
  });

  it('charges once: a second charge of the right amount is refused', () => {
    const paid = ok(step(decidedDeed(), '2026-03-04T11:00', cashier('rer'), pay(8000))).next;
    refused(step(paid, '2026-03-04T11:05', cashier('rer'), pay(8000)), 'FERRY_ERR_APPROVAL_FEE_CHARGED');
  });

  it('charges nothing on a free item', () => {
    const lic = run(received('SCJG-001', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('aic'), { type: 'accept', assignments: assignments(item('SCJG-001')) }],
      ['2026-03-03T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T09:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T10:00', chief('aic'), { type: 'decide' }],
    ]).c;
    refused(step(lic, '2026-03-03T11:00', cashier('aic'), pay(1000)), 'FERRY_ERR_APPROVAL_FEE_AMOUNT');
  });

  it('a case stored before chargingDepartment existed charges to its lead department', () => {
    const c = decidedDeed();
    const { chargingDepartment: _dropped, ...legacyItem } = c.item;
    const legacy: CaseState = { ...c, item: legacyItem };
    ok(step(legacy, '2026-03-04T11:00', cashier('rer'), pay(8000)));
    refused(step(legacy, '2026-03-04T11:00', cashier('ltax'), pay(8000)), 'FERRY_ERR_APPROVAL_ROLE');
  });
});
