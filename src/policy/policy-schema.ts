// The shape of config/policy.yaml, in the config mini-schema (src/config/schema.ts): every checker
// throws a SchemaError naming the key path (e.g. `rules[4].kinds[1]`), which policy-file.ts turns
// into a line number. Cross-field rules (domains exist, rules cross zones, no shadowed rule) are
// checked afterwards, in policy-file.ts, where every error is collected rather than only the first.
import { KIND_NAMES, type KindName } from '../seal/packet-kind.js';
import { SchemaError, bool, int, list, obj, opt, str, type Check } from '../config/schema.js';
import { ITEM_CODE } from './submission-shape.js';
import { ATTACHMENT_TYPES, DOMAIN_NAME, DOMAIN_PATTERN, type AttachmentType, type RateSpec } from './policy-model.js';

export const PERIOD_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Rates above this are no limit at all; below 1 per 30 days nobody could plan for. */
const MAX_RATE_COUNT = 1_000_000;
const MAX_PERIOD_MS = 30 * PERIOD_MS.d;

export const kind: Check<KindName> = (v, p) => {
  if (typeof v !== 'string' || !(KIND_NAMES as readonly string[]).includes(v)) {
    throw new SchemaError(p, `unknown packet kind ${JSON.stringify(v)} (known: ${KIND_NAMES.join(', ')})`);
  }
  return v as KindName;
};

export const attachmentType: Check<AttachmentType> = (v, p) => {
  if (typeof v !== 'string' || !(ATTACHMENT_TYPES as readonly string[]).includes(v)) {
    throw new SchemaError(p, `unknown attachment type ${JSON.stringify(v)} (known: ${ATTACHMENT_TYPES.join(', ')})`);
  }
  return v as AttachmentType;
};

/** "N/period" or "N/<k>period", period s|m|h|d: "20/d", "300/10m". */
export const rate: Check<RateSpec> = (v, p) => {
  const m = typeof v === 'string' ? /^([0-9]{1,7})\/([0-9]{0,4})([smhd])$/.exec(v.trim()) : null;
  if (!m) throw new SchemaError(p, `expected a rate like "20/h" or "300/10m" (N per period s|m|h|d), got ${JSON.stringify(v)}`);
  const count = Number(m[1]);
  const periodMs = (m[2] ? Number(m[2]) : 1) * PERIOD_MS[m[3] as keyof typeof PERIOD_MS];
  if (count < 1 || count > MAX_RATE_COUNT) throw new SchemaError(p, `count must be 1..${MAX_RATE_COUNT}`);
  if (periodMs < 1_000 || periodMs > MAX_PERIOD_MS) throw new SchemaError(p, 'period must be between 1s and 30d');
  return Object.freeze({ count, periodMs, text: (v as string).trim() });
};

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
/** A byte count: an integer, or "512 KiB" / "16 MiB" (binary units; "MB" is refused as ambiguous). */
export function byteSize(max: number): Check<number> {
  return (v, p) => {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string') {
      const m = /^([0-9]{1,10})\s*(B|KiB|MiB|GiB)$/.exec(v.trim());
      if (!m) throw new SchemaError(p, `expected bytes, e.g. 1048576 or "16 MiB", got ${JSON.stringify(v)}`);
      n = Number(m[1]) * UNITS[m[2]!]!;
    } else throw new SchemaError(p, 'expected a byte count');
    if (!Number.isSafeInteger(n) || n < 1) throw new SchemaError(p, 'must be a whole number of bytes ≥ 1');
    if (n > max) throw new SchemaError(p, `must be ≤ ${max} bytes`);
    return n;
  };
}

/** A mapping whose keys are data (domain names, item codes), each checked by pattern. */
export function record<T>(keyPattern: RegExp, keyHelp: string, value: Check<T>): Check<ReadonlyMap<string, T>> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(p, 'expected a mapping');
    const out = new Map<string, T>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const kp = `${p}.${k}`;
      if (!keyPattern.test(k)) throw new SchemaError(kp, keyHelp);
      out.set(k, value(x, kp));
    }
    return out;
  };
}

/** SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it or plain hex. */
export const fingerprint: Check<string> = (v, p) => {
  const hex = typeof v === 'string' ? v.replace(/^sha256:/i, '').replace(/:/g, '').toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new SchemaError(p, 'expected a SHA-256 fingerprint (64 hex digits, colons allowed)');
  return hex;
};

/** `dept-tax:` with nothing after it is a declared domain with no attributes. */
function orEmpty<T>(check: Check<T>): Check<T> {
  return (v, p) => check(v === null || v === undefined ? {} : v, p);
}

const domainEntry = orEmpty(obj({
  description: opt(str(), ''),
  clientCert: opt<{ readonly subjects: string[]; readonly sha256: string[] } | null>(obj({
    subjects: opt(list(str({ min: 1 })), []),
    sha256: opt(list(fingerprint), []),
  }), null),
}));

const domainRef: Check<string> = (v, p) => {
  if (typeof v !== 'string' || !(DOMAIN_NAME.test(v) || DOMAIN_PATTERN.test(v))) {
    throw new SchemaError(p, `not a domain name: ${JSON.stringify(v)} (public, intranet, township-<name>, dept-<name>, township-*, dept-*)`);
  }
  return v;
};

/** Packet content above this is refused by the seal layer anyway (src/seal/limits.ts). */
export const MAX_RULE_BYTES = 1024 ** 3;

const ruleShape = obj({
  id: str({ pattern: /^[a-z0-9][a-z0-9-]{0,63}$/ }),
  from: list(domainRef, { min: 1 }),
  to: list(domainRef, { min: 1 }),
  kinds: list(kind, { min: 1 }),
  maxBytes: byteSize(MAX_RULE_BYTES),
  attachments: opt<{
    readonly types: AttachmentType[]; readonly perItem: ReadonlyMap<string, AttachmentType[]>; readonly maxCount: number; readonly maxBytes: number;
  } | null>(obj({
    types: list(attachmentType, { min: 1 }),
    perItem: opt(record(ITEM_CODE, 'not an item code (like SCJG-001)', list(attachmentType, { min: 1 })), new Map<string, AttachmentType[]>() as ReadonlyMap<string, AttachmentType[]>),
    maxCount: int({ min: 1, max: 1000 }),
    maxBytes: byteSize(MAX_RULE_BYTES),
  }), null),
  rate: opt<{ readonly perApplicant: RateSpec | null; readonly perSourceAddress: RateSpec | null; readonly perTownship: RateSpec | null } | null>(obj({
    perApplicant: opt<RateSpec | null>(rate, null),
    perSourceAddress: opt<RateSpec | null>(rate, null),
    perTownship: opt<RateSpec | null>(rate, null),
  }), null),
});

export const policyShape = obj({
  version: int({ min: 1, max: 1 }),
  domains: record(DOMAIN_NAME, 'domain names are public, intranet, township-<name> or dept-<name> (lower case)', domainEntry),
  freshness: obj({
    // A packet may wait in an outbox while the link is down; beyond 30 days it is an operator's call.
    maxAgeSeconds: int({ min: 1, max: 30 * 86_400 }),
    maxFutureSeconds: int({ min: 0, max: 3_600 }),
  }),
  outbound: obj({
    requireCorrelation: bool(),
    allowUnsolicited: opt(list(kind), []),
  }),
  rules: list(ruleShape, { min: 1 }),
});

export type PolicyShape = ReturnType<typeof policyShape>;
