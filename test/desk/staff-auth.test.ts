// Staff sessions and passwords on an injected clock: lifetime and idle expiry, logout, lockout after
// failed logins, tokens stored only as SHA-256, scrypt parameters stored per user and checked against
// node's scryptSync as an independent recomputation.
import { createHash, scryptSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStaffAuth } from '../../src/desk/staff-auth.js';
import { DEFAULT_SCRYPT, deskSettings, DEFAULT_DESK_CONFIG } from '../../src/desk/settings.js';
import { pino } from 'pino';
import { PASSWORD, addStaff, bearer, cst, harness, login, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => { await h.close(); });

const me = (token: string) => h.app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(token) });
const code = async (token: string) => {
  const r = await me(token);
  return r.statusCode === 200 ? 'ok' : (r.json() as { error: { code: string } }).error.code;
};

describe('staff sessions', () => {
  it('end 8 hours after login however busy the officer is', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const t = await login(h, 'aic.win');
    for (let m = 20; m < 8 * 60; m += 20) {
      h.clock.set(`2026-03-02T${String(9 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
      expect(await code(t)).toBe('ok');
    }
    h.clock.set('2026-03-02T17:00');
    expect(await code(t)).toBe('FERRY_ERR_DESK_SESSION_EXPIRED');
    // The ended session is gone: the same token is now simply unknown.
    expect(await code(t)).toBe('FERRY_ERR_DESK_UNAUTHENTICATED');
  });

  it('end after 30 idle minutes; activity moves the idle clock', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const t = await login(h, 'aic.win');
    h.clock.set('2026-03-02T09:29');
    expect(await code(t)).toBe('ok');
    h.clock.set('2026-03-02T09:58');
    expect(await code(t)).toBe('ok');
    h.clock.set('2026-03-02T10:28');
    const r = await me(t);
    expect([r.statusCode, r.json().error.code]).toEqual([401, 'FERRY_ERR_DESK_SESSION_EXPIRED']);
    expect(r.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('end at logout', async () => {
    h = await harness();
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const t = await login(h, 'aic.win');
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/staff/logout', headers: bearer(t) });
    expect(out.statusCode).toBe(204);
    expect(await code(t)).toBe('FERRY_ERR_DESK_UNAUTHENTICATED');
    expect(h.auth.logout(t)).toBe(false);
  });

  it('number at most 4 per account: a fifth login ends the oldest', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.set(`2026-03-02T09:0${i}`);
      tokens.push(await login(h, 'aic.win'));
    }
    expect(await Promise.all(tokens.map(code))).toEqual(['FERRY_ERR_DESK_UNAUTHENTICATED', 'ok', 'ok', 'ok', 'ok']);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM staff_sessions').get()).toEqual({ n: 4 });
  });

  it('store only the SHA-256 of the token, never the token', async () => {
    h = await harness();
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const t = await login(h, 'aic.win');
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = h.db.prepare('SELECT token_sha256 FROM staff_sessions').all() as { token_sha256: Buffer }[];
    expect(rows).toEqual([{ token_sha256: createHash('sha256').update(t).digest() }]);
    h.db.pragma('wal_checkpoint(FULL)');
    for (const f of readdirSync(h.dir)) expect(readFileSync(join(h.dir, f)).includes(Buffer.from(t)), f).toBe(false);
  });
});

describe('logins', () => {
  const loginFrom = (remoteAddress: string, name: string, password: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name, password }, remoteAddress });
  const outcome = async (remoteAddress: string, name: string, password: string) => {
    const r = await loginFrom(remoteAddress, name, password);
    return r.statusCode === 200 ? 'ok' : `${r.statusCode} ${r.json().error.code}`;
  };
  const DESK = '10.1.1.20';
  const ELSEWHERE = '10.9.9.9';

  it('lock an account for the guessing address only, for 15 minutes, then count afresh', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    for (let i = 0; i < 5; i++) expect(await outcome(ELSEWHERE, 'aic.win', 'Wrong-password-1')).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    // The guessing address is locked out of this account, even with the right password …
    expect(await outcome(ELSEWHERE, 'aic.win', PASSWORD)).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    expect(h.auth.listStaff().find((s) => s.id === 'aic.win')?.lockedUntil).toBe(cst('2026-03-02T09:15').toISOString());
    // … while the officer at their own desk logs in as usual (no targeted lock-out).
    expect(await outcome(DESK, 'aic.win', PASSWORD)).toBe('ok');
    h.clock.set('2026-03-02T09:14');
    expect(await outcome(ELSEWHERE, 'aic.win', PASSWORD)).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    h.clock.set('2026-03-02T09:16');
    // The lock ran out: one more failure does not lock again at once.
    expect(await outcome(ELSEWHERE, 'aic.win', 'Wrong-password-1')).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    expect(await outcome(ELSEWHERE, 'aic.win', PASSWORD)).toBe('ok');
    expect(h.audits.filter((a) => a.action === 'staff.login-failed').map((a) => a.detail['why'])).toEqual(['password', 'password', 'password', 'password', 'password', 'locked', 'locked', 'password']);
  });

  it('answer an unknown name, a wrong password, a disabled and a locked account alike', async () => {
    h = await harness();
    await addStaff(h, 'aic.win', 'aic', ['window']);
    await addStaff(h, 'aic.gone', 'aic', ['window']);
    h.auth.disableStaff('aic.gone');
    await addStaff(h, 'aic.locked', 'aic', ['window']);
    for (let i = 0; i < 5; i++) await loginFrom(DESK, 'aic.locked', 'Wrong-password-1');
    const answers = await Promise.all([
      loginFrom(DESK, 'nobody', PASSWORD), loginFrom(DESK, 'aic.win', 'Wrong-password-1'),
      loginFrom(DESK, 'aic.gone', PASSWORD), loginFrom(DESK, 'aic.locked', PASSWORD),
    ]);
    const seen = answers.map((r) => JSON.stringify([r.statusCode, r.headers['www-authenticate'] ?? null, r.headers['retry-after'] ?? null, r.json()]));
    expect(new Set(seen).size).toBe(1);
    expect(answers[0]!.statusCode).toBe(401);
    expect(answers[0]!.json()).toEqual({ error: { code: 'FERRY_ERR_DESK_LOGIN_FAILED', message: 'wrong name or password' } });
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'aic.win' } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'FERRY_ERR_DESK_FIELD']);
  });

  it('throttle an address that fails 20 times over any accounts: 429 with Retry-After, before any password work', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    // Spraying one guess over many names (real and invented) never locks a pair, but counts per source.
    for (let i = 0; i < 20; i++) expect(await outcome(ELSEWHERE, i % 2 ? 'aic.win' : `guess.${i}`, `Wrong-password-${i}`)).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    const throttled = await loginFrom(ELSEWHERE, 'aic.win', PASSWORD);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('FERRY_ERR_DESK_THROTTLED');
    expect(throttled.headers['retry-after']).toBe(String(15 * 60));
    // The same answer whether the name exists or not: the throttle depends on the address alone.
    const unknown = await loginFrom(ELSEWHERE, 'nobody.at.all', PASSWORD);
    expect([unknown.statusCode, unknown.json()]).toEqual([429, throttled.json()]);
    // Other addresses are not affected.
    expect(await outcome(DESK, 'aic.win', PASSWORD)).toBe('ok');
    h.clock.set('2026-03-02T09:10');
    expect((await loginFrom(ELSEWHERE, 'aic.win', PASSWORD)).headers['retry-after']).toBe(String(5 * 60));
    h.clock.set('2026-03-02T09:15');
    expect(await outcome(ELSEWHERE, 'aic.win', PASSWORD)).toBe('ok');
  });

  it('store scrypt N=2^15 r=8 p=1 with a per-user salt, as node\'s scryptSync recomputes it', async () => {
    h = await harness('2026-03-02T09:00', { scrypt: DEFAULT_SCRYPT });
    await addStaff(h, 'aic.win', 'aic', ['window']);
    await addStaff(h, 'aic.lead', 'aic', ['lead']);
    const rows = h.db.prepare('SELECT id, pw_salt AS salt, pw_hash AS hash, pw_n AS n, pw_r AS r, pw_p AS p FROM staff ORDER BY id').all() as
      { id: string; salt: Buffer; hash: Buffer; n: number; r: number; p: number }[];
    expect(rows.map((r) => [r.n, r.r, r.p, r.salt.length, r.hash.length])).toEqual([[32768, 8, 1, 16, 32], [32768, 8, 1, 16, 32]]);
    expect(rows[0]!.salt.equals(rows[1]!.salt)).toBe(false);
    expect(rows[0]!.hash.equals(rows[1]!.hash)).toBe(false); // same password, different salt
    for (const r of rows) expect(scryptSync(PASSWORD, r.salt, 32, { N: r.n, r: r.r, p: r.p, maxmem: 64 * 1024 * 1024 }).equals(r.hash)).toBe(true);
    // A login with the stored parameters succeeds; its cost is a figure for bench/pki.ts, not a test.
    await login(h, 'aic.win');
  });

  it('re-hash with the current parameters at the next good login', async () => {
    h = await harness();
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const stronger = createStaffAuth({
      db: h.db, clock: h.clock, log: pino({ level: 'silent' }),
      settings: deskSettings(DEFAULT_DESK_CONFIG, { scrypt: { N: 2 ** 11, r: 8, p: 1, keyLen: 32 } }),
    });
    expect((await stronger.login('aic.win', PASSWORD)).ok).toBe(true);
    const row = h.db.prepare("SELECT pw_n AS n, pw_salt AS salt, pw_hash AS hash FROM staff WHERE id = 'aic.win'").get() as { n: number; salt: Buffer; hash: Buffer };
    expect(row.n).toBe(2048);
    expect(scryptSync(PASSWORD, row.salt, 32, { N: 2048, r: 8, p: 1 }).equals(row.hash)).toBe(true);
    expect((await stronger.login('aic.win', PASSWORD)).ok).toBe(true);
  });
});
