// Failed-login bookkeeping for the staff login, kept apart from the password check:
//  - a lock per (account, source address): five failures from one address lock that account FOR THAT
//    ADDRESS only, so someone elsewhere on the intranet cannot lock a real officer out of their own desk
//    by typing wrong passwords under the officer's name (GB/T 22239-2019 §8.1.4.1 b still holds: the
//    guessing source is stopped);
//  - a throttle per source address across all accounts: a source that fails too often in a window is
//    answered 429 with Retry-After before any password work is done, so one machine cannot spray
//    guesses over every account name (or make the gateway burn scrypt time for it).
// The caller gives the same answer for an unknown name, a wrong password and a locked account; only the
// throttle, which depends on the source and never on the name, is visible.
// State lives in memory (bounded maps, oldest entry evicted first) with the injected trusted clock; a
// restart forgets it, which an attacker cannot cause from the login form.

export interface LoginGuardSettings {
  /** Failures from one source against one account before that pair is locked. */
  readonly maxFailedLogins: number;
  readonly lockoutMs: number;
  /** Failures from one source, over all accounts, before the source is throttled. */
  readonly sourceMaxFailures: number;
  /** The throttle window: counted from the source's first failure in it; also the wait it imposes. */
  readonly sourceWindowMs: number;
}

/** Entries each map holds at most: far more accounts × desks than a county centre has, small in memory. */
export const MAX_TRACKED = 10_000;

interface Count { n: number; since: number; lockedUntil: number }

export interface LoginGuard {
  /** Milliseconds this source must wait before it may try again (0: it may try now). */
  sourceWait(source: string, now: number): number;
  /** True while (account, source) is locked. */
  locked(account: string, source: string, now: number): boolean;
  /** Record a failure (account null: no such account, or a malformed request). */
  failed(account: string | null, source: string, now: number): void;
  /** A good login from this source clears the pair's count. */
  succeeded(account: string, source: string): void;
  /** The latest lock on this account from any source (0: none), for `ferry staff list`. */
  lockedUntil(account: string, now: number): number;
}

/** Bounded insertion-ordered map: at the limit, expired entries go first, then the oldest. */
function bump(m: Map<string, Count>, key: string, now: number, expiredBefore: (c: Count) => boolean): Count {
  let c = m.get(key);
  if (c && expiredBefore(c)) { m.delete(key); c = undefined; }
  if (!c) {
    if (m.size >= MAX_TRACKED) {
      for (const [k, v] of m) if (expiredBefore(v)) m.delete(k);
      while (m.size >= MAX_TRACKED) m.delete(m.keys().next().value as string);
    }
    c = { n: 0, since: now, lockedUntil: 0 };
    m.set(key, c);
  }
  return c;
}

export function createLoginGuard(s: LoginGuardSettings): LoginGuard {
  const pairs = new Map<string, Count>();
  const sources = new Map<string, Count>();
  // JSON keeps the pair key unambiguous whatever characters a name or address holds.
  const pairKey = (account: string, source: string) => JSON.stringify([account, source]);
  // A pair's count lapses with its lock, or a lockout period after its first failure if never locked.
  const pairExpired = (now: number) => (c: Count) => (c.lockedUntil !== 0 ? c.lockedUntil <= now : c.since + s.lockoutMs <= now);
  const sourceExpired = (now: number) => (c: Count) => c.since + s.sourceWindowMs <= now;

  return {
    sourceWait(source, now) {
      const c = sources.get(source);
      if (!c || sourceExpired(now)(c) || c.n < s.sourceMaxFailures) return 0;
      return c.since + s.sourceWindowMs - now;
    },
    locked(account, source, now) {
      const c = pairs.get(pairKey(account, source));
      return c !== undefined && c.lockedUntil > now;
    },
    failed(account, source, now) {
      bump(sources, source, now, sourceExpired(now)).n++;
      if (account === null) return;
      const c = bump(pairs, pairKey(account, source), now, pairExpired(now));
      c.n++;
      if (c.n >= s.maxFailedLogins && c.lockedUntil <= now) c.lockedUntil = now + s.lockoutMs;
    },
    succeeded(account, source) {
      pairs.delete(pairKey(account, source));
    },
    lockedUntil(account, now) {
      let latest = 0;
      const prefix = JSON.stringify([account]).slice(0, -1) + ',';
      for (const [k, c] of pairs) if (k.startsWith(prefix) && c.lockedUntil > now) latest = Math.max(latest, c.lockedUntil);
      return latest;
    },
  };
}
