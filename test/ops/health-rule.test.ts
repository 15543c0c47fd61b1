// The health rule (src/gateway/health.ts) as a table, then against real stores: a SQLite file that
// fails under the gateway makes /health 503 and is counted in /metrics without failing the scrape;
// an outbox above its high-water mark makes /health 503. Event-loop lag is seen by the metric.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { judgeHealth, readHealth, type HealthFacts } from '../../src/gateway/health.js';
import { createGatewayMetrics } from '../../src/gateway/metrics.js';
import type { GatewayProbe } from '../../src/gateway/probe.js';
import { openExternalStore } from '../../src/external/store.js';
import { RejectedPackets } from '../../src/store/rejected-packets.js';
import { chainStatusReader } from '../../src/audit/anchor-status.js';
import { one, parseExposition } from './exposition.js';

const NOW = 1_800_000_000_000;
const ok: HealthFacts = {
  now: NOW, connected: true, linkSince: NOW - 60_000, lastFrameAt: NOW - 100, heartbeatMs: 5_000,
  time: 'trusted', timeHolds: true, stampWaiting: 0, outbox: 0, outboxHighWater: 80, storeError: null,
};
const rules = { linkGraceMs: 120_000 };

describe('health rule', () => {
  const table: [string, Partial<HealthFacts>, string[], string][] = [
    ['all well', {}, [], 'up'],
    ['link down within the grace period', { connected: false, linkSince: NOW - 119_000 }, [], 'down'],
    ['link down past the grace period', { connected: false, linkSince: NOW - 121_000 }, ['FERRY_ERR_OPS_LINK_DOWN'], 'down'],
    ['peer silent for more than two heartbeats (session not yet timed out)', { lastFrameAt: NOW - 10_001 }, [], 'silent'],
    ['time untrusted, nothing waits', { time: 'untrusted' }, [], 'up'],
    ['time untrusted while packets wait for a stamp', { time: 'untrusted', stampWaiting: 3 }, ['FERRY_ERR_TIME_UNTRUSTED'], 'up'],
    ['time untrusted, packets wait, but stamping does not hold for it (demo)', { time: 'untrusted', stampWaiting: 3, timeHolds: false }, [], 'up'],
    ['time degraded while packets wait (still a quorum)', { time: 'degraded', stampWaiting: 3 }, [], 'up'],
    ['a store read failed', { storeError: 'outbox: disk I/O error' }, ['FERRY_ERR_OPS_STORE'], 'up'],
    ['outbox at its high-water mark', { outbox: 80 }, [], 'up'],
    ['outbox above its high-water mark', { outbox: 81 }, ['FERRY_ERR_OPS_OUTBOX_HIGH'], 'up'],
    ['everything at once', { connected: false, linkSince: 0, time: 'untrusted', stampWaiting: 1, storeError: 'x', outbox: 1e6 },
      ['FERRY_ERR_OPS_LINK_DOWN', 'FERRY_ERR_TIME_UNTRUSTED', 'FERRY_ERR_OPS_STORE', 'FERRY_ERR_OPS_OUTBOX_HIGH'], 'down'],
  ];
  it.each(table)('%s', (_name, change, codes, link) => {
    const v = judgeHealth({ ...ok, ...change }, rules);
    expect(v.problems.map((p) => p.code)).toEqual(codes);
    expect(v.healthy).toBe(codes.length === 0);
    expect(v.link).toBe(link);
  });
});

function probeOver(dir: string, highWater: number) {
  const store = openExternalStore(dir);
  const rejected = new RejectedPackets(store.db);
  const probe: GatewayProbe = {
    gateway: 'external', now: Date.now,
    link: { connected: () => true, lastFrameAt: () => Date.now(), heartbeatMs: 500 },
    queues: { outbox: () => store.outbox.depth() }, outboxHighWater: highWater,
    quarantine: () => ({ ...store.quarantine.counts(), oldestHeldAt: store.quarantine.oldestHeldAt() }),
    rejected: () => rejected.count(), time: () => ({ state: 'trusted', reason: 'test', detail: null }), timeHolds: false,
    certificates: [], chain: chainStatusReader(store.db, ['signature']), catalogue: () => null, details: () => ({}),
  };
  return { store, probe };
}

