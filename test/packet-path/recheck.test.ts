// The intranet's full re-check before stamping (src/internal/recheck.ts, through the submission and
// action rows of internal/kinds.ts), with the real inspection pool (worker threads) and the shipped
// policy: the external gateway's checks are not trusted, so each is made again here on the exact bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectPool } from '../../src/gateway/inspect-pool.js';
import { prepareSubmission } from '../../src/internal/deliver-submission.js';
import { prepareAction } from '../../src/internal/deliver-action.js';
import type { Parsed } from '../../src/internal/recheck.js';
import type { Submission } from '../../src/policy/submission-shape.js';
import type { Policy } from '../../src/policy/policy-model.js';
import { sampleSubmission } from '../helpers/gateways.js';
import {
  BAISHI_IDENTITY, captureLog, deskFor, internalStore, makePki, ManualClock, outboundFor, policyFrom, queued, removeTempDirs, samplePolicy, sampleText, type Pki,
} from './fixtures.js';

let pki: Pki;
let pool: InspectPool;
beforeAll(async () => { pki = await makePki(); pool = new InspectPool({ workers: 1 }); await pool.ready(); });
afterAll(async () => { await pool.close(); removeTempDirs(); });

const CASE = 'QX-20310506-000010';

function deps(policy: Policy = samplePolicy()) {
  const store = internalStore();
  const clock = new ManualClock();
  const { desk } = deskFor(store.db, clock, captureLog().log);
  const { outbound } = outboundFor({ db: store.db, outbox: store.outbox, keys: pki.outward.seal, clock, policy });
  return { store, d: { store, policy: () => policy, desk, inspect: pool, outbound } };
}

describe('re-check of a queued submission', () => {
  it('passes a valid submission: parsed once, receipt over the exact request bytes', async () => {
    const { d } = deps();
    const request = sampleSubmission(1);
    const p = await prepareSubmission(d)(queued({ caseId: CASE, request }));
    expect(p.bar).toBeNull();
    expect(p.receiptData?.toString()).toBe(request);
    const parsed = p.parsed as Parsed<Submission>;
    expect(parsed.env.caseId).toBe(CASE);
    expect(parsed.value.itemCode).toBe('SCJG-001');
    expect(parsed.value.attachments).toHaveLength(1);
  });

  it('refuses a body that is not a submission envelope (rule shape)', async () => {
    const { d } = deps();
    const q = { ...queued({ caseId: CASE, request: sampleSubmission(1) }), body: Buffer.from('not protobuf at all \xff\xff\xff') };
    const p = await prepareSubmission(d)(q);
    expect(p.bar).toMatchObject({ rule: 'shape' });
    expect(p.parsed).toBeNull();
  });

  it('refuses a recorded client identity that maps to another domain than the packet names (rule client-identity)', async () => {
    const { d } = deps();
    const p = await prepareSubmission(d)(queued({ caseId: CASE, request: sampleSubmission(1), identity: BAISHI_IDENTITY }));
    expect(p.bar).toMatchObject({ code: 'FERRY_ERR_POLICY_CLIENT_CERT', rule: 'client-identity' });
  });

  it('refuses a request that is not JSON (rule shape), found by parsing it again here', async () => {
    const { d } = deps();
    const p = await prepareSubmission(d)(queued({ caseId: CASE, request: '{"itemCode": "SCJG-001",' }));
    expect(p.bar).toMatchObject({ code: 'FERRY_ERR_API_JSON', rule: 'shape' });
  });

  it('refuses an attachment whose bytes are an executable, whatever its name says (rule content)', async () => {
    const { d } = deps();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(200)]);
    const request = sampleSubmission(1, { attachments: [{ fileName: 'charter.pdf', mediaType: 'application/pdf', contentBase64: exe.toString('base64') }] });
    const p = await prepareSubmission(d)(queued({ caseId: CASE, request }));
    expect(p.bar).toMatchObject({ code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' });
    expect(p.parsed).toBeNull();
  });

  it('holds the request to this gateway\'s own rule: over maxBytes, refused with the rule\'s name', async () => {
    const small = policyFrom(sampleText().replace(/(- id: public-apply[\s\S]*?maxBytes:) 48 MiB([\s\S]*?maxBytes:) 16 MiB/, '$1 300$2 300'));
    const { d } = deps(small);
    const p = await prepareSubmission(d)(queued({ caseId: CASE, request: sampleSubmission(1) }));
    expect(p.bar).toMatchObject({ code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'public-apply' });
  });

  it('on release from quarantine waives exactly the refusal that held the packet, and no other', async () => {
    const small = policyFrom(sampleText().replace(/(- id: public-apply[\s\S]*?maxBytes:) 48 MiB([\s\S]*?maxBytes:) 16 MiB/, '$1 300$2 300'));
    const { store, d } = deps(small);
    const q = queued({ caseId: CASE, request: sampleSubmission(1), released: true });
    const id = q.packetId.toString('hex');
    store.quarantine.hold({ packetId: id, code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'public-apply', detail: 'too large', bytes: q.packet, receivedAt: 1 });
    expect(store.quarantine.release(id, 'ops', 'the county raised the limit').ok).toBe(true);
    const p = await prepareSubmission(d)(q);
    expect(p.bar).toBeNull();
    expect((p.parsed as Parsed<Submission>).value.itemCode).toBe('SCJG-001');
    // The same release does not waive a different refusal: the identity check still runs.
    const other = await prepareSubmission(d)({ ...q, body: queued({ caseId: CASE, request: sampleSubmission(1), identity: BAISHI_IDENTITY }).body });
    expect(other.bar).toMatchObject({ code: 'FERRY_ERR_POLICY_CLIENT_CERT' });
  });
});

describe('re-check of a queued applicant action', () => {
  it('passes an evaluation travelling as kind evaluation, with no receipt', async () => {
    const { d } = deps();
    const p = await prepareAction(d)(queued({ caseId: CASE, kind: 'evaluation', request: JSON.stringify({ type: 'evaluate', score: 5, comment: null }) }));
    expect(p.bar).toBeNull();
    expect(p.receiptData).toBeNull();
    expect((p.parsed as Parsed<unknown>).value).toEqual({ type: 'evaluate', score: 5, comment: null });
  });

  it('refuses an action that travels as another kind than its own (an evaluation sent as a supplement)', async () => {
    const { d } = deps();
    const p = await prepareAction(d)(queued({ caseId: CASE, kind: 'supplement', request: JSON.stringify({ type: 'evaluate', score: 5, comment: null }) }));
    expect(p.bar).toMatchObject({ code: 'FERRY_ERR_POLICY_KIND', rule: 'shape' });
  });
});
