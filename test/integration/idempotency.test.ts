// Issue 13, "a retry never makes a second case", against real gateway processes: a POST repeated
// with its Idempotency-Key answers the first answer and files nothing, a kill -9 between the 202 and
// the retry changes nothing, and a case action writes the same audit entries as a submission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall, type HttpResult } from '../helpers/https-client.js';
import { secretHeader } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';

const KEY = 'idempotency-key';

function externalDb(p: Pair) {
  return new Database(join(p.dir, 'var/external/external.sqlite'), { readonly: true });
}
function count(p: Pair, sql: string, ...args: unknown[]): number {
  const db = externalDb(p);
  try { return (db.prepare(sql).get(...args) as { n: number }).n; } finally { db.close(); }
}
interface AuditRow { action: string; subject: string; detail: Record<string, unknown> }
function auditRows(p: Pair, action: string): AuditRow[] {
  const db = externalDb(p);
  try {
    return (db.prepare('SELECT action, subject, detail FROM audit_entries WHERE action = ? ORDER BY seq').all(action) as { action: string; subject: string; detail: string }[])
      .map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  } finally { db.close(); }
}
const submit = (p: Pair, body: string, headers: Record<string, string> = {}) => httpsCall('POST', `${p.apiUrl}/api/v1/submissions`, p.ca, body, headers);
const answerOf = (r: HttpResult) => ({ status: r.status, location: r.headers['location'], body: r.json });

