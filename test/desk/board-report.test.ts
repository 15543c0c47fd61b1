// The hall's public board shows every case's real-time status without personal data; the monthly
// circular's figures for March 2026 follow from the cases, cards and evaluations of that month.
import { afterEach, describe, expect, it } from 'vitest';
import type { DepartmentMonth } from '../../src/approval/index.js';
import { PERSONAL, bearer, harness, incoming, login, staffTheCentre, type Harness } from './helpers.js';
import { CASES, buildMarch } from './march.js';

let h: Harness;
afterEach(async () => { await h.close(); });

describe('the public board', () => {
  it('shows item, status and days used against the limit, never a name, id number, phone or whole case number', async () => {
    h = await harness('2026-03-02T09:00');
    buildMarch(h);
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20260402-TOWNSHIP00000001', h.clock.now(), [], { channel: 'township', township: '石门乡便民服务中心' }));
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/board' });
    expect(r.statusCode).toBe(200);
    const body = r.body;
    for (const p of PERSONAL) expect(body).not.toContain(p);
    for (const id of Object.values(CASES)) {
      expect(body).not.toContain(id);
      expect(body).not.toContain(id.slice(0, 12));
    }
    const board = r.json() as { at: string; cases: Record<string, unknown>[] };
    expect(board.at).toBe('2026-04-02T01:00:00.000Z'); // the trusted clock, not the host's
    expect(Object.keys(board.cases[0]!).sort()).toEqual(['daysUsed', 'department', 'green', 'item', 'limitDays', 'overdue', 'ref', 'status', 'statusText']);
    const byRef = Object.fromEntries(board.cases.map((c) => [c['ref'], c]));
    expect(byRef['…AAAAAA']).toMatchObject({ item: '企业设立登记（三证合一、一照一码）', department: '县工商行政管理局', status: 'closed', statusText: '已办结', daysUsed: 1, limitDays: 3, overdue: false });
    expect(byRef['…BBBBBB']).toMatchObject({ status: 'closed', daysUsed: 4, limitDays: 3, overdue: true });
    expect(byRef['…CCCCCC']).toMatchObject({ item: '企业投资项目备案', status: 'decided-approved', daysUsed: 0, limitDays: 1, overdue: false });
    expect(byRef['…000001']).toMatchObject({ status: 'received', statusText: '已收件，待受理', daysUsed: null, limitDays: null });
  });
});

describe('the monthly report', () => {
  it('counts March: cases decided, on-time rates, working days, cards and satisfaction per department', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    buildMarch(h);
    const sup = await login(h, 'sup.li');
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/report?month=2026-03', headers: bearer(sup) });
    expect(r.statusCode, r.body).toBe(200);
    const rows = Object.fromEntries((r.json().departments as DepartmentMonth[]).map((d) => [d.department, d]));
    expect(Object.keys(rows)).toEqual(['aic', 'drc', 'qts', 'tax']);
    // A on time (1 day), B late (4 days of 3); A rated 5, B rated 3.
    expect(rows['aic']).toEqual({
      department: 'aic', name: '县工商行政管理局', cases: 2, onTimeRate: 0.5, avgWorkingDays: 2.5, avgPromisedDays: 3, avgStatutoryDays: 15,
      reviews: 2, reviewOnTimeRate: 0.5, avgReviewDays: 2.5, yellowCards: 2, redCards: 2, evaluations: 2, avgScore: 4, satisfiedRate: 0.5,
    });
    expect(rows['qts']).toMatchObject({ cases: 2, reviews: 2, reviewOnTimeRate: 1, avgReviewDays: 1, yellowCards: 0, redCards: 0 });
    expect(rows['tax']).toMatchObject({ cases: 2, reviews: 2, reviewOnTimeRate: 0.5, yellowCards: 1, redCards: 1 });
    expect(rows['drc']).toEqual({
      department: 'drc', name: '县发展和改革局', cases: 1, onTimeRate: 1, avgWorkingDays: 0, avgPromisedDays: 1, avgStatutoryDays: null,
      reviews: 1, reviewOnTimeRate: 1, avgReviewDays: 0, yellowCards: 0, redCards: 0, evaluations: 0, avgScore: null, satisfiedRate: null,
    });
    // D was decided on April 1st: it counts in April, not March.
    const april = h.desk.report('2026-04');
    expect(april.ok && april.value.find((d) => d.department === 'aic')).toMatchObject({ cases: 1, onTimeRate: 1, reviews: 1, evaluations: 0 });
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/report?month=2026-13', headers: bearer(sup) });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'FERRY_ERR_DESK_FIELD']);
  });
});

describe('work queues', () => {
  it('put green-channel cases first, then the earliest deadline', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20260302-ORDINARY00000001', h.clock.now()));
    h.clock.set('2026-03-02T10:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20260302-ORDINARY00000002', h.clock.now()));
    h.clock.set('2026-03-02T11:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'F20260302-GREENCHANNEL0001', h.clock.now(), [], {
      submission: { ...incoming('SCJG-001', 'x', h.clock.now()).submission, greenChannel: true },
    }));
    const win = await login(h, 'aic.win');
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer(win) });
    expect((r.json().window as { caseId: string; green: boolean }[]).map((q) => [q.caseId.slice(10), q.green])).toEqual([
      ['GREENCHANNEL0001', true], ['ORDINARY00000001', false], ['ORDINARY00000002', false],
    ]);
    // Another department's window sees none of the aic cases.
    const qts = await login(h, 'qts.win');
    const other = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer(qts) });
    expect(other.json()).toEqual({ window: [] });
  });
});
