// The health rule of a gateway (docs/OPERATIONS.md "Monitoring"): unhealthy, and /health answers
// 503, when
//   - the link has not been up for longer than the grace period (a silent link is closed by the
//     session's own timeout and then counts as down),
//   - time is untrusted while packets wait for a stamp (and the gateway holds them for it),
//   - a store read failed (the SQLite file is unreadable, locked beyond busy_timeout, corrupt),
//   - the outbox is above its high-water mark,
//   - free space in dataDir is below the storage threshold, or unreadable (intake is stopped).
// A paused intake is not unhealthy: it is the operator's choice, shown in the document.
// judgeHealth is pure; readHealth gathers the facts from the probe.
import type { FerryErrorCode } from '../errors.js';
import type { TrustState } from '../time/time-trust.js';
import type { GatewayProbe } from './probe.js';
import type { LinkWatch } from './link-watch.js';
import { SILENT_AFTER_HEARTBEATS } from './operator-limits.js';
import type { StorageFacts } from './storage-watch.js';

export type LinkView = 'up' | 'silent' | 'down';

export interface HealthFacts {
  readonly now: number;
  readonly connected: boolean;
  /** When the link entered its current state (ms). */
  readonly linkSince: number;
  readonly lastFrameAt: number | null;
  readonly heartbeatMs: number;
  readonly time: TrustState;
  readonly timeHolds: boolean;
  readonly stampWaiting: number;
  readonly outbox: number;
  readonly outboxHighWater: number;
  /** The first store read that failed, or null. */
  readonly storeError: string | null;
  readonly storage?: StorageFacts | undefined;
}

export interface HealthRules { readonly linkGraceMs: number }

export interface Problem { readonly code: FerryErrorCode; readonly rule: 'link' | 'time' | 'store' | 'outbox' | 'storage'; readonly detail: string }

export interface HealthVerdict { readonly healthy: boolean; readonly link: LinkView; readonly problems: readonly Problem[] }

export function judgeHealth(f: HealthFacts, r: HealthRules): HealthVerdict {
  const problems: Problem[] = [];
  const silentFor = f.lastFrameAt === null ? null : f.now - f.lastFrameAt;
  const link: LinkView = !f.connected ? 'down'
    : silentFor !== null && silentFor > SILENT_AFTER_HEARTBEATS * f.heartbeatMs ? 'silent' : 'up';
  const downFor = f.now - f.linkSince;
  if (!f.connected && downFor > r.linkGraceMs) {
    problems.push({ code: 'FERRY_ERR_OPS_LINK_DOWN', rule: 'link', detail: `link down for ${Math.round(downFor / 1000)} s (grace ${Math.round(r.linkGraceMs / 1000)} s)` });
  }
  if (f.time === 'untrusted' && f.timeHolds && f.stampWaiting > 0) {
    problems.push({ code: 'FERRY_ERR_TIME_UNTRUSTED', rule: 'time', detail: `time untrusted; ${f.stampWaiting} packets wait for a stamp` });
  }
  if (f.storeError !== null) problems.push({ code: 'FERRY_ERR_OPS_STORE', rule: 'store', detail: f.storeError });
  if (f.outbox > f.outboxHighWater) {
    problems.push({ code: 'FERRY_ERR_OPS_OUTBOX_HIGH', rule: 'outbox', detail: `outbox holds ${f.outbox} packets; high-water mark ${f.outboxHighWater}` });
  }
  const st = f.storage;
  if (st && st.state !== 'ok') {
    problems.push({ code: 'FERRY_ERR_OPS_STORAGE_LOW', rule: 'storage', detail: st.state === 'low'
      ? `free space in ${st.dir}: ${st.freeBytes} bytes, below the threshold of ${st.thresholdBytes}; intake stopped`
      : `free space in ${st.dir} cannot be read: ${st.error ?? 'unknown'}; intake stopped` });
  }
  return { healthy: problems.length === 0, link, problems };
}

export interface HealthReport { readonly status: 200 | 503; readonly body: Record<string, unknown> }

/** Reads the probe once and judges it. A store read that throws is a finding, not a crash. */
export function readHealth(probe: GatewayProbe, watch: LinkWatch, rules: HealthRules): HealthReport {
  let storeError: string | null = null;
  const read = <T>(what: string, f: () => T, fallback: T): T => {
    try { return f(); } catch (e) { storeError ??= `${what}: ${(e as Error).message}`; return fallback; }
  };
  const none = { count: 0, oldestAt: null };
  const outbox = read('outbox', () => probe.queues.outbox?.() ?? none, none);
  const stamp = probe.queues.stamp ? read('stamp queue', probe.queues.stamp, none) : null;
  const quarantine = read('quarantine', () => probe.quarantine(), null);
  const rejected = read('rejected packets', () => probe.rejected(), null);
  const catalogue = read('catalogue', () => probe.catalogue(), null);
  const details = read('details', () => probe.details(), {});
  const time = probe.time();
  const now = probe.now();
  const lastFrameAt = probe.link.lastFrameAt();
  const connected = probe.link.connected();
  const v = judgeHealth({
    now, connected, linkSince: watch.stateSince, lastFrameAt, heartbeatMs: probe.link.heartbeatMs,
    time: time.state, timeHolds: probe.timeHolds, stampWaiting: stamp?.count ?? 0,
    outbox: outbox.count, outboxHighWater: probe.outboxHighWater, storeError, storage: probe.storage?.(),
  }, rules);
  const storage = probe.storage?.();
  const intake = probe.intake?.();
  const seconds = (ms: number) => Math.round(ms) / 1000;
  return {
    status: v.healthy ? 200 : 503,
    body: {
      status: v.healthy ? 'ok' : 'unhealthy',
      problems: v.problems,
      gateway: probe.gateway,
      link: v.link,
      linkStateSeconds: seconds(now - watch.stateSince),
      linkLastFrameAgeSeconds: lastFrameAt === null ? null : seconds(now - lastFrameAt),
      outbox: outbox.count,
      ...(stamp ? { waitingForStamp: stamp.count } : {}),
      catalogue: catalogue?.sha256 ?? null,
      quarantined: quarantine ? { held: quarantine.held, released: quarantine.released, rejected: quarantine.rejected } : null,
      rejected,
      time: { state: time.state, reason: time.reason },
      ...(storage ? { storage: { state: storage.state, freeBytes: storage.freeBytes, thresholdBytes: storage.thresholdBytes } } : {}),
      ...(intake ? { intake: intake.state } : {}),
      ...details,
    },
  };
}
