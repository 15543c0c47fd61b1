// What the pipeline needs to know of time: is it trusted, what is the time, and why. The trusted
// clock (NTP quorum) implements it; so does a fixed "system clock, trusted" for unit tests.
import type { Clock } from './clock.js';

export type TrustState = 'trusted' | 'degraded' | 'untrusted';

/** What the operator sees of the NTP quorum (metrics, /health). */
export interface TrustDetail {
  /** Agreed offset of true time from the local clock; null when no group agreed. */
  readonly offsetMs: number | null;
  readonly configured: number;
  readonly answering: number;
  readonly agreeing: number;
  readonly quorum: number;
}

export interface TimeTrust extends Clock {
  state(): TrustState;
  reason(): string;
  /** The quorum behind the state; absent for clocks without NTP sources (tests, tools). */
  detail?(): TrustDetail;
  /** Called on every state change. */
  onChange(listener: (state: TrustState, reason: string) => void): void;
}

/** For tests and tools that run without NTP: the local clock, declared trusted. */
export function assumedTrust(clock: Clock = { now: () => new Date() }): TimeTrust {
  return { now: () => clock.now(), state: () => 'trusted', reason: () => 'assumed (no NTP sources configured)', onChange: () => {} };
}

/** No NTP sources configured: the local clock is never trusted (deny by default). */
export function noSources(clock: Clock = { now: () => new Date() }): TimeTrust {
  return { now: () => clock.now(), state: () => 'untrusted', reason: () => 'no NTP sources configured', onChange: () => {} };
}
