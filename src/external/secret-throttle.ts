// Throttle for wrong case secrets: failures are counted per source address and per case number, and
// once either count reaches its limit the next request is refused (429 + Retry-After) before any
// lookup or hash is done. The secret has 140 random bits, so guessing it is hopeless anyway; the
// throttle is what stops a client from using the API to test case numbers or to burn CPU.
import type { Clock } from '../time/clock.js';

export interface ThrottleLimits {
  /** Failures one source address may make per window: a person mistyping a secret makes a few. */
  perSource: number;
  /** Failures on one case per window, from anywhere. Kept above perSource so that one hostile
   *  address cannot lock the real applicant out on its own. */
  perCase: number;
  windowMs: number;
  /** Counters kept at most; the oldest are dropped first (bounded memory under a flood). */
  maxKeys: number;
}

export const DEFAULT_THROTTLE_LIMITS: Readonly<ThrottleLimits> = Object.freeze({
  perSource: 10, perCase: 30, windowMs: 15 * 60_000, maxKeys: 100_000,
});

interface Counter { count: number; resetAt: number }

export class SecretThrottle {
  private readonly counters = new Map<string, Counter>();
  constructor(private readonly clock: Clock, private readonly limits: Readonly<ThrottleLimits> = DEFAULT_THROTTLE_LIMITS) {}

  /** Seconds to wait when this source or this case has used up its failures; null to go on. */
  blocked(source: string, caseId: string): number | null {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const [key, limit] of this.keys(source, caseId)) {
      const c = this.live(key, now);
      if (c && c.count >= limit) wait = Math.max(wait, Math.ceil((c.resetAt - now) / 1000));
    }
    return wait > 0 ? wait : null;
  }

  failed(source: string, caseId: string): void {
    const now = this.clock.now().getTime();
    for (const [key] of this.keys(source, caseId)) {
      const c = this.live(key, now);
      if (c) { c.count++; continue; }
      if (this.counters.size >= this.limits.maxKeys) this.counters.delete(this.counters.keys().next().value!);
      this.counters.set(key, { count: 1, resetAt: now + this.limits.windowMs });
    }
  }

  private keys(source: string, caseId: string): [string, number][] {
    return [[`s\0${source}`, this.limits.perSource], [`c\0${caseId}`, this.limits.perCase]];
  }

  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && c.resetAt <= now) { this.counters.delete(key); return undefined; }
    return c;
  }
}
