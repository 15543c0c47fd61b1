// The supervision monitor on an injected clock: cards appear when their finding becomes true, are
// issued once (insert-if-absent by card id), never change afterwards — not even by a hand-written
// UPDATE — and nothing goes outward. A case that ends is inspected once more, then left alone.
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSupervisionPass, startSupervisionMonitor } from '../../src/desk/supervision-monitor.js';
import type { StaffIdentity } from '../../src/desk/roles.js';
import { bearer, calendar, harness, incoming, login, staffTheCentre, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => { await h.close(); });

const CASE = 'F20260302-SUPERVISE0000001';
const staff = (id: string, department: string, role: StaffIdentity['roles'][number]): StaffIdentity => ({ id, name: id, department, roles: [role] });
const ASSIGN = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };

function pass() {
  return runSupervisionPass({ db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }), audit: (a, s, d) => h.audits.push({ action: a, subject: s, detail: d }) });
}
const cardRows = () => h.db.prepare('SELECT * FROM supervision_cards ORDER BY card_id').all();
const ids = () => (cardRows() as { card_id: string }[]).map((r) => r.card_id.slice(CASE.length + 1));

describe('the supervision monitor', () => {
  it('issues each card once, when its finding becomes true, and never changes it', async () => {
    h = await harness('2026-03-02T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    h.clock.set('2026-03-02T10:00');
    expect(h.desk.act(staff('aic.win', 'aic', 'window'), CASE, { type: 'accept', assignments: ASSIGN }).ok).toBe(true);
    const events = h.desk.pendingEvents(100).length;

    h.clock.set('2026-03-03T09:00'); // day 1 of 3: nothing due (inspected: it changed since the last pass)
    expect(pass()).toEqual({ inspected: 1, newCards: 0, failed: 0, read: 1 });
    h.clock.set('2026-03-04T09:00'); // day 2: qts and tax (2-day tasks) reach 80 % (its next deadline came)
    expect(pass()).toEqual({ inspected: 1, newCards: 2, failed: 0, read: 1 });
    expect(ids()).toEqual(['task-near-limit/qts', 'task-near-limit/tax']);
    const first = cardRows();
    h.clock.set('2026-03-04T16:00'); // unchanged and no threshold since 09:00: not even read
    expect(pass()).toEqual({ inspected: 0, newCards: 0, failed: 0, read: 0 });
    expect(cardRows()).toEqual(first);

    h.clock.set('2026-03-05T09:00'); // day 3: qts and tax are over; aic and the case reach 80 %
    expect(pass().newCards).toBe(4);
    expect(ids()).toEqual([
      'case-near-limit/case', 'task-near-limit/aic', 'task-near-limit/qts', 'task-near-limit/tax', 'task-overtime/qts', 'task-overtime/tax',
    ]);
    // A card issued earlier is byte-for-byte what it was, its issue time included.
    for (const k of first) expect(cardRows()).toContainEqual(k);

    // The case finishes late on day 4 and is closed; the pass after that inspects it once more …
    h.clock.set('2026-03-06T09:00');
    for (const o of ['aic.a', 'qts.a', 'tax.a']) expect(h.desk.act(staff(o, o.split('.')[0]!, 'officer'), CASE, { type: 'give-opinion', verdict: 'approve' }).ok).toBe(true);
    expect(h.desk.act(staff('aic.lead', 'aic', 'lead'), CASE, { type: 'decide' }).ok).toBe(true);
    expect(h.desk.act(staff('aic.win', 'aic', 'window'), CASE, { type: 'issue-result' }).ok).toBe(true);
    expect(h.desk.act(staff('aic.win', 'aic', 'window'), CASE, { type: 'close' }).ok).toBe(true);
    const afterClose = h.desk.pendingEvents(100).length;
    expect(pass()).toEqual({ inspected: 1, newCards: 2, failed: 0, read: 1 });
    expect(ids()).toContain('task-overtime/aic');
    expect(ids()).toContain('case-overtime/case');
    const red = (cardRows() as { card_id: string; colour: string; officer: string | null; department: string }[]).find((k) => k.card_id.endsWith('case-overtime/case'))!;
    expect([red.colour, red.department, red.officer]).toEqual(['red', 'aic', 'aic.win']); // 首问负责: the accepting window
    // … and then never again.
    h.clock.set('2026-06-30T09:00');
    expect(pass()).toEqual({ inspected: 0, newCards: 0, failed: 0, read: 0 });

    // Cards go to the supervision queue only: no outbound event was added by any pass.
    expect(h.desk.pendingEvents(100).length).toBe(afterClose);
    expect(afterClose).toBeGreaterThan(events);
    expect(h.audits.filter((a) => a.action === 'supervision.card')).toHaveLength(8);
  });

  it('refuses any UPDATE or DELETE of a card at the database', async () => {
    h = await harness('2026-03-02T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    h.clock.set('2026-03-13T09:00'); // no acceptance decision within 5 working days: a yellow card
    expect(pass().newCards).toBe(1);
    expect(() => h.db.prepare("UPDATE supervision_cards SET colour = 'yellow', detail = 'softened'").run()).toThrow(/immutable/);
    expect(() => h.db.prepare('DELETE FROM supervision_cards').run()).toThrow(/immutable/);
    expect(() => h.db.prepare("UPDATE case_transitions SET actor = 'someone-else'").run()).toThrow(/append-only/);
    expect(() => h.db.prepare('DELETE FROM case_transitions').run()).toThrow(/append-only/);
    expect(ids()).toEqual(['late-acceptance/acceptance-0']);
  });

  it('runs on a timer until stopped, and supervisors read the cards through the API', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    h.clock.set('2026-03-13T09:00');
    const monitor = startSupervisionMonitor({ db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }), intervalMs: 10 });
    await vi.waitFor(() => expect(ids()).toEqual(['late-acceptance/acceptance-0']), { timeout: 2000 });
    monitor.stop();
    // Inspected by the timer's pass; nothing changed and no deadline came since: not read again.
    expect(monitor.runNow()).toEqual({ inspected: 0, newCards: 0, failed: 0, read: 0 });

    const sup = await login(h, 'sup.li');
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/cards?colour=yellow&department=aic', headers: bearer(sup) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().cards).toEqual([expect.objectContaining({ caseId: CASE, itemCode: 'SCJG-001', colour: 'yellow', kind: 'late-acceptance', department: 'aic' })]);
    const none = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/cards?colour=red', headers: bearer(sup) });
    expect(none.json().cards).toEqual([]);
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/cards?colour=green', headers: bearer(sup) });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'FERRY_ERR_DESK_FIELD']);
  });

  it('skips a case it cannot inspect (a deadline in a year with no calendar), logs it, and inspects the rest', async () => {
    h = await harness('2027-12-20T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20271220-FINE000000000001', h.clock.now()));
    h.clock.set('2027-12-28T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    // The second case's acceptance decision is due 5 working days later, in 2028: no calendar file.
    h.clock.set('2027-12-29T09:00');
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
    const monitor = startSupervisionMonitor({ db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log, intervalMs: 60_000 });
    monitor.stop();
    expect(monitor.runNow()).toEqual({ inspected: 1, newCards: 1, failed: 1, read: 2 });
    expect((cardRows() as { card_id: string }[]).map((k) => k.card_id)).toEqual(['F20271220-FINE000000000001/late-acceptance/acceptance-0']);
    expect(lines.join('')).toContain('FERRY_ERR_APPROVAL_CALENDAR_RANGE');
    expect(lines.join('')).toContain(CASE);
  });
});
