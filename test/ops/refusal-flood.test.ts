// Refusals from one source are aggregated before anything is written (issue 13: 48,000 bad anonymous
// requests made 50,046 audit rows and 50k log lines). 5,000 bad requests of three kinds from one
// address, against a real external gateway: the audit chain gains O(windows × codes) rows, not 5,000;
// the log likewise; and no refusal goes uncounted — the first of each (address, code, window) is
// written in full, the summaries' counts account for every other one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import Database from 'better-sqlite3';
import { sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';

const WINDOW_S = 5;
const KINDS = 3;
const PER_KIND = [2000, 2000, 1000];
const TOTAL = PER_KIND.reduce((a, b) => a + b, 0);

function call(agent: Agent, ca: Buffer, url: string, method: string, body: string | undefined, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, agent, headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('a flood of bad anonymous requests from one address', () => {
  let pair: Pair;
  let statuses: Map<number, number>;
  let seconds: number;
  let caseId: string;

  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn', extraExternal: `audit: { refusalWindowSeconds: ${WINDOW_S} }` });
    await pair.waitLinkUp();
    const ok = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(0));
    expect(ok.status).toBe(202);
    caseId = ok.json.caseId;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const jobs: (() => Promise<number>)[] = [];
    for (let i = 0; i < PER_KIND[0]!; i++) jobs.push(() => call(agent, pair.ca, `${pair.apiUrl}/api/v1/submissions`, 'POST', '{"itemCode":', { 'content-type': 'application/json' }));
    for (let i = 0; i < PER_KIND[1]!; i++) jobs.push(() => call(agent, pair.ca, `${pair.apiUrl}/api/v1/submissions`, 'POST', 'hello', { 'content-type': 'text/plain' }));
    for (let i = 0; i < PER_KIND[2]!; i++) jobs.push(() => call(agent, pair.ca, `${pair.apiUrl}/api/v1/cases/${caseId}`, 'GET', undefined, { 'x-ferry-case-secret': 'wrong-secret-wrong-secret' }));
    statuses = new Map();
    const t0 = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < jobs.length) { const s = await jobs[next++]!(); statuses.set(s, (statuses.get(s) ?? 0) + 1); }
    }));
    seconds = (Date.now() - t0) / 1000;
    agent.destroy();
    // A clean stop writes the open window's summaries.
    pair.external.proc.kill('SIGTERM');
    await pair.external.exited;
  }, 300_000);
  afterAll(async () => { await pair?.stop(); });

  it('was refused, every one (4xx), and nothing was filed', () => {
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
    for (const s of statuses.keys()) expect(s).toBeGreaterThanOrEqual(400);
    expect(statuses.get(202)).toBeUndefined();
  });

  it('writes O(windows) audit rows, not one per request', () => {
    const db = new Database(join(pair.dir, 'var/external/external.sqlite'), { readonly: true });
    const rows = db.prepare("SELECT action, subject, detail FROM audit_entries WHERE action IN ('policy.deny', 'refusal.summary')").all() as { action: string; subject: string; detail: string }[];
    db.close();
    const windows = Math.ceil(seconds / WINDOW_S) + 1;
    // Per window and code: at most one full entry and one summary. Codes met: JSON, rate, media type, case access, throttled.
    const bound = windows * 2 * 5;
    console.log(`refusal flood: ${TOTAL} requests in ${seconds.toFixed(1)} s, ${rows.length} audit rows (bound ${bound})`);
    expect(rows.length).toBeLessThanOrEqual(bound);
    expect(rows.length).toBeLessThan(TOTAL / 20);
    expect(rows.some((r) => r.action === 'refusal.summary')).toBe(true);
    for (const r of rows.filter((x) => x.action === 'refusal.summary')) {
      expect(r.subject).toBe('127.0.0.1');
      expect(JSON.parse(r.detail).count).toBeGreaterThan(1);
    }
  });

  it('writes O(windows) log lines, and every refusal is accounted for: written in full, or counted in a summary', () => {
    const lines = pair.external.log.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } }).filter((l): l is Record<string, unknown> => l !== null);
    const summaries = lines.filter((l) => l['stage'] === 'refusals');
    const full = lines.filter((l) => l['stage'] !== 'refusals' && typeof l['code'] === 'string' && /refused|throttled/.test(String(l['msg'])));
    console.log(`refusal flood: ${full.length} full refusal lines, ${summaries.length} summary lines`);
    expect(full.length + summaries.length).toBeLessThan(TOTAL / 20);
    // total = Σ summary counts (each includes its window's first) + full lines whose window had no summary
    const counted = summaries.reduce((a, s) => a + Number(s['count']), 0);
    expect(counted + full.length - summaries.length).toBe(TOTAL);
    expect(KINDS).toBe(PER_KIND.length);
  });
});
