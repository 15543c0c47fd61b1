// The whole path through two real gateway processes: HTTPS in, sealed packet over the mTLS link,
// intranet commit, status packet back out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';

let pair: Pair;
const secrets = new CaseSecrets();

beforeAll(async () => {
  pair = await startPair();
  await pair.waitLinkUp();
});
afterAll(async () => { await pair?.stop(); });

async function waitStatus(caseId: string, status: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${caseId}`, pair.ca, undefined, secrets.header(caseId));
    if (r.json?.status === status) return r.json;
    if (Date.now() > until) throw new Error(`case ${caseId} stuck at ${JSON.stringify(r.json)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('submission to intranet and status back', () => {
  it('answers 202 with a case number, and the status turns received with the intranet receipt time', async () => {
    const body = sampleSubmission(1);
    const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(r.status).toBe(202);
    expect(r.json.caseId).toMatch(/^F\d{8}-[0-9A-Z]{16}$/);
    expect(r.json.secret).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(r.headers.location).toBe(`/api/v1/cases/${r.json.caseId}`);
    const s = await waitStatus(r.json.caseId, 'received');
    expect(Date.parse(s.receivedAt)).toBeGreaterThanOrEqual(Date.parse(s.submittedAt));
    expect(s.history.map((h: { status: string }) => h.status)).toEqual(['submitted', 'received']);

    // The intranet holds the exact bytes the applicant sent.
    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
    const row = db.prepare('SELECT item_code, request_body FROM intranet_cases WHERE case_id = ?').get(r.json.caseId) as { item_code: string; request_body: Buffer };
    db.close();
    expect(row.item_code).toBe('SCJG-001');
    expect(row.request_body.toString('utf8')).toBe(body);
  });

  it('never writes a submission in plaintext to the external gateway disk', async () => {
    const marker = 'PLAINTEXT-MARKER-7f3a9c';
    const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(2).replace('茶叶种植、加工、销售', marker)));
    expect(r.status).toBe(202);
    await waitStatus(r.json.caseId, 'received');
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = join(pair.dir, 'var/external');
    // Every file, the blob store's (large sealed packets, src/store/blobs.ts) included.
    const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(marker)), `${f} holds the marker`).toBe(false);
      expect(bytes.includes(Buffer.from('Qinghe Tea Co. 2')), `${f} holds the applicant name`).toBe(false);
    }
  });

  it.each([
    ['not JSON', '{"itemCode":', 400, 'FERRY_ERR_API_JSON'],
    ['missing applicant', JSON.stringify({ itemCode: 'SCJG-001' }), 400, 'FERRY_ERR_API_FIELD'],
    ['bad phone', sampleSubmission(3).replace('+86 571 8888 0000', 'call me'), 400, 'FERRY_ERR_API_FIELD'],
    ['unknown top-level key', JSON.stringify({ ...JSON.parse(sampleSubmission(4)), admin: true }), 400, 'FERRY_ERR_API_FIELD'],
    ['non-canonical base64', sampleSubmission(5).replace(/"contentBase64":"[^"]+"/, '"contentBase64":"abc"'), 400, 'FERRY_ERR_API_BAD_ATTACHMENT'],
  ])('refuses %s with %i %s and a message naming the field', async (_name, body, status, code) => {
    const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body);
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe('string');
  });

  it('names the field in the error message', async () => {
    const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(6).replace('+86 571 8888 0000', 'x'));
    expect(r.json.error.message).toMatch(/^applicant\.phone:/);
  });

  it('refuses a body over the limit with 413, from the declared length, before reading it', async () => {
    // Declare 49 MiB and send only the first MiB: the gateway answers from the header alone (sending
    // the whole body races the early answer against the client's writes: EPIPE on a busy machine).
    const { request } = await import('node:https');
    const r = await new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = request(`${pair.apiUrl}/api/v1/submissions`, {
        method: 'POST', ca: pair.ca, agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(49 * 1024 * 1024) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }); req.destroy(); });
      });
      req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.startsWith('EPIPE')) reject(e); });
      req.write(Buffer.alloc(1024 * 1024, 0x20));
    });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('FERRY_ERR_API_TOO_LARGE');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.json.error.code).toBe('FERRY_ERR_API_MEDIA_TYPE');
  });

  it('answers 404 for an unknown case and 400 for a malformed case number', async () => {
    const a = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/F20261125-0000000000000000`, pair.ca, undefined, { 'x-ferry-case-secret': '0000-0000-0000-0000-0000-0000-0000' });
    expect(a.status).toBe(404);
    expect(a.json.error.code).toBe('FERRY_ERR_API_CASE_ACCESS');
    const b = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/..%2f..%2fetc`, pair.ca);
    expect(b.status).toBe(400);
  });

  it('reports the link on the operator health endpoints of both gateways', async () => {
    expect(await operatorHealth(pair.externalOperatorUrl)).toMatchObject({ status: 'ok', gateway: 'external', link: 'up' });
    expect(await operatorHealth(pair.internalOperatorUrl)).toMatchObject({ status: 'ok', gateway: 'internal', link: 'up' });
  });
});
