// The operator commands over a real SQLite file: ferry staff add|list|disable, ferry case list|show|act,
// ferry supervision report — one line per row or --json, exit 0 ok / 1 refused / 2 usage.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { caseCommand, splitConfigArg, staffCommand, supervisionCommand, type DeskCliContext } from '../../src/cli/desk.js';
import { deskConfigSchema } from '../../src/desk/settings.js';
import { ROOT } from '../approval/fixtures.js';
import { MIGRATIONS, PASSWORD, PERSONAL, harness, type Harness } from '../desk/helpers.js';
import { CASES, buildMarch } from '../desk/march.js';

let h: Harness;
afterEach(async () => { await h.close(); });

function cli(extra: Partial<DeskCliContext> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: DeskCliContext = {
    dbFile: h.file, migrations: MIGRATIONS, clock: h.clock, env: {},
    config: deskConfigSchema({ items: join(ROOT, 'config/items'), calendar: join(ROOT, 'config/calendar') }, 'approval'),
    out: (s) => out.push(s), err: (s) => err.push(s), ...extra,
  };
  return { ctx, out, err, text: () => out.join(''), errors: () => err.join('') };
}

describe('ferry staff', () => {
  it('adds (password from a file or the environment), lists and disables accounts', async () => {
    h = await harness();
    const pw = join(h.dir, 'pw');
    writeFileSync(pw, `${PASSWORD}\n`, { mode: 0o600 });
    const a = cli();
    expect(await staffCommand(['add', '--id', 'aic.win', '--name', '张敏', '--department', 'aic', '--roles', 'window', '--password-file', pw], a.ctx)).toBe(0);
    expect(a.text()).toBe('added aic.win (张敏) department aic, roles window\n');
    const b = cli({ env: { FERRY_STAFF_PASSWORD: PASSWORD } });
    expect(await staffCommand(['add', '--id', 'sup.li', '--name', '李华', '--department', 'supervision', '--roles', 'supervisor'], b.ctx)).toBe(0);
    expect((await h.auth.login('aic.win', PASSWORD)).ok).toBe(true);

    const list = cli();
    expect(await staffCommand(['list'], list.ctx)).toBe(0);
    expect(list.text().split('\n')).toEqual([
      'ID       DEPARTMENT   ROLES       STATE   NAME',
      'aic.win  aic          window      active  张敏',
      'sup.li   supervision  supervisor  active  李华',
      '',
    ]);
    const off = cli();
    expect(await staffCommand(['disable', 'aic.win'], off.ctx)).toBe(0);
    const json = cli();
    expect(await staffCommand(['list', '--json'], json.ctx)).toBe(0);
    expect(JSON.parse(json.text())).toContainEqual(expect.objectContaining({ id: 'aic.win', disabled: true, roles: ['window'] }));
    expect(json.text()).not.toMatch(/pw|salt|hash/i);
  });

  it.each([
    [['add', '--id', 'x.y'], 2, /needs --id, --name, --department and --roles/],
    [['add', '--id', 'x.y', '--name', 'n', '--department', 'aic', '--roles', 'root'], 2, /unknown role 'root'/],
    [['add', '--id', 'x.y', '--name', 'n', '--department', 'aic', '--roles', 'window'], 2, /--password-file F or FERRY_STAFF_PASSWORD/],
    [['disable', 'nobody'], 1, /FERRY_ERR_DESK_NO_STAFF/],
    [['frobnicate'], 2, /unknown subcommand/],
  ])('staff %j exits %i', async (args, code, message) => {
    h = await harness();
    const c = cli();
    expect(await staffCommand(args, c.ctx)).toBe(code);
    expect(c.errors()).toMatch(message);
  });
});

