// What the operator listener reads of a running gateway, at the moment it is asked (a scrape or a
// /health call): every depth and age comes from the store, not from a counter kept beside it that
// could drift. Each gateway builds one (src/external/probe.ts, src/internal/probe.ts).
import type { ChainStatus } from '../audit/anchor-status.js';
import type { TrustDetail, TrustState } from '../time/time-trust.js';
import type { StorageFacts } from './storage-watch.js';
import type { IntakeFacts } from './intake-gate.js';

/** A queue of packets: how many, and when the oldest entered (ms since the epoch). */
export interface QueueFacts { readonly count: number; readonly oldestAt: number | null }

export interface QuarantineFacts {
  readonly held: number;
  readonly released: number;
  readonly rejected: number;
  /** received_at (ms) of the packet waiting longest for an operator's decision. */
  readonly oldestHeldAt: number | null;
}

export interface CertificateFact {
  /** A bounded name: sign, encrypt, link_tls, api_tls, tsa, ca, peer_encrypt, operator_tls. */
  readonly role: string;
  readonly notAfter: Date;
}

export interface GatewayProbe {
  readonly gateway: 'external' | 'internal';
  /** Wall-clock ms: the store's timestamps are written with it. */
  now(): number;
  link: {
    connected(): boolean;
    lastFrameAt(): number | null;
    /** Heartbeat interval: a live peer sends a frame at least this often. */
    readonly heartbeatMs: number;
  };
  /** Named queues: 'outbox' on both gateways, 'stamp' on the internal one. */
  readonly queues: Readonly<Record<string, () => QueueFacts>>;
  /** Outbox depth at which /health turns 503. */
  readonly outboxHighWater: number;
  quarantine(): QuarantineFacts;
  /** Packets refused at opening and kept in rejected_packets. */
  rejected(): number;
  time(): { state: TrustState; reason: string; detail: TrustDetail | null };
  /** True when packets wait for trusted time (internal gateway with time.whenUntrusted: hold). */
  readonly timeHolds: boolean;
  readonly certificates: readonly CertificateFact[];
  chain(): ChainStatus;
  /** The catalogue this gateway serves (external) or last published (internal). */
  catalogue(): { sha256: string; items: number } | null;
  /** Held packets an operator gave up (`ferry outbox drop`): each is a case answered 202 and not delivered. */
  dropped?(): number;
  /** Free space of dataDir as last read by the storage watch (src/gateway/storage-watch.ts). */
  storage?(): StorageFacts;
  /** Whether intake is open (external gateway: src/gateway/intake-gate.ts). */
  intake?(): IntakeFacts;
  /** More fields for /health (cases, notifications, …): small numbers, never personal data. */
  details(): Record<string, unknown>;
}
