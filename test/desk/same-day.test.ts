// Same-day items (即办件: 能办即办、当场办结) at the desk, over a real SQLite file: decided at the window in
// one step, limit 0 working days, no card when done the same day, a red card only when left open past
// the day; the ordinary acceptance step is refused for them, and the one-step decision for other items.
// The item takes the generic form (no form schema in the catalogue).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogueFromItems, parseItem } from '../../src/approval/catalogue.js';
import { createApprovalDesk, type ApprovalDesk } from '../../src/desk/approval-desk.js';
import { runSupervisionPass } from '../../src/desk/supervision-monitor.js';
import { deskSettings, DEFAULT_DESK_CONFIG } from '../../src/desk/settings.js';
import type { StaffIdentity } from '../../src/desk/roles.js';
import type { Db } from '../../src/store/db.js';
import { APPLICANT, TestClock, calendar, catalogue, sha, tempDb } from './helpers.js';

const SAME_DAY_YAML = `
code: MZ-S01
name: 婚姻登记档案查询
category: public-service
leadDepartment: { code: aic, name: 县工商行政管理局, taskDays: 0 }
legalBasis: [《婚姻登记档案管理办法》]
conditions: [申请人为登记当事人本人]
materials:
  - { id: id-card, name: 居民身份证, acceptance: required }
promisedDays: 0
sameDay: true
fee: free
mode: direct
greenChannel: { eligible: false }
result: 婚姻登记档案查询结果
`;

const window = (id = 'aic.win'): StaffIdentity => ({ id, name: id, department: 'aic', roles: ['window'] });

let db: Db;
afterEach(() => { db.close(); });

function setup(start: string): { desk: ApprovalDesk; clock: TestClock; pass: () => ReturnType<typeof runSupervisionPass> } {
  const t = tempDb();
  db = t.db;
  const clock = new TestClock(start);
  const settings = deskSettings(DEFAULT_DESK_CONFIG);
  const log = pino({ level: 'silent' });
  const cat = catalogueFromItems([...catalogue.items, parseItem(SAME_DAY_YAML, 'MZ-S01.yaml')]);
  const desk = createApprovalDesk({ db, catalogue: cat, calendar, clock, settings, log });
  return { desk, clock, pass: () => runSupervisionPass({ db, clock, settings: settings.supervision, calendar, log }) };
}

function file(desk: ApprovalDesk, caseId: string, at: Date, fields: Record<string, string> = {}) {
  return desk.receiveSubmission({
    caseId, itemCode: 'MZ-S01', receivedAt: at, channel: 'public',
    submission: { applicant: APPLICANT, fields, attachments: [{ fileName: 'id.pdf', mediaType: 'application/pdf', materialId: 'id-card', size: 1000, sha256: sha(1) }] },
  });
}

const cards = () => (db.prepare('SELECT card_id AS id, colour, kind FROM supervision_cards ORDER BY card_id').all() as { id: string; colour: string; kind: string }[]);

