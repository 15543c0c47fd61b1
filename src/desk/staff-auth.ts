// Staff accounts and sessions. Passwords: scrypt (RFC 7914) with a per-user 16-byte salt and the cost
// parameters stored beside the hash, compared in constant time. Sessions: a 256-bit random bearer token
// of which only the SHA-256 is stored, with a lifetime (default 8 h) and an idle timeout (default 30
// min); repeated failed logins lock the account for the source they came from, and a source that fails
// too often is throttled (GB/T 22239-2019 §8.1.4.1 b; login-guard.ts). An unknown name, a wrong password,
// a disabled and a locked account get the same answer after the same scrypt work, so the login form
// tells nobody which names exist or which accounts are locked.

import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import { ApprovalStore, type StaffRow } from './store/approval-store.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../time/clock.js';
import { noAudit, type AuditFn } from './case-record.js';
import { createLoginGuard } from './login-guard.js';
import { CORE_ROLE, SOLE_ROLES, isStaffRole, type StaffIdentity, type StaffRole } from './roles.js';
import type { DeskSettings, ScryptParams } from './settings.js';

export const STAFF_ID_PATTERN = /^[a-z][a-z0-9._-]{1,63}$/;
const DEPARTMENT_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
/** Length alone is what makes a password hard to guess; 12 characters with three kinds of character
 *  meets the 等保 2.0 "complexity" requirement (§8.1.4.1 a) that auditors check. */
export const MIN_PASSWORD_CHARS = 12;
/** Bounds the work an attacker can ask of scrypt per attempt. */
export const MAX_PASSWORD_BYTES = 1024;
const TOKEN_BYTES = 32;
/** Sessions one account may hold at once (a desk PC, a laptop, a tablet at the window, one spare);
 *  a further login ends the oldest, so the table stays bounded whatever a client does. */
export const MAX_SESSIONS_PER_STAFF = 4;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CONTROL = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

export interface NewStaff {
  /** Login name and the actor id in case history, e.g. 'aic.wang'. */
  readonly id: string;
  /** The person's name as staff screens show it. */
  readonly name: string;
  readonly department: string;
  readonly roles: readonly StaffRole[];
  readonly password: string;
}

export interface StaffInfo extends StaffIdentity {
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lockedUntil: string | null;
}

export interface Session {
  /** The bearer token: shown once, never stored. */
  readonly token: string;
  readonly expiresAt: string;
  readonly staff: StaffIdentity;
}

export interface StaffAuthDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: DeskSettings;
  readonly log: Logger;
  readonly audit?: AuditFn;
  readonly random?: (n: number) => Buffer;
  /** Department codes a case-handling account may belong to (the catalogue's departments). */
  readonly departments?: readonly string[];
}

/** A refused login. retryAfterMs is set only when the source is throttled (HTTP 429 + Retry-After). */
export type LoginRefusal = Extract<Verdict<never>, { ok: false }> & { readonly retryAfterMs?: number };

export interface StaffAuth {
  createStaff(s: NewStaff, by?: string): Promise<Verdict<StaffIdentity>>;
  /** `source`: the client's address (the staff API) or 'cli'; lockout and throttle are counted per source. */
  login(name: string, password: string, source?: string): Promise<{ ok: true; value: Session } | LoginRefusal>;
  authenticate(token: string): Verdict<StaffIdentity>;
  logout(token: string): boolean;
  listStaff(): StaffInfo[];
  disableStaff(id: string, by?: string): Verdict<StaffIdentity>;
  /** Drop expired and idle sessions (the rows; authenticate refuses them anyway). */
  purgeSessions(): number;
}

