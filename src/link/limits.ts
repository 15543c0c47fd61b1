// Link defaults, each with the reason for its value.

/** Unacknowledged packets in flight: 256 reaches ~300k msg/s over mTLS here (TOOLCHAIN), far above
 *  what sealing allows, while bounding what a reconnect must resend. */
export const DEFAULT_WINDOW = 256;
/** Bytes in flight: 64 MiB keeps a window of 1 MiB submissions from holding gigabytes in memory. */
export const DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;
/** A heartbeat every 5 s and 3 missed = dead: a cut link is noticed in ~15 s, well inside the time an
 *  applicant waits for a receipt, without chatter. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_DEAD_AFTER_MS = 15_000;
/** Reconnect backoff: first retry after 250 ms, doubling, capped at 30 s, full jitter (so two internal
 *  gateways restarted together do not retry in lock-step). */
export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_CAP_MS = 30_000;
/** A session counts as healthy (and resets the backoff) at its first acknowledgement, either way, or
 *  after this long up. Not at Hello: a peer that accepts Hello and then closes (1011 when it cannot
 *  commit) would otherwise be redialled at the base rate — 548 reconnects in 85 s were seen. */
export const DEFAULT_HEALTHY_SESSION_MS = 30_000;
/** Receiver inbox backlog above which the socket stops being read (the sender's window then fills),
 *  and below which reading resumes. */
export const DEFAULT_BACKLOG_HIGH = 10_000;
export const DEFAULT_BACKLOG_LOW = 5_000;
/** How long the link waits for the peer's Hello before giving up on the connection. */
export const HELLO_TIMEOUT_MS = 10_000;
export const SUPPORTED_VERSIONS: readonly number[] = [1];
/** The WebSocket path the external gateway serves the link on (config `link.path`). */
export const DEFAULT_LINK_PATH = '/link';
