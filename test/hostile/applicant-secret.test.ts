// The case number is not a credential: the case secret is. Against the REAL gateway processes over
// real HTTPS: every route that reads or acts on a case answers only to number + secret; no secret, a
// wrong one, a malformed one and an unknown case all get the byte-identical answer; wrong guesses are
// throttled per source address and per case before any work; the secret never reaches a disk in clear,
// a log or the intranet; case numbers appear in logs only masked; and a body that is not JSON leaves no
// copy of the personal data in it in any log, answer or audit chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startPair, sampleSubmission, type Pair } from '../helpers/gateways.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { maskCaseId } from '../../src/gateway/case-mask.js';

let pair: Pair;
let caseId = '';
let secret = '';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: any }

/** One request from a chosen loopback address (the gateway counts failures per source address). */
function call(method: string, path: string, o: { from?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${pair.apiUrl}${path}`, {
      method, ca: pair.ca, agent: false, localAddress: o.from ?? '127.0.0.1',
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown = null;
        try { json = JSON.parse(body.toString('utf8')); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}
const withSecret = (s: string) => ({ 'x-ferry-case-secret': s });
const form = (_s?: string) => ({ 'content-type': 'application/x-www-form-urlencoded' });

async function waitReceived() {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await call('GET', `/api/v1/cases/${caseId}`, { headers: withSecret(secret) });
    if (r.json?.status === 'received') return r.json;
    if (Date.now() > until) throw new Error(`never received: ${r.body.toString()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Every file of both gateways' data directories, WAL and journal included. */
function dataFiles(side: 'external' | 'internal'): [string, Buffer][] {
  const dir = join(pair.dir, `var/${side}`);
  // Regular files: the gateway's status socket (ferry status) lives here too and holds no bytes.
  return readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()).map((f) => [f, readFileSync(join(dir, f))]);
}
const allLogs = () => [...pair.external.log, ...pair.internal.log].join('\n');

beforeAll(async () => {
  pair = await startPair({ policyFile: policyWithoutRateLimits() });
  await pair.waitLinkUp();
  const r = await call('POST', '/api/v1/submissions', { body: sampleSubmission(41) });
  expect(r.status, r.body.toString()).toBe(202);
  caseId = r.json.caseId;
  secret = r.json.secret;
  expect(r.headers['cache-control']).toBe('no-store');
  await waitReceived();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

describe('the case secret', () => {
  it('is 140 random bits in 7 groups of 4 unambiguous characters, different for every case', async () => {
    expect(secret).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
    const other = await call('POST', '/api/v1/submissions', { body: sampleSubmission(42) });
    expect(other.status).toBe(202);
    expect(other.json.secret).not.toBe(secret);
  });

  it('opens status, receipt, result and actions with the header, a bearer token or a form field, typed loosely', async () => {
    const loose = secret.toLowerCase().replace(/-/g, ' ');
    const ok = [
      await call('GET', `/api/v1/cases/${caseId}`, { headers: withSecret(secret) }),
      await call('GET', `/api/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${secret}` } }),
      await call('GET', `/api/v1/cases/${caseId}`, { headers: withSecret(loose) }),
      await call('POST', `/api/v1/cases/${caseId}`, { headers: form(secret), body: `secret=${encodeURIComponent(secret)}` }),
      await call('GET', `/api/v1/cases/${caseId}/receipt`, { headers: withSecret(secret) }),
      await call('POST', `/api/v1/cases/${caseId}/receipt`, { headers: form(secret), body: `secret=${encodeURIComponent(secret)}` }),
    ];
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(ok[0]!.json.caseId).toBe(caseId);
    expect(ok[4]!.headers['content-type']).toBe('application/timestamp-reply');
    // No result yet: past the gate, the honest answer.
    const result = await call('GET', `/api/v1/cases/${caseId}/result`, { headers: withSecret(secret) });
    expect([result.status, result.json.error.code]).toEqual([404, 'FERRY_ERR_API_NOT_FOUND']);
    const evaluated = await call('POST', `/api/v1/cases/${caseId}/actions`, { headers: withSecret(secret), body: JSON.stringify({ type: 'evaluate', score: 4 }) });
    expect(evaluated.status, evaluated.body.toString()).toBe(202);
  });

  it('gives one byte-identical answer for no secret, a wrong one, a malformed one and an unknown case, on every route', async () => {
    const wrong = secret.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const unknown = caseId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const variants: [string, string, Record<string, string>, string | undefined][] = [];
    for (const path of ['', '/receipt', '/result']) {
      for (const [id, h] of [[caseId, {}], [caseId, withSecret(wrong)], [caseId, withSecret('not-a-secret')], [caseId, { authorization: 'Bearer x' }],
        [unknown, withSecret(secret)], [unknown, {}]] as [string, Record<string, string>][]) variants.push(['GET', `/api/v1/cases/${id}${path}`, h, undefined]);
      variants.push(['POST', `/api/v1/cases/${caseId}${path}`, form(''), `secret=${wrong}`]);
      variants.push(['POST', `/api/v1/cases/${unknown}${path}`, form(''), `secret=${secret}`]);
    }
    variants.push(['POST', `/api/v1/cases/${caseId}/actions`, {}, JSON.stringify({ type: 'withdraw' })]);
    variants.push(['POST', `/api/v1/cases/${caseId}/actions`, withSecret(wrong), JSON.stringify({ type: 'withdraw' })]);
    variants.push(['POST', `/api/v1/cases/${unknown}/actions`, withSecret(secret), JSON.stringify({ type: 'withdraw' })]);
    const answers: Answer[] = [];
    // From several source addresses, so that this table stays under the per-source limit.
    for (const [i, [method, path, headers, body]] of variants.entries()) {
      answers.push(await call(method, path, { from: `127.0.1.${1 + (i % 8)}`, headers, ...(body !== undefined ? { body } : {}) }));
    }
    const first = answers[0]!;
    expect(first.status).toBe(404);
    expect(first.json).toEqual({ error: { code: 'FERRY_ERR_API_CASE_ACCESS', message: 'no case matches this case number and case secret' } });
    for (const [i, a] of answers.entries()) {
      expect(a.status, variants[i]!.slice(0, 2).join(' ')).toBe(404);
      expect(a.body.equals(first.body), `${variants[i]!.slice(0, 2).join(' ')}: ${a.body.toString()}`).toBe(true);
      expect(a.headers['content-type']).toBe(first.headers['content-type']);
      expect(a.headers['retry-after']).toBeUndefined();
    }
  });

  it('never seals an action that carries the secret in its body', async () => {
    const r = await call('POST', `/api/v1/cases/${caseId}/actions`, { headers: withSecret(secret), body: JSON.stringify({ type: 'withdraw', secret }) });
    expect([r.status, r.json.error.code]).toEqual([400, 'FERRY_ERR_API_FIELD']);
    expect(r.body.toString()).not.toContain(secret);
  });

  it('is kept only as a hash: not on either gateway\'s disk, not in a log, not in the intranet', async () => {
    const forms = [secret, secret.replace(/-/g, ''), secret.toLowerCase()];
    for (const side of ['external', 'internal'] as const) {
      for (const [f, bytes] of dataFiles(side)) for (const s of forms) expect(bytes.includes(Buffer.from(s)), `${side}/${f} holds the secret`).toBe(false);
    }
    for (const s of forms) expect(allLogs()).not.toContain(s);
    const db = new Database(join(pair.dir, 'var/external/external.sqlite'), { readonly: true });
    const row = db.prepare('SELECT secret_sha256 AS h FROM case_status WHERE case_id = ?').get(caseId) as { h: Buffer };
    db.close();
    expect(row.h).toHaveLength(32);
  });

  it('appears in logs only masked: the date and a short hash, never the case number', async () => {
    const logs = allLogs();
    expect(logs).not.toContain(caseId);
    expect(logs).not.toContain(caseId.slice(10)); // the random part, alone
    // The operator's way to the token: `ferry log mask <case number>`.
    const cli = spawnSync(process.execPath, ['bin/ferry.js', 'log', 'mask', caseId], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const masked = cli.stdout.trim();
    expect(masked).toBe(maskCaseId(caseId));
    expect(masked).toMatch(/^F\d{8}~[0-9a-f]{8}$/);
    expect(masked.slice(0, 9)).toBe(caseId.slice(0, 9));
    // Both gateways name the case, masked the same way, so an operator can follow it across them.
    expect(pair.external.log.some((l) => l.includes(masked))).toBe(true);
    expect(pair.internal.log.some((l) => l.includes(masked))).toBe(true);
  });

  it('throttles wrong guesses per source address with 429 and Retry-After, before checking even a right secret', async () => {
    const from = '127.0.2.1';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call('GET', `/api/v1/cases/${caseId}`, { from, headers: withSecret('0000-0000-0000-0000-0000-0000-0000') })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const blocked = await call('GET', `/api/v1/cases/${caseId}`, { from, headers: withSecret(secret) });
    expect([blocked.status, blocked.json.error.code]).toEqual([429, 'FERRY_ERR_API_THROTTLED']);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address with the right secret is not held up by this one.
    expect((await call('GET', `/api/v1/cases/${caseId}`, { from: '127.0.2.2', headers: withSecret(secret) })).status).toBe(200);
  });

  it('throttles wrong guesses per case, from any number of addresses', async () => {
    const target = (await call('POST', '/api/v1/submissions', { body: sampleSubmission(43) })).json as { caseId: string; secret: string };
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      statuses.push((await call('GET', `/api/v1/cases/${target.caseId}`, { from: `127.0.3.${1 + i}`, headers: withSecret('0000-0000-0000-0000-0000-0000-0000') })).status);
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(404));
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});

describe('personal data in a body that is not JSON', () => {
  const NAME = '钱多多';
  const ID = '11010119900307123X';
  const PHONE = '+86 139 1234 5678';
  const broken = `{"itemCode":"SCJG-001","applicant":{"type":"person","name":"${NAME}","idNumber":"${ID}" "phone":"${PHONE}"}}`;

  it('is answered with the byte position only, and no log line, audit entry or data file keeps a copy', async () => {
    const r = await call('POST', '/api/v1/submissions', { body: broken });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: 'FERRY_ERR_API_JSON', message: `body: invalid JSON at byte ${Buffer.from(broken).indexOf(`"phone"`)}` });
    const a = await call('POST', `/api/v1/cases/${caseId}/actions`, { headers: withSecret(secret), body: `{"type":"withdraw","reason":"${NAME} ${ID}" x}` });
    expect([a.status, a.json.error.code]).toEqual([400, 'FERRY_ERR_API_JSON']);
    // A file name and an unknown key are input too: named by position, never quoted.
    const sub = JSON.parse(sampleSubmission(44));
    sub.attachments[0].fileName = `${NAME}身份证.pdf`;
    sub.attachments[0].contentBase64 = Buffer.from('#!/bin/sh\necho\n').toString('base64');
    const f = await call('POST', '/api/v1/submissions', { body: JSON.stringify(sub) });
    expect(f.status).toBe(415);
    expect(f.json.error.message).toMatch(/^attachments\[0\]: /);
    const k = await call('POST', '/api/v1/submissions', { body: JSON.stringify({ ...JSON.parse(sampleSubmission(45)), [`${NAME}${ID}`]: 1 }) });
    expect([k.status, k.json.error.message]).toEqual([400, '(a field whose name is not shown): is not a known field']);
    const ct = await call('POST', '/api/v1/submissions', { headers: { 'content-type': `text/plain; name=${ID}` }, body: 'x' });
    expect(ct.status).toBe(415);

    for (const answer of [r, a, f, k, ct]) for (const p of [NAME, ID, PHONE]) expect(answer.body.toString()).not.toContain(p);
    await new Promise((res) => setTimeout(res, 300)); // let both gateways flush their log lines
    const logs = allLogs();
    expect(logs).toContain('FERRY_ERR_API_JSON'); // the refusals were logged ...
    for (const p of [NAME, ID, PHONE]) expect(logs).not.toContain(p); // ... without the data
    for (const side of ['external', 'internal'] as const) {
      for (const [file, bytes] of dataFiles(side)) for (const p of [NAME, ID]) expect(bytes.includes(Buffer.from(p)), `${side}/${file} holds ${p}`).toBe(false);
    }
    const db = new Database(join(pair.dir, 'var/external/external.sqlite'), { readonly: true });
    const denied = db.prepare("SELECT detail FROM audit_entries WHERE action = 'policy.deny'").all() as { detail: string }[];
    db.close();
    expect(denied.some((d) => d.detail.includes('invalid JSON at byte'))).toBe(true);
  });
});
