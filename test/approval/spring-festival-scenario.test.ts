// One case from submission to evaluation across the 2026 Spring Festival, driven by an injected
// trusted clock: every step and every inspection takes its time from TestClock, never the host.
import { describe, expect, it } from 'vitest';
import { apply, receive } from '../../src/approval/case-machine.js';
import type { Actor, CaseState } from '../../src/approval/case-state.js';
import type { Command } from '../../src/approval/command.js';
import { evaluate } from '../../src/approval/evaluation.js';
import { DEFAULT_SUPERVISION_SETTINGS } from '../../src/approval/settings.js';
import { inspect } from '../../src/approval/supervision.js';
import { TestClock, applicant, assignments, calendar, chief, item, ok, officer, submission, window } from './fixtures.js';

describe('a unified-licence case across the Spring Festival', () => {
  it('runs on the trusted clock; cards follow the make-up Saturday and the holiday', () => {
    const clock = new TestClock('2026-02-12T09:00');
    const lic = item('SCJG-001');
    let c: CaseState = ok(receive(lic, submission('SCJG-001'), { now: clock.now(), actor: applicant })).next;
    const act = (local: string, actor: Actor, cmd: Command) => {
      c = ok(apply(c, cmd, { now: clock.set(local), actor, calendar })).next;
    };
    const cards = (local: string) => inspect(c, clock.set(local), DEFAULT_SUPERVISION_SETTINGS, calendar).map((k) => k.id);

    act('2026-02-13T10:00', window('aic'), { type: 'accept', assignments: assignments(lic) });
    // qts (2 days: Feb 14, 24) answers on the make-up Saturday, day 1.
    act('2026-02-14T11:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' });
    // In the middle of the holiday nothing is due and no card is raised.
    expect(cards('2026-02-18T12:00')).toEqual([]);
    // Feb 24 is day 2: tax (2 days) is warned from day ⌈1.6⌉ = 2; aic and the case (3 days) only from
    // day ⌈2.4⌉ = 3; qts answered on day 1, before its warning day.
    expect(cards('2026-02-24T08:00')).toEqual(['C-SCJG-001/task-near-limit/tax']);
    act('2026-02-24T16:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' });
    // Feb 25 is day 3: aic and the case are warned; aic answers only on Feb 26 → red for both.
    expect(cards('2026-02-25T09:00')).toEqual(['C-SCJG-001/task-near-limit/aic', 'C-SCJG-001/task-near-limit/tax', 'C-SCJG-001/case-near-limit/case']);
    act('2026-02-26T09:30', officer('aic', 'aic-b'), { type: 'give-opinion', verdict: 'approve' });
    act('2026-02-26T10:00', chief('aic'), { type: 'decide' });
    act('2026-02-26T11:00', window('aic'), { type: 'issue-result' });
    act('2026-02-26T11:30', window('aic'), { type: 'close' });
    expect(cards('2026-03-31T12:00')).toEqual([
      'C-SCJG-001/task-near-limit/aic', 'C-SCJG-001/task-overtime/aic', 'C-SCJG-001/task-near-limit/tax',
      'C-SCJG-001/case-near-limit/case', 'C-SCJG-001/case-overtime/case',
    ]);
    const r = ok(evaluate(c, { score: 3, comment: '节后慢了一天' }, { now: clock.set('2026-02-27T09:00'), actor: applicant }));
    expect(r.evaluation.at).toBe('2026-02-27T01:00:00.000Z');
    expect(c.history.map((e) => `${e.event}@${e.at.slice(5, 16)}`)).toEqual([
      'submit@02-12T01:00', 'accept@02-13T02:00', 'give-opinion@02-14T03:00', 'give-opinion@02-24T08:00',
      'give-opinion@02-26T01:30', 'decide@02-26T02:00', 'issue-result@02-26T03:00', 'close@02-26T03:30',
    ]);
  });
});
