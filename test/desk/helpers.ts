// Shared set-up for the desk tests: a real SQLite file in a temp dir, the shipped catalogue and
// calendars, an injected trusted clock, a log that is captured (to check it for personal data), an
// audit recorder, staff accounts with real scrypt logins, and the staff API on a Fastify instance.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, expect } from 'vitest';
import { createApprovalDesk, type ApprovalDesk } from '../../src/desk/approval-desk.js';
import { registerStaffApi } from '../../src/desk/staff-api.js';
import { createStaffAuth, type StaffAuth } from '../../src/desk/staff-auth.js';
import { deskSettings, DEFAULT_DESK_CONFIG, type DeskSettings } from '../../src/desk/settings.js';
import type { StaffRole } from '../../src/desk/roles.js';
import type { IncomingSubmission } from '../../src/desk/submission.js';
import { APPROVAL_SQL, NEXT_DEADLINE_SQL } from '../../src/desk/store/approval-store.js';
import { AUDIT_SQL } from '../../src/audit/chain.js';
import { openDb, type Db } from '../../src/store/db.js';
import { FORMS, TestClock, calendar, catalogue, cst, item } from '../approval/fixtures.js';

export { FORMS, TestClock, calendar, catalogue, cst, item };

// The audit tables too: the CLI desk commands append to the gateway's audit chain in the same file.
export const MIGRATIONS = [{ version: 1, sql: APPROVAL_SQL }, { version: 2, sql: AUDIT_SQL }, { version: 3, sql: NEXT_DEADLINE_SQL }];
/** Tests use a cheap scrypt (N = 2^10) except where the default cost itself is under test. */
export const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keyLen: 32 };
export const PASSWORD = 'Qingxi-2026-window';

export const APPLICANT = {
  type: 'enterprise' as const, name: '青溪县明远农业科技有限公司', idNumber: '91330123MA2B7XYZ9K', phone: '+86 571 6688 1234', email: null,
};

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

export function tempDb(): { db: Db; file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-desk-'));
  dirs.push(dir);
  const file = join(dir, 'internal.sqlite');
  return { db: openDb(file, MIGRATIONS), file, dir };
}

export interface AuditEntry { action: string; subject: string; detail: Readonly<Record<string, unknown>> }

export interface Harness {
  db: Db;
  file: string;
  dir: string;
  clock: TestClock;
  settings: DeskSettings;
  desk: ApprovalDesk;
  auth: StaffAuth;
  audits: AuditEntry[];
  logs: string[];
  app: FastifyInstance;
  /** How often the staff API asked the gateway to drain events (afterAction). */
  pumps: { n: number };
  close(): Promise<void>;
}

export async function harness(start = '2026-03-02T09:00', over: Partial<DeskSettings> = {}): Promise<Harness> {
  const { db, file, dir } = tempDb();
  const clock = new TestClock(start);
  const settings = deskSettings(DEFAULT_DESK_CONFIG, { scrypt: FAST_SCRYPT, ...over });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const log = pino({ level: 'debug' }, sink);
  const audits: AuditEntry[] = [];
  const audit = (action: string, subject: string, detail: Readonly<Record<string, unknown>>) => { audits.push({ action, subject, detail }); };
  const departments = ['aic', 'qts', 'tax', 'drc', 'rer', 'ltax', 'fda'];
  const desk = createApprovalDesk({ db, catalogue, calendar, clock, settings, log, audit });
  const auth = createStaffAuth({ db, clock, settings, log, audit, departments });
  const app = Fastify();
  const pumps = { n: 0 };
  await registerStaffApi(app, { desk, auth, log, afterAction: () => { pumps.n++; } });
  await app.ready();
  return {
    db, file, dir, clock, settings, desk, auth, audits, logs, app, pumps,
    async close() { await app.close(); db.close(); },
  };
}

export async function addStaff(h: Harness, id: string, department: string, roles: StaffRole[], name = id): Promise<void> {
  const v = await h.auth.createStaff({ id, name, department, roles, password: PASSWORD });
  if (!v.ok) throw new Error(`${v.code}: ${v.detail}`);
}

/** The unified-licence office: window, lead (首席代表), the three departments' A and B officers, a
 *  cashier, a supervisor and an admin. */
export async function staffTheCentre(h: Harness): Promise<void> {
  await addStaff(h, 'aic.win', 'aic', ['window'], '窗口 张敏');
  await addStaff(h, 'aic.lead', 'aic', ['lead'], '首席代表 陈刚');
  for (const d of ['aic', 'qts', 'tax']) {
    await addStaff(h, `${d}.a`, d, ['officer']);
    await addStaff(h, `${d}.b`, d, ['officer']);
  }
  await addStaff(h, 'qts.win', 'qts', ['window']);
  await addStaff(h, 'aic.cash', 'aic', ['cashier']);
  await addStaff(h, 'sup.li', 'supervision', ['supervisor'], '监察 李华');
  await addStaff(h, 'ops.admin', 'ops', ['admin']);
}

export async function login(h: Harness, name: string, password = PASSWORD): Promise<string> {
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name, password } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { token: string }).token;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** A submission of `code` carrying every material except `missing`. */
export function incoming(code: string, caseId: string, at: Date, missing: readonly string[] = [], over: Partial<IncomingSubmission> = {}): IncomingSubmission {
  const materials = item(code).materials.map((m) => m.id).filter((m) => !missing.includes(m));
  return {
    caseId, itemCode: code, receivedAt: at, channel: 'public',
    submission: {
      applicant: APPLICANT,
      fields: FORMS[code] as Record<string, string | number>,
      attachments: materials.map((m, i) => ({ fileName: `${m}.pdf`, mediaType: 'application/pdf', materialId: m, size: 1000 + i, sha256: sha(i + 1) })),
    },
    ...over,
  };
}

/** Every place personal data could leak to: the values that must never appear there. */
export const PERSONAL = [APPLICANT.name, APPLICANT.idNumber, APPLICANT.phone, '王明', '33012319800101123X'];
