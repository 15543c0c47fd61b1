// Named defaults of the operator listener and its health rule (docs/OPERATIONS.md "Monitoring").

/** The link may be down this long before /health turns 503: a restart of the other gateway or a
 *  reconnect with backoff (capped at 30 s) stays green; an outage that loses the operator's service
 *  level does not. Two minutes is also the alert rule's threshold (deploy/prometheus/ferry-alerts.yml). */
export const DEFAULT_LINK_GRACE_SECONDS = 120;

/** A live link hears a heartbeat (or its reply) every heartbeat interval; no frame for this many
 *  intervals and /health calls the link "silent" before the session's own timeout closes it. */
export const SILENT_AFTER_HEARTBEATS = 2;

/** Share of the outbox limit (maxOutbox) above which /health turns 503: the gateway still accepts,
 *  but at this depth the operator must act before senders are refused. */
export const OUTBOX_HIGH_WATER_SHARE = 0.8;

/** The operator listener stays on this host unless configured otherwise: metrics and health name
 *  queues, certificates and peers (off loopback, mutual TLS is required). */
export const DEFAULT_OPERATOR_HOST = '127.0.0.1';

/** Default operator ports (loopback): next to each gateway's other listeners. */
export const DEFAULT_OPERATOR_PORT = { external: 8445, internal: 8319 } as const;

/** Histogram buckets for request latency (seconds): from a cached status read to a 48 MiB upload. */
export const HTTP_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/** Resolution of the event-loop delay sampler (ms). */
export const EVENT_LOOP_RESOLUTION_MS = 10;
