// What the pipeline needs to know of time: is it trusted, what is the time, and why. The trusted
// clock (NTP quorum) implements it; so does a fixed "system clock, trusted" for unit tests.
import type { Clock } from './clock.js';

export type TrustState = 'trusted' | 'degraded' | 'untrusted';

export interface TimeTrust extends Clock {
  state(): TrustState;
  reason(): string;
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