describe('a same-day item (即办件)', () => {
  it('is received on the generic form and decided at the window in one step, with no card', () => {
    const { desk, clock, pass } = setup('2026-03-02T09:00');
    expect(file(desk, 'F20260302-SAMEDAY000000001', clock.now(), { request: '查询本人婚姻登记档案' }).ok).toBe(true);
    clock.set('2026-03-02T09:20');
    const r = desk.act(window(), 'F20260302-SAMEDAY000000001', { type: 'decide-on-the-spot', verdict: 'approve' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const row = db.prepare('SELECT status, state FROM approval_cases WHERE case_id = ?').get('F20260302-SAMEDAY000000001') as { status: string; state: string };
    const c = JSON.parse(row.state);
    expect(row.status).toBe('decided-approved');
    expect(c.history.map((e: { event: string }) => e.event)).toEqual(['submit', 'decide-on-the-spot']);
    expect(c.acceptance).toMatchObject({ limitDays: 0, by: 'aic.win' });
    expect(c.decision).toMatchObject({ outcome: 'approved', by: 'aic.win' });
    expect(c.item.sameDay).toBe(true);
    expect(r.ok && r.value.map((e) => e.type)).toEqual(['decision']);
    // Inspected now and again weeks later: nothing to find (not late, not out of order).
    expect(pass().newCards).toBe(0);
    clock.set('2026-04-20T09:00');
    pass();
    expect(cards()).toEqual([]);
  });

  it('can be denied on the spot only with reasons', () => {
    const { desk, clock } = setup('2026-03-02T09:00');
    file(desk, 'F20260302-SAMEDAY000000002', clock.now());
    const bare = desk.act(window(), 'F20260302-SAMEDAY000000002', { type: 'decide-on-the-spot', verdict: 'deny' });
    expect(bare).toMatchObject({ ok: false, code: 'FERRY_ERR_APPROVAL_COMMAND' });
    const r = desk.act(window(), 'F20260302-SAMEDAY000000002', { type: 'decide-on-the-spot', verdict: 'deny', reason: '申请人非登记当事人' });
    expect(r.ok).toBe(true);
    expect((db.prepare('SELECT status FROM approval_cases WHERE case_id = ?').get('F20260302-SAMEDAY000000002') as { status: string }).status).toBe('decided-denied');
  });

  it('gets a red card only when left open past the day it arrived', () => {
    const { desk, clock, pass } = setup('2026-03-02T09:00');
    file(desk, 'F20260302-SAMEDAY000000003', clock.now());
    clock.set('2026-03-02T23:59');
    expect(pass().newCards).toBe(0);
    clock.set('2026-03-03T00:01');
    expect(pass().newCards).toBe(1);
    expect(cards()).toEqual([{ id: 'F20260302-SAMEDAY000000003/same-day-overtime/same-day-0', colour: 'red', kind: 'same-day-overtime' }]);
  });

  it('filed on a rest day, is due at the end of the next working day', () => {
    const { desk, clock, pass } = setup('2026-03-07T10:00'); // a Saturday
    file(desk, 'F20260307-SAMEDAY000000004', clock.now());
    clock.set('2026-03-09T23:00'); // Monday evening
    expect(pass().newCards).toBe(0);
    clock.set('2026-03-10T08:00');
    expect(pass().newCards).toBe(1);
  });

  it('refuses the ordinary acceptance step; and other items refuse the one-step decision', () => {
    const { desk, clock } = setup('2026-03-02T09:00');
    file(desk, 'F20260302-SAMEDAY000000005', clock.now());
    const acc = desk.act(window(), 'F20260302-SAMEDAY000000005', { type: 'accept', assignments: { aic: { a: 'aic.a', b: 'aic.b' } } });
    expect(acc).toMatchObject({ ok: false, code: 'FERRY_ERR_APPROVAL_TRANSITION' });
    expect(!acc.ok && acc.detail).toContain('same-day item');
    const other = desk.receiveSubmission({
      caseId: 'F20260302-ORDINARY00000001', itemCode: 'FGW-002', receivedAt: clock.now(), channel: 'public',
      submission: {
        applicant: APPLICANT,
        fields: { projectName: '茶叶加工厂扩建', site: '清溪镇', scale: '新建厂房2000平方米', totalInvestment: 500, industry: '制造业', plannedStart: '2026-05-01' },
        attachments: ['filing-form', 'business-licence', 'developer-qualification'].map((m, i) => ({ fileName: `${m}.pdf`, mediaType: 'application/pdf', materialId: m, size: 10 + i, sha256: sha(i + 1) })),
      },
    });
    expect(other.ok, JSON.stringify(other)).toBe(true);
    const drc = { id: 'drc.win', name: 'drc.win', department: 'drc', roles: ['window'] } as StaffIdentity;
    expect(desk.act(drc, 'F20260302-ORDINARY00000001', { type: 'decide-on-the-spot', verdict: 'approve' }))
      .toMatchObject({ ok: false, code: 'FERRY_ERR_APPROVAL_TRANSITION', detail: expect.stringContaining('not a same-day item') });
  });

  it('a catalogue entry that is same-day must say limit 0, one department, nothing tolerable', () => {
    expect(() => parseItem(SAME_DAY_YAML.replace('promisedDays: 0', 'promisedDays: 1'), 'x.yaml')).toThrow(/promisedDays: must be 0 for a same-day item/);
    expect(() => parseItem(SAME_DAY_YAML.replace('sameDay: true', 'sameDay: false'), 'x.yaml')).toThrow(/promisedDays: must be at least 1/);
    expect(() => parseItem(SAME_DAY_YAML.replace('result:', 'parallelDepartments: [{ code: qts, name: 质监, taskDays: 0 }]\nresult:'), 'x.yaml')).toThrow(/no parallel departments/);
    expect(() => parseItem(SAME_DAY_YAML.replace('acceptance: required }', 'acceptance: tolerable, commitWithinDays: 3 }'), 'x.yaml')).toThrow(/nothing can be tolerated/);
    expect(() => parseItem(SAME_DAY_YAML.replace('greenChannel: { eligible: false }', 'greenChannel: { eligible: true, promisedDays: 1 }'), 'x.yaml')).toThrow(/no green channel|green-channel limit/);
  });
});
