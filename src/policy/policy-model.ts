// The domain policy as the rest of Ferry sees it: typed, validated, read-only. Built only by
// policy-file.ts from config/policy.yaml; decide.ts, rate-limit.ts, correlation.ts and freshness.ts
// read it. Deny by default: what no rule names is refused.
import type { KindName } from '../seal/packet-kind.js';

/** Which network a domain lives on. A rule always crosses from one zone to the other: only sealed
 *  packets cross, and nothing else is ruled here. */
export type Zone = 'external' | 'internal';

/** Attachment types a rule may allow. Identified from the bytes (magic numbers, OFD by its OFD.xml
 *  inside the zip), never from a file name or a declared media type. */
export const ATTACHMENT_TYPES = ['pdf', 'jpeg', 'png', 'ofd'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Kinds that travel into the intranet and kinds that travel out of it (proto/ferry.proto). */
export const INBOUND_KINDS: readonly KindName[] = ['submission', 'supplement', 'evaluation'];
export const OUTBOUND_KINDS: readonly KindName[] = ['status', 'notice', 'decision', 'catalogue'];

/** Domain names: `public`, `intranet`, `township-<name>`, `dept-<name>`; the zone follows from the name. */
export const DOMAIN_NAME = /^(public|intranet|township-[a-z0-9][a-z0-9-]{0,40}|dept-[a-z0-9][a-z0-9-]{0,40})$/;
/** A rule may name every declared domain of a family at once. */
export const DOMAIN_PATTERN = /^(township|dept)-\*$/;

export function zoneOf(domain: string): Zone {
  return domain === 'public' || domain.startsWith('township-') ? 'external' : 'internal';
}

export function isTownship(domain: string): boolean {
  return domain.startsWith('township-');
}

export interface ClientCertMatch {
  /** Subject common names; when given, the certificate's CN must be one of them. */
  readonly subjects: readonly string[];
  /** SHA-256 fingerprints of the certificate DER, lower-case hex without colons; when given, the
   *  certificate's fingerprint must be one of them. Both lists given: both must match. */
  readonly sha256: readonly string[];
}

export interface PolicyDomain {
  readonly name: string;
  readonly zone: Zone;
  readonly description: string;
  /** Township service centres only: how the external gateway recognises the centre's client
   *  certificate (extended mode: the centre files cases on the applicant's behalf). */
  readonly clientCert: ClientCertMatch | null;
  readonly line: number;
}

export interface RateSpec {
  /** Requests allowed per period (also the burst: a fresh key may send this many at once). */
  readonly count: number;
  readonly periodMs: number;
  /** As written in the file, e.g. "20/d", for messages. */
  readonly text: string;
}

export type RateDimension = 'perApplicant' | 'perSourceAddress' | 'perTownship';
export const RATE_DIMENSIONS: readonly RateDimension[] = ['perApplicant', 'perSourceAddress', 'perTownship'];

export interface AttachmentRule {
  readonly types: readonly AttachmentType[];
  /** Item code → the types allowed for that item (a subset of `types`); other items get `types`. */
  readonly perItem: ReadonlyMap<string, readonly AttachmentType[]>;
  readonly maxCount: number;
  /** Per attachment, in decoded bytes. */
  readonly maxBytes: number;
}

export interface PolicyRule {
  readonly id: string;
  /** Line of the rule in the policy file, for explain and logs. */
  readonly line: number;
  /** As written (may contain `township-*`, `dept-*`). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Expanded to declared domains. */
  readonly fromDomains: ReadonlySet<string>;
  readonly toDomains: ReadonlySet<string>;
  readonly kinds: readonly KindName[];
  /** Largest packet content this rule carries, in bytes. */
  readonly maxBytes: number;
  /** null: this rule carries no attachments at all. */
  readonly attachments: AttachmentRule | null;
  readonly rate: Readonly<Partial<Record<RateDimension, RateSpec>>>;
}

export interface Policy {
  /** The file it was read from (for messages). */
  readonly source: string;
  /** SHA-256 of the file's bytes, hex: what the audit log records on load and reload. */
  readonly sha256: string;
  readonly version: 1;
  readonly domains: ReadonlyMap<string, PolicyDomain>;
  /** In file order: the first rule that connects (from, to, kind) decides. */
  readonly rules: readonly PolicyRule[];
  readonly ruleById: ReadonlyMap<string, PolicyRule>;
  readonly freshness: { readonly maxAgeSeconds: number; readonly maxFutureSeconds: number };
  readonly outbound: { readonly requireCorrelation: boolean; readonly allowUnsolicited: readonly KindName[] };
}

/** Expands one `from`/`to` entry to the declared domains it names. */
export function expandDomainRef(ref: string, declared: Iterable<string>): string[] {
  const m = DOMAIN_PATTERN.exec(ref);
  if (!m) return [...declared].includes(ref) ? [ref] : [];
  return [...declared].filter((d) => d.startsWith(`${m[1]}-`));
}

/** The rule that carries (from, to, kind), or undefined: the first in file order. */
export function firstRule(policy: Policy, from: string, to: string, kind: string): PolicyRule | undefined {
  return policy.rules.find((r) => r.fromDomains.has(from) && r.toDomains.has(to) && (r.kinds as readonly string[]).includes(kind));
}
