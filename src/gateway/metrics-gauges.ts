// The scrape-time gauges of a gateway's metrics (docs/OPERATIONS.md "Monitoring"), grouped by what
// they watch: the link, the queues, trusted time, the certificates, the audit chain, the event loop,
// the catalogue and /health. Each gauge reads the probe in its collect(), so a depth or an age is what
// the store says now. Registration order is exposition order: keep the groups in this order.
import type { IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type { GatewayProbe } from './probe.js';
import type { LinkWatch } from './link-watch.js';
import type { HealthReport } from './health.js';
import { EVENT_LOOP_RESOLUTION_MS } from './operator-limits.js';

const TRUST_STATES = ['trusted', 'degraded', 'untrusted'] as const;
const QUARANTINE_STATES = ['held', 'released', 'rejected'] as const;
const HEALTH_RULES = ['link', 'time', 'store', 'outbox', 'storage'] as const;
const STORAGE_STATES = ['ok', 'low', 'unknown'] as const;
const INTAKE_STATES = ['open', 'paused', 'storage-low'] as const;
const seconds = (ms: number) => ms / 1000;

/** A store read at scrape time: a failure is counted and the gauge left empty, never a failed scrape. */
type Guard = <T>(source: string, read: () => T) => T | null;

/** What every gauge group needs: where to register, what to read, and how to read it safely. */
interface GaugeContext {
  readonly registers: Registry[];
  readonly probe: GatewayProbe;
  readonly guard: Guard;
  /** Seconds since `at` (ms); 0 for null or a time in the future. */
  readonly age: (at: number | null) => number;
  readonly now: () => number;
  /** When the gauges were registered: the age of a link frame that never came. */
  readonly started: number;
}

export interface GaugeSources {
  readonly probe: GatewayProbe;
  readonly health: () => HealthReport;
  readonly watch: LinkWatch;
  readonly loop: IntervalHistogram;
  readonly now: () => number;
  /** Counts one failed store read, by what was read. */
  readonly failed: (source: string) => void;
}

/** Registers every scrape-time gauge in `registry`. */
export function registerGauges(registry: Registry, s: GaugeSources): void {
  const now = s.now;
  const c: GaugeContext = {
    registers: [registry],
    probe: s.probe,
    guard: (source, read) => { try { return read(); } catch { s.failed(source); return null; } },
    age: (at) => (at === null ? 0 : Math.max(0, seconds(now() - at))),
    now,
    started: now(),
  };
  linkGauges(c, s.watch);
  queueGauges(c);
  timeGauges(c);
  certificateGauges(c);
  auditGauges(c);
  eventLoopGauges(c, s.loop);
  catalogueGauges(c);
  storageGauges(c);
  healthGauges(c, s.health);
}

function linkGauges({ registers, probe, age, now, started }: GaugeContext, watch: LinkWatch): void {
  new Gauge({ name: 'ferry_link_up', help: 'Whether the link session is up (hello exchanged): 1 or 0.', registers,
    collect() { this.set(probe.link.connected() ? 1 : 0); } });
  new Gauge({ name: 'ferry_link_state_seconds', help: 'How long the link has been in its current state (up or down).', registers,
    collect() { this.set(Math.max(0, seconds(now() - watch.stateSince))); } });
  new Gauge({ name: 'ferry_link_last_frame_age_seconds', registers,
    help: 'Seconds since the peer last sent any link frame (heartbeats included); since process start if it never has.',
    collect() { this.set(age(probe.link.lastFrameAt() ?? started)); } });
}

/** Outbox, stamp and held queues, then quarantine and the rejected list. */
function queueGauges(c: GaugeContext): void {
  const { registers, probe, guard, age } = c;
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
  const dropped = probe.dropped?.bind(probe);
  if (dropped) {
    new Gauge({ name: 'ferry_outbox_dropped_packets', help: 'Held packets an operator gave up with `ferry outbox drop` (kept in outbox_dropped): cases answered 202 that were not delivered.', registers,
      collect() { const n = guard('dropped', dropped); if (n !== null) this.set(n); } });
  }
  new Gauge({ name: 'ferry_queue_high_water_packets', help: 'Outbox depth above which /health answers 503.', labelNames: ['queue'] as const, registers,
    collect() { this.set({ queue: 'outbox' }, probe.outboxHighWater); } });
  quarantineGauges(c);
}

function quarantineGauges({ registers, probe, guard, age }: GaugeContext): void {
  const quarantine = () => guard('quarantine', () => probe.quarantine());
  new Gauge({ name: 'ferry_quarantine_packets', help: 'Packets in quarantine by state: held (awaiting an operator), released, rejected.',
    labelNames: ['state'] as const, registers,
    collect() { this.reset(); const q = quarantine(); if (q) for (const s of QUARANTINE_STATES) this.set({ state: s }, q[s]); } });
  new Gauge({ name: 'ferry_quarantine_held_oldest_age_seconds', help: 'Age of the held packet waiting longest for a decision; 0 when none.', registers,
    collect() { const q = quarantine(); this.set(q ? age(q.oldestHeldAt) : 0); } });
  new Gauge({ name: 'ferry_rejected_packets', help: 'Packets refused at opening (bad signature, wrong recipient, malformed), kept as evidence.', registers,
    collect() { this.set(guard('rejected', () => probe.rejected()) ?? 0); } });
}

function timeGauges({ registers, probe }: GaugeContext): void {
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
}

function certificateGauges({ registers, probe }: GaugeContext): void {
  new Gauge({ name: 'ferry_cert_not_after_timestamp_seconds', help: 'notAfter of each certificate the gateway runs with, by role (Unix time).',
    labelNames: ['role'] as const, registers,
    collect() { for (const c of probe.certificates) this.set({ role: c.role }, Math.floor(c.notAfter.getTime() / 1000)); } });
}

function auditGauges({ registers, probe, guard, age }: GaugeContext): void {
  const chain = () => guard('audit', () => probe.chain());
  new Gauge({ name: 'ferry_audit_head_seq', help: 'Sequence number of the newest audit entry.', registers,
    collect() { const c = chain(); if (c) this.set(c.headSeq); } });
  new Gauge({ name: 'ferry_audit_anchor_age_seconds', help: 'Seconds since the newest anchor of each kind; NaN when there is none yet.',
    labelNames: ['kind'] as const, registers,
    collect() { this.reset(); const c = chain(); if (c) for (const a of c.anchors) this.set({ kind: a.kind }, a.lastAnchorAt === null ? Number.NaN : age(a.lastAnchorAt)); } });
  new Gauge({ name: 'ferry_audit_unanchored_age_seconds', help: 'Age of the oldest audit entry no anchor of this kind covers yet; 0 when all are covered.',
    labelNames: ['kind'] as const, registers,
    collect() { this.reset(); const c = chain(); if (c) for (const a of c.anchors) this.set({ kind: a.kind }, age(a.oldestUnanchoredAt)); } });
}

function eventLoopGauges({ registers }: GaugeContext, loop: IntervalHistogram): void {
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
}

function catalogueGauges({ registers, probe, guard }: GaugeContext): void {
  new Gauge({ name: 'ferry_catalogue_info', help: 'The item catalogue served (external) or last published (internal): 1, labelled with its SHA-256.',
    labelNames: ['sha256'] as const, registers,
    collect() { this.reset(); const c = guard('catalogue', () => probe.catalogue()); if (c) this.set({ sha256: c.sha256 }, 1); } });
  new Gauge({ name: 'ferry_catalogue_items', help: 'Items in that catalogue; 0 before the first arrives.', registers,
    collect() { this.set(guard('catalogue', () => probe.catalogue())?.items ?? 0); } });
}

/** Free space of dataDir (as the storage watch last read it) and whether intake is open. */
function storageGauges({ registers, probe }: GaugeContext): void {
  if (!probe.storage) return;
  const storage = probe.storage.bind(probe);
  new Gauge({ name: 'ferry_storage_free_bytes', help: 'Free space (for an unprivileged writer) on the filesystem of dataDir; NaN when unreadable.', registers,
    collect() { this.set(storage().freeBytes ?? Number.NaN); } });
  new Gauge({ name: 'ferry_storage_threshold_bytes', help: 'Free space below which intake stops and /health answers 503 (storage.minFreeBytes / minFreePercent).', registers,
    collect() { this.set(storage().thresholdBytes ?? Number.NaN); } });
  new Gauge({ name: 'ferry_storage_state', help: 'Storage state: 1 for the current state (ok, low, unknown), 0 for the others.', labelNames: ['state'] as const, registers,
    collect() { const s = storage().state; for (const t of STORAGE_STATES) this.set({ state: t }, s === t ? 1 : 0); } });
  if (!probe.intake) return;
  const intake = probe.intake.bind(probe);
  new Gauge({ name: 'ferry_intake_state', help: 'Intake state: 1 for the current state (open, paused by an operator, storage-low), 0 for the others.',
    labelNames: ['state'] as const, registers,
    collect() { const s = intake().state; for (const t of INTAKE_STATES) this.set({ state: t }, s === t ? 1 : 0); } });
}

function healthGauges({ registers }: GaugeContext, health: () => HealthReport): void {
  new Gauge({ name: 'ferry_health_ok', help: '1 when /health answers 200, 0 when it answers 503.', registers,
    collect() { this.set(health().status === 200 ? 1 : 0); } });
  new Gauge({ name: 'ferry_health_problem', help: 'Health rules failing now (1) or not (0): link, time, store, outbox, storage.',
    labelNames: ['rule'] as const, registers,
    collect() {
      const failing = new Set(((health().body.problems ?? []) as { rule: string }[]).map((p) => p.rule));
      for (const r of HEALTH_RULES) this.set({ rule: r }, failing.has(r) ? 1 : 0);
    } });
}
