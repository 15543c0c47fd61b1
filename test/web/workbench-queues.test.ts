// The per-role queues the workbench shows come from the one queue module the staff JSON API answers
// from (src/desk/staff-queues.ts): what each role sees, in the core's order, and the colour a task is
// heading for as working days pass — on a real SQLite desk with a test clock, no browser needed.
import { afterEach, describe, expect, it } from 'vitest';
import { addStaff, bearer, harness, incoming, login, staffTheCentre, cst, type Harness } from '../desk/helpers.js';
import { queuesFor, workFor } from '../../src/desk/staff-queues.js';
import type { StaffIdentity } from '../../src/desk/roles.js';

let h: Harness;
afterEach(async () => { await h?.close(); });

const who = (id: string): StaffIdentity => h.auth.listStaff().find((s) => s.id === id)!;
const act = (id: string, caseId: string, command: unknown) => {
  const v = h.desk.act(who(id), caseId, command);
  if (!v.ok) throw new Error(`${v.code}: ${v.detail}`);
};
const ASSIGN = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };

describe('workbench queues per role (one implementation with the staff API)', () => {
  it('answers the API queue and the pages from the same rows, per role', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    for (const [i, missing] of [[1, []], [2, ['name-approval']], [3, []]] as const) {
      const v = h.desk.receiveSubmission(incoming('SCJG-001', `F20260302-CASE${i}`, cst(`2026-03-02T09:0${i}`), missing));
      expect(v.ok).toBe(true);
    }
    h.clock.set('2026-03-02T09:30');
    act('aic.win', 'F20260302-CASE3', { type: 'accept', assignments: ASSIGN });
    for (const d of ['aic', 'qts', 'tax']) act(`${d}.a`, 'F20260302-CASE3', { type: 'give-opinion', verdict: 'approve' });

    const token = await login(h, 'aic.win');
    const api = (await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer(token) })).json();
    expect(api).toEqual(JSON.parse(JSON.stringify(queuesFor(h.desk, who('aic.win')))));

    const win = workFor(h.desk, who('aic.win'), 0.8);
    expect(win.toAccept!.map((r) => r.caseId)).toEqual(['F20260302-CASE1', 'F20260302-CASE2']);
    expect(win.tasks).toBeUndefined();
    expect(workFor(h.desk, who('aic.lead'), 0.8).toDecide!.map((r) => r.caseId)).toEqual(['F20260302-CASE3']);
    expect(workFor(h.desk, who('sup.li'), 0.8)).toEqual({});
    // A free item: nothing for the cashier.
    act('aic.lead', 'F20260302-CASE3', { type: 'decide' });
    expect(workFor(h.desk, who('aic.cash'), 0.8).fees).toEqual([]);
  });

  it('shows an officer the task with working days left and the colour it is heading for, A or B', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20260302-TASK1', cst('2026-03-02T09:01')));
    h.clock.set('2026-03-02T09:30');
    act('aic.win', 'F20260302-TASK1', { type: 'accept', assignments: ASSIGN });
    const at = (local: string) => { h.clock.set(local); return workFor(h.desk, who('aic.b'), 0.8).tasks!; };
    const t0 = at('2026-03-02T10:00');
    expect(t0).toHaveLength(1);
    expect(t0[0]).toMatchObject({ caseId: 'F20260302-TASK1', department: 'aic', a: 'aic.a', b: 'aic.b', mine: 'b', usedDays: 0, colour: 'green', heading: 'yellow' });
    const limit = t0[0]!.limitDays;
    expect(t0[0]!.daysLeft).toBe(limit);
    // aic's task is 3 working days: day ⌈0.8 × 3⌉ = 3 is yellow; after the due date, red.
    expect(at('2026-03-04T10:00')[0]).toMatchObject({ usedDays: 2, daysLeft: 1, colour: 'green' });
    expect(at('2026-03-05T10:00')[0]).toMatchObject({ usedDays: 3, daysLeft: 0, colour: 'yellow', heading: 'red' });
    expect(at('2026-03-09T10:00')[0]).toMatchObject({ colour: 'red', heading: 'red' });
    // Another department's officer sees only their own department's task.
    expect(workFor(h.desk, who('qts.a'), 0.8).tasks!.map((t) => [t.department, t.mine])).toEqual([['qts', 'a']]);
  });

  it('lists a fee for the cashier of the charging department only, at the catalogue amount', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    for (const [id, d, r] of [['rer.win', 'rer', 'window'], ['rer.lead', 'rer', 'lead'], ['rer.a', 'rer', 'officer'], ['rer.b', 'rer', 'officer'], ['ltax.a', 'ltax', 'officer'], ['ltax.b', 'ltax', 'officer'], ['rer.cash', 'rer', 'cashier']] as const) {
      await addStaff(h, id, d, [r]);
    }
    h.desk.receiveSubmission(incoming('BDC-003', 'F20260302-DEED1', cst('2026-03-02T09:01')));
    h.clock.set('2026-03-02T09:30');
    act('rer.win', 'F20260302-DEED1', { type: 'accept', assignments: { rer: { a: 'rer.a', b: 'rer.b' }, ltax: { a: 'ltax.a', b: 'ltax.b' } } });
    act('rer.a', 'F20260302-DEED1', { type: 'give-opinion', verdict: 'approve' });
    act('ltax.a', 'F20260302-DEED1', { type: 'give-opinion', verdict: 'approve' });
    act('rer.lead', 'F20260302-DEED1', { type: 'decide' });
    expect(workFor(h.desk, who('rer.cash'), 0.8).fees!.map((f) => [f.caseId, f.amountFen])).toEqual([['F20260302-DEED1', 8000]]);
    expect(workFor(h.desk, who('aic.cash'), 0.8).fees).toEqual([]);
    act('rer.cash', 'F20260302-DEED1', { type: 'record-payment', amountFen: 8000, reference: 'PJ-1' });
    expect(workFor(h.desk, who('rer.cash'), 0.8).fees).toEqual([]);
  });
});
