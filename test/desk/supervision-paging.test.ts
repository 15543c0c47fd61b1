// Supervision at scale (issue 12), over a real SQLite file with thousands of open cases: a pass reads
// only the cases that changed or whose next deadline has come (counted: `read`), page by page through
// the indexes, and the timer's pass yields to the event loop between pages.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runSupervisionPass, runSupervisionPassYielding, type SupervisionDeps } from '../../src/desk/supervision-monitor.js';
import type { StaffIdentity } from '../../src/desk/roles.js';
import { calendar, harness, incoming, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => { await h.close(); });

const ASSIGN = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };
const win: StaffIdentity = { id: 'aic.win', name: 'aic.win', department: 'aic', roles: ['window'] };

/** `n` copies of case `from` (its state with the copy's own case id), straight into the table. */
function clone(from: string, prefix: string, n: number): void {
  h.db.prepare(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < @n)
    INSERT INTO approval_cases (case_id, item_code, lead_department, status, state, version, received_at, updated_at)
    SELECT printf('%s%06d', @prefix, i), item_code, lead_department, status,
      replace(state, '"caseId":"' || case_id || '"', '"caseId":"' || printf('%s%06d', @prefix, i) || '"'), version, received_at, updated_at
    FROM approval_cases, k WHERE case_id = @from`).run({ n, prefix, from });
}

describe('the supervision monitor at scale', () => {
  it('reads only the cases changed or due, a page at a time, through the indexes', async () => {
    h = await harness('2026-03-02T09:00');
    // Group A: accepted on 2 March (2-day tasks warn on day 2, 4 March). Group B: received on 10 March.
    h.desk.receiveSubmission(incoming('SCJG-001', 'A-SEED', h.clock.now()));
    h.clock.set('2026-03-02T10:00');
    expect(h.desk.act(win, 'A-SEED', { type: 'accept', assignments: ASSIGN }).ok).toBe(true);
    h.clock.set('2026-03-10T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'B-SEED', h.clock.now()));
    clone('A-SEED', 'A-', 1500);
    clone('B-SEED', 'B-', 2500);
    const open = (h.db.prepare('SELECT COUNT(*) AS n FROM approval_cases').get() as { n: number }).n;
    expect(open).toBe(4002);

    const deps: SupervisionDeps = { db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }), pageSize: 97 };
    h.clock.set('2026-03-02T12:00');
    // First pass: every case is new to the monitor (changed since inspection): each read once.
    expect(runSupervisionPass(deps)).toEqual({ inspected: 4002, newCards: 0, failed: 0, read: 4002 });
    // Nothing changed, no deadline came: nothing read.
    expect(runSupervisionPass(deps).read).toBe(0);

    // 4 March, 09:00 (county time): group A's 2-day tasks reached 80 % at midnight; group B not yet.
    h.clock.set('2026-03-04T09:00');
    const r = runSupervisionPass(deps);
    expect(r).toEqual({ inspected: 1501, newCards: 2 * 1501, failed: 0, read: 1501 });
    expect(runSupervisionPass(deps).read).toBe(0);

    // One case changes: only it is read.
    h.clock.set('2026-03-04T10:00');
    expect(h.desk.act({ id: 'qts.a', name: 'qts.a', department: 'qts', roles: ['officer'] }, 'A-000007', { type: 'give-opinion', verdict: 'approve' }).ok).toBe(true);
    expect(runSupervisionPass(deps)).toMatchObject({ read: 1, inspected: 1 });

    // The queries use the indexes (no scan of the open cases).
    const plan = (sql: string) => (h.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' | ');
    expect(plan(`SELECT case_id FROM approval_cases WHERE next_deadline IS NOT NULL AND next_deadline <= 1 AND (next_deadline, case_id) > (0, '')
      ORDER BY next_deadline, case_id LIMIT 10`)).toMatch(/USING (COVERING )?INDEX approval_cases_next_deadline/);
    expect(plan("SELECT case_id FROM approval_cases WHERE inspected_version < version AND case_id > '' ORDER BY case_id LIMIT 10"))
      .toMatch(/USING (COVERING )?INDEX approval_cases_changed/);
  });

  it('yields to the event loop between pages on the timer', async () => {
    h = await harness('2026-03-02T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'B-SEED', h.clock.now()));
    clone('B-SEED', 'B-', 999);
    let turns = 0;
    let spinning = true;
    const spin = () => { turns++; if (spinning) setImmediate(spin); };
    setImmediate(spin);
    const r = await runSupervisionPassYielding({ db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }), pageSize: 50 });
    spinning = false;
    expect(r.read).toBe(1000);
    // 20 pages of 50 (and the empty due page): the loop turned between them.
    expect(turns).toBeGreaterThanOrEqual(19);
  });

  it('recomputes every deadline when the settings or the calendar change', async () => {
    h = await harness('2026-03-02T09:00');
    h.desk.receiveSubmission(incoming('SCJG-001', 'B-SEED', h.clock.now()));
    clone('B-SEED', 'B-', 99);
    const deps: SupervisionDeps = { db: h.db, clock: h.clock, settings: h.settings.supervision, calendar, log: pino({ level: 'silent' }) };
    expect(runSupervisionPass(deps).read).toBe(100);
    expect(runSupervisionPass(deps).read).toBe(0);
    // Another yellow share: the stored deadlines were computed with the old one.
    expect(runSupervisionPass({ ...deps, settings: { ...deps.settings, yellowShare: 0.5 } }).read).toBe(100);
  });
});
