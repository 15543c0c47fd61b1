// Runs the anchorers every interval, one run at a time, and once more on stop (so a clean shutdown
// leaves the tail anchored). The gateway starts it after opening its store and stops it before closing.
import type { Clock } from '../time/clock.js';
import { anchorHead, type Anchorer } from './anchor.js';
import type { AuditEntry, AuditLog } from './chain.js';
import { DEFAULT_ANCHOR_INTERVAL_MS } from './limits.js';

export interface AnchorScheduleOptions {
  readonly clock: Clock;
  readonly actor: string;
  /** Default DEFAULT_ANCHOR_INTERVAL_MS (10 minutes). */
  readonly intervalMs?: number;
  /** Called with each audit.anchor entry written. */
  readonly onAnchor?: (entry: AuditEntry) => void;
  /** Called when an anchorer fails (TSA down, key unreadable); the next interval tries again. */
  readonly onError: (err: unknown, kind: Anchorer['kind']) => void;
}

export interface AnchorSchedule {
  /** Anchors now with every anchorer (waits for a run in progress first). */
  anchorNow(): Promise<void>;
  /** Stops the timer, waits for a running anchor, then anchors once more. */
  stop(): Promise<void>;
}

export function startAnchoring(log: AuditLog, anchorers: readonly Anchorer[], opts: AnchorScheduleOptions): AnchorSchedule {
  const interval = opts.intervalMs ?? DEFAULT_ANCHOR_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 1000) throw new RangeError(`anchor interval ${interval} ms is below 1 s`);
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = async (): Promise<void> => {
    for (const a of anchorers) {
      try {
        const entry = await anchorHead(log, a, { clock: opts.clock, actor: opts.actor });
        if (entry) opts.onAnchor?.(entry);
      } catch (e) {
        opts.onError(e, a.kind);
      }
    }
  };
  const enqueue = (): Promise<void> => (running = running.then(runOnce));
  const arm = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void enqueue().then(arm), interval);
    timer.unref();
  };
  arm();
  return {
    anchorNow: enqueue,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await enqueue();
    },
  };
}
