// Fuzzes the REAL external gateway process over HTTPS (the in-process run in api.test.ts covers volume;
// this one proves the process itself never crashes, hangs or lets something in): mutated request
// bodies, valid requests whose attachment BYTES are mutated (so every input reaches the content
// inspector), and structured near-valid submissions. The rules:
//   - every request is answered, never 5xx, with a registered code whose registry status is the HTTP status;
//   - whatever is accepted (202) passes the full ingress check (shape, content, policy) in this process too;
//   - the outbox holds exactly the accepted requests, and the process is alive and healthy at the end.
// The policy is the shipped one without rate limits, so accepted inputs reach sealing and the outbox.
// FERRY_FUZZ_PROCESS_RUNS and FERRY_FUZZ_SEED vary the run; the default seed keeps CI deterministic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { ERRORS, httpStatus, type FerryErrorCode } from '../../src/errors.js';
import { checkSubmission } from '../../src/policy/check-submission.js';
import { loadPolicyOrThrow } from '../../src/policy/policy-file.js';
import type { Policy } from '../../src/policy/policy-model.js';
import { operatorHealth, preparePair, primeCatalogue, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { makeJpeg, makeOfd, makePdf, makePng } from '../policy-content/samples.js';
import { submission } from '../hostile/submissions.js';
import { applyOps, opsArb } from './mutate.js';

const RUNS = Number(process.env.FERRY_FUZZ_PROCESS_RUNS ?? 10_000);
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20260601);
const CONCURRENCY = 4;

let files: PairFiles;
let gw: GatewayProc;
let policy: Policy;
let agent: Agent;

interface Input { body: Buffer; contentType: string }
interface Answer { status: number; json: any }

function post(input: Input): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${files.apiUrl}/api/v1/submissions`, {
      method: 'POST', agent, headers: { 'content-type': input.contentType, 'content-length': String(input.body.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let json: unknown;
        try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s (hang)')));
    req.end(input.body);
  });
}

// ---- the corpus: valid requests and valid files, each the seed of many mutants ----
type Kind = 'pdf' | 'png' | 'jpeg' | 'ofd';
const FILES: Record<Kind, { name: string; bytes: () => Buffer }> = {
  pdf: { name: 'charter.pdf', bytes: () => makePdf() },
  png: { name: 'id-front.png', bytes: () => makePng() },
  jpeg: { name: 'photo.jpg', bytes: () => makeJpeg() },
  ofd: { name: 'licence.ofd', bytes: () => makeOfd() },
};
const KINDS = Object.keys(FILES) as Kind[];
const VALID_BODIES = (): Buffer[] => [
  submission({ idNumber: '330100FUZZ0001' }),
  submission({ idNumber: '330100FUZZ0002', itemCode: 'FGW-002', attachments: [{ fileName: 'filing.ofd', bytes: makeOfd() }] }),
  submission({ idNumber: '330100FUZZ0003', applicant: { type: 'person', name: '张三', email: 'zs@example.cn' }, attachments: [{ fileName: 'a.png', bytes: makePng() }, { fileName: 'b.jpg', bytes: makeJpeg() }] }),
  submission({ idNumber: '330100FUZZ0004', attachments: [] }),
].map((s) => Buffer.from(s));

const JSON_CT = 'application/json';

/** Byte mutations of a whole valid request body. */
const bodyMutants = (bodies: Buffer[]) => fc.tuple(fc.nat(), opsArb).map(([i, ops]): Input => ({ body: applyOps(bodies[i % bodies.length]!, ops, bodies), contentType: JSON_CT }));

/** A valid request around a mutated file: the JSON stays well-formed, the attachment bytes do not. */
const fileMutants = (files: Buffer[]) => fc.tuple(fc.nat(), opsArb, fc.constantFrom('SCJG-001', 'FGW-002'), fc.boolean()).map(([i, ops, itemCode, rename]): Input => {
  const kind = KINDS[i % KINDS.length]!;
  const bytes = applyOps(files[i % files.length]!, ops, files);
  const name = rename ? FILES[KINDS[(i >> 2) % KINDS.length]!].name : FILES[kind].name;
  return { body: Buffer.from(submission({ itemCode, attachments: [{ fileName: name, bytes }] })), contentType: JSON_CT };
});

/** Near-valid structured submissions: each field valid or hostile, independently. */
const structured = (files: Buffer[]) => fc.record({
  itemCode: fc.oneof(fc.constantFrom('SCJG-001', 'FGW-002', 'SCJG-001', 'scjg-001', '', '../x'), fc.string({ maxLength: 40 })),
  type: fc.constantFrom('person', 'enterprise', 'admin', ''),
  name: fc.oneof(fc.constant('Qinghe Tea Co.'), fc.string({ maxLength: 250 }), fc.string({ unit: 'binary', maxLength: 40 })),
  idNumber: fc.oneof(fc.stringMatching(/^[0-9A-Z]{6,32}$/), fc.string({ maxLength: 40 })),
  phone: fc.oneof(fc.constant('+86 571 8888 0000'), fc.string({ maxLength: 25 })),
  fields: fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.string({ maxLength: 8 })),
    fc.oneof(fc.string({ maxLength: 60 }), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 2 })), { maxKeys: 5 }),
  attachments: fc.array(fc.record({
    fileName: fc.oneof(fc.constantFrom('a.pdf', 'b.png', 'c.jpg', 'd.ofd', '../a.pdf', 'CON.pdf', 'a.pdf.exe', 'x.PDF'), fc.string({ maxLength: 30 })),
    mediaType: fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'application/ofd', 'text/html', 'x'),
    file: fc.nat(),
  }), { maxLength: 4 }),
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }), { nil: undefined }),
}).map((s): Input => ({
  contentType: JSON_CT,
  body: Buffer.from(JSON.stringify({
    itemCode: s.itemCode,
    applicant: { type: s.type, name: s.name, idNumber: s.idNumber, phone: s.phone },
    fields: s.fields,
    attachments: s.attachments.map((a) => ({ fileName: a.fileName, mediaType: a.mediaType, contentBase64: files[a.file % files.length]!.toString('base64') })),
    ...s.extra,
  })),
}));

/** The same bodies under content types a client might send. */
const contentTypes = (bodies: Buffer[]) => fc.tuple(fc.nat(), fc.oneof(
  fc.constantFrom('application/json; charset=utf-8', 'application/JSON', 'text/json', 'application/json, text/html', 'multipart/form-data; boundary=x', ''),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
)).map(([i, ct]): Input => ({ body: bodies[i % bodies.length]!, contentType: ct || 'application/octet-stream' }));

beforeAll(async () => {
  const policyFile = policyWithoutRateLimits();
  policy = loadPolicyOrThrow(policyFile);
  files = await preparePair({ policyFile, logLevel: 'warn' });
  gw = spawnGateway('external', files.externalConfig);
  agent = fuzzAgent();
  const end = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      request(`${files.apiUrl}/health`, { agent }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)).end();
    });
    if (up) break;
    if (Date.now() > end || gw.proc.exitCode !== null) throw new Error(`external gateway not up\n${gw.log.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await primeCatalogue(files);
  // Fresh sockets for the run: the gateway closes connections idle past its 5 s keep-alive, and the
  // ones opened while waiting above sat idle through primeCatalogue.
  agent.destroy();
  agent = fuzzAgent();
});

function fuzzAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: files.ca });
}

afterAll(async () => {
  agent?.destroy();
  if (gw && gw.proc.exitCode === null && gw.proc.signalCode === null) { gw.proc.kill('SIGTERM'); await gw.exited; }
});

describe('applicant API fuzz against the real external gateway process', () => {
  it(`answers ${RUNS} hostile requests without a crash, a hang, a 5xx or an invalid acceptance`, async () => {
    const bodies = VALID_BODIES();
    const samples = KINDS.map((k) => FILES[k].bytes());
    const quarter = Math.floor(RUNS / 4);
    const inputs: Input[] = [
      ...fc.sample(bodyMutants(bodies), { seed: SEED, numRuns: quarter }),
      ...fc.sample(fileMutants(samples), { seed: SEED + 1, numRuns: quarter }),
      ...fc.sample(structured(samples), { seed: SEED + 2, numRuns: quarter }),
      ...fc.sample(contentTypes(bodies), { seed: SEED + 3, numRuns: RUNS - 3 * quarter - bodies.length }),
      ...bodies.map((body) => ({ body, contentType: JSON_CT })), // the valid corpus itself: the accepting path is live
    ];
    expect(inputs.length).toBe(RUNS);

    const statuses = new Map<number, number>();
    let accepted = 0;
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const i = next++;
        const input = inputs[i]!;
        const r = await post(input);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const where = `input ${i} (seed ${SEED}): ${input.contentType} ${input.body.subarray(0, 160).toString('latin1')}`;
        expect(r.status, where).toBeLessThan(500);
        if (r.status === 202) {
          accepted++;
          expect(r.json?.caseId, where).toMatch(/^F\d{8}-[0-9A-Z]{16}$/);
          const v = await checkSubmission(policy, 'public', 'intranet', input.body);
          expect(v.ok, `${where}: accepted but the checker says ${v.ok ? '' : `${v.code} ${v.detail}`}`).toBe(true);
        } else {
          const code = r.json?.error?.code as FerryErrorCode;
          expect(ERRORS, where).toHaveProperty(code);
          expect(httpStatus(code), `${where}: ${code}`).toBe(r.status);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const ms = performance.now() - t0;

    expect(gw.proc.exitCode, 'the gateway process exited').toBeNull();
    const health = await operatorHealth(files.externalOperatorUrl);
    expect(health.outbox).toBe(accepted); // nothing refused was sealed
    expect(accepted).toBeGreaterThanOrEqual(bodies.length);
    expect(gw.log.filter((l) => l.includes('FERRY_ERR_API_INTERNAL') || l.includes('uncaught'))).toEqual([]);
    console.log(`api process fuzz seed ${SEED}: ${inputs.length} requests over HTTPS in ${(ms / 1000).toFixed(1)} s `
      + `(${Math.round(inputs.length / (ms / 1000))}/s, ${CONCURRENCY} connections); ${accepted} accepted; statuses `
      + [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' '));
  }, 120_000);
});
