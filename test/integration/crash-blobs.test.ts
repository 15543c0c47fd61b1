// Crash safety of the blob path (src/store/blobs.ts): submissions above the offload threshold are
// sealed and opened in the crypto worker and their bytes kept in <dataDir>/blobs, written and fsync'd
// BEFORE the row that names them commits. Each gateway is SIGKILLed mid-stream and restarted; every
// case answered 202 must reach the intranet exactly once, every row that names a blob must find it
// intact (SHA-256), the intranet's evidence must be the exact bytes POSTed, stored once (blob, not
// row), and no orphan may be left once the queues drain (collected at start, released after acks).
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { operatorHealth, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { submission } from '../hostile/submissions.js';
import { makePng, noise, pngChunk } from '../policy-content/samples.js';
import { DEFAULT_OFFLOAD_BYTES } from '../../src/gateway/crypto-limits.js';

const N = 24;
const CONCURRENCY = 4;
let pair: Pair | undefined;
afterEach(async () => { await pair?.stop(); pair = undefined; });

/** A valid submission whose body is ~4x the offload threshold (a PNG of noise in IDAT chunks). */
function largeBody(i: number): string {
  const png = makePng({ extra: [pngChunk('IDAT', noise(3 * DEFAULT_OFFLOAD_BYTES, 100 + i))] });
  return submission({ attachments: [{ fileName: `scan-${i}.png`, bytes: png }] });
}

async function submitAll(p: Pair, midway: () => Promise<void>): Promise<Map<string, Buffer>> {
  const accepted = new Map<string, Buffer>(); // case id -> SHA-256 of the bytes POSTed
  let next = 0;
  let fired = false;
  let restarting: Promise<void> = Promise.resolve();
  const worker = async () => {
    while (next < N) {
      await restarting; // requests while the victim is down only fail; the test wants cases after it too
      const body = largeBody(next++);
      try {
        const r = await httpsCall('POST', `${p.apiUrl}/api/v1/submissions`, p.ca, body);
        if (r.status === 202) accepted.set(r.json.caseId, createHash('sha256').update(body).digest());
      } catch {
        await new Promise((r) => setTimeout(r, 50)); // the external gateway is down: no 202, no promise
      }
      if (!fired && accepted.size >= N / 3) { fired = true; restarting = midway(); await restarting; }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return accepted;
}

async function waitDrained(p: Pair, expected: number, timeoutMs = 120_000) {
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

const blobFiles = (dir: string) => (existsSync(join(dir, 'blobs')) ? readdirSync(join(dir, 'blobs')) : []);

function check(p: Pair, accepted: Map<string, Buffer>) {
  const ext = join(p.dir, 'var/external');
  const int = join(p.dir, 'var/internal');
  const idb = new Database(join(int, 'internal.sqlite'), { readonly: true });
  const cases = idb.prepare('SELECT case_id AS caseId, length(request_body) AS inline, request_sha256 AS sha, request_blob AS blob FROM intranet_cases')
    .all() as { caseId: string; inline: number; sha: Buffer; blob: Buffer | null }[];
  const seen = idb.prepare("SELECT COUNT(*) FROM seen_packets WHERE kind = 'submission' GROUP BY case_id HAVING COUNT(*) > 1").pluck().all();
  const queued = idb.prepare('SELECT COUNT(*) FROM stamp_queue').pluck().get();
  idb.close();
  const edb = new Database(join(ext, 'external.sqlite'), { readonly: true });
  const received = new Map((edb.prepare("SELECT case_id AS c, COUNT(*) AS n FROM case_history WHERE status = 'received' GROUP BY case_id").all() as { c: string; n: number }[]).map((r) => [r.c, r.n]));
  // Acknowledged packets are kept for a replay after the peer's restore (outbox_retained, PROTOCOL §6
  // rule 13): their blob files stay while those rows do.
  const retained = (edb.prepare('SELECT blob FROM outbox_retained WHERE blob IS NOT NULL').pluck().all() as Buffer[]).map((b) => b.toString('hex'));
  edb.close();

  const byId = new Map(cases.map((c) => [c.caseId, c]));
  expect(byId.size).toBe(cases.length);
  expect(seen).toEqual([]);
  expect(queued).toBe(0);
  for (const [id, sha] of accepted) {
    const c = byId.get(id);
    expect(c, `accepted case ${id} missing from the intranet`).toBeDefined();
    expect(received.get(id), `status of ${id}`).toBe(1);
    // Stored once: the blob, not the row; and it is the exact bytes the applicant POSTed.
    expect(c!.inline).toBe(0);
    expect(c!.blob?.equals(sha)).toBe(true);
    expect(c!.sha.equals(sha)).toBe(true);
    const file = readFileSync(join(int, 'blobs', sha.toString('hex')));
    expect(createHash('sha256').update(file).digest().equals(sha)).toBe(true);
  }
  // No orphans: the external side keeps exactly the acknowledged packets it retains (one per accepted
  // case: nothing left from the kill); the intranet keeps exactly the request bodies its cases name
  // (stamp-queue packets released after delivery).
  expect(retained.length).toBe(accepted.size);
  expect(blobFiles(ext).sort()).toEqual([...new Set(retained)].sort());
  expect(blobFiles(int).sort()).toEqual(cases.filter((c) => c.blob).map((c) => c.blob!.toString('hex')).sort());
}

describe('crash safety of large bodies (blob store)', () => {
  for (const victim of ['internal', 'external'] as const) {
    it(`delivers every accepted large case exactly once, stored once, when the ${victim} gateway is SIGKILLed mid-stream`, async () => {
      pair = await startPair({ policyFile: policyWithoutRateLimits() });
      await pair.waitLinkUp();
      const p = pair;
      let atKill = -1;
      const accepted = await submitAll(p, async () => {
        p[victim].proc.kill('SIGKILL');
        await p[victim].exited;
        // Large packets waiting in the external outbox at the kill (blob rows), or in the intranet's queue.
        const db = new Database(join(p.dir, `var/${victim}/${victim}.sqlite`), { readonly: true });
        atKill = db.prepare(`SELECT COUNT(*) FROM ${victim === 'external' ? 'outbox' : 'stamp_queue'} WHERE ${victim === 'external' ? 'blob' : 'packet_blob'} IS NOT NULL`).pluck().get() as number;
        db.close();
        // The restart collects what the kill left: a blob written whose row never committed.
        if (victim === 'external') { p.startExternal(); await p.waitLinkUp(); } else p.startInternal();
      });
      console.log(`${victim} killed with ${atKill} large packets in its ${victim === 'external' ? 'outbox' : 'stamp queue'}; ${accepted.size} of ${N} accepted`);
      expect(accepted.size).toBeGreaterThan(N / 2); // cases were accepted after the restart too
      await waitDrained(p, accepted.size);
      check(p, accepted);
    }, 300_000);
  }
});
