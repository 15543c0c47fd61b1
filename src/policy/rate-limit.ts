// Rate limits of the policy's rules, per applicant id number, per source address and per township.
//
// Algorithm: GCRA (the generic cell rate algorithm, ITU-T I.371 — a token bucket kept as one number
// per key, the "theoretical arrival time"). "N/period" means: a fresh key may send N at once (the
// burst), after which one more is allowed every period/N. Sustained rate N per period; in the worst
// case a key gets 2N−1 through inside one period-long span (a full burst, then the refill). An
// exact sliding log would cost N timestamps per key; GCRA costs one number, so the key cap really
// bounds memory: about 300 bytes a key measured here (100 000 keys ≈ 30 MB), and 50k–100k checks/s
// on one core, at the cap or below it.
//
// At the cap the keys unused longest are EVICTED; we do not fail closed. Why: anyone can invent
// applicant id numbers, so a limiter that refuses new keys when it is full lets one flooder lock
// every new applicant out for a whole period — the limiter itself would be the denial of service.
// Eviction costs an evicted key only its remaining debt (it restarts with a full bucket), and a key
// idle for longer than its period has none, so with a cap above the number of keys active within
// one period eviction loses nothing. A flooder rotating invented ids still meets the per-address
// and per-township buckets, and a refused request counts as use, so a key hammering at its limit
// is the last to be forgotten. stats().evictedLive counts evictions that lost a debt: non-zero means
// the cap is too small for the traffic (or someone is flooding).
import { createHash } from 'node:crypto';
import type { Clock } from '../time/clock.js';
import { RATE_DIMENSIONS, isTownship, type PolicyRule, type RateDimension } from './policy-model.js';

/** Keys kept at most, across all rules and dimensions. */
export const DEFAULT_MAX_KEYS = 100_000;

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

/** A key's state: its theoretical arrival time, in ticks of 1/per ms. Integer ticks keep the
 *  arithmetic exact: period/N as a float, summed N times, can exceed the period (e.g. 7/d) and
 *  refuse the last request of a legal burst. */
interface Bucket { tat: bigint; per: number }

export class RateLimiter {
  // Two generations instead of one recency-ordered Map: evicting a Map's first entry one at a time
  // leaves deleted slots that every later eviction walks past (measured: 5k checks/s at the cap
  // against 95k below it). A key is written to `young`; when `young` holds half the cap, `old` is
  // dropped whole and `young` becomes `old`. A key used (or refused) since the last rotation is in
  // `young`, so it outlives at least maxKeys/2 newer keys; the keys dropped are those unused longest.
  private young = new Map<string, Bucket>();
  private old = new Map<string, Bucket>();
  private readonly generation: number;
  private evicted = 0;
  private evictedLive = 0;

  constructor(private readonly clock: Clock, maxKeys: number = DEFAULT_MAX_KEYS) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 2) throw new RangeError('maxKeys must be an integer ≥ 2');
    this.generation = Math.floor(maxKeys / 2);
  }

  /** Checks every limit of the rule that applies to these keys and, only if all allow, counts the
   *  request against each: a refused request costs no tokens anywhere. A dimension whose key is not
   *  known (no applicant id on this kind of request) is not limited, nor one left out of `dims` (the
   *  gateway checks address and township before it parses a request, the applicant after). */
  check(rule: PolicyRule, keys: RateKeys, dims: readonly RateDimension[] = RATE_DIMENSIONS): RateVerdict {
    const nowMs = BigInt(Math.trunc(this.clock.now().getTime()));
    const updates: [string, Bucket][] = [];
    const refused: [string, Bucket][] = [];
    let worst: Extract<RateVerdict, { ok: false }> | undefined;
    for (const dim of dims) {
      const spec = rule.rate[dim];
      const value = keyValue(dim, keys);
      if (!spec || value === undefined) continue;
      const key = `${rule.id}\u0000${dim}\u0000${createHash('sha256').update(value).digest('base64')}`;
      const per = BigInt(spec.count);
      const now = nowMs * per;
      const period = BigInt(spec.periodMs) * per;
      const old = this.young.get(key) ?? this.old.get(key);
      // A reload may change N: carry the old arrival time over to the new tick size, rounding up.
      const tat = old === undefined ? now : old.per === spec.count ? old.tat : ceilDiv(old.tat * per, BigInt(old.per));
      const next = (tat > now ? tat : now) + BigInt(spec.periodMs); // + one interval, period/N ms
      // GCRA: conforming while the debt (next − now) stays within one period.
      if (next - now <= period) { updates.push([key, { tat: next, per: spec.count }]); continue; }
      refused.push([key, { tat, per: spec.count }]);
      const retryAfterSeconds = Number(ceilDiv(next - period - now, per * 1000n));
      if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
        worst = {
          ok: false, code: 'FERRY_ERR_POLICY_RATE', rule: rule.id, key: dim, limit: spec.text, retryAfterSeconds,
          detail: `rule ${rule.id}: ${dim} limit ${spec.text} reached; retry after ${retryAfterSeconds} s`,
        };
      }
    }
    // A key being refused is the one most worth remembering: it is kept as recently used (its debt
    // unchanged), so a flooder hammering at its limit is not the first to be forgotten.
    for (const [key, b] of worst ? refused : updates) this.put(key, b, nowMs);
    return worst ?? { ok: true };
  }

  stats(): RateStats {
    return { keys: this.young.size + this.old.size, evicted: this.evicted, evictedLive: this.evictedLive };
  }

  private put(key: string, b: Bucket, nowMs: bigint): void {
    if (this.young.has(key)) { this.young.set(key, b); return; }
    this.old.delete(key);
    this.young.set(key, b);
    if (this.young.size < this.generation) return;
    for (const o of this.old.values()) {
      this.evicted++;
      if (o.tat > nowMs * BigInt(o.per)) this.evictedLive++;
    }
    this.old = this.young;
    this.young = new Map();
  }
}

/** ⌈a / b⌉ for a ≥ 0, b > 0; at least 1 where it is a wait (a > 0). */
function ceilDiv(a: bigint, b: bigint): bigint {
  return a <= 0n ? 0n : (a + b - 1n) / b;
}

function keyValue(dim: RateDimension, k: RateKeys): string | undefined {
  switch (dim) {
    case 'perApplicant': return k.applicant || undefined;
    case 'perSourceAddress': return k.sourceAddress || undefined;
    case 'perTownship': return isTownship(k.from) ? k.from : undefined;
  }
}
