// Fuzzes the applicant API in-process (the real fastify app, real SQLite, real sealing): random and
// mutated submissions never produce a 5xx or a crash, every refusal carries a registered code, and
// whatever is accepted is a submission the checker itself accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../src/errors.js';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { loadGatewayKeys } from '../../src/gateway/keys.js';
import { createLogger } from '../../src/gateway/logger.js';
import { buildApi } from '../../src/external/api.js';
import { createIntake } from '../../src/external/intake.js';
import { createOutbound } from '../../src/gateway/outbound.js';
import { openExternalStore } from '../../src/external/store.js';
import { parseSubmission } from '../../src/policy/submission-shape.js';
import { systemClock } from '../../src/time/clock.js';
import { sampleSubmission } from '../helpers/gateways.js';

const RUNS = Number(process.env.FERRY_FUZZ_RUNS ?? 12_250);
let app: FastifyInstance;
let pool: import('../../src/gateway/inspect-pool.js').InspectPool | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-fuzz-api-'));
  const c = (f: string) => join(dir, 'certs', f);
  await initDevPki(join(dir, 'certs'));
  const keys = loadGatewayKeys(
    { ca: c('ca.crt'), signCert: c('external-sign.crt'), signKey: c('external-sign.key'), encCert: c('external-enc.crt'), encKey: c('external-enc.key') },
    { encCert: c('internal-enc.crt'), signerSubjects: ['ferry-internal-sign'], signerSha256: [] },
  );
  const store = openExternalStore(join(dir, 'var'));
  // The catalogue the intranet would publish: the real sample items' public views.
  const { loadCatalogue } = await import('../../src/approval/catalogue.js');
  const { publicView } = await import('../../src/approval/public-view.js');
  const items = Buffer.from(JSON.stringify(loadCatalogue('config/items').items.map(publicView)));
  store.catalogue.put('0'.repeat(64), items, Date.now());
  const { readFileSync } = await import('node:fs');
  const log = createLogger('fuzz', 'error');
  const { loadPolicyOrThrow } = await import('../../src/policy/policy-file.js');
  const { RateLimiter } = await import('../../src/policy/rate-limit.js');
  // Every fuzz input comes from one address: the per-address budget (checked before parsing, so it
  // counts garbage too) would refuse all after the first hundred and hide what parsing does.
  const { policyWithoutRateLimits } = await import('../helpers/policy-variants.js');
  const policy = loadPolicyOrThrow(policyWithoutRateLimits());
  const { InspectPool } = await import('../../src/gateway/inspect-pool.js');
  pool = new InspectPool({ workers: 2 });
  app = await buildApi({
    policy: () => policy, limiter: new RateLimiter(systemClock, 1000), catalogue: store.catalogue, inspect: pool,
    sendAction: async () => ({ ok: true as const }), recordDecision: () => {},
    tls: { key: readFileSync(c('external-tls.key')), cert: readFileSync(c('external-tls.crt')) },
    caPem: readFileSync(c('ca.crt')), verifyReceipt: async () => ({ genTime: new Date() }), asResponse: (t) => t,
    maxBodyBytes: 1024 * 1024, clock: systemClock, log, status: store.status,
    intake: createIntake({ store, peerDomain: 'intranet', outbound: createOutbound({
      db: store.db, outbox: store.outbox, keys: keys.seal, policy: () => policy, clock: systemClock, maxOutbox: 1_000_000, knownCase: () => true, audit: () => {}, log,
    }) }),
    afterIntake: () => {}, health: () => ({}), idempotency: store.idempotency,
  });
  await app.ready();
});
afterAll(async () => { await app?.close(); await pool?.close(); });

const valid = sampleSubmission(1);

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  return { nextInt: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

function mutate(s: string, rnd: ReturnType<typeof prng>): string {
  const b = Buffer.from(s);
  const ops = 1 + rnd.nextInt(0, 4);
  let out = b;
  for (let k = 0; k < ops; k++) {
    const i = rnd.nextInt(0, Math.max(0, out.length - 1));
    switch (rnd.nextInt(0, 4)) {
      case 0: out[i] = rnd.nextInt(0, 255); break;                                   // byte flip
      case 1: out = out.subarray(0, i); break;                                        // truncate
      case 2: out = Buffer.concat([out.subarray(0, i), out.subarray(i, i + rnd.nextInt(1, 40)), out.subarray(i)]); break; // duplicate span
      case 3: out = Buffer.concat([out.subarray(0, i), Buffer.from(['"', '{', '[', '\\u0000', '1e999', 'null', ','][rnd.nextInt(0, 6)]!), out.subarray(i)]); break;
      default: out = Buffer.concat([out.subarray(0, i), out.subarray(i + rnd.nextInt(1, 20))]); // delete span
    }
  }
  return out.toString('latin1');
}

const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ itemCode: 'SCJG-001', applicant: v })),
  fc.record({
    itemCode: fc.oneof(fc.string(), fc.constant('SCJG-001')),
    applicant: fc.record({ type: fc.constantFrom('person', 'enterprise', 'x'), name: fc.string(), idNumber: fc.string(), phone: fc.string() }, { requiredKeys: [] }),
    fields: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null))),
    attachments: fc.array(fc.record({ fileName: fc.string(), mediaType: fc.string(), contentBase64: fc.base64String() }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

async function post(body: string, contentType = 'application/json') {
  const r = await app.inject({ method: 'POST', url: '/api/v1/submissions', payload: Buffer.from(body, 'latin1'), headers: { 'content-type': contentType } });
  return { status: r.statusCode, json: r.json() as { caseId?: string; error?: { code: string } } };
}

describe('applicant API fuzz', () => {
  it(`never answers 5xx and always with a registered code (${RUNS} structured + ${RUNS} mutated inputs)`, async () => {
    let accepted = 0;
    const check = async (body: string, ct?: string) => {
      const r = await post(body, ct);
      expect(r.status, body.slice(0, 200)).toBeLessThan(500);
      if (r.status === 202) {
        accepted++;
        expect(parseSubmission(Buffer.from(body, 'latin1')).ok).toBe(true);
      } else {
        expect(ERRORS).toHaveProperty(r.json.error!.code);
      }
    };
    await fc.assert(fc.asyncProperty(jsonish, async (body) => { await check(body); }), { numRuns: RUNS });
    for (let seed = 0; seed < RUNS; seed++) await check(mutate(valid, prng(seed)));
    await fc.assert(fc.asyncProperty(fc.string(), fc.string(), async (body, ct) => {
      const r = await post(body, ct.replace(/[^\x20-\x7e]/g, '') || 'text/plain');
      expect(r.status).toBeLessThan(500);
    }), { numRuns: 500 });
    expect(accepted).toBeGreaterThan(0); // the fuzzer reaches the accepting path too
    console.log(`api fuzz: ${RUNS * 2 + 500} inputs, ${accepted} accepted`);
  }, 180_000);
});
