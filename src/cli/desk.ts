// `ferry staff add|list|disable`, `ferry case list|show|act`, `ferry supervision report`: the approval
// desk's operator commands, run against the internal gateway's SQLite file named by its config (the
// running gateway picks up their events). The one place for the desk's command line: src/desk/ holds
// the desk itself and knows nothing of commands. Output reads like the other ferry commands: a header
// and one line per row, or --json for scripts; exit 0 ok, 1 refused, 2 usage or environment error.
// Commands that change desk state are audited in the gateway's chain with the gateway's trusted time:
// the clock is built from the same time: section and polled once before the command runs.
// Passwords never come from the command line (ps, shell history): --password-file or FERRY_STAFF_PASSWORD.

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AuditLog } from '../audit/chain.js';
import { staffActionEntry } from '../audit/staff-action.js';
import { loadCalendar, loadCatalogue, type CaseStatus } from '../approval/index.js';
import { loadConfigFile } from '../config/load.js';
import { internalSchema } from '../config/gateway-config.js';
import { FerryError, isFerryError } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { openExistingDb, type Db, type Migration } from '../store/db.js';
import { systemClock, type Clock } from '../time/clock.js';
import { createApprovalDesk, type ApprovalDesk } from '../desk/approval-desk.js';
import type { AuditFn } from '../desk/case-record.js';
import { isStaffRole, type StaffRole } from '../desk/roles.js';
import { deskSettings, type DeskConfig } from '../desk/settings.js';
import { createStaffAuth, type StaffAuth } from '../desk/staff-auth.js';
import { parse } from './args.js';
import { cliTrustedClock } from './trusted-time.js';

