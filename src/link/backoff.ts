// Capped exponential backoff with full jitter (delay uniform in [0, min(cap, base * 2^attempt)]).

export interface Backoff { next(): number; reset(): void }

export function createBackoff(baseMs: number, capMs: number, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
      attempt++;
      return Math.max(baseMs / 4, Math.floor(random() * ceiling));
    },
    reset() { attempt = 0; },
  };
}