describe('health and metrics over a real SQLite store', () => {
  it('turns 503 with FERRY_ERR_OPS_STORE when the store fails, and counts the failed reads without failing the scrape', async () => {
    const { store, probe } = probeOver(mkdtempSync(join(tmpdir(), 'ferry-ops-')), 10);
    const m = createGatewayMetrics('external');
    try {
      m.observe(probe, () => readHealth(probe, m.link, rules));
      expect(readHealth(probe, m.link, rules).status).toBe(200);
      store.db.close(); // every read now throws, as on an I/O error or a vanished file
      const h = readHealth(probe, m.link, rules);
      expect(h.status).toBe(503);
      expect(h.body.problems).toEqual([expect.objectContaining({ code: 'FERRY_ERR_OPS_STORE', rule: 'store' })]);
      const s = parseExposition(await m.registry.metrics());
      expect(one(s, 'ferry_store_read_errors_total', { source: 'outbox' })).toBeGreaterThanOrEqual(1);
      expect(one(s, 'ferry_store_read_errors_total', { source: 'audit' })).toBeGreaterThanOrEqual(1);
      expect(s.some((x) => x.name === 'ferry_queue_packets')).toBe(false); // no made-up depth
      expect(one(s, 'ferry_health_problem', { rule: 'store' })).toBe(1);
    } finally { m.stop(); }
  });

  it('turns 503 with FERRY_ERR_OPS_OUTBOX_HIGH when the outbox passes its high-water mark, and reports the oldest packet age', async () => {
    const { store, probe } = probeOver(mkdtempSync(join(tmpdir(), 'ferry-ops-')), 2);
    const m = createGatewayMetrics('external');
    try {
      m.observe(probe, () => readHealth(probe, m.link, rules));
      const t0 = Date.now() - 90_000;
      for (let i = 0; i < 3; i++) store.outbox.add(randomBytes(16), 'submission', `C${i}`, Buffer.from('sealed'), t0 + i);
      const h = readHealth(probe, m.link, rules);
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ outbox: 3, problems: [{ code: 'FERRY_ERR_OPS_OUTBOX_HIGH', rule: 'outbox' }] });
      const s = parseExposition(await m.registry.metrics());
      expect(one(s, 'ferry_queue_packets', { queue: 'outbox' })).toBe(3);
      expect(one(s, 'ferry_queue_oldest_age_seconds', { queue: 'outbox' })).toBeGreaterThanOrEqual(90);
      store.outbox.acknowledge(store.outbox.after(0, 10).map((r) => r.packetId));
      expect(readHealth(probe, m.link, rules).status).toBe(200);
      expect(one(parseExposition(await m.registry.metrics()), 'ferry_queue_oldest_age_seconds', { queue: 'outbox' })).toBe(0);
    } finally { m.stop(); store.db.close(); }
  });

  // The one timing assertion allowed: a loop blocked for 300 ms must show in the lag metric.
  it('sees a blocked event loop in ferry_event_loop_lag_seconds{stat="max"}', async () => {
    const { store, probe } = probeOver(mkdtempSync(join(tmpdir(), 'ferry-ops-')), 10);
    const m = createGatewayMetrics('external');
    try {
      m.observe(probe, () => readHealth(probe, m.link, rules));
      await m.registry.metrics(); // starts a fresh window
      await new Promise((r) => setTimeout(r, 50));
      const end = Date.now() + 300;
      while (Date.now() < end) { /* block the loop */ }
      await new Promise((r) => setTimeout(r, 50));
      const s = parseExposition(await m.registry.metrics());
      expect(one(s, 'ferry_event_loop_lag_seconds', { stat: 'max' })).toBeGreaterThan(0.2);
    } finally { m.stop(); store.db.close(); }
  });
});
