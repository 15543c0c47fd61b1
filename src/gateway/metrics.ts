// A gateway's Prometheus metrics (docs/OPERATIONS.md "Monitoring"), in a registry of its own (never
// prom-client's global one). Gauges (metrics-gauges.ts) are read from the probe at scrape time, in their collect(): a
// depth or an age is what the store says now, not a counter kept beside it that could drift. True
// counters (reconnects, requests, tokens issued, failed reads) are counted as they happen.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import type { GatewayProbe } from './probe.js';
import { LinkWatch } from './link-watch.js';
import { ERRORS } from '../errors.js';
import type { HealthReport } from './health.js';
import { EVENT_LOOP_RESOLUTION_MS, HTTP_LATENCY_BUCKETS } from './operator-limits.js';
import { registerGauges } from './metrics-gauges.js';

export interface HttpMetrics {
  readonly requests: Counter<'listener' | 'method' | 'route' | 'status' | 'code'>;
  readonly duration: Histogram<'listener' | 'method' | 'route'>;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly link: LinkWatch;
  readonly http: HttpMetrics;
  /** Counts one RFC 3161 token issued (internal gateway; a no-op on the external one). */
  readonly tokenIssued: () => void;
  /** Counts one packet the peer refused back (could not open or verify it), by code. */
  readonly packetRefused: (code: string) => void;
  /** Registers the scrape-time gauges that read `probe`; `health` is the /health verdict. */
  observe(probe: GatewayProbe, health: () => HealthReport): void;
  stop(): void;
}

export function createGatewayMetrics(gateway: 'external' | 'internal', now: () => number = Date.now): GatewayMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway });
  const registers = [registry];
  const reconnects = new Counter({ name: 'ferry_link_reconnects_total', help: 'Link sessions established after an earlier one ended.', registers });
  const tokens = gateway === 'internal'
    ? new Counter({ name: 'ferry_tsa_tokens_issued_total', help: 'RFC 3161 tokens issued by the intranet TSA (packets, receipts, audit anchors, POST /tsa).', registers })
    : null;
  const http: HttpMetrics = {
    requests: new Counter({
      name: 'ferry_http_requests_total', registers,
      help: 'HTTP requests answered, by listener, method, route template, status and Ferry error code ("" on success).',
      labelNames: ['listener', 'method', 'route', 'status', 'code'] as const,
    }),
    duration: new Histogram({
      name: 'ferry_http_request_duration_seconds', registers, buckets: HTTP_LATENCY_BUCKETS,
      help: 'Time from request received to response sent, by listener, method and route template.',
      labelNames: ['listener', 'method', 'route'] as const,
    }),
  };
  const refused = new Counter({
    name: 'ferry_outbox_refused_total', registers, labelNames: ['code'] as const,
    help: 'Packets the peer refused back because it could not open or verify them (each is then held), by code.',
  });
  const readErrors = new Counter({
    name: 'ferry_store_read_errors_total', help: 'Store reads that failed while collecting metrics, by what was read.',
    labelNames: ['source'] as const, registers,
  });
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loop.enable();

  return {
    registry,
    link: new LinkWatch(now, () => reconnects.inc()),
    http,
    tokenIssued: tokens ? () => tokens.inc() : () => {},
    // The code comes from the peer: only registry codes become label values (bounded cardinality).
    packetRefused: (code) => refused.inc({ code: code in ERRORS ? code : 'unknown' }),
    observe(probe, health) {
      // Series exist from the start at 0, so that increase() in an alert sees the first failure.
      for (const source of [...Object.keys(probe.queues), 'quarantine', 'rejected', 'audit', 'catalogue']) readErrors.inc({ source }, 0);
      registerGauges(registry, { probe, health, watch: this.link, loop, now, failed: (source) => readErrors.inc({ source }) });
    },
    stop() { loop.disable(); },
  };
}