describe('Idempotency-Key on a running external gateway', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ policyFile: policyWithoutRateLimits() });
    await pair.waitLinkUp(60_000); // a loaded 2-core machine: give the pair time
  }, 90_000);
  afterAll(async () => { await pair?.stop(); });

  it('answers a repeat with the first answer (case number and secret) and files one case', async () => {
    const body = sampleSubmission(1);
    const allowed = () => count(pair, "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'policy.allow' AND json_extract(detail, '$.kind') = 'submission'");
    const allowedBefore = allowed();
    const a = await submit(pair, body, { [KEY]: 'retry-1' });
    const b = await submit(pair, body, { [KEY]: 'retry-1' });
    expect(a.status).toBe(202);
    expect(answerOf(b)).toEqual(answerOf(a));
    expect(b.headers['cache-control']).toBe('no-store');
    expect(count(pair, 'SELECT COUNT(*) AS n FROM case_status WHERE case_id = ?', a.json.caseId)).toBe(1);
    expect(allowed()).toBe(allowedBefore + 1); // the repeat was no new decision
    // The repeated secret is the real one: it opens the case.
    const s = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${b.json.caseId}`, pair.ca, undefined, secretHeader(b.json.secret));
    expect(s.status).toBe(200);
    // Without the key, the same body is a new case (the key, not the body, says "the same request").
    const c = await submit(pair, body);
    expect(c.status).toBe(202);
    expect(c.json.caseId).not.toBe(a.json.caseId);
  });

  it('refuses the key with another body (422) and files nothing for it', async () => {
    const before = count(pair, 'SELECT COUNT(*) AS n FROM case_status');
    const a = await submit(pair, sampleSubmission(2), { [KEY]: 'retry-2' });
    expect(a.status).toBe(202);
    const b = await submit(pair, sampleSubmission(3), { [KEY]: 'retry-2' });
    expect(b.status).toBe(422);
    expect(b.json.error.code).toBe('FERRY_ERR_API_IDEMPOTENCY_MISMATCH');
    expect(b.json.error.message).toMatch(/^idempotency-key: /i);
    expect(count(pair, 'SELECT COUNT(*) AS n FROM case_status')).toBe(before + 1);
  });

  it.each([
    ['empty', ''], ['129 characters', 'k'.repeat(129)], ['a space', 'a b'], ['non-ASCII', 'schlüssel'],
  ])('refuses a key with %s (400, its own code, naming the header) before filing anything', async (_what, key) => {
    const before = count(pair, 'SELECT COUNT(*) AS n FROM case_status');
    const r = await submit(pair, sampleSubmission(4), { [KEY]: Buffer.from(key, 'utf8').toString('latin1') });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: 'FERRY_ERR_API_IDEMPOTENCY_KEY', message: 'Idempotency-Key: must be 1-128 visible ASCII characters, sent once' });
    expect(count(pair, 'SELECT COUNT(*) AS n FROM case_status')).toBe(before);
  });

  it('refuses the header sent twice', async () => {
    const r = await submit(pair, sampleSubmission(5), { [KEY]: ['k-a', 'k-b'] } as unknown as Record<string, string>);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('FERRY_ERR_API_IDEMPOTENCY_KEY');
  });

  it('files one case for eight concurrent twins: the others get the first answer or 409 with Retry-After', async () => {
    const before = count(pair, 'SELECT COUNT(*) AS n FROM case_status');
    const body = sampleSubmission(6);
    const rs = await Promise.all(Array.from({ length: 8 }, () => submit(pair, body, { [KEY]: 'twins' })));
    const accepted = rs.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const r of accepted) expect(r.json).toEqual(accepted[0]!.json);
    for (const r of rs.filter((x) => x.status !== 202)) {
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS');
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(count(pair, 'SELECT COUNT(*) AS n FROM case_status')).toBe(before + 1);
    const late = await submit(pair, body, { [KEY]: 'twins' });
    expect(late.json).toEqual(accepted[0]!.json);
  });

  it('answers a repeated case action with its first answer, sends one packet, and audits it like a submission', async () => {
    const filed = await submit(pair, sampleSubmission(7));
    const { caseId, secret } = filed.json as { caseId: string; secret: string };
    const url = `${pair.apiUrl}/api/v1/cases/${caseId}/actions`;
    const headers = { ...secretHeader(secret), [KEY]: 'withdraw-1' };
    const a = await httpsCall('POST', url, pair.ca, JSON.stringify({ type: 'withdraw', reason: 'filed twice' }), headers);
    const b = await httpsCall('POST', url, pair.ca, JSON.stringify({ type: 'withdraw', reason: 'filed twice' }), headers);
    expect(a.status).toBe(202);
    expect(answerOf(b)).toEqual(answerOf(a));
    expect(count(pair, "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'packet.out' AND json_extract(detail, '$.kind') = 'supplement' AND json_extract(detail, '$.case') = ?", caseId)).toBe(1);

    // The same audit entries for both routes: one policy.allow each, with domain, kind and rule.
    const allows = auditRows(pair, 'policy.allow').filter((r) => r.detail['case'] === caseId);
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ subject: 'case action', detail: { domain: 'public', case: caseId, kind: 'supplement', action: 'withdraw' } });
    const sub = auditRows(pair, 'policy.allow').find((r) => r.subject === 'submission')!;
    for (const k of ['domain', 'kind', 'rule']) {
      expect(allows[0]!.detail).toHaveProperty(k);
      expect(sub.detail).toHaveProperty(k);
    }

    // A refused action is a policy.deny entry, as a refused submission is.
    const bad = await httpsCall('POST', url, pair.ca, JSON.stringify({ type: 'evaluate', score: 9 }), secretHeader(secret));
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({ code: 'FERRY_ERR_API_FIELD', message: 'score: must be an integer 1..5' });
    const denies = auditRows(pair, 'policy.deny').filter((r) => r.detail['case'] === caseId);
    expect(denies).toHaveLength(1);
    expect(denies[0]).toMatchObject({ subject: 'case action', detail: { domain: 'public', case: caseId, code: 'FERRY_ERR_API_FIELD' } });
    const badSub = await submit(pair, '{"itemCode": 7}');
    expect(badSub.status).toBe(400);
    const subDeny = auditRows(pair, 'policy.deny').filter((r) => r.subject === 'submission').pop()!;
    expect(Object.keys(subDeny.detail).sort()).toEqual(Object.keys(denies[0]!.detail).filter((k) => k !== 'case').sort());
  });
});

describe('Idempotency-Key across a kill -9 of the external gateway', () => {
  let pair: Pair | undefined;
  beforeAll(async () => {
    pair = await startPair({ policyFile: policyWithoutRateLimits() });
    await pair.waitLinkUp(60_000); // a loaded 2-core machine: give the pair time
  }, 90_000);
  afterAll(async () => { await pair?.stop(); });

  it('still finds the first answer after a SIGKILL right after the 202: one case, the same answer', async () => {
    const p = pair!;
    const before = count(p, 'SELECT COUNT(*) AS n FROM case_status');
    const body = sampleSubmission(42);
    const a = await submit(p, body, { [KEY]: 'kill-me' });
    expect(a.status).toBe(202);
    p.external.proc.kill('SIGKILL');
    await p.external.exited;
    p.startExternal();
    await p.waitLinkUp(30_000);
    const b = await submit(p, body, { [KEY]: 'kill-me' });
    expect(answerOf(b)).toEqual(answerOf(a));
    expect(count(p, 'SELECT COUNT(*) AS n FROM case_status')).toBe(before + 1);
    // And the intranet holds that one case once.
    const until = Date.now() + 30_000;
    while ((await operatorHealth(p.internalOperatorUrl)).cases < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const idb = new Database(join(p.dir, 'var/internal/internal.sqlite'), { readonly: true });
    const cases = idb.prepare('SELECT case_id FROM intranet_cases').all() as { case_id: string }[];
    idb.close();
    expect(cases.map((c) => c.case_id)).toEqual([a.json.caseId]);
  }, 150_000);

  it('files one case per key when the gateway is killed while the request is in flight (commit, no answer)', async () => {
    const p = pair!;
    const before = count(p, 'SELECT COUNT(*) AS n FROM case_status');
    const ROUNDS = 3;
    const answers: HttpResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const body = sampleSubmission(100 + i);
      const key = `in-flight-${i}`;
      // The kill lands somewhere between receiving, inspecting, committing and answering.
      const first = submit(p, body, { [KEY]: key }).catch(() => null);
      await new Promise((r) => setTimeout(r, 20 + i * 40));
      p.external.proc.kill('SIGKILL');
      await p.external.exited;
      await first;
      p.startExternal();
      await p.waitLinkUp(60_000);
      let r: HttpResult | null = null;
      for (let tries = 0; tries < 20 && r?.status !== 202; tries++) r = await submit(p, body, { [KEY]: key }).catch(() => null);
      expect(r?.status).toBe(202);
      answers.push(r!);
    }
    // One case per key: a first attempt that committed before the kill is the one the retry got.
    expect(count(p, 'SELECT COUNT(*) AS n FROM case_status')).toBe(before + ROUNDS);
    for (const a of answers) expect(count(p, 'SELECT COUNT(*) AS n FROM case_status WHERE case_id = ?', a.json.caseId)).toBe(1);
  }, 240_000);
});