describe('ferry case and ferry supervision', () => {
  it('lists and shows cases without personal data, acts as a logged-in staff member, and prints the report', async () => {
    h = await harness('2026-03-02T09:00');
    buildMarch(h);
    const list = cli();
    expect(await caseCommand(['list'], list.ctx)).toBe(0);
    const lines = list.text().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CASE\s+ITEM\s+STATUS\s+GREEN\s+DAYS\s+RECEIVED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      [CASES.D, 'SCJG-001', 'decided-approved', '-', '1/3'],
      [CASES.C, 'FGW-002', 'decided-approved', '-', '0/1'],
      [CASES.B, 'SCJG-001', 'closed', '-', '4/3'],
      [CASES.A, 'SCJG-001', 'closed', '-', '1/3'],
    ]);

    const show = cli();
    expect(await caseCommand(['show', CASES.B], show.ctx)).toBe(0);
    expect(show.text()).toContain('case limit 3 working days, due 2026-03-05, used 4 LATE');
    expect(show.text()).toMatch(/card RED case-overtime aic aic\.win/);
    const showJson = cli();
    expect(await caseCommand(['show', CASES.B, '--json'], showJson.ctx)).toBe(0);
    expect(JSON.parse(showJson.text()).state.formFields).toContain('legalRepresentativeIdNo');
    for (const p of PERSONAL) {
      expect(show.text()).not.toContain(p);
      expect(showJson.text()).not.toContain(p);
    }

    await h.auth.createStaff({ id: 'drc.win', name: '窗口', department: 'drc', roles: ['window'], password: PASSWORD });
    const act = cli({ env: { FERRY_STAFF_PASSWORD: PASSWORD } });
    expect(await caseCommand(['act', CASES.C, '--as', 'drc.win', '--command', '{"type":"issue-result"}', '--if-match', '4'], act.ctx)).toBe(0);
    expect(act.text()).toBe(`case ${CASES.C} now result-issued (version 5)\nevent ${CASES.C}/4/result-ready result-ready\n`);
    expect(h.desk.store.transitions(CASES.C).at(-1)).toMatchObject({ actor: 'drc.win', role: 'window', event: 'issue-result' });
    const refused = cli({ env: { FERRY_STAFF_PASSWORD: PASSWORD } });
    expect(await caseCommand(['act', CASES.C, '--as', 'drc.win', '--command', '{"type":"decide"}'], refused.ctx)).toBe(1);
    expect(refused.errors()).toMatch(/^ferry: FERRY_ERR_APPROVAL_TRANSITION: /);
    const wrongPw = cli({ env: { FERRY_STAFF_PASSWORD: 'Not-the-password-9' } });
    expect(await caseCommand(['act', CASES.C, '--as', 'drc.win', '--command', '{"type":"close"}'], wrongPw.ctx)).toBe(1);
    expect(wrongPw.errors()).toContain('FERRY_ERR_DESK_LOGIN_FAILED');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM staff_sessions').get()).toEqual({ n: 0 }); // the CLI logged out

    const report = cli();
    expect(await supervisionCommand(['report', '--month', '2026-03'], report.ctx)).toBe(0);
    const rows = report.text().trimEnd().split('\n');
    expect(rows[0]).toMatch(/^DEPT\s+CASES\s+ON-TIME\s+DAYS\/PROMISED\s+REVIEWS\s+REV-ON-TIME\s+YELLOW\s+RED\s+EVALS\s+SCORE\s+SATISFIED\s+NAME$/);
    expect(rows[1]!.split(/\s+/)).toEqual(['aic', '2', '50%', '2.5/3.0', '2', '50%', '2', '2', '2', '4.00', '50%', '县工商行政管理局']);
    const reportJson = cli();
    expect(await supervisionCommand(['report', '--month', '2026-03', '--json'], reportJson.ctx)).toBe(0);
    expect(JSON.parse(reportJson.text()).departments).toHaveLength(4);
    const bad = cli();
    expect(await supervisionCommand(['report', '--month', 'March'], bad.ctx)).toBe(2);
    expect(bad.errors()).toContain('FERRY_ERR_CLI_USAGE');
  });
});

describe('splitConfigArg', () => {
  it.each([
    [['case', 'list', '--config', 'x.yaml', '--json'], { config: 'x.yaml', rest: ['case', 'list', '--json'] }],
    [['--config=y.yaml', 'list'], { config: 'y.yaml', rest: ['list'] }],
    [['list'], { config: 'config/internal.yaml', rest: ['list'] }],
  ])('%j → %j', (args, want) => { expect(splitConfigArg(args)).toEqual(want); });
  it('refuses a --config without a file', () => { expect(() => splitConfigArg(['list', '--config'])).toThrow(/needs a file/); });
});
