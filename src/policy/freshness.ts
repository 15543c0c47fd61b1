// Freshness of a packet: its signed creation time must lie within
// [now − maxAgeSeconds, now + maxFutureSeconds] of the RECEIVER's trusted clock. Both ends inclusive.
// The packet-id dedupe already stops a replay of a packet this receiver has seen; this window stops
// an old packet from being replayed (or held back by a compromised external gateway and released
// later) after the dedupe table was pruned, and a packet post-dated by a sender with a bad clock.
// Pure: the receiver passes its trusted time; nothing here reads a clock.
import type { FerryErrorCode } from '../errors.js';
import type { Policy } from './policy-model.js';

export type FreshnessVerdict =
  | { ok: true; ageMs: number }
  | { ok: false; code: Extract<FerryErrorCode, 'FERRY_ERR_POLICY_STALE' | 'FERRY_ERR_POLICY_FUTURE'>; detail: string };

export function checkFreshness(freshness: Policy['freshness'], createdAtMs: number, now: Date): FreshnessVerdict {
  const nowMs = now.getTime();
  if (!Number.isFinite(createdAtMs) || !Number.isFinite(nowMs)) {
    return { ok: false, code: 'FERRY_ERR_POLICY_STALE', detail: 'creation time or receiver time is not a number' };
  }
  const ageMs = nowMs - createdAtMs;
  if (ageMs > freshness.maxAgeSeconds * 1000) {
    return {
      ok: false, code: 'FERRY_ERR_POLICY_STALE',
      detail: `created ${new Date(createdAtMs).toISOString()}, ${fmtSeconds(ageMs)} before the receiver's time ${now.toISOString()}; maxAgeSeconds is ${freshness.maxAgeSeconds}`,
    };
  }
  if (-ageMs > freshness.maxFutureSeconds * 1000) {
    return {
      ok: false, code: 'FERRY_ERR_POLICY_FUTURE',
      detail: `created ${new Date(createdAtMs).toISOString()}, ${fmtSeconds(-ageMs)} after the receiver's time ${now.toISOString()}; maxFutureSeconds is ${freshness.maxFutureSeconds}`,
    };
  }
  return { ok: true, ageMs };
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;
}
