// Builds a gateway's view of time from its config: no sources means never trusted (deny by default).
import type { Logger } from './logger.js';
import { noSources, type TimeTrust } from '../time/time-trust.js';

export interface TimeSection { sources: readonly { name: string; host: string; port: number }[] }

export function buildTimeTrust(cfg: TimeSection, log: Logger): { trust: TimeTrust; stop(): void } {
  if (cfg.sources.length === 0) {
    log.warn({ stage: 'time', state: 'untrusted' }, 'no NTP sources configured: time is never trusted');
    return { trust: noSources(), stop: () => {} };
  }
  throw new Error('NTP trusted clock not wired yet');
}