export interface DeskCliContext {
  /** The internal gateway's SQLite file. */
  readonly dbFile: string;
  /** The internal gateway's migrations (including APPROVAL_SQL), so the file is opened as the gateway opens it. */
  readonly migrations: readonly Migration[];
  /** internal.yaml → approval (paths already resolved against internal.yaml's directory, as the gateway reads them). */
  readonly config: DeskConfig;
  /** The trusted clock (deskCommand builds it from internal.yaml's time: section, as the gateway does). */
  readonly clock?: Clock;
  /** Default: the gateway's audit chain in the same file (chainAudit). Tests may pass their own. */
  readonly audit?: AuditFn;
  /** Actor of the audit entries the command writes; default "cli:<OS user>". */
  readonly actor?: string;
  readonly out?: (s: string) => void;
  readonly err?: (s: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const DESK_USAGE = `  ferry staff add --id aic.wang --name 王丽 --department aic --roles window,lead [--password-file F]
  ferry staff list [--json]
  ferry staff disable <id>
  ferry case list [--status S] [--limit N] [--json]
  ferry case show <case-id> [--json]
  ferry case act <case-id> --as <staff-id> --command '{"type":"decide"}' [--if-match V] [--password-file F]
  ferry supervision report --month 2026-03 [--json]
`;

/** Take `--config F` (or `--config=F`) out of a command line: the caller loads internal.yaml from it
 *  and builds the context; the rest goes to staffCommand / caseCommand / supervisionCommand. */
export function splitConfigArg(args: readonly string[], fallback = 'config/internal.yaml'): { config: string; rest: string[] } {
  const rest: string[] = [];
  let config = fallback;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config') {
      const next = args[++i];
      if (next === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', '--config needs a file');
      config = next;
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else rest.push(a);
  }
  return { config, rest };
}

/** Subcommands that write desk state (and so audit entries). Read-only ones need no NTP round. */
const WRITES: Record<string, readonly string[]> = { staff: ['add', 'disable'], case: ['act'], supervision: [] };

export async function deskCommand(which: 'staff' | 'case' | 'supervision', args: string[]): Promise<number> {
  const { config, rest } = splitConfigArg(args);
  const cfg = loadConfigFile(config, internalSchema);
  const writes = WRITES[which]!.includes(rest[0] ?? '');
  const time = writes ? await cliTrustedClock(cfg.time) : null;
  try {
    const ctx = { dbFile: join(cfg.dataDir, 'internal.sqlite'), migrations: INTERNAL_MIGRATIONS, config: cfg.approval, ...(time ? { clock: time.clock } : {}) };
    const run = which === 'staff' ? staffCommand : which === 'case' ? caseCommand : supervisionCommand;
    return await run(rest, ctx);
  } finally {
    await time?.stop();
  }
}

interface Opened { db: Db; desk: ApprovalDesk; auth: StaffAuth; out: (s: string) => void; json: (v: unknown) => void }

/** 'read' commands open the database read-only; no command creates it (the gateway does, at its first start). */
async function withDesk(ctx: DeskCliContext, mode: 'read' | 'write', run: (o: Opened) => Promise<number>): Promise<number> {
  const out = ctx.out ?? ((s: string) => void process.stdout.write(s));
  const err = ctx.err ?? ((s: string) => void process.stderr.write(s));
  let db: Db | undefined;
  try {
    const catalogue = loadCatalogue(ctx.config.items);
    const calendar = loadCalendar(ctx.config.calendar);
    db = openExistingDb(ctx.dbFile, mode, ctx.migrations);
    // Log lines go to stderr, errors only: the command's own output is the report.
    const log: Logger = pino({ level: 'error', base: { gateway: 'ferry-cli' } }, pino.destination(2));
    const clock = ctx.clock ?? systemClock;
    const settings = deskSettings(ctx.config);
    const audit = ctx.audit ?? chainAudit(db, clock, ctx.actor ?? `cli:${osUser()}`);
    const departments = [...new Set(catalogue.items.flatMap((i) => [i.leadDepartment.code, ...i.parallelDepartments.map((p) => p.code)]))];
    const desk = createApprovalDesk({ db, catalogue, calendar, clock, settings, log, audit });
    const auth = createStaffAuth({ db, clock, settings, log, audit, departments });
    return await run({ db, desk, auth, out, json: (v) => out(JSON.stringify(v, null, 2) + '\n') });
  } catch (e) {
    err(isFerryError(e) ? `ferry: ${e.code}: ${e.message}\n` : `ferry: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

function osUser(): string {
  try {
    return userInfo().username || String(process.getuid?.() ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/**
 * The desk's audit callback for a CLI process: the same staff.action entries the running gateway
 * writes for the same act (staffActionEntry), appended to the chain in the internal gateway's file with
 * the trusted clock's time. Every desk writer runs in an IMMEDIATE transaction, so the append reads the
 * chain head under SQLite's write lock, in the same transaction as the change it records: with the
 * gateway running, its appends and the CLI's serialise on that lock and the chain stays one chain.
 */
export function chainAudit(db: Db, clock: Clock, actor: string): AuditFn {
  const log = new AuditLog(db);
  return (action, subject, detail) => {
    log.append({ ...staffActionEntry(action, subject, detail), at: clock.now(), actor });
  };
}

function refusedLine(ctx: DeskCliContext, v: { code: string; detail: string }): number {
  (ctx.err ?? ((s: string) => void process.stderr.write(s)))(`ferry: ${v.code}: ${v.detail}\n`);
  return 1;
}

function password(file: string | undefined, ctx: DeskCliContext): string {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  const env = (ctx.env ?? process.env)['FERRY_STAFF_PASSWORD'];
  if (env === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', 'give the password with --password-file F or FERRY_STAFF_PASSWORD');
  return env;
}

/** Display width: CJK and full-width characters take two columns on a terminal. */
const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1), 0);

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c)))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);
const num = (x: number | null, digits = 1) => (x === null ? '-' : x.toFixed(digits));

export async function staffCommand(args: string[], ctx: DeskCliContext): Promise<number> {
  const [sub, ...rest] = args;
  return withDesk(ctx, sub === 'list' ? 'read' : 'write', async ({ auth, out, json }) => {
    switch (sub) {
      case 'add': {
        const { values } = parse(rest, {
          id: { type: 'string' }, name: { type: 'string' }, department: { type: 'string' }, roles: { type: 'string' }, 'password-file': { type: 'string' },
        });
        if (!values.id || !values.name || !values.department || !values.roles) {
          throw new FerryError('FERRY_ERR_CLI_USAGE', 'staff add needs --id, --name, --department and --roles');
        }
        const roles = values.roles.split(',').map((r) => r.trim());
        const bad = roles.find((r) => !isStaffRole(r));
        if (bad !== undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', `--roles: unknown role '${bad}' (window, officer, lead, cashier, supervisor, admin)`);
        const v = await auth.createStaff({
          id: values.id, name: values.name, department: values.department, roles: roles as StaffRole[], password: password(values['password-file'], ctx),
        });
        if (!v.ok) return refusedLine(ctx, v);
        out(`added ${v.value.id} (${v.value.name}) department ${v.value.department}, roles ${v.value.roles.join(',')}\n`);
        return 0;
      }
      case 'list': {
        const { values } = parse(rest, { json: { type: 'boolean', default: false } });
        const rows = auth.listStaff();
        if (values.json) json(rows);
        else {
          out(table(['ID', 'DEPARTMENT', 'ROLES', 'STATE', 'NAME'], rows.map((r) => [
            r.id, r.department, r.roles.join(','), r.disabled ? 'disabled' : r.lockedUntil ? `locked until ${r.lockedUntil}` : 'active', r.name,
          ])));
        }
        return 0;
      }
      case 'disable': {
        const { positionals } = parse(rest, {}, true);
        if (positionals.length !== 1) throw new FerryError('FERRY_ERR_CLI_USAGE', 'staff disable <id>');
        const v = auth.disableStaff(positionals[0]!);
        if (!v.ok) return refusedLine(ctx, v);
        out(`disabled ${v.value.id}; its sessions ended\n`);
        return 0;
      }
      default:
        throw new FerryError('FERRY_ERR_CLI_USAGE', `staff: unknown subcommand '${sub ?? ''}' (add, list, disable)`);
    }
  });
}

export async function caseCommand(args: string[], ctx: DeskCliContext): Promise<number> {
  const [sub, ...rest] = args;
  return withDesk(ctx, sub === 'list' || sub === 'show' ? 'read' : 'write', async ({ desk, auth, out, json }) => {
    switch (sub) {
      case 'list': {
        const { values } = parse(rest, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } });
        const limit = values.limit === undefined ? undefined : Number(values.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new FerryError('FERRY_ERR_CLI_USAGE', '--limit must be a positive integer');
        const rows = desk.listCases({ ...(values.status ? { status: values.status as CaseStatus } : {}), ...(limit ? { limit } : {}) });
        if (values.json) json(rows);
        else {
          out(table(['CASE', 'ITEM', 'STATUS', 'GREEN', 'DAYS', 'RECEIVED'], rows.map((r) => [
            r.caseId, r.itemCode, r.status, r.green ? 'G' : '-', r.limitDays === null ? '-' : `${r.daysUsed}/${r.limitDays}`, r.receivedAt,
          ])));
        }
        return 0;
      }
      case 'show': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } }, true);
        if (positionals.length !== 1) throw new FerryError('FERRY_ERR_CLI_USAGE', 'case show <case-id>');
        const v = desk.caseView(positionals[0]!);
        if (!v.ok) return refusedLine(ctx, v);
        const c = v.value;
        // Operators see the workflow, not the applicant's personal data (that is for the staff API):
        // neither the applicant block nor the form's values (names, id numbers), only its field names.
        const { applicant: _personal, ...submission } = c.submission;
        const { form, ...state } = c.state;
        if (values.json) { json({ ...c, state: { ...state, formFields: Object.keys(form) }, submission }); return 0; }
        out(`case ${c.caseId}  ${c.state.item.code} ${c.state.item.name}  status ${c.status}  version ${c.version}  channel ${submission.channel}${submission.township ? ` (${submission.township})` : ''}\n`);
        if (c.deadlines.case) out(`case limit ${c.deadlines.case.limitDays} working days, due ${c.deadlines.case.dueDate}, used ${c.deadlines.case.usedDays}${c.deadlines.case.late ? ' LATE' : ''}\n`);
        for (const t of c.deadlines.tasks) out(`task ${t.department}: ${t.done ? 'opinion given' : 'open'}, limit ${t.limitDays}, due ${t.dueDate}, used ${t.usedDays}${t.late ? ' LATE' : ''}\n`);
        out(table(['SEQ', 'AT', 'EVENT', 'FROM', 'TO', 'ACTOR', 'REASON'], c.transitions.map((t) => [
          String(t.seq), t.at, t.event, t.fromStatus ?? '-', t.toStatus, `${t.actor} (${t.role}${t.department ? ` ${t.department}` : ''})`, t.reason ?? '',
        ])));
        for (const k of c.cards) out(`card ${k.colour.toUpperCase()} ${k.kind} ${k.department}${k.officer ? ` ${k.officer}` : ''} at ${k.at}: ${k.detail}\n`);
        return 0;
      }
      case 'act': {
        const { values, positionals } = parse(rest, {
          as: { type: 'string' }, command: { type: 'string' }, 'if-match': { type: 'string' }, 'password-file': { type: 'string' },
        }, true);
        if (positionals.length !== 1 || !values.as || !values.command) throw new FerryError('FERRY_ERR_CLI_USAGE', 'case act <case-id> --as <staff-id> --command <json>');
        let command: unknown;
        try { command = JSON.parse(values.command); } catch (e) { throw new FerryError('FERRY_ERR_CLI_USAGE', `--command is not JSON: ${(e as Error).message}`); }
        const expected = values['if-match'] === undefined ? undefined : Number(values['if-match']);
        if (expected !== undefined && !Number.isInteger(expected)) throw new FerryError('FERRY_ERR_CLI_USAGE', '--if-match must be a case version');
        // The actor comes from an authenticated session, as on the staff API: log in, act, log out.
        const session = await auth.login(values.as, password(values['password-file'], ctx), 'cli');
        if (!session.ok) return refusedLine(ctx, session);
        try {
          const v = desk.act(session.value.staff, positionals[0]!, command, expected === undefined ? {} : { expectedVersion: expected });
          if (!v.ok) return refusedLine(ctx, v);
          const row = desk.store.getCase(positionals[0]!)!;
          out(`case ${row.caseId} now ${row.status} (version ${row.version})\n`);
          for (const e of v.value) out(`event ${e.eventId} ${e.type}\n`);
          return 0;
        } finally {
          auth.logout(session.value.token);
        }
      }
      default:
        throw new FerryError('FERRY_ERR_CLI_USAGE', `case: unknown subcommand '${sub ?? ''}' (list, show, act)`);
    }
  });
}

export async function supervisionCommand(args: string[], ctx: DeskCliContext): Promise<number> {
  const [sub, ...rest] = args;
  return withDesk(ctx, 'read', async ({ desk, out, json }) => {
    if (sub !== 'report') throw new FerryError('FERRY_ERR_CLI_USAGE', `supervision: unknown subcommand '${sub ?? ''}' (report)`);
    const { values } = parse(rest, { month: { type: 'string' }, json: { type: 'boolean', default: false } });
    if (!values.month) throw new FerryError('FERRY_ERR_CLI_USAGE', 'supervision report --month YYYY-MM');
    const v = desk.report(values.month);
    if (!v.ok) throw new FerryError('FERRY_ERR_CLI_USAGE', `--month: ${v.detail}`);
    if (values.json) { json({ month: values.month, departments: v.value }); return 0; }
    out(table(['DEPT', 'CASES', 'ON-TIME', 'DAYS/PROMISED', 'REVIEWS', 'REV-ON-TIME', 'YELLOW', 'RED', 'EVALS', 'SCORE', 'SATISFIED', 'NAME'], v.value.map((r) => [
      r.department, String(r.cases), pct(r.onTimeRate), `${num(r.avgWorkingDays)}/${num(r.avgPromisedDays)}`, String(r.reviews), pct(r.reviewOnTimeRate),
      String(r.yellowCards), String(r.redCards), String(r.evaluations), num(r.avgScore, 2), pct(r.satisfiedRate), r.name,
    ])));
    return 0;
  });
}
