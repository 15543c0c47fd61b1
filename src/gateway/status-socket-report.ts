// What `ferry status` shows of a running gateway, read at the moment it asks: the /health verdict, the
// link (state, since, last frame seen, reconnects), every queue's depth and oldest age, time trust,
// certificates, catalogue, intake and storage. Only counts, ages, dates and hashes: never a case
// number or personal data (the socket is local, but its output ends up in tickets).
import { readFileSync } from 'node:fs';
import type { GatewayProbe } from './probe.js';
import type { LinkWatch } from './link-watch.js';
import type { HealthReport } from './health.js';

const ageSeconds = (now: number, at: number | null) => (at === null ? null : Math.max(0, Math.round((now - at) / 100) / 10));

export interface ReportSources {
  readonly probe: GatewayProbe;
  readonly watch: LinkWatch;
  readonly health: () => HealthReport;
  readonly startedAt: number;
}

/** The release running, from the package.json beside dist/ (as `ferry --version` reads it). */
function release(): string {
  try { return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
}
const VERSION = release();

export function statusReport(s: ReportSources): Record<string, unknown> {
  const { probe } = s;
  const now = probe.now();
  const h = s.health();
  // A store read that fails is in the health verdict already (rule store); here it leaves a null.
  const safe = <T>(f: () => T): T | null => { try { return f(); } catch { return null; } };
  const queues: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(probe.queues)) {
    const q = safe(read);
    queues[name] = q ? { count: q.count, oldestAgeSeconds: ageSeconds(now, q.oldestAt) } : null;
  }
  const quarantine = safe(() => probe.quarantine());
  queues['quarantine'] = quarantine ? { held: quarantine.held, released: quarantine.released, rejected: quarantine.rejected, oldestHeldAgeSeconds: ageSeconds(now, quarantine.oldestHeldAt) } : null;
  queues['rejected'] = safe(() => ({ count: probe.rejected() }));
  const time = probe.time();
  const lastFrameAt = probe.link.lastFrameAt();
  return {
    gateway: probe.gateway,
    version: VERSION,
    pid: process.pid,
    startedAt: new Date(s.startedAt).toISOString(),
    now: new Date(now).toISOString(),
    health: { status: h.status === 200 ? 'ok' : 'unhealthy', problems: h.body['problems'] ?? [] },
    link: {
      state: h.body['link'],
      since: new Date(s.watch.stateSince).toISOString(),
      sinceSeconds: ageSeconds(now, s.watch.stateSince),
      lastFrameAgeSeconds: ageSeconds(now, lastFrameAt),
      heartbeatMs: probe.link.heartbeatMs,
      reconnects: s.watch.reconnects,
    },
    queues,
    time: {
      state: time.state, reason: time.reason,
      offsetMs: time.detail?.offsetMs ?? null,
      sources: time.detail ? { configured: time.detail.configured, answering: time.detail.answering, agreeing: time.detail.agreeing, quorum: time.detail.quorum } : null,
    },
    certificates: probe.certificates.map((c) => ({ role: c.role, notAfter: c.notAfter.toISOString(), daysLeft: Math.floor((c.notAfter.getTime() - now) / 86_400_000) })),
    catalogue: safe(() => probe.catalogue()),
    intake: probe.intake?.() ?? null,
    storage: probe.storage?.() ?? null,
  };
}
