// Check a trusted-clock configuration once, fill in defaults, freeze it. Pure. Unknown keys and
// nonsense values are named, so a typo in config/*.yaml cannot silently weaken the clock.

import { fail, type Verdict } from '../errors.js';
import { DEFAULT_TIME_CONFIG, MAX_HARD_LIMIT_MS, type TimeConfig, type TimeSourceConfig } from './limits.js';

/** What an operator writes: sources are required, every other field falls back to DEFAULT_TIME_CONFIG. */
export type TimeConfigInput = Pick<TimeConfig, 'sources'> & Partial<Omit<TimeConfig, 'sources'>>;

/** A source as the clock uses it: its display name resolved. */
export interface ResolvedSource {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface ResolvedTimeConfig extends Omit<TimeConfig, 'sources'> {
  readonly sources: readonly ResolvedSource[];
}

const KEYS = new Set(['sources', ...Object.keys(DEFAULT_TIME_CONFIG)]);
const SOURCE_KEYS = new Set(['name', 'host', 'port']);

export function resolveTimeConfig(input: TimeConfigInput): Verdict<ResolvedTimeConfig> {
  const bad = (detail: string) => fail('FERRY_ERR_CONFIG', `time: ${detail}`);
  if (typeof input !== 'object' || input === null) return bad('the time section must be an object');
  for (const key of Object.keys(input)) if (!KEYS.has(key)) return bad(`unknown key "${key}"`);
  const merged = { ...DEFAULT_TIME_CONFIG, ...dropUndefined(input) };

  if (!Array.isArray(merged.sources) || merged.sources.length === 0) return bad('"sources" must list at least one NTP server');
  const sources: ResolvedSource[] = [];
  const names = new Set<string>();
  for (const [i, raw] of (merged.sources as readonly TimeSourceConfig[]).entries()) {
    const at = `sources[${i}]`;
    if (typeof raw !== 'object' || raw === null) return bad(`${at} must be an object with host and port`);
    for (const key of Object.keys(raw)) if (!SOURCE_KEYS.has(key)) return bad(`${at}: unknown key "${key}"`);
    if (typeof raw.host !== 'string' || raw.host.trim() === '') return bad(`${at}.host must be a host name or address`);
    if (!Number.isInteger(raw.port) || raw.port < 1 || raw.port > 65535) return bad(`${at}.port must be an integer 1..65535`);
    if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) return bad(`${at}.name must be a non-empty string`);
    const name = raw.name ?? `${raw.host}:${raw.port}`;
    // Status rows and audit entries name sources; two with one name would be indistinguishable.
    if (names.has(name)) return bad(`${at}: duplicate source name "${name}"`);
    names.add(name);
    sources.push(Object.freeze({ name, host: raw.host, port: raw.port }));
  }

  const { quorum, toleranceMs, maxOffsetMs, hardLimitMs, maxDistanceMs, pollIntervalMs, timeoutMs } = merged;
  if (!Number.isInteger(quorum) || quorum < 1) return bad('"quorum" must be an integer of at least 1');
  if (quorum > sources.length) return bad(`"quorum" is ${quorum} but only ${sources.length} source(s) are configured`);
  for (const [key, value] of Object.entries({ toleranceMs, maxOffsetMs, hardLimitMs, maxDistanceMs, pollIntervalMs, timeoutMs })) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return bad(`"${key}" must be a finite number of milliseconds, at least 0`);
  }
  if (maxOffsetMs <= 0) return bad('"maxOffsetMs" must be more than 0');
  if (hardLimitMs < maxOffsetMs) return bad(`"hardLimitMs" (${hardLimitMs}) must be at least "maxOffsetMs" (${maxOffsetMs})`);
  if (hardLimitMs > MAX_HARD_LIMIT_MS) return bad(`"hardLimitMs" (${hardLimitMs}) may be at most ${MAX_HARD_LIMIT_MS}: a larger correction lets an on-path attacker move stamped time that far`);
  if (maxDistanceMs <= 0) return bad('"maxDistanceMs" must be more than 0');
  if (timeoutMs < 1) return bad('"timeoutMs" must be at least 1');
  if (pollIntervalMs < 1) return bad('"pollIntervalMs" must be at least 1');

  return {
    ok: true,
    value: Object.freeze({
      sources: Object.freeze(sources),
      quorum,
      toleranceMs,
      maxOffsetMs,
      hardLimitMs,
      maxDistanceMs,
      pollIntervalMs,
      timeoutMs,
    }),
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
