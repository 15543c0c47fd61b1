// The workbench's browser session and its CSRF tokens. The session is the StaffAuth bearer token
// (same scrypt login, lockout, idle and absolute expiry, MAX_SESSIONS_PER_STAFF), carried in a cookie
// the page's script cannot read and the browser sends to this host only:
//   __Host-ferry-staff=<token>; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=<until expiry>
// (RFC 6265bis §4.1.3.2: the __Host- prefix makes the browser refuse it unless Secure, Path=/ and no
// Domain, so a sibling host on the intranet cannot plant or shadow it.)
//
// CSRF (OWASP "synchronizer token"): every form carries HMAC-SHA256(per-process key, "session:" +
// SHA-256(token)). It is bound to the session (another session's token does not fit), unguessable
// without the key, compared in constant time, and needs no table. The login form, before any session,
// gets the same construction over a random pre-login cookie, so a login cannot be forced from another
// site either. A new process has a new key: forms rendered before a restart are refused once, never
// silently accepted.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = '__Host-ferry-staff';
export const LOGIN_COOKIE = '__Host-ferry-login';
/** A pre-login nonce lives as long as someone may reasonably sit on the login form. */
export const LOGIN_COOKIE_SECONDS = 30 * 60;
/** Longest Cookie header parsed (browsers send at most a few KB; the listener's header limit bounds it too). */
const MAX_COOKIE_HEADER = 8192;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Cookies by name; the first of a repeated name wins (RFC 6265 §5.4: the most specific path first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name) && TOKEN_PATTERN.test(value)) out.set(name, value);
  }
  return out;
}

function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

/** The session cookie, ending when the session's absolute lifetime does (the idle timeout is the
 *  server's: StaffAuth refuses an idle token whatever the browser still holds). */
export const sessionCookie = (token: string, expiresAt: string, now: Date): string =>
  cookie(SESSION_COOKIE, token, (Date.parse(expiresAt) - now.getTime()) / 1000);
export const loginCookie = (nonce: string): string => cookie(LOGIN_COOKIE, nonce, LOGIN_COOKIE_SECONDS);
export const clearedCookie = (name: string): string => `${name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;

export interface Csrf {
  /** The token a form of this session carries. */
  forSession(sessionToken: string): string;
  /** The token the login form carries for this pre-login nonce. */
  forLogin(nonce: string): string;
  check(expected: string, presented: unknown): boolean;
  newNonce(): string;
}

export function createCsrf(key: Buffer = randomBytes(32)): Csrf {
  const mac = (what: string, secret: string) =>
    createHmac('sha256', key).update(what).update('\0').update(createHash('sha256').update(secret).digest()).digest('base64url');
  return {
    forSession: (t) => mac('session', t),
    forLogin: (n) => mac('login', n),
    check: (expected, presented) => {
      if (typeof presented !== 'string' || presented.length !== expected.length) return false;
      return timingSafeEqual(Buffer.from(expected), Buffer.from(presented));
    },
    newNonce: () => randomBytes(32).toString('base64url'),
  };
}

/** A POST from another site: the browser says so (Fetch Metadata), or its Origin is another host.
 *  A second line behind the token and SameSite=Strict; requests without these headers (old browsers,
 *  scripts) still need the token. `Origin: null` is not evidence either way: under the listeners'
 *  `Referrer-Policy: no-referrer` Chromium sends exactly that on its own same-origin form posts. */
export function crossSite(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers['origin'];
  if (typeof origin !== 'string' || origin === 'null') return false;
  const host = headers['host'];
  return typeof host !== 'string' || origin !== `https://${host}`;
}
