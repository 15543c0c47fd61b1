import { describe, expect, it } from 'vitest';
import type { CaseEventName, CaseState, CaseStatus } from '../../src/approval/case-state.js';
import { ENDED_STATES, ROLES } from '../../src/approval/case-state.js';
import { COMMAND_TYPES } from '../../src/approval/command.js';
import { TRANSITIONS, isAllowedStep, rowsFor } from '../../src/approval/transitions.js';
import { applicant, cashier, chief, officer, received, refused, step, window } from './fixtures.js';

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
    expect([...multi]).toEqual(['under-review decide']);
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
  const actors = { applicant, window: window('aic'), officer: officer('aic'), chief: chief('aic'), cashier };
  const cells = STATES.flatMap((s) => COMMAND_TYPES.filter((e) => rowsFor(s, e).length === 0).map((e) => [s, e] as const));

  it(`covers ${cells.length} empty cells`, () => {
    expect(cells.length).toBeGreaterThan(80);
  });

  it.each(cells)('%s × %s → FERRY_ERR_APPROVAL_TRANSITION', (state, event) => {
    const c: CaseState = { ...base, state };
    for (const actor of Object.values(actors)) refused(step(c, '2026-03-02T10:00', actor, SAMPLE[event]), 'FERRY_ERR_APPROVAL_TRANSITION');
  });
});
