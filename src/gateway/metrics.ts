// A gateway's Prometheus metrics (docs/OPERATIONS.md "Monitoring"), in a registry of its own (never
// prom-client's global one). Gauges are read from the probe at scrape time, in their collect(): a
// depth or an age is what the store says now, not a counter kept beside it that could drift. True
// counters (reconnects, requests, tokens issued, failed reads) are counted as they happen.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayProbe } from './probe.js';
import { LinkWatch } from './link-watch.js';
import { ERRORS } from '../errors.js';
import type { HealthReport } from './health.js';
import { EVENT_LOOP_RESOLUTION_MS, HTTP_LATENCY_BUCKETS } from './operator-limits.js';

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

const TRUST_STATES = ['trusted', 'degraded', 'untrusted'] as const;
const QUARANTINE_STATES = ['held', 'released', 'rejected'] as const;
const HEALTH_RULES = ['link', 'time', 'store', 'outbox'] as const;
const seconds = (ms: number) => ms / 1000;

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
      registerGauges(registry, probe, health, this.link, loop, now, (source) => readErrors.inc({ source }));
    },
    stop() { loop.disable(); },
  };
}

/** A store read at scrape time: a failure is counted and the gauge left empty, never a failed scrape. */
type Guard = <T>(source: string, read: () => T) => T | null;

