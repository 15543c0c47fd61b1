// Crash safety: every submission that got a 202 reaches the intranet exactly once, even when either
// gateway is killed with SIGKILL mid-stream and restarted.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';

const N = 240;
const CONCURRENCY = 12;
let pair: Pair | undefined;
afterEach(async () => { await pair?.stop(); pair = undefined; });

/** Submits N cases with bounded concurrency; calls `midway` once a third have been accepted. */
async function submitAll(p: Pair, midway: () => Promise<void>): Promise<{ accepted: string[]; failed: number }> {
  const accepted: string[] = [];
  let failed = 0;
  let next = 0;
  let fired = false;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      try {
        const r = await httpsCall('POST', `${p.apiUrl}/api/v1/submissions`, p.ca, sampleSubmission(i));
        if (r.status === 202) accepted.push(r.json.caseId);
        else failed++;
      } catch {
        failed++; // connection refused or reset while the external gateway is down: no 202, no promise
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!fired && accepted.length >= N / 3) { fired = true; await midway(); }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { accepted, failed };
}

async function waitDrained(p: Pair, expected: number, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const h = await operatorHealth(p.externalOperatorUrl);
      const i = await operatorHealth(p.internalOperatorUrl);
      if (h.outbox === 0 && i.outbox === 0 && i.cases >= expected) return;
    } catch { /* restarting */ }
    if (Date.now() > until) throw new Error('outboxes did not drain');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function checkExactlyOnce(p: Pair, accepted: string[]) {
  const idb = new Database(join(p.dir, 'var/internal/internal.sqlite'), { readonly: true });
  const cases = idb.prepare('SELECT case_id FROM intranet_cases').all() as { case_id: string }[];
  const seen = idb.prepare("SELECT case_id, COUNT(*) AS n FROM seen_packets WHERE kind = 'submission' GROUP BY case_id").all() as { case_id: string; n: number }[];
  const rejected = idb.prepare('SELECT COUNT(*) AS n FROM rejected_packets').get() as { n: number };
  idb.close();
  const edb = new Database(join(p.dir, 'var/external/external.sqlite'), { readonly: true });
  const received = edb.prepare("SELECT case_id, COUNT(*) AS n FROM case_history WHERE status = 'received' GROUP BY case_id").all() as { case_id: string; n: number }[];
  edb.close();

  const ids = new Set(cases.map((c) => c.case_id));
  for (const id of accepted) expect(ids.has(id), `accepted case ${id} missing from the intranet`).toBe(true);
  expect(cases.length).toBe(ids.size);
  // Only accepted cases (or a case whose 202 was lost with the killed process) may exist.
  expect(cases.length).toBeGreaterThanOrEqual(accepted.length);
  expect(seen.every((s) => s.n === 1)).toBe(true);
  expect(rejected.n).toBe(0);
  const receivedOnce = new Map(received.map((r) => [r.case_id, r.n]));
  for (const id of accepted) expect(receivedOnce.get(id), `status of ${id}`).toBe(1);
}

describe('crash safety', () => {
  it('delivers every accepted case exactly once when the internal gateway is SIGKILLed mid-stream', async () => {
    pair = await startPair({ policyFile: policyWithoutRateLimits() });
    await pair.waitLinkUp();
    const p = pair;
    let atKill = -1;
    const { accepted } = await submitAll(p, async () => {
      p.internal.proc.kill('SIGKILL');
      await p.internal.exited;
      const db = new Database(join(p.dir, 'var/internal/internal.sqlite'), { readonly: true });
      atKill = (db.prepare('SELECT COUNT(*) AS n FROM intranet_cases').get() as { n: number }).n;
      db.close();
      setTimeout(() => p.startInternal(), 300);
    });
    expect(atKill, 'killed mid-stream: some but not all cases delivered').toBeGreaterThan(0);
    expect(atKill).toBeLessThan(N);
    expect(accepted.length).toBe(N); // the external gateway kept accepting while the intranet was away
    await waitDrained(p, accepted.length);
    checkExactlyOnce(p, accepted);
  });

  it('delivers every accepted case exactly once when the external gateway is SIGKILLed mid-stream', async () => {
    pair = await startPair({ policyFile: policyWithoutRateLimits() });
    await pair.waitLinkUp();
    const p = pair;
    let outboxAtKill = -1;
    const { accepted, failed } = await submitAll(p, async () => {
      // Freeze the intranet so that accepted packets are sitting unacknowledged in the external outbox
      // when it dies: the kill must then lose none of them.
      p.internal.proc.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 400));
      p.external.proc.kill('SIGKILL');
      await p.external.exited;
      const db = new Database(join(p.dir, 'var/external/external.sqlite'), { readonly: true });
      outboxAtKill = (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
      db.close();
      p.internal.proc.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 300));
      p.startExternal();
      await p.waitLinkUp();
    });
    expect(outboxAtKill, 'packets were waiting in the external outbox at the kill').toBeGreaterThan(0);
    expect(accepted.length + failed).toBe(N);
    await waitDrained(p, accepted.length);
    checkExactlyOnce(p, accepted);
  });
});
