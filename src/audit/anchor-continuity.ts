// Holds signature anchors to their schedule: while a gateway runs, every entry it writes must be under
// a signature anchor within the anchor interval (+ slack) of being written, and anchors follow each
// other in time. What is checkable from the chain alone, and what is not:
// - The interval in force is the one the gateway recorded in its gateway.start entry (anchorIntervalMs),
//   itself under the later anchors; a chain without one is held to the default.
// - A gateway that stopped without its final anchor (a crash, power cut) leaves entries that are
//   anchored only after the next start: they are named in a note, not failed — the restart is in the
//   chain, under an anchor, and the peer's copy of the last head sent bounds what a cut could hide.
// - The newest entries after the last anchor are not yet due; they rest on the chain alone.
import { ANCHOR_CLOCK_STEP_MS, DEFAULT_ANCHOR_INTERVAL_MS, DEFAULT_ANCHOR_SLACK_MS } from './limits.js';

export interface ContinuityFault { readonly seq: number; readonly detail: string }

export class AnchorContinuity {
  private intervalMs = DEFAULT_ANCHOR_INTERVAL_MS;
  /** The oldest entry not yet under a signature anchor (older ones are covered or exempt). */
  private pending: { seq: number; at: number }[] = [];
  private lastAnchorAt = -Infinity;
  private lastAnchorSeq = 0;
  private lastEntryAt = -Infinity;
  /** Entries before the first gateway.start were not written by a running gateway (imports, tests). */
  private running = false;
  readonly notes: string[] = [];
  fault: ContinuityFault | null = null;

  constructor(private readonly slackMs = DEFAULT_ANCHOR_SLACK_MS, private readonly fixedIntervalMs?: number) {
    if (fixedIntervalMs !== undefined) this.intervalMs = fixedIntervalMs;
  }

  /** An entry that is not an audit.anchor. */
  entry(seq: number, at: number, action: string, detail: string): void {
    if (action === 'gateway.start') {
      if (this.pending.length > 0) {
        const first = this.pending[0]!;
        this.notes.push(`entries ${first.seq}..${seq - 1} were anchored only after the restart at seq ${seq} (written after the last anchor of the previous run: a stop without its final anchor, or a CLI command while the gateway was down)`);
        this.pending = [];
      }
      if (this.fixedIntervalMs === undefined) this.intervalMs = intervalOf(detail) ?? DEFAULT_ANCHOR_INTERVAL_MS;
      this.running = true;
    }
    if (!this.running) return;
    this.lastEntryAt = Math.max(this.lastEntryAt, at);
    // Only the oldest pending entry matters for the gap; the rest are kept to know what an anchor covers.
    this.pending.push({ seq, at });
  }

  /** An audit.anchor entry at `seq` whose anchor covers `headSeq`. */
  anchor(seq: number, at: number, kind: string, headSeq: number): void {
    if (this.fault) return;
    if (at < this.lastAnchorAt - ANCHOR_CLOCK_STEP_MS) {
      this.fault = { seq, detail: `the anchor entry ${seq} is dated ${new Date(at).toISOString()}, before the anchor entry ${this.lastAnchorSeq} (${new Date(this.lastAnchorAt).toISOString()}): anchors are not in time order` };
      return;
    }
    this.lastAnchorAt = Math.max(this.lastAnchorAt, at);
    this.lastAnchorSeq = seq;
    if (kind !== 'signature') return;
    const covered = this.pending.filter((p) => p.seq <= headSeq);
    if (covered.length === 0) return;
    const oldest = covered[0]!;
    const late = at - oldest.at - this.intervalMs;
    if (late > this.slackMs) {
      this.fault = { seq: oldest.seq, detail: `entry ${oldest.seq} (${new Date(oldest.at).toISOString()}) waited ${at - oldest.at} ms for the signature anchor at entry ${seq}; the interval is ${this.intervalMs} ms + ${this.slackMs} ms slack: anchors are missing in between` };
      return;
    }
    this.pending = this.pending.filter((p) => p.seq > headSeq);
    this.lastEntryAt = Math.max(this.lastEntryAt, at);
  }

  /** The chain ended. Entries still pending are the tail not yet due, unless the gateway went on
   *  writing for longer than interval + slack after the oldest of them: then anchors are missing (all
   *  anchors dropped, or anchoring stopped while the gateway ran). */
  finish(): void {
    if (this.fault || this.pending.length === 0) return;
    const oldest = this.pending[0]!;
    const span = this.lastEntryAt - oldest.at;
    if (span - this.intervalMs > this.slackMs) {
      this.fault = { seq: oldest.seq, detail: `entry ${oldest.seq} (${new Date(oldest.at).toISOString()}) is under no signature anchor, though the gateway wrote on for ${span} ms after it; the interval is ${this.intervalMs} ms + ${this.slackMs} ms slack: anchors are missing` };
    }
  }
}

function intervalOf(detail: string): number | undefined {
  try {
    const v = (JSON.parse(detail) as { anchorIntervalMs?: unknown }).anchorIntervalMs;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1000 ? v : undefined;
  } catch {
    return undefined;
  }
}
