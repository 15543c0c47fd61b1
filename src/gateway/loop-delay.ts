// How long the event loop was held, as the operator's /health shows it: the loop answers /health and
// the link's heartbeats, so a delay here is a delay of both. perf_hooks.monitorEventLoopDelay samples
// the loop every `resolutionMs` and records how late each sample ran (a histogram in ns).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelayReport {
  /** Longest delay since the previous report (ms). Reading resets this window. */
  maxMs: number;
  p99Ms: number;
  /** Longest delay since the gateway was ready to serve (ms); never reset. */
  maxSinceReadyMs: number;
  /** How long the current "since ready" record covers (ms). */
  windowMs: number;
}

const RESOLUTION_MS = 10;
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export class LoopDelay {
  private readonly window: IntervalHistogram;
  private readonly total: IntervalHistogram;
  private readyAt = Date.now();

  constructor() {
    this.window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.total = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.window.enable();
    this.total.enable();
  }

  /** Start the "since ready" record now: loading keys, opening stores and compiling schemas at start
   *  hold the loop legitimately, before anyone is served. */
  ready(): void {
    this.total.reset();
    this.window.reset();
    this.readyAt = Date.now();
  }

  report(): LoopDelayReport {
    // A sample records the whole interval between two ticks, so the figures include up to one
    // sampling interval (10 ms) on top of the delay: they err on the high side, never the low.
    const net = ms;
    const r = {
      maxMs: this.window.count ? net(this.window.max) : 0,
      p99Ms: this.window.count ? net(this.window.percentile(99)) : 0,
      maxSinceReadyMs: this.total.count ? net(this.total.max) : 0,
      windowMs: Date.now() - this.readyAt,
    };
    this.window.reset();
    return r;
  }

  stop(): void { this.window.disable(); this.total.disable(); }
}
