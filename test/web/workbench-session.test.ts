// The workbench's cookie and CSRF rules, as tables: what a Cookie header yields, what a session cookie
// says, which tokens fit which session, and which requests count as cross-site.
import { describe, expect, it } from 'vitest';
import { clearedCookie, createCsrf, crossSite, LOGIN_COOKIE, loginCookie, parseCookies, SESSION_COOKIE, sessionCookie } from '../../src/web/workbench-session.js';

const TOKEN = 'A'.repeat(43);

describe('workbench session cookies', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    [`${SESSION_COOKIE}=${TOKEN}`, { [SESSION_COOKIE]: TOKEN }],
    [`a=b; ${SESSION_COOKIE}=${TOKEN}; ${SESSION_COOKIE}=${'B'.repeat(43)}`, { [SESSION_COOKIE]: TOKEN }], // first wins
    [`${SESSION_COOKIE}="${TOKEN}"`, {}], // quoted: not a token
    [`${SESSION_COOKIE}=${TOKEN}<script>`, {}],
    [`${SESSION_COOKIE}=short`, {}],
    [`${SESSION_COOKIE}=${'A'.repeat(9000)}`, {}], // over the header bound
  ])('parses %j', (header, want) => {
    expect(Object.fromEntries(parseCookies(header))).toEqual(want);
  });

  it('sets the session cookie host-locked, script-proof, same-site only, ending with the session', () => {
    const now = new Date('2026-12-03T08:00:00Z');
    const c = sessionCookie(TOKEN, '2026-12-03T16:00:00.000Z', now);
    expect(c).toBe(`${SESSION_COOKIE}=${TOKEN}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800`);
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    expect(sessionCookie(TOKEN, '2026-12-03T07:00:00.000Z', now)).toMatch(/Max-Age=0$/); // already over: gone at once
    expect(loginCookie(TOKEN)).toMatch(new RegExp(`^${LOGIN_COOKIE}=${TOKEN}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
    expect(clearedCookie(SESSION_COOKIE)).toBe(`${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
  });
});

describe('workbench CSRF tokens', () => {
  const csrf = createCsrf(Buffer.alloc(32, 7));
  const mine = csrf.forSession(TOKEN);

  it.each([
    ['the session\'s own token', mine, true],
    ['no token', undefined, false],
    ['an empty token', '', false],
    ['another session\'s token', csrf.forSession('B'.repeat(43)), false],
    ['the login token for the same value', csrf.forLogin(TOKEN), false],
    ['the token of another process (key)', createCsrf(Buffer.alloc(32, 8)).forSession(TOKEN), false],
    ['one character changed', mine.replace(/^./, (c) => (c === 'x' ? 'y' : 'x')), false],
    ['a prefix', mine.slice(0, 20), false],
    ['a list of values', [mine], false],
  ])('%s → %s', (_what, presented, ok) => {
    expect(csrf.check(mine, presented)).toBe(ok);
  });

  it('differs per session and cannot be read back to the session token', () => {
    expect(csrf.forSession(TOKEN)).toBe(mine); // stable for one session (every form of it)
    expect(mine).not.toContain(TOKEN);
    expect(mine).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('cross-site requests', () => {
  const host = '127.0.0.1:8318';
  it.each([
    [{ host }, false],
    [{ host, 'sec-fetch-site': 'same-origin' }, false],
    [{ host, 'sec-fetch-site': 'none' }, false],
    [{ host, 'sec-fetch-site': 'same-site' }, true], // a sibling intranet host is another site for the desk
    [{ host, 'sec-fetch-site': 'cross-site' }, true],
    [{ host, origin: `https://${host}` }, false],
    [{ host, origin: 'null' }, false], // Chromium's own form posts under Referrer-Policy: no-referrer
    [{ host, origin: 'https://evil.example' }, true],
    [{ host, origin: `http://${host}` }, true],
    [{ origin: `https://${host}` }, true], // no Host to compare with
  ])('%j → %s', (headers, want) => {
    expect(crossSite(headers)).toBe(want);
  });
});
