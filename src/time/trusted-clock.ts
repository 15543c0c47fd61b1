// The gateway's trusted clock: polls every configured NTP source, lets selection.ts judge the round,
// and serves now() = local time corrected by the agreed offset. The shell around the pure parts:
// it owns the timer and the queries, never throws from its loop, and tells listeners of every
// change of state so the integrator can log and audit it.

import { fail, FerryError, type Verdict } from '../errors.js';
import { createSystemClock, type LocalClock } from './local-clock.js';
import { querySntp, type SntpFailure, type SntpQueryOptions, type SntpServer } from './sntp-client.js';
import type { SntpSample } from './sntp-offset.js';
import { selectTime, type SelectionVerdict, type SourceResult } from './selection.js';
import { resolveTimeConfig, type ResolvedTimeConfig, type TimeConfigInput } from './time-config.js';

/** The clock other modules take (`interface Clock { now(): Date }`, STYLE.md §3). */
export interface Clock {
  now(): Date;
}

export interface TimeStatus extends SelectionVerdict {
  /** When the last poll finished, by this clock's now(); null before the first poll. */
  readonly lastPollAt: Date | null;
  /** Polls finished since construction. */
  readonly polls: number;
}

export type TimeChangeListener = (status: TimeStatus, previous: TimeStatus) => void;

export type SntpQuery = (server: SntpServer, opts: SntpQueryOptions) => Promise<SntpSample | SntpFailure>;

export interface TrustedClockDeps {
  /** The host's wall clock, whose error is measured. Default: Date.now() refined by performance.now(). */
  readonly clock?: LocalClock;
  /** A clock that is never stepped, to carry now() between polls. Default: performance.now(). */
  readonly monotonic?: () => number;
  readonly query?: SntpQuery;
  readonly random?: (size: number) => Uint8Array;
  /** Where a listener's exception goes (it must not stop the poll loop). Default: process warning. */
  readonly onListenerError?: (error: unknown) => void;
}

const NOT_POLLED: TimeStatus = Object.freeze({
  state: 'untrusted',
  reason: 'no poll has finished yet',
  code: 'FERRY_ERR_TIME_NO_QUORUM',
  offsetMs: null,
  degradedBy: [],
  quorum: 0,
  configured: 0,
  answering: 0,
  agreeing: 0,
  rows: [],
  lastPollAt: null,
  polls: 0,
});

export class TrustedClock implements Clock {
  readonly config: ResolvedTimeConfig;
  private readonly clock: LocalClock;
  private readonly monotonic: () => number;
  private readonly query: SntpQuery;
  private readonly random: ((size: number) => Uint8Array) | undefined;
  private readonly onListenerError: (error: unknown) => void;
  private readonly listeners = new Set<TimeChangeListener>();
  private current: TimeStatus;
  /** Trusted time at a monotonic instant; null while untrusted. */
  private anchor: { trustedMs: number; mono: number } | null = null;
  private inFlight: Promise<TimeStatus> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  private running = false;

  /** Throws FerryError FERRY_ERR_CONFIG naming the bad field: a broken config is a broken environment. */
  constructor(config: TimeConfigInput, deps: TrustedClockDeps = {}) {
    const resolved = resolveTimeConfig(config);
    if (!resolved.ok) throw new FerryError(resolved.code, resolved.detail);
    this.config = resolved.value;
    this.clock = deps.clock ?? createSystemClock();
    this.monotonic = deps.monotonic ?? (() => performance.now());
    this.query = deps.query ?? querySntp;
    this.random = deps.random;
    this.onListenerError =
      deps.onListenerError ?? ((e) => process.emitWarning(`trusted clock listener threw: ${String(e)}`, { code: 'FERRY_TIME_LISTENER' }));
    this.current = Object.freeze({
      ...NOT_POLLED,
      quorum: this.config.quorum,
      configured: this.config.sources.length,
      rows: this.config.sources.map((s) => ({
        ...s,
        marker: '?' as const,
        stratum: null,
        offsetMs: null,
        delayMs: null,
        rootDistanceMs: null,
        note: 'not polled yet',
        code: null,
      })),
    });
  }

  /** Poll now and then every pollIntervalMs after each poll ends (polls never overlap). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    const loop = (): void => {
      void this.poll().then(() => {
        if (!this.running || generation !== this.generation) return;
        this.timer = setTimeout(() => {
          this.timer = null;
          loop();
        }, this.config.pollIntervalMs);
        // A background service: the gateway's servers keep the process alive, this timer should not.
        this.timer.unref();
      });
    };
    loop();
  }

  /** Stop polling; resolves once a poll in flight has finished and its sockets are closed. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight !== null) await this.inFlight;
  }

  /** Query every source once and judge the round. Joins a poll already in flight. Never rejects. */
  poll(): Promise<TimeStatus> {
    if (this.inFlight === null) {
      this.inFlight = this.runPoll().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Local time corrected by the agreed offset, carried between polls by the monotonic clock so that a
   *  step of the host clock between polls does not move it. While untrusted: the plain local clock. */
  now(): Date {
    if (this.anchor === null) return new Date(this.clock());
    return new Date(this.anchor.trustedMs + (this.monotonic() - this.anchor.mono));
  }

  /** now(), or why it cannot be trusted: for callers that must not stamp with an unchecked clock. */
  trustedNow(): Verdict<Date> {
    if (!this.isTrusted()) return fail('FERRY_ERR_TIME_UNTRUSTED', this.current.reason);
    return { ok: true, value: this.now() };
  }

  /** True when now() is backed by a quorum of sources: state 'trusted' or 'degraded'. */
  isTrusted(): boolean {
    return this.current.state !== 'untrusted';
  }

  status(): TimeStatus {
    return this.current;
  }

  /** Called on every change of state (not on each poll); returns the unsubscribe function. */
  onChange(listener: TimeChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async runPoll(): Promise<TimeStatus> {
    let verdict: SelectionVerdict;
    try {
      const results = await Promise.all(this.config.sources.map((source) => this.ask(source)));
      verdict = selectTime(results, this.config);
    } catch (e) {
      // selectTime is pure and ask() catches; reaching here is a bug, reported as a state, not a crash.
      verdict = {
        ...NOT_POLLED,
        quorum: this.config.quorum,
        configured: this.config.sources.length,
        reason: `poll failed unexpectedly: ${String(e)}`,
      };
    }
    if (verdict.state !== 'untrusted' && verdict.offsetMs !== null) {
      const mono = this.monotonic();
      this.anchor = { trustedMs: this.clock() + verdict.offsetMs, mono };
    } else {
      this.anchor = null;
    }
    const previous = this.current;
    this.current = Object.freeze({ ...verdict, lastPollAt: this.now(), polls: previous.polls + 1 });
    if (previous.state !== this.current.state) this.emit(this.current, previous);
    return this.current;
  }

  private async ask(source: { name: string; host: string; port: number }): Promise<SourceResult> {
    const opts: SntpQueryOptions = { timeoutMs: this.config.timeoutMs, clock: this.clock, ...(this.random ? { random: this.random } : {}) };
    try {
      return { ...source, result: await this.query(source, opts) };
    } catch (e) {
      return { ...source, result: { ok: false, code: 'FERRY_ERR_TIME_SOCKET', detail: `${source.host}:${source.port}: query threw: ${String(e)}` } };
    }
  }

  private emit(status: TimeStatus, previous: TimeStatus): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(status, previous);
      } catch (e) {
        try {
          this.onListenerError(e);
        } catch {
          // the error sink itself failed; the poll loop must still go on
        }
      }
    }
  }
}
