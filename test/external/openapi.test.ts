// The OpenAPI 3.1 documents, fetched from real started gateways: the applicant API's from the external
// gateway, the staff API's from the internal gateway's intranet listener (same path). Each lists every
// route the listener registered, with its parameters, headers, body and every error code it can
// answer; and real requests and answers validate against the documented schemas, judged by Ajv's
// JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1), not by TypeBox, which made them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRORS, httpStatus, type FerryErrorCode } from '../../src/errors.js';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { loadGatewayKeys } from '../../src/gateway/keys.js';
import { createLogger } from '../../src/gateway/logger.js';
import { createOutbound } from '../../src/gateway/outbound.js';
import { buildApi } from '../../src/external/api.js';
import { createActionIntake, createIntake } from '../../src/external/intake.js';
import { openExternalStore } from '../../src/external/store.js';
import { InspectPool } from '../../src/gateway/inspect-pool.js';
import { RateLimiter } from '../../src/policy/rate-limit.js';
import { loadPolicyOrThrow } from '../../src/policy/policy-file.js';
import { systemClock } from '../../src/time/clock.js';
import { intranetCall, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { secretHeader } from '../helpers/case-secret.js';
import { addStaff, harness, login, PASSWORD } from '../desk/helpers.js';

type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };
type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** Throws with Ajv's own errors when `value` does not match. */
function expectValid(schema: Schema | undefined, value: unknown, what: string): void {
  expect(schema, `${what}: no schema documented`).toBeDefined();
  const v = ajv.compile(schema!);
  expect(v(value), `${what}: ${JSON.stringify(v.errors)}\n${JSON.stringify(value).slice(0, 400)}`).toBe(true);
}
const op = (doc: Doc, method: string, path: string): Operation => {
  const o = doc.paths[path]?.[method.toLowerCase()];
  expect(o, `${method} ${path} is not in the document`).toBeDefined();
  return o!;
};
const responseSchema = (o: Operation, status: number) => o.responses[String(status)]?.content?.['application/json']?.schema;
const bodySchema = (o: Operation) => o.requestBody?.content['application/json']?.schema;

/** Routes a fastify instance registered, as "METHOD /path/{param}" (HEAD twins of GETs left out). */
function registeredRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S*) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}
const documentedRoutes = (doc: Doc) => Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();

/** Every error response lists its codes, and each code answers with exactly that status. */
function checkErrorResponses(doc: Doc): void {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, o] of Object.entries(ops)) {
      for (const [status, r] of Object.entries(o.responses)) {
        if (Number(status) < 400) continue;
        const s = r.content?.['application/json']?.schema as { properties?: { error?: { properties?: { code?: { enum?: string[]; anyOf?: { const?: string; enum?: string[] }[] } } } } };
        const code = s?.properties?.error?.properties?.code;
        const codes = code?.enum ?? code?.anyOf?.flatMap((x) => x.enum ?? (x.const ? [x.const] : [])) ?? [];
        expect(codes.length, `${method} ${path} ${status} lists no error code`).toBeGreaterThan(0);
        for (const c of codes) {
          expect(ERRORS, `${method} ${path}`).toHaveProperty(c);
          expect(httpStatus(c as FerryErrorCode), `${c} under ${method} ${path} ${status}`).toBe(Number(status));
        }
      }
    }
  }
}

let pair: Pair;
let applicantDoc: Doc;
let staffDoc: Doc;
beforeAll(async () => {
  pair = await startPair();
  await pair.waitLinkUp(60_000); // a loaded 2-core machine: give the pair time
  const a = await httpsCall('GET', `${pair.apiUrl}/api/v1/openapi.json`, pair.ca);
  const s = await intranetCall(pair, 'GET', '/api/v1/openapi.json');
  expect([a.status, s.status]).toEqual([200, 200]);
  applicantDoc = a.json as Doc;
  staffDoc = s.json as Doc;
}, 90_000);
afterAll(async () => { await pair?.stop(); });

