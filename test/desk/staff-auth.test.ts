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
import { PASSWORD, addStaff, bearer, harness, login, type Harness } from './helpers.js';

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
  it('lock an account after 5 failures for 15 minutes, then count afresh', async () => {
    h = await harness('2026-03-02T09:00');
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const attempt = async (password: string) => {
      const r = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'aic.win', password } });
      return r.statusCode === 200 ? 'ok' : `${r.statusCode} ${r.json().error.code}`;
    };
    for (let i = 0; i < 5; i++) expect(await attempt('Wrong-password-1')).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    expect(await attempt(PASSWORD)).toBe('429 FERRY_ERR_DESK_LOCKED');
    h.clock.set('2026-03-02T09:14');
    expect(await attempt(PASSWORD)).toBe('429 FERRY_ERR_DESK_LOCKED');
    h.clock.set('2026-03-02T09:16');
    // The lock ran out: one more failure does not lock again at once.
    expect(await attempt('Wrong-password-1')).toBe('401 FERRY_ERR_DESK_LOGIN_FAILED');
    expect(await attempt(PASSWORD)).toBe('ok');
    expect(h.db.prepare("SELECT failed_logins, locked_until FROM staff WHERE id = 'aic.win'").get()).toEqual({ failed_logins: 0, locked_until: 0 });
  });

  it('answer an unknown name exactly as a wrong password', async () => {
    h = await harness();
    await addStaff(h, 'aic.win', 'aic', ['window']);
    const a = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'nobody', password: PASSWORD } });
    const b = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'aic.win', password: 'Wrong-password-1' } });
    expect([a.statusCode, a.json()]).toEqual([b.statusCode, b.json()]);
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'aic.win' } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'FERRY_ERR_DESK_FIELD']);
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
    const t0 = performance.now();
    await login(h, 'aic.win');
    // One scrypt at N=2^15 on this 2-core machine: ~200–240 ms (see DEFAULT_SCRYPT); far under a second.
    expect(performance.now() - t0).toBeLessThan(2000);
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