function hashPassword(password: string, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; Node's 32 MiB default is exactly too small for N = 2^15.
    scrypt(password.normalize('NFC'), salt, p.keyLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

const sha256 = (token: string) => createHash('sha256').update(token).digest();

export function identityOf(r: StaffRow): StaffIdentity {
  return { id: r.id, name: r.displayName, department: r.department, roles: JSON.parse(r.roles) as StaffRole[] };
}

/** Check a new account's fields; the message names the field. */
export function checkNewStaff(s: NewStaff, departments?: readonly string[]): Verdict<null> {
  const bad = (m: string) => fail('FERRY_ERR_DESK_STAFF', m);
  if (typeof s.id !== 'string' || !STAFF_ID_PATTERN.test(s.id)) return bad('id: 2–64 lower-case letters, digits, . _ - starting with a letter');
  if (typeof s.name !== 'string' || s.name.trim() === '' || [...s.name].length > 100 || CONTROL.test(s.name)) return bad('name: 1–100 characters, no control characters');
  if (typeof s.department !== 'string' || !DEPARTMENT_PATTERN.test(s.department)) return bad('department: a department code such as aic');
  if (!Array.isArray(s.roles) || s.roles.length === 0 || !s.roles.every(isStaffRole)) return bad('roles: one or more of window, officer, lead, cashier, supervisor, admin');
  if (new Set(s.roles).size !== s.roles.length) return bad('roles: a role is listed twice');
  const sole = s.roles.find((r) => SOLE_ROLES.includes(r));
  if (sole && s.roles.length > 1) return bad(`roles: ${sole} is a sole role (handling and supervising are kept apart)`);
  const handles = s.roles.some((r) => CORE_ROLE[r] !== undefined);
  if (handles && departments && !departments.includes(s.department)) {
    return bad(`department: ${s.department} takes part in no catalogue item (known: ${departments.join(', ')})`);
  }
  return checkPassword(s.password, s.id);
}

export function checkPassword(password: unknown, id: string): Verdict<null> {
  const bad = (m: string) => fail('FERRY_ERR_DESK_STAFF', `password: ${m}`);
  if (typeof password !== 'string') return bad('is required');
  if ([...password].length < MIN_PASSWORD_CHARS) return bad(`at least ${MIN_PASSWORD_CHARS} characters`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return bad(`at most ${MAX_PASSWORD_BYTES} bytes`);
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) return bad('use three of: lower-case, upper-case, digits, other characters');
  if (password.toLowerCase().includes(id.toLowerCase())) return bad('must not contain the staff id');
  return { ok: true, value: null };
}

/** What every operation works with; built once per createStaffAuth. */
interface AuthCtx {
  readonly d: StaffAuthDeps;
  readonly store: ApprovalStore;
  readonly audit: AuditFn;
  readonly random: (n: number) => Buffer;
  /** An unknown name, a locked or a disabled account still cost one scrypt, so neither the answer nor
   *  the time it takes tells them apart from a wrong password. */
  readonly dummySalt: Buffer;
  readonly guard: ReturnType<typeof createLoginGuard>;
}

const SAME_ANSWER = 'wrong name or password';

export function createStaffAuth(d: StaffAuthDeps): StaffAuth {
  const random = d.random ?? randomBytes;
  const ctx: AuthCtx = { d, store: new ApprovalStore(d.db), audit: d.audit ?? noAudit, random, dummySalt: random(16), guard: createLoginGuard(d.settings) };
  return {
    createStaff: (s, by = 'cli') => createStaff(ctx, s, by),
    login: (name, password, source = 'local') => login(ctx, name, password, source),
    authenticate: (token) => authenticate(ctx, token),
    logout: (token) => logout(ctx, token),
    listStaff: () => listStaff(ctx),
    disableStaff: (id, by = 'cli') => disableStaff(ctx, id, by),
    purgeSessions: () => {
      const now = d.clock.now().getTime();
      return ctx.store.purgeSessions(now, now - d.settings.sessionIdleMs);
    },
  };
}

async function createStaff(ctx: AuthCtx, s: NewStaff, by: string): Promise<Verdict<StaffIdentity>> {
  const { d, store } = ctx;
  const { settings } = d;
  const v = checkNewStaff(s, d.departments);
  if (!v.ok) return v;
  if (store.getStaff(s.id)) return fail('FERRY_ERR_DESK_STAFF_EXISTS', `staff ${s.id} already exists`);
  const salt = ctx.random(16);
  const hash = await hashPassword(s.password, salt, settings.scrypt);
  return d.db.transaction((): Verdict<StaffIdentity> => {
    if (store.getStaff(s.id)) return fail('FERRY_ERR_DESK_STAFF_EXISTS', `staff ${s.id} already exists`);
    store.insertStaff({
      id: s.id, displayName: s.name, department: s.department, roles: JSON.stringify(s.roles),
      pwSalt: salt, pwHash: hash, pwN: settings.scrypt.N, pwR: settings.scrypt.r, pwP: settings.scrypt.p, createdAt: d.clock.now().getTime(),
    });
    ctx.audit('staff.create', s.id, { department: s.department, roles: [...s.roles], by });
    d.log.info({ stage: 'staff-auth', staff: s.id, department: s.department, roles: s.roles, by }, 'staff account created');
    return { ok: true, value: { id: s.id, name: s.name, department: s.department, roles: [...s.roles] } };
  }).immediate();
}

function loginFailed(ctx: AuthCtx, row: StaffRow | undefined, source: string, why: string): LoginRefusal {
  ctx.guard.failed(row ? row.id : null, source, ctx.d.clock.now().getTime());
  ctx.audit('staff.login-failed', row ? row.id : '(unknown name)', { why, source });
  ctx.d.log.warn({ stage: 'staff-auth', staff: row ? row.id : '(unknown name)', source, why, code: 'FERRY_ERR_DESK_LOGIN_FAILED' }, 'login refused');
  return fail('FERRY_ERR_DESK_LOGIN_FAILED', SAME_ANSWER);
}

async function login(ctx: AuthCtx, name: string, password: string, source: string): Promise<{ ok: true; value: Session } | LoginRefusal> {
  const { d, guard } = ctx;
  const src = String(source).slice(0, 100);
  const wait = guard.sourceWait(src, d.clock.now().getTime());
  if (wait > 0) {
    // Checked before any password work: a throttled source costs the gateway nothing.
    d.log.warn({ stage: 'staff-auth', source: src, code: 'FERRY_ERR_DESK_THROTTLED', waitMs: wait }, 'login refused: source throttled');
    return { ...fail('FERRY_ERR_DESK_THROTTLED', `too many failed logins from this address; try again in ${Math.ceil(wait / 1000)} s`), retryAfterMs: wait };
  }
  if (typeof name !== 'string' || typeof password !== 'string' || name.length > 64 || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    return loginFailed(ctx, undefined, src, 'malformed');
  }
  const row = ctx.store.getStaff(name);
  const params: ScryptParams = row ? { N: row.pwN, r: row.pwR, p: row.pwP, keyLen: row.pwHash.length } : d.settings.scrypt;
  const hash = await hashPassword(password, row ? row.pwSalt : ctx.dummySalt, params);
  const expected = row ? row.pwHash : Buffer.alloc(hash.length);
  const match = timingSafeEqual(hash, expected) && row !== undefined;
  // The lock is checked after the hash, so a locked account costs the same work as any other.
  if (row && guard.locked(row.id, src, d.clock.now().getTime())) return loginFailed(ctx, row, src, 'locked');
  if (!match) return loginFailed(ctx, row, src, 'password');
  if (row.disabled) return loginFailed(ctx, row, src, 'disabled');
  return openSession(ctx, row, password, src);
}

/** After a good password: rehash if the cost parameters were raised, then store a new session. */
async function openSession(ctx: AuthCtx, row: StaffRow, password: string, src: string): Promise<Verdict<Session>> {
  const { d, store } = ctx;
  const { settings } = d;
  // Raised cost parameters take effect at the next good login (the password is at hand only then).
  const s = settings.scrypt;
  const rehash = row.pwN !== s.N || row.pwR !== s.r || row.pwP !== s.p || row.pwHash.length !== s.keyLen;
  const salt = rehash ? ctx.random(16) : undefined;
  const fresh = salt ? { salt, hash: await hashPassword(password, salt, s) } : undefined;
  const token = ctx.random(TOKEN_BYTES).toString('base64url');
  return d.db.transaction((): Verdict<Session> => {
    const now = d.clock.now().getTime();
    const cur = store.getStaff(row.id);
    if (!cur || cur.disabled) return fail('FERRY_ERR_DESK_LOGIN_FAILED', SAME_ANSWER);
    ctx.guard.succeeded(row.id, src);
    if (fresh) store.setPassword(row.id, fresh.salt, fresh.hash, s.N, s.r, s.p);
    const expiresAt = now + settings.sessionTtlMs;
    store.purgeSessions(now, now - settings.sessionIdleMs);
    const key = sha256(token);
    store.insertSession(key, row.id, now, expiresAt);
    store.keepNewestSessions(row.id, key, MAX_SESSIONS_PER_STAFF);
    ctx.audit('staff.login', row.id, { expiresAt: new Date(expiresAt).toISOString(), rehashed: fresh !== undefined });
    d.log.info({ stage: 'staff-auth', staff: row.id }, 'staff logged in');
    return { ok: true, value: { token, expiresAt: new Date(expiresAt).toISOString(), staff: identityOf(cur) } };
  }).immediate();
}

function authenticate(ctx: AuthCtx, token: string): Verdict<StaffIdentity> {
  const { d, store } = ctx;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return fail('FERRY_ERR_DESK_UNAUTHENTICATED', 'a bearer token is required');
  const key = sha256(token);
  const s = store.getSession(key);
  if (!s) return fail('FERRY_ERR_DESK_UNAUTHENTICATED', 'no such session');
  const now = d.clock.now().getTime();
  const row = store.getStaff(s.staffId);
  const why = now >= s.expiresAt ? 'session lifetime ended'
    : now - s.lastSeenAt >= d.settings.sessionIdleMs ? 'session idle too long'
      : !row || row.disabled ? 'account disabled' : undefined;
  if (why) {
    store.deleteSession(key);
    d.log.info({ stage: 'staff-auth', staff: s.staffId, why }, 'session ended');
    return fail('FERRY_ERR_DESK_SESSION_EXPIRED', `${why}; log in again`);
  }
  store.touchSession(key, now);
  return { ok: true, value: identityOf(row!) };
}

function logout(ctx: AuthCtx, token: string): boolean {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return false;
  const key = sha256(token);
  return ctx.d.db.transaction(() => {
    const s = ctx.store.getSession(key);
    if (!s) return false;
    ctx.store.deleteSession(key);
    ctx.audit('staff.logout', s.staffId, {});
    return true;
  }).immediate();
}

function listStaff(ctx: AuthCtx): StaffInfo[] {
  return ctx.store.listStaff().map((r) => ({
    ...identityOf(r), disabled: r.disabled === 1, createdAt: new Date(r.createdAt).toISOString(),
    lockedUntil: ((until) => (until > 0 ? new Date(until).toISOString() : null))(ctx.guard.lockedUntil(r.id, ctx.d.clock.now().getTime())),
  }));
}

function disableStaff(ctx: AuthCtx, id: string, by: string): Verdict<StaffIdentity> {
  const { store } = ctx;
  return ctx.d.db.transaction((): Verdict<StaffIdentity> => {
    const row = typeof id === 'string' ? store.getStaff(id) : undefined;
    if (!row) return fail('FERRY_ERR_DESK_NO_STAFF', `no staff ${String(id).slice(0, 64)}`);
    store.disableStaff(id);
    const ended = store.deleteSessionsOf(id);
    ctx.audit('staff.disable', id, { by, sessionsEnded: ended });
    ctx.d.log.info({ stage: 'staff-auth', staff: id, by, sessionsEnded: ended }, 'staff account disabled');
    return { ok: true, value: identityOf(row) };
  }).immediate();
}
