// The trusted clock's configuration and its defaults, each with the reason for its value.
// Times are milliseconds throughout; NTP's own seconds and 2^-32 fractions stay inside sntp-packet.ts.

/** One NTP server to ask. `name` is what status rows show; it defaults to `host:port`. */
export interface TimeSourceConfig {
  readonly name?: string;
  readonly host: string;
  readonly port: number;
}

export interface TimeConfig {
  /** The NTP servers to cross-check; three or more so that one can be outvoted. */
  readonly sources: readonly TimeSourceConfig[];
  /** How many sources must agree (their intervals intersect) before time is trusted. */
  readonly quorum: number;
  /** Added to every source's error bound: path asymmetry and jitter not covered by delay/2 + root distance. */
  readonly toleranceMs: number;
  /** |agreed offset| up to this: the local clock is right (state `trusted`); above it: `degraded`. */
  readonly maxOffsetMs: number;
  /** |agreed offset| above this: even agreeing sources are not believed (state `untrusted`). */
  readonly hardLimitMs: number;
  /** A sample whose root distance (delay/2 + root delay/2 + root dispersion) exceeds this cannot vote. */
  readonly maxDistanceMs: number;
  /** Time between the end of one poll of all sources and the start of the next. */
  readonly pollIntervalMs: number;
  /** How long one query waits for an acceptable reply (name lookup included). */
  readonly timeoutMs: number;
}

/** The most an operator may raise hardLimitMs to (see DEFAULT_TIME_CONFIG.hardLimitMs for the threat). */
export const MAX_HARD_LIMIT_MS = 60_000;

/** The NTP port (RFC 5905 §7.2, IANA). */
export const NTP_PORT = 123;

export const DEFAULT_TIME_CONFIG: Readonly<Omit<TimeConfig, 'sources'>> = Object.freeze({
  // A strict majority of the recommended three sources: one source may be down or wrong and time stays
  // trusted; two wrong sources cannot outvote one right one unless they also agree with each other.
  quorum: 2,
  // Servers on a LAN agree within about a millisecond and the delay term already covers the path; 10 ms
  // absorbs server jitter and event-loop latency on a busy gateway, yet a source a few tens of
  // milliseconds off still falls outside the others' intervals and is marked a falseticker.
  toleranceMs: 10,
  // A host whose own chronyd/ntpd works keeps within a few ms of its servers; 100 ms off means the
  // host's clock discipline has failed. now() still corrects it, so this degrades rather than stops.
  maxOffsetMs: 100,
  // What the agreed time may move now() away from the host's own (chrony-disciplined) clock. Plain SNTP
  // is unauthenticated: an attacker on the path to every source can make them "agree" on a shifted time,
  // and up to this limit now() follows (state `degraded`), so each token's genTime moves with it. ntpd's
  // PANICT (1000 s, RFC 5905 A.1.1) let that backdate a receipt by a quarter of an hour; 10 s keeps the
  // shift below what changes a working-day deadline or the freshness verdict of a packet, and is still
  // several days of drift for an undisciplined host (≤ 50 ppm ≈ 4.3 s/day). Beyond it: untrusted, hold.
  hardLimitMs: 10_000,
  // RFC 5905 §7.2 MAXDIST (1 s): a server that cannot bound its own error to a second says nothing
  // useful, and its wide interval would "agree" with almost any falseticker.
  maxDistanceMs: 1_000,
  // ntpd's and chrony's default minpoll 6 (2^6 s = 64 s): often enough to see a drifting or stepped
  // host clock within about a minute, rare enough that servers' rate limits never trip.
  pollIntervalMs: 64_000,
  // Any working path answers in well under a second; 2 s bounds a poll of dead sources to 2 s,
  // small against the poll interval.
  timeoutMs: 2_000,
});
