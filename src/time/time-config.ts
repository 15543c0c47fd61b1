// The `time:` section, declared once in the config schema language (src/config/schema.ts): the
// gateway configs validate it at load with timeSectionSchema, and the trusted clock resolves its own
// input with the same declaration (resolveTimeConfig), so there is one list of keys, ranges and
// defaults (DEFAULT_TIME_CONFIG). Pure. Unknown keys and nonsense values are named, so a typo in
// config/*.yaml cannot silently weaken the clock.

import { fail, type Verdict } from '../errors.js';
import { SchemaError, int, list, obj, oneOf, opt, refine, str, type Check, type Infer } from '../config/schema.js';
import { DEFAULT_TIME_CONFIG, MAX_HARD_LIMIT_MS, type TimeConfig } from './limits.js';

const T = DEFAULT_TIME_CONFIG;

/** One NTP server; an empty name (the default) is shown as host:port. */
export const timeSourceSchema = obj({ name: opt(str({ min: 1 }), ''), host: str({ min: 1 }), port: int({ min: 1, max: 65535 }) });

const sourceName = (s: Infer<typeof timeSourceSchema>) => s.name || `${s.host}:${s.port}`;

const timeShape = obj({
  sources: opt(list(timeSourceSchema), []),
  quorum: opt(int({ min: 1 }), T.quorum),
  toleranceMs: opt(int({ min: 0 }), T.toleranceMs),
  maxOffsetMs: opt(int({ min: 1 }), T.maxOffsetMs),
  // Above MAX_HARD_LIMIT_MS an on-path attacker could move stamped time that far (time/limits.ts).
  hardLimitMs: opt(int({ min: 1, max: MAX_HARD_LIMIT_MS }), T.hardLimitMs),
  maxDistanceMs: opt(int({ min: 1 }), T.maxDistanceMs),
  pollIntervalMs: opt(int({ min: 10 }), T.pollIntervalMs),
  timeoutMs: opt(int({ min: 10 }), T.timeoutMs),
  /** 'hold' stops stamping while time is untrusted (production); 'warn' stamps anyway (demo only). */
  whenUntrusted: opt(oneOf('hold', 'warn'), 'hold'),
});

/** The `time:` section of a gateway config. No sources is allowed here (time is then never trusted,
 *  which `ferry config check` and a production start report); everything else is checked. */
export const timeSectionSchema = refine(timeShape, (t) => {
  const names = t.sources.map(sourceName);
  // Status rows and audit entries name sources; two with one name would be indistinguishable.
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) return { key: `sources[${dup}]`, message: `duplicate source name ${JSON.stringify(names[dup])}` };
  if (t.sources.length > 0 && t.quorum > t.sources.length) {
    return { key: 'quorum', message: `is ${t.quorum} but only ${t.sources.length} source(s) are configured` };
  }
  if (t.hardLimitMs < t.maxOffsetMs) return { key: 'hardLimitMs', message: `(${t.hardLimitMs}) must be at least maxOffsetMs (${t.maxOffsetMs})` };
  return undefined;
});
export type TimeSection = Infer<typeof timeSectionSchema>;

/** What the trusted clock is given: sources are required, every other field falls back to DEFAULT_TIME_CONFIG. */
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

/** The clock's own view: the section's rules, plus at least one source (a clock with none is never
 *  trusted; the gateway builds no clock then, see gateway/time.ts). */
const clockSchema: Check<TimeSection> = refine(timeSectionSchema, (t) =>
  t.sources.length === 0 ? { key: 'sources', message: 'must list at least one NTP server' } : undefined);

export function resolveTimeConfig(input: TimeConfigInput): Verdict<ResolvedTimeConfig> {
  let t: TimeSection;
  try {
    t = clockSchema(input, 'time');
  } catch (e) {
    if (e instanceof SchemaError) return fail('FERRY_ERR_CONFIG', e.message);
    throw e;
  }
  const { whenUntrusted: _w, sources, ...rest } = t;
  return {
    ok: true,
    value: Object.freeze({ ...rest, sources: Object.freeze(sources.map((s) => Object.freeze({ name: sourceName(s), host: s.host, port: s.port }))) }),
  };
}
