// Refusals from one source, aggregated (issue 13: 48,000 bad anonymous requests made 50,046 audit
// rows and 50k log lines, an outside path to fill the disk). Per (source address, code, scope) and
// window — the scope is one of a few fixed names (the route: 'submission', 'case action', 'http',
// 'access'), so a refused action still shows beside a refused submission —
// the first refusal is written as before (audit entry and log line, with its detail), and the rest
// are only counted; when the window closes one `refusal.summary` entry and one log line carry the
// count. So a flood writes O(windows × distinct codes) rows, whatever its rate.
// This is the budget every refusal passes BEFORE any audit or log write: note() is one map lookup.
// Bounded: past maxKeys distinct (address, code) pairs in a window, further addresses share one
// bucket per code (address "*"): rotating addresses (an IPv6 /64) buys no more rows or memory.

/** One minute: a burst shows as one entry a minute, and a single refusal is still written at once. */
export const DEFAULT_REFUSAL_WINDOW_MS = 60_000;
/** Distinct (address, code) pairs tracked per window: ~100 bytes each, so ~1 MiB at most. */
export const DEFAULT_REFUSAL_KEYS = 10_000;
export const OVERFLOW_ADDRESS = '*';

export interface RefusalSummary {
  readonly address: string;
  readonly code: string;
  readonly scope: string;
  /** Refusals in the window, the first (written in full) included. */
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Bucket { count: number; firstAt: number; lastAt: number }

export type Seen = 'write' | 'counted';

export class RefusalAggregator {
  private buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly emit: (s: RefusalSummary) => void,
    private readonly now: () => number = Date.now,
    readonly windowMs: number = DEFAULT_REFUSAL_WINDOW_MS,
    private readonly maxKeys: number = DEFAULT_REFUSAL_KEYS,
  ) {}

  /** Counts one refusal; 'write' when the caller should write it in full (the first of its window). */
  note(address: string, code: string, scope = ''): Seen {
    const t = this.now();
    let key = `${address}\u0000${code}\u0000${scope}`;
    let b = this.buckets.get(key);
    if (!b && this.buckets.size >= this.maxKeys) {
      key = `${OVERFLOW_ADDRESS}\u0000${code}\u0000${scope}`;
      b = this.buckets.get(key);
    }
    if (b) { b.count++; b.lastAt = t; return 'counted'; }
    this.buckets.set(key, { count: 1, firstAt: t, lastAt: t });
    return 'write';
  }

  /** Closes the window: a summary for every key refused more than once (the first was written). */
  flush(): void {
    const closing = this.buckets;
    this.buckets = new Map();
    for (const [key, b] of closing) {
      if (b.count < 2) continue;
      const [address, code, scope] = key.split('\u0000') as [string, string, string];
      this.emit({ address, code, scope, count: b.count, firstAt: b.firstAt, lastAt: b.lastAt });
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what the open window counted (a clean stop loses no count). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
