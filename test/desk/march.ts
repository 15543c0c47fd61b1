// A month of cases at the centre (March 2026), driven through the desk on the injected clock, for the
// board, the monthly report and the CLI tests:
//   A  SCJG-001  accepted Mon 03-02, every opinion on day 1, decided 03-03 (on time), evaluated 5
//   B  SCJG-001  accepted Mon 03-02, qts on day 1, aic and tax on day 4, decided 03-06 (late), evaluated 3
//   C  FGW-002   accepted 03-10, decided the same day (on time), not evaluated
//   D  SCJG-001  accepted 03-31, every opinion and the decision on 04-01 (an April case)
// Then one supervision pass on 04-02 records every card.
import { pino } from 'pino';
import { expect } from 'vitest';
import type { StaffIdentity, StaffRole } from '../../src/desk/roles.js';
import { runSupervisionPass } from '../../src/desk/supervision-monitor.js';
import { calendar, incoming, type Harness } from './helpers.js';

export const CASES = {
  A: 'F20260302-AAAAAAAAAAAAAAAA',
  B: 'F20260302-BBBBBBBBBBBBBBBB',
  C: 'F20260310-CCCCCCCCCCCCCCCC',
  D: 'F20260331-DDDDDDDDDDDDDDDD',
};

const s = (id: string, role: StaffRole): StaffIdentity => ({ id, name: id, department: id.split('.')[0]!, roles: [role] });
const WIN = s('aic.win', 'window');
const LEAD = s('aic.lead', 'lead');
const ASSIGN = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };

export function buildMarch(h: Harness): void {
  const at = (local: string) => h.clock.set(local);
  const ok = (v: { ok: boolean }) => expect(v, JSON.stringify(v)).toMatchObject({ ok: true });
  const opinion = (id: string, caseId: string) => ok(h.desk.act(s(id, 'officer'), caseId, { type: 'give-opinion', verdict: 'approve' }));
  const finish = (caseId: string, win: StaffIdentity, lead: StaffIdentity) => {
    ok(h.desk.act(lead, caseId, { type: 'decide' }));
    ok(h.desk.act(win, caseId, { type: 'issue-result' }));
    ok(h.desk.act(win, caseId, { type: 'close' }));
  };

  at('2026-03-02T09:00');
  ok(h.desk.receiveSubmission(incoming('SCJG-001', CASES.A, h.clock.now())));
  ok(h.desk.receiveSubmission(incoming('SCJG-001', CASES.B, h.clock.now())));
  at('2026-03-02T10:00');
  ok(h.desk.act(WIN, CASES.A, { type: 'accept', assignments: ASSIGN }));
  ok(h.desk.act(WIN, CASES.B, { type: 'accept', assignments: ASSIGN }));
  at('2026-03-03T09:00');
  for (const o of ['aic.a', 'qts.a', 'tax.a']) opinion(o, CASES.A);
  opinion('qts.b', CASES.B);
  at('2026-03-03T10:00');
  finish(CASES.A, WIN, LEAD);
  at('2026-03-04T09:00');
  ok(h.desk.applicantAction(CASES.A, { type: 'evaluate', score: 5, comment: '很快' }));
  at('2026-03-06T09:00');
  opinion('aic.b', CASES.B);
  opinion('tax.b', CASES.B);
  at('2026-03-06T10:00');
  finish(CASES.B, WIN, LEAD);
  at('2026-03-09T09:00');
  ok(h.desk.applicantAction(CASES.B, { type: 'evaluate', score: 3, comment: '慢了一天' }));

  at('2026-03-10T09:00');
  ok(h.desk.receiveSubmission(incoming('FGW-002', CASES.C, h.clock.now())));
  at('2026-03-10T10:00');
  ok(h.desk.act(s('drc.win', 'window'), CASES.C, { type: 'accept', assignments: { drc: { a: 'drc.a', b: 'drc.b' } } }));
  at('2026-03-10T11:00');
  opinion('drc.a', CASES.C);
  at('2026-03-10T12:00');
  ok(h.desk.act(s('drc.lead', 'lead'), CASES.C, { type: 'decide' }));

  at('2026-03-31T09:00');
  ok(h.desk.receiveSubmission(incoming('SCJG-001', CASES.D, h.clock.now())));
  at('2026-03-31T10:00');
  ok(h.desk.act(WIN, CASES.D, { type: 'accept', assignments: ASSIGN }));
  at('2026-04-01T09:00');
  for (const o of ['aic.a', 'qts.a', 'tax.a']) opinion(o, CASES.D);
  ok(h.desk.act(LEAD, CASES.D, { type: 'decide' }));

  at('2026-04-02T09:00');
  runSupervisionPass({ db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }) });
}
