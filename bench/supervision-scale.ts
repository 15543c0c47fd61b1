// Benchmark (prints figures, asserts nothing): the supervision monitor over 1k, 10k, 100k and 200k open
// cases in a real SQLite file (WAL, as the gateway opens it). Issue 12: the once-a-minute pass that read
// every open case at once grew the gateway from 299 MB to 469 MB RSS at 43,000 cases and missed a
// /health answer. Now a pass reads only the changed and due cases, a page at a time, yielding between
// pages. Per size: the pass when 1 % of the cases reach a deadline, and an idle pass; the RSS after it
// and the event-loop delay p99 / max while the pass runs (perf_hooks.monitorEventLoopDelay).
// The cases are one real case made by the desk (received, accepted) and one received only, each
// inspected once, then copied in SQL with their own case ids (inspection state and deadline included).
// Run: npm run build && node dist/bench/supervision-scale.js [--max 200000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { loadCalendar } from '../src/approval/calendar.js';
import { loadCatalogue } from '../src/approval/catalogue.js';
import { createApprovalDesk } from '../src/desk/approval-desk.js';
import { deskSettings, DEFAULT_DESK_CONFIG } from '../src/desk/settings.js';
import { runSupervisionPass, runSupervisionPassYielding, type SupervisionDeps } from '../src/desk/supervision-monitor.js';
import { APPROVAL_SQL, NEXT_DEADLINE_SQL } from '../src/desk/store/approval-store.js';
import { openDb, type Db } from '../src/store/db.js';

const argMax = process.argv.indexOf('--max');
const MAX = argMax > 0 ? Number(process.argv[argMax + 1]) : 200_000;
const SIZES = [1_000, 10_000, 100_000, 200_000].filter((n) => n <= MAX);
const catalogue = loadCatalogue('config/items');
const calendar = loadCalendar('config/calendar');
const settings = deskSettings(DEFAULT_DESK_CONFIG);
const log = pino({ level: 'silent' });
const FORM = {
  companyName: '清河茶业有限公司', companyType: '有限责任公司', registeredCapital: 100, legalRepresentative: '王清河',
  legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
};
let now = new Date('2026-03-02T01:00:00Z');
const clock = { now: () => now };

function seed(db: Db): void {
  const desk = createApprovalDesk({ db, catalogue, calendar, clock, settings, log });
  const materials = catalogue.byCode['SCJG-001']!.materials.map((m, i) => ({ fileName: `${m.id}.pdf`, mediaType: 'application/pdf', materialId: m.id, size: 100, sha256: String(i).padStart(64, '0') }));
  const applicant = { type: 'enterprise', name: '清河茶业', idNumber: '91330100MA2QH0001', phone: '+86 571 8888 0000' };
  for (const id of ['A-SEED', 'B-SEED']) {
    const r = desk.receiveSubmission({ caseId: id, itemCode: 'SCJG-001', receivedAt: now, channel: 'public', submission: { applicant, fields: FORM, attachments: materials } } as never);
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  }
  now = new Date('2026-03-02T02:00:00Z');
  const assignments = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };
  const acc = desk.act({ id: 'aic.win', name: 'aic.win', department: 'aic', roles: ['window'] }, 'A-SEED', { type: 'accept', assignments });
  if (!acc.ok) throw new Error(`${acc.code}: ${acc.detail}`);
  now = new Date('2026-03-02T04:00:00Z');
  runSupervisionPass(deps(db));
}

function clone(db: Db, from: string, prefix: string, n: number): void {
  db.prepare(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < @n)
    INSERT INTO approval_cases (case_id, item_code, lead_department, status, state, version, inspected_version, next_deadline, received_at, updated_at)
    SELECT printf('%s%07d', @prefix, i), item_code, lead_department, status,
      replace(state, '"caseId":"' || case_id || '"', '"caseId":"' || printf('%s%07d', @prefix, i) || '"'),
      version, inspected_version, next_deadline, received_at, updated_at
    FROM approval_cases, k WHERE case_id = @from`).run({ n, prefix, from });
}

const deps = (db: Db): SupervisionDeps => ({ db, clock, settings: settings.supervision, calendar, log });
const mb = (b: number) => (b / 1048576).toFixed(0);

/** Event-loop lag as a /health handler would feel it: how late a 2 ms timer fires, while the pass runs. */
function lagProbe(): { stop(): number[] } {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => { const t = performance.now(); lags.push(Math.max(0, t - last - 2)); last = t; }, 2);
  return { stop: () => { clearInterval(timer); return lags; } };
}
const pct = (xs: number[], p: number) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!);

async function measuredPass(db: Db): Promise<string> {
  const probe = lagProbe();
  await new Promise((r) => setTimeout(r, 10));
  const t = performance.now();
  const r = await runSupervisionPassYielding(deps(db));
  const ms = performance.now() - t;
  await new Promise((r) => setTimeout(r, 10));
  const lags = probe.stop();
  return `read ${String(r.read).padStart(6)}  cards ${String(r.newCards).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  RSS ${mb(process.memoryUsage().rss).padStart(4)} MB  loop lag p99 ${pct(lags, 0.99).toFixed(1).padStart(5)} ms  max ${Math.max(0, ...lags).toFixed(1).padStart(5)} ms`;
}

console.log(`start: RSS ${mb(process.memoryUsage().rss)} MB`);
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-sup-'));
  const db = openDb(join(dir, 'internal.sqlite'), [{ version: 1, sql: APPROVAL_SQL }, { version: 2, sql: NEXT_DEADLINE_SQL }]);
  now = new Date('2026-03-02T01:00:00Z');
  seed(db);
  const due = Math.max(1, Math.round(n / 100));
  const t = performance.now();
  db.transaction(() => { clone(db, 'A-SEED', 'A-', due - 1); clone(db, 'B-SEED', 'B-', n - due - 1); })();
  // The copies went in as one transaction: fold the WAL into the file first, as a running gateway's
  // automatic checkpoints would have, so the passes below are not charged for the build.
  db.pragma('wal_checkpoint(TRUNCATE)');
  const fileMb = mb(statSync(join(dir, 'internal.sqlite')).size + (statSync(join(dir, 'internal.sqlite-wal'), { throwIfNoEntry: false })?.size ?? 0));
  console.log(`${String(n).padStart(7)} open cases (${due} due), built in ${((performance.now() - t) / 1000).toFixed(1)} s, ${fileMb} MB on disk`);
  now = new Date('2026-03-04T01:00:00Z'); // 09:00 county time, 4 March: the accepted cases' 2-day tasks reach 80 %
  console.log(`  pass, 1 % due     ${await measuredPass(db)}`);
  now = new Date('2026-03-04T01:01:00Z');
  console.log(`  pass, none due    ${await measuredPass(db)}`);
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