function registerGauges(registry: Registry, probe: GatewayProbe, health: () => HealthReport, watch: LinkWatch,
  loop: IntervalHistogram, now: () => number, failed: (source: string) => void): void {
  const registers = [registry];
  const guard: Guard = (source, read) => { try { return read(); } catch { failed(source); return null; } };
  const age = (at: number | null) => (at === null ? 0 : Math.max(0, seconds(now() - at)));
  const started = now();

  // --- link ---
  new Gauge({ name: 'ferry_link_up', help: 'Whether the link session is up (hello exchanged): 1 or 0.', registers,
    collect() { this.set(probe.link.connected() ? 1 : 0); } });
  new Gauge({ name: 'ferry_link_state_seconds', help: 'How long the link has been in its current state (up or down).', registers,
    collect() { this.set(Math.max(0, seconds(now() - watch.stateSince))); } });
  new Gauge({ name: 'ferry_link_last_frame_age_seconds', registers,
    help: 'Seconds since the peer last sent any link frame (heartbeats included); since process start if it never has.',
    collect() { this.set(age(probe.link.lastFrameAt() ?? started)); } });

  // --- queues ---
  new Gauge({ name: 'ferry_queue_packets', help: 'Packets waiting in a queue: outbox (for the peer\'s ack), stamp (for an RFC 3161 token).',
    labelNames: ['queue'] as const, registers,
    collect() {
      this.reset();
      for (const [name, read] of Object.entries(probe.queues)) { const q = guard(name, read); if (q) this.set({ queue: name }, q.count); }
    } });
  new Gauge({ name: 'ferry_queue_oldest_age_seconds', help: 'Age of the oldest packet in a queue; 0 when the queue is empty.',
    labelNames: ['queue'] as const, registers,
    collect() {
      this.reset();
      for (const [name, read] of Object.entries(probe.queues)) { const q = guard(name, read); if (q) this.set({ queue: name }, age(q.oldestAt)); }
    } });
  // The alarm for refusals flowing back: every held packet is a case answered 202 that is not moving.
  new Gauge({ name: 'ferry_outbox_held', help: 'Packets the peer refused back (could not open or verify) and this gateway holds until keys are fixed and `ferry outbox retry` runs.', registers,
    collect() { const read = probe.queues['held']; const q = read ? guard('held', read) : null; this.set(q?.count ?? 0); } });
  new Gauge({ name: 'ferry_queue_high_water_packets', help: 'Outbox depth above which /health answers 503.', labelNames: ['queue'] as const, registers,
    collect() { this.set({ queue: 'outbox' }, probe.outboxHighWater); } });
  const quarantine = () => guard('quarantine', () => probe.quarantine());
  new Gauge({ name: 'ferry_quarantine_packets', help: 'Packets in quarantine by state: held (awaiting an operator), released, rejected.',
    labelNames: ['state'] as const, registers,
    collect() { this.reset(); const q = quarantine(); if (q) for (const s of QUARANTINE_STATES) this.set({ state: s }, q[s]); } });
  new Gauge({ name: 'ferry_quarantine_held_oldest_age_seconds', help: 'Age of the held packet waiting longest for a decision; 0 when none.', registers,
    collect() { const q = quarantine(); this.set(q ? age(q.oldestHeldAt) : 0); } });
  new Gauge({ name: 'ferry_rejected_packets', help: 'Packets refused at opening (bad signature, wrong recipient, malformed), kept as evidence.', registers,
    collect() { this.set(guard('rejected', () => probe.rejected()) ?? 0); } });

  // --- time ---
  new Gauge({ name: 'ferry_time_state', help: 'Trusted-time state: 1 for the current state, 0 for the others.', labelNames: ['state'] as const, registers,
    collect() { const s = probe.time().state; for (const t of TRUST_STATES) this.set({ state: t }, s === t ? 1 : 0); } });
  new Gauge({ name: 'ferry_time_offset_seconds', help: 'Offset of true time from the local clock agreed by the NTP quorum; NaN when none agreed.', registers,
    collect() { const d = probe.time().detail; this.set(d && d.offsetMs !== null ? seconds(d.offsetMs) : Number.NaN); } });
  new Gauge({ name: 'ferry_time_sources', help: 'NTP sources configured, answering the last poll, and agreeing with the chosen time; and the quorum.',
    labelNames: ['status'] as const, registers,
    collect() {
      const d = probe.time().detail;
      this.set({ status: 'configured' }, d?.configured ?? 0);
      this.set({ status: 'answering' }, d?.answering ?? 0);
      this.set({ status: 'agreeing' }, d?.agreeing ?? 0);
      this.set({ status: 'quorum' }, d?.quorum ?? 0);
    } });

  // --- certificates ---
  new Gauge({ name: 'ferry_cert_not_after_timestamp_seconds', help: 'notAfter of each certificate the gateway runs with, by role (Unix time).',
    labelNames: ['role'] as const, registers,
    collect() { for (const c of probe.certificates) this.set({ role: c.role }, Math.floor(c.notAfter.getTime() / 1000)); } });

  // --- audit chain ---
  const chain = () => guard('audit', () => probe.chain());
  new Gauge({ name: 'ferry_audit_head_seq', help: 'Sequence number of the newest audit entry.', registers,
    collect() { const c = chain(); if (c) this.set(c.headSeq); } });
  new Gauge({ name: 'ferry_audit_anchor_age_seconds', help: 'Seconds since the newest anchor of each kind; NaN when there is none yet.',
    labelNames: ['kind'] as const, registers,
    collect() { this.reset(); const c = chain(); if (c) for (const a of c.anchors) this.set({ kind: a.kind }, a.lastAnchorAt === null ? Number.NaN : age(a.lastAnchorAt)); } });
  new Gauge({ name: 'ferry_audit_unanchored_age_seconds', help: 'Age of the oldest audit entry no anchor of this kind covers yet; 0 when all are covered.',
    labelNames: ['kind'] as const, registers,
    collect() { this.reset(); const c = chain(); if (c) for (const a of c.anchors) this.set({ kind: a.kind }, age(a.oldestUnanchoredAt)); } });

  // --- event loop ---
  // monitorEventLoopDelay reports nanoseconds, and each sample includes the sampler's own timer
  // interval (an idle loop reads as the resolution): that interval is taken off. The window is the
  // time since the previous scrape.
  new Gauge({ name: 'ferry_event_loop_lag_seconds', help: 'Event-loop delay since the previous scrape: p50, p99 and max.',
    labelNames: ['stat'] as const, registers,
    collect() {
      const ns = (v: number) => (Number.isFinite(v) && loop.count > 0 ? Math.max(0, v / 1e9 - EVENT_LOOP_RESOLUTION_MS / 1000) : 0);
      this.set({ stat: 'p50' }, ns(loop.percentile(50)));
      this.set({ stat: 'p99' }, ns(loop.percentile(99)));
      this.set({ stat: 'max' }, ns(loop.max));
      loop.reset();
    } });

  // --- catalogue ---
  new Gauge({ name: 'ferry_catalogue_info', help: 'The item catalogue served (external) or last published (internal): 1, labelled with its SHA-256.',
    labelNames: ['sha256'] as const, registers,
    collect() { this.reset(); const c = guard('catalogue', () => probe.catalogue()); if (c) this.set({ sha256: c.sha256 }, 1); } });
  new Gauge({ name: 'ferry_catalogue_items', help: 'Items in that catalogue; 0 before the first arrives.', registers,
    collect() { this.set(guard('catalogue', () => probe.catalogue())?.items ?? 0); } });

  // --- health ---
  new Gauge({ name: 'ferry_health_ok', help: '1 when /health answers 200, 0 when it answers 503.', registers,
    collect() { this.set(health().status === 200 ? 1 : 0); } });
  new Gauge({ name: 'ferry_health_problem', help: 'Health rules failing now (1) or not (0): link, time, store, outbox.',
    labelNames: ['rule'] as const, registers,
    collect() {
      const failing = new Set(((health().body.problems ?? []) as { rule: string }[]).map((p) => p.rule));
      for (const r of HEALTH_RULES) this.set({ rule: r }, failing.has(r) ? 1 : 0);
    } });
}