describe('applicant API document (external gateway)', () => {
  it('is OpenAPI 3.1 and lists every route the applicant listener registered', async () => {
    expect(applicantDoc.openapi).toBe('3.1.0');
    // The same buildApi the gateway runs, in-process, to read its route table.
    const dir = mkdtempSync(join(tmpdir(), 'ferry-openapi-'));
    const c = (f: string) => join(dir, 'certs', f);
    await initDevPki(join(dir, 'certs'));
    const keys = loadGatewayKeys(
      { ca: c('ca.crt'), signCert: c('external-sign.crt'), signKey: c('external-sign.key'), encCert: c('external-enc.crt'), encKey: c('external-enc.key') },
      { encCert: c('internal-enc.crt'), signerSubjects: ['ferry-internal-sign'], signerSha256: [] },
    );
    const store = openExternalStore(join(dir, 'var'));
    const pool = new InspectPool({ workers: 1 });
    const policy = loadPolicyOrThrow('config/policy.yaml');
    const outbound = createOutbound({
      db: store.db, outbox: store.outbox, keys: keys.seal, policy: () => policy, clock: systemClock, maxOutbox: 10, knownCase: () => true, audit: () => {},
      log: createLogger('openapi', 'error'),
    });
    const app = await buildApi({
      policy: () => policy, limiter: new RateLimiter(systemClock), catalogue: store.catalogue, inspect: pool, recordDecision: () => {},
      sendAction: createActionIntake({ store, outbound, peerDomain: 'intranet' }),
      tls: { key: readFileSync(c('external-tls.key')), cert: readFileSync(c('external-tls.crt')) }, caPem: readFileSync(c('ca.crt')),
      verifyReceipt: async () => ({ genTime: new Date() }), asResponse: (t) => t, maxBodyBytes: 1 << 20, clock: systemClock,
      log: createLogger('openapi', 'error'), status: store.status, intake: createIntake({ store, outbound, peerDomain: 'intranet' }),
      afterIntake: () => {}, health: () => ({}), idempotency: store.idempotency,
    });
    await app.ready();
    try {
      const routes = registeredRoutes(app);
      expect(routes.length).toBeGreaterThanOrEqual(13); // the parser found the table
      // The portal's pages (src/web/) share the listener but are not API: they stay out of the document.
      const isPage = (r: string) => /^GET|^POST/.test(r) && /^\S+ (\/|\/(items|case|assets|file|kiosk)(\/.*)?)$/.test(r);
      expect(routes.filter(isPage).length).toBeGreaterThanOrEqual(5);
      expect(documentedRoutes(applicantDoc)).toEqual(routes.filter((r) => !isPage(r)));
    } finally { await app.close(); await pool.close(); store.db.close(); }
  });

  it('documents the Idempotency-Key and case-secret headers and the case number pattern', () => {
    const sub = op(applicantDoc, 'POST', '/api/v1/submissions');
    expect(sub.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key')?.schema).toMatchObject({ pattern: '^[\\x21-\\x7e]{1,128}$' });
    const act = op(applicantDoc, 'POST', '/api/v1/cases/{caseId}/actions');
    const names = (act.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(names).toEqual(expect.arrayContaining(['path:caseId', 'header:x-ferry-case-secret', 'header:authorization', 'header:idempotency-key']));
    for (const path of ['/api/v1/cases/{caseId}', '/api/v1/cases/{caseId}/receipt', '/api/v1/cases/{caseId}/result']) {
      expect(op(applicantDoc, 'GET', path).parameters?.map((p) => p.name)).toContain('x-ferry-case-secret');
      expect(op(applicantDoc, 'POST', path).requestBody?.content['application/x-www-form-urlencoded']).toBeDefined();
    }
  });

  it('gives every error response its codes, each with its own HTTP status', () => {
    checkErrorResponses(applicantDoc);
    const codes = JSON.stringify(op(applicantDoc, 'POST', '/api/v1/submissions').responses);
    for (const c of ['FERRY_ERR_API_IDEMPOTENCY_KEY', 'FERRY_ERR_API_IDEMPOTENCY_MISMATCH', 'FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS', 'FERRY_ERR_POLICY_RATE', 'FERRY_ERR_API_BUSY', 'FERRY_ERR_CONTENT_SCRIPT']) {
      expect(codes).toContain(c);
    }
  });

  it('validates real requests and answers against the documented schemas', async () => {
    const submit = op(applicantDoc, 'POST', '/api/v1/submissions');
    const body = sampleSubmission(3);
    expectValid(bodySchema(submit), JSON.parse(body), 'a submission the gateway accepts');
    const ok = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body, { 'idempotency-key': 'openapi-1' });
    expect(ok.status).toBe(202);
    expectValid(responseSchema(submit, 202), ok.json, '202 submission');
    const again = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(4), { 'idempotency-key': 'openapi-1' });
    expect(again.status).toBe(422);
    expectValid(responseSchema(submit, 422), again.json, '422 idempotency mismatch');
    // What the gateway refuses for its shape, the schema refuses too.
    const wrong = JSON.stringify({ ...JSON.parse(body), itemCode: 'not an item code' });
    expect(ajv.compile(bodySchema(submit)!)(JSON.parse(wrong))).toBe(false);
    const refused = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, wrong);
    expect(refused.status).toBe(400);
    expectValid(responseSchema(submit, 400), refused.json, '400 submission');

    const status = op(applicantDoc, 'GET', '/api/v1/cases/{caseId}');
    const s = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${ok.json.caseId}`, pair.ca, undefined, secretHeader(ok.json.secret));
    expect(s.status).toBe(200);
    expectValid(responseSchema(status, 200), s.json, '200 case status');
    const badId = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/not-a-case`, pair.ca);
    expect(badId.json.error).toEqual({ code: 'FERRY_ERR_API_FIELD', message: 'caseId: not a case number' });
    expectValid(responseSchema(status, 400), badId.json, '400 case number');

    const action = op(applicantDoc, 'POST', '/api/v1/cases/{caseId}/actions');
    const withdraw = { type: 'withdraw', reason: 'changed my mind' };
    expectValid(bodySchema(action), withdraw, 'a withdraw action');
    const acted = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${ok.json.caseId}/actions`, pair.ca, JSON.stringify(withdraw), secretHeader(ok.json.secret));
    expect(acted.status).toBe(202);
    expectValid(responseSchema(action, 202), acted.json, '202 action');
    const noSecret = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${ok.json.caseId}/actions`, pair.ca, JSON.stringify(withdraw));
    expect(noSecret.status).toBe(404);
    expectValid(responseSchema(action, 404), noSecret.json, '404 action without the secret');

    const items = await httpsCall('GET', `${pair.apiUrl}/api/v1/items`, pair.ca);
    expectValid(responseSchema(op(applicantDoc, 'GET', '/api/v1/items'), 200), items.json, '200 items');
  });
});

