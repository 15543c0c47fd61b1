// Builds a gateway's view of time from its config: an NTP quorum (src/time/trusted-clock.ts), or,
// with no sources configured, a clock that is never trusted (deny by default). Every change of trust
// is logged with its reason (and audited once the audit chain is wired).
import type { Logger } from './logger.js';
import { noSources, type TimeTrust, type TrustState } from '../time/time-trust.js';
import { TrustedClock } from '../time/trusted-clock.js';

export interface TimeSection {
  sources: readonly { name: string; host: string; port: number }[];
  quorum: number; toleranceMs: number; maxOffsetMs: number; hardLimitMs: number; maxDistanceMs: number;
  pollIntervalMs: number; timeoutMs: number;
}

export interface GatewayTime { trust: TimeTrust; clock: TrustedClock | null; stop(): Promise<void> }

/** The trusted clock a gateway's `time:` section describes (also used by `ferry time status`). */
export function newTrustedClock(cfg: TimeSection): TrustedClock {
  return new TrustedClock({
    sources: cfg.sources.map((s) => ({ ...(s.name ? { name: s.name } : {}), host: s.host, port: s.port })),
    quorum: cfg.quorum, toleranceMs: cfg.toleranceMs, maxOffsetMs: cfg.maxOffsetMs, hardLimitMs: cfg.hardLimitMs,
    maxDistanceMs: cfg.maxDistanceMs, pollIntervalMs: cfg.pollIntervalMs, timeoutMs: cfg.timeoutMs,
  });
}

export function buildTimeTrust(cfg: TimeSection, log: Logger, onChange?: (state: TrustState, reason: string) => void): GatewayTime {
  if (cfg.sources.length === 0) {
    log.warn({ stage: 'time', state: 'untrusted' }, 'no NTP sources configured: time is never trusted');
    return { trust: noSources(), clock: null, stop: async () => {} };
  }
  const clock = newTrustedClock(cfg);
  const listeners: ((s: TrustState, r: string) => void)[] = [];
  clock.onChange((now, before) => {
    const rows = now.rows.map((r) => `${r.marker}${r.name}`).join(' ');
    log[now.state === 'untrusted' ? 'error' : now.state === 'degraded' ? 'warn' : 'info'](
      { stage: 'time', state: now.state, previous: before.state, reason: now.reason, offsetMs: now.offsetMs, sources: rows },
      `time ${now.state}`);
    onChange?.(now.state, now.reason);
    for (const l of listeners) l(now.state, now.reason);
  });
  clock.start();
  const trust: TimeTrust = {
    now: () => clock.now(),
    state: () => clock.status().state,
    reason: () => clock.status().reason,
    detail: () => {
      const s = clock.status();
      return { offsetMs: s.offsetMs, configured: s.configured, answering: s.answering, agreeing: s.agreeing, quorum: cfg.quorum };
    },
    onChange: (l) => { listeners.push(l); },
  };
  return { trust, clock, stop: () => clock.stop() };
}
