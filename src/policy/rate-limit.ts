// Rate limits of the policy's rules, per applicant id number, per source address and per township.
//
// Algorithm: GCRA (the generic cell rate algorithm, ITU-T I.371 — a token bucket kept as one number
// per key, the "theoretical arrival time"). "N/period" means: a fresh key may send N at once (the
// burst), after which one more is allowed every period/N. Sustained rate N per period; in the worst
// case a key gets 2N−1 through inside one period-long span (a full burst, then the refill). An
// exact sliding log would cost N timestamps per key; GCRA costs one number, so the key cap below
// really bounds memory (about 150 bytes a key: 100 000 keys ≈ 15 MB).
//
// At the cap the least recently used key is EVICTED (we do not fail closed). Why: anyone can invent
// applicant id numbers, so a limiter that refuses new keys when full lets one flooder lock every new
// applicant out for a whole period — the limiter would become the denial of service. Eviction only
// costs the key idle longest its remaining debt (it restarts with a full bucket); a key idle longer
// than its period has none, so with the cap above the number of keys active within one period,
// eviction loses nothing. A flooder rotating applicant ids still meets the per-address and
// per-township buckets. stats().evictedLive counts evictions that lost a debt: non-zero means the
// cap is too small for the traffic.
import { createHash } from 'node:crypto';
import type { Clock } from '../time/clock.js';
import { RATE_DIMENSIONS, isTownship, type PolicyRule, type RateDimension } from './policy-model.js';

/** Keys kept at most, across all rules and dimensions. */
export const DEFAULT_MAX_KEYS = 100_000;
const FLOAT_SLACK_MS = 1e-3;

export interface RateKeys {
  /** The packet's source domain: the perTownship key when it is a township. */
  from: string;
  /** The applicant's id number (submission's applicant.idNumber). */
  applicant?: string | undefined;
  /** The client's IP address as the external gateway saw it. */
  sourceAddress?: string | undefined;
}

export type RateVerdict =
  | { ok: true }
  | {
    ok: false;
    code: 'FERRY_ERR_POLICY_RATE';
    rule: string;
    /** Which limit was hit (never the key's value: applicant ids are personal data). */
    key: RateDimension;
    limit: string;
    /** Whole seconds until this request would be allowed (HTTP Retry-After, RFC 9110 §10.2.3). */
    retryAfterSeconds: number;
    detail: string;
  };

export interface RateStats { keys: number; evicted: number; evictedLive: number }

export class RateLimiter {
  /** key → theoretical arrival time (ms). Map order is recency order: first = least recently used. */
  private readonly tat = new Map<string, number>();
  private evicted = 0;
  private evictedLive = 0;

  constructor(private readonly clock: Clock, private readonly maxKeys: number = DEFAULT_MAX_KEYS) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
  }

  /** Checks every limit of the rule that applies to these keys and, only if all allow, counts the
   *  request against each: a refused request costs no tokens anywhere. A dimension whose key is not
   *  known (no applicant id on this kind of request) is not limited. */
  check(rule: PolicyRule, keys: RateKeys): RateVerdict {
    const now = this.clock.now().getTime();
    const updates: [string, number][] = [];
    const refused: string[] = [];
    let worst: Extract<RateVerdict, { ok: false }> | undefined;
    for (const dim of RATE_DIMENSIONS) {
      const spec = rule.rate[dim];
      const value = keyValue(dim, keys);
      if (!spec || value === undefined) continue;
      const key = `${rule.id}\u0000${dim}\u0000${createHash('sha256').update(value).digest('base64')}`;
      const interval = spec.periodMs / spec.count;
      const next = Math.max(this.tat.get(key) ?? now, now) + interval;
      // GCRA: conforming while the debt (next − now) stays within one period. The slack absorbs
      // float rounding of period/N summed N times (7/d: 7 × 12342857.142… may exceed 86400000).
      if (next - now <= spec.periodMs + FLOAT_SLACK_MS) { updates.push([key, next]); continue; }
      refused.push(key);
      const retryAfterSeconds = Math.max(1, Math.ceil((next - spec.periodMs - now) / 1000));
      if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
        worst = {
          ok: false, code: 'FERRY_ERR_POLICY_RATE', rule: rule.id, key: dim, limit: spec.text, retryAfterSeconds,
          detail: `rule ${rule.id}: ${dim} limit ${spec.text} reached; retry after ${retryAfterSeconds} s`,
        };
      }
    }
    if (worst) {
      // A key being refused is the one most worth remembering: mark it recently used (its debt is
      // unchanged), so a flooder hammering at its limit is not the first to be evicted.
      for (const key of refused) this.touch(key);
      return worst;
    }
    for (const [key, next] of updates) this.put(key, next, now);
    return { ok: true };
  }

  stats(): RateStats {
    return { keys: this.tat.size, evicted: this.evicted, evictedLive: this.evictedLive };
  }

  private touch(key: string): void {
    const tat = this.tat.get(key);
    if (tat === undefined) return;
    this.tat.delete(key);
    this.tat.set(key, tat);
  }

  private put(key: string, tat: number, now: number): void {
    if (!this.tat.delete(key)) {
      while (this.tat.size >= this.maxKeys) {
        const [oldest, oldTat] = this.tat.entries().next().value as [string, number];
        this.tat.delete(oldest);
        this.evicted++;
        if (oldTat > now) this.evictedLive++;
      }
    }
    this.tat.set(key, tat);
  }
}

function keyValue(dim: RateDimension, k: RateKeys): string | undefined {
  switch (dim) {
    case 'perApplicant': return k.applicant || undefined;
    case 'perSourceAddress': return k.sourceAddress || undefined;
    case 'perTownship': return isTownship(k.from) ? k.from : undefined;
  }
}