describe('staff API document (intranet listener)', () => {
  it('is OpenAPI 3.1, lists every staff route, and gives every error response its codes', async () => {
    expect(staffDoc.openapi).toBe('3.1.0');
    const h = await harness();
    try {
      const staffRoutes = registeredRoutes(h.app);
      expect(staffRoutes.length).toBeGreaterThanOrEqual(13);
      expect(documentedRoutes(staffDoc)).toEqual(staffRoutes);
    } finally { await h.close(); }
    checkErrorResponses(staffDoc);
    const cards = op(staffDoc, 'GET', '/api/v1/staff/supervision/cards');
    expect(cards.parameters?.find((p) => p.name === 'colour')?.schema).toMatchObject({ anyOf: [{ enum: ['yellow'] }, { enum: ['red'] }] });
    expect(op(staffDoc, 'POST', '/api/v1/staff/cases/{id}/actions').parameters?.map((p) => p.name)).toContain('if-match');
  });

  it('validates real staff requests and answers against the documented schemas', async () => {
    const loginOp = op(staffDoc, 'POST', '/api/v1/staff/login');
    // The running gateway: a failed login and the public board.
    const failed = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name: 'nobody', password: 'x' }));
    expect(failed.status).toBe(401);
    expectValid(responseSchema(loginOp, 401), failed.json, '401 login');
    const shape = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name: 'nobody' }));
    expect(shape.json.error).toEqual({ code: 'FERRY_ERR_DESK_FIELD', message: 'body: must be {"name": "...", "password": "..."}' });
    expectValid(responseSchema(loginOp, 400), shape.json, '400 login');
    const board = await intranetCall(pair, 'GET', '/api/v1/board');
    expectValid(responseSchema(op(staffDoc, 'GET', '/api/v1/board'), 200), board.json, '200 board');
    // A staff member's session, on the same staff API in-process (the running gateway has no accounts).
    const h = await harness();
    try {
      await addStaff(h, 'sup', 'aic', ['supervisor']);
      const token = await login(h, 'sup');
      const body = { name: 'sup', password: PASSWORD };
      expectValid(bodySchema(loginOp), body, 'login body');
      const r = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: body });
      expectValid(responseSchema(loginOp, 200), r.json(), '200 login');
      const cardsOp = op(staffDoc, 'GET', '/api/v1/staff/supervision/cards');
      const cards = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/cards?colour=red&limit=5', headers: { authorization: `Bearer ${token}` } });
      expect(cards.statusCode).toBe(200);
      expectValid(responseSchema(cardsOp, 200), cards.json(), '200 cards');
      const bad = await h.app.inject({ method: 'GET', url: '/api/v1/staff/supervision/cards?colour=green', headers: { authorization: `Bearer ${token}` } });
      expect(bad.json()).toEqual({ error: { code: 'FERRY_ERR_DESK_FIELD', message: 'colour: yellow or red' } });
      expectValid(responseSchema(cardsOp, 400), bad.json(), '400 cards');
      const anon = await h.app.inject({ method: 'GET', url: '/api/v1/staff/me' });
      expect(anon.statusCode).toBe(401);
      expectValid(responseSchema(op(staffDoc, 'GET', '/api/v1/staff/me'), 401), anon.json(), '401 me');
    } finally { await h.close(); }
  });
});

