// The submission and action rows of the intranet's kind table (src/internal/deliver-submission.ts,
// deliver-action.ts) driven stage by stage as the gateway drives them — queue at the inbox, re-check,
// a real RFC 3161 stamp, delivery inside a savepoint — with a real desk and store, no socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectPool } from '../../src/gateway/inspect-pool.js';
import { decodeStatus } from '../../src/gateway/bodies.js';
import { withSavepoint } from '../../src/store/savepoint.js';
import { INTERNAL_KINDS, internalKindHandlers } from '../../src/internal/kinds.js';
import type { OpenedPacket } from '../../src/seal/open.js';
import type { Policy } from '../../src/policy/policy-model.js';
import type { FerryErrorCode } from '../../src/errors.js';
import { sampleSubmission } from '../helpers/gateways.js';
import {
  BAISHI_IDENTITY, captureLog, deskFor, internalStore, makePki, ManualClock, openAs, outboundFor, policyFrom, queued, removeTempDirs,
  samplePolicy, sampleText, stampOf, T0, tsaFor, type Pki,
} from './fixtures.js';

let pki: Pki;
let pool: InspectPool;
beforeAll(async () => { pki = await makePki(); pool = new InspectPool({ workers: 1 }); await pool.ready(); });
afterAll(async () => { await pool.close(); removeTempDirs(); });

const CASE = 'QX-20310506-000020';

function intranet(policy: Policy = samplePolicy()) {
  const store = internalStore();
  const clock = new ManualClock();
  const { desk } = deskFor(store.db, clock, captureLog().log);
  const { outbound, sent } = outboundFor({ db: store.db, outbox: store.outbox, keys: pki.outward.seal, clock, policy, knownCase: (id) => store.cases.get(id) !== null });
  const kinds = internalKindHandlers({ store, policy: () => policy, desk, inspect: pool, outbound });
  const tsa = tsaFor(pki, store.db, clock);
  const step = withSavepoint<{ code: FerryErrorCode; detail: string }>(store.db);
  /** The inbox's view of the queued packet: what queueing sees. */
  const opened = (q: ReturnType<typeof queued>): OpenedPacket => ({
    packetId: q.packetId, kind: q.kind as OpenedPacket['kind'], fromDomain: q.fromDomain, toDomain: q.toDomain, caseId: q.caseId,
    createdAt: new Date(q.createdAt), body: q.body, signerSubject: 'ferry-external-sign', timestampToken: null,
  });
  const enqueue = (q: ReturnType<typeof queued>) => store.db.transaction(() => step(() => kinds.queue[q.kind as 'submission']!(opened(q), T0.getTime(), q.packet)))();
  /** Re-check, stamp, deliver: what the stamper does with one queued packet. */
  const deliver = async (q: ReturnType<typeof queued>) => {
    const prep = await kinds.prepare(q);
    if (prep.bar) return prep.bar;
    const stamp = await stampOf(tsa, q.packet);
    const receipt = prep.receiptData ? await stampOf(tsa, prep.receiptData, true) : null;
    const refusal = store.db.transaction(() => step(() => kinds.deliver[q.kind]!(q, stamp, receipt, prep.parsed)))();
    return { refusal, stamp, receipt };
  };
  return { store, clock, desk, sent, enqueue, deliver };
}

describe('the kind table', () => {
  it('has a row for every kind the intranet takes in, and none for the kinds it only sends', () => {
    expect(Object.keys(INTERNAL_KINDS).sort()).toEqual(['evaluation', 'submission', 'supplement']);
  });
});

describe('submission: queue at the inbox', () => {
  it('queues a new case for stamping with the exact packet bytes', () => {
    const h = intranet();
    const q = queued({ caseId: CASE, request: sampleSubmission(1) });
    expect(h.enqueue(q)).toBeNull();
    const [row] = h.store.stampQueue.peek(5);
    expect(row).toMatchObject({ kind: 'submission', caseId: CASE, fromDomain: 'public' });
    expect(row!.packet.equals(q.packet)).toBe(true);
  });

  it('refuses a body that names another case than the header', () => {
    const h = intranet();
    const q = { ...queued({ caseId: CASE, request: sampleSubmission(1) }), caseId: 'QX-20310506-000099' };
    expect(h.enqueue(q)).toMatchObject({ code: 'FERRY_ERR_POLICY_CASE' });
    expect(h.store.stampQueue.count()).toBe(0);
  });

  it('refuses a second submission for a case that exists', async () => {
    const h = intranet();
    expect((await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) })) as { refusal: unknown }).refusal).toBeNull();
    expect(h.enqueue(queued({ caseId: CASE, request: sampleSubmission(2), n: 2 }))).toMatchObject({ code: 'FERRY_ERR_POLICY_CASE', detail: expect.stringContaining('already exists') });
  });
});

describe('submission: deliver after stamping', () => {
  it('records the case with the token\'s genTime as the trusted receipt time and hands it to the desk', async () => {
    const h = intranet();
    h.clock.advance(5000);
    const r = await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) })) as { refusal: unknown; stamp: { genTime: Date } };
    expect(r.refusal).toBeNull();
    expect(h.desk.store.getCase(CASE)).toMatchObject({ itemCode: 'SCJG-001', receivedAt: r.stamp.genTime.getTime() });
    expect(h.store.cases.get(CASE)).toMatchObject({ caseId: CASE, originDomain: 'public' });
    expect(r.stamp.genTime.getTime()).toBe(T0.getTime() + 5000);
    expect(h.desk.pendingEvents(10).map((e) => [e.caseId, e.type])).toContainEqual([CASE, 'received']);
  });

  it('sends the \'received\' status with the applicant\'s receipt token back to the origin, sealed at the trusted clock', async () => {
    const h = intranet();
    const r = await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) })) as { receipt: { token: Buffer; genTime: Date } };
    const [row] = h.store.outbox.after(0, 5);
    const p = openAs(pki.outward, row!.bytes, h.clock.now());
    expect(p).toMatchObject({ kind: 'status', fromDomain: 'intranet', toDomain: 'public', caseId: CASE });
    expect(p.createdAt.getTime()).toBe(h.clock.now().getTime());
    const s = decodeStatus(p.body);
    if (!s.ok) throw new Error(s.detail);
    expect(s.value).toMatchObject({ status: 'received', atMs: r.receipt.genTime.getTime() });
    expect(Buffer.from(s.value.receiptToken!).equals(r.receipt.token)).toBe(true);
    expect(h.sent).toMatchObject([{ kind: 'status', caseId: CASE, to: 'public', rule: 'intranet-to-public' }]);
  });

  it('answers a township\'s case to that township, by the township rule', async () => {
    const h = intranet();
    const r = await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1), from: 'township-baishi', identity: BAISHI_IDENTITY })) as { refusal: unknown };
    expect(r.refusal).toBeNull();
    expect(h.sent).toMatchObject([{ kind: 'status', to: 'township-baishi', rule: 'intranet-to-township' }]);
  });

  it('refuses the delivery when no rule lets the status out, and leaves nothing behind (case, desk, outbox)', async () => {
    const noStatusOut = policyFrom(sampleText()
      .replace('kinds: [status, notice, decision, catalogue]', 'kinds: [catalogue]'));
    const h = intranet(noStatusOut);
    const r = await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) })) as { refusal: { code: string; detail: string } };
    expect(r.refusal).toMatchObject({ code: 'FERRY_ERR_POLICY_KIND', detail: expect.stringContaining('outbound status refused by rule default-deny') });
    expect(h.store.cases.get(CASE)).toBeNull();
    expect(h.desk.pendingEvents(10)).toEqual([]);
    expect(h.store.outbox.count()).toBe(0);
  });
});

describe('applicant actions', () => {
  const withdraw = JSON.stringify({ type: 'withdraw', reason: 'filed twice' });

  it('queues an action only for a case that exists, from the domain the case came from', async () => {
    const h = intranet();
    expect(h.enqueue(queued({ caseId: CASE, kind: 'supplement', request: withdraw, n: 2 }))).toMatchObject({ code: 'FERRY_ERR_POLICY_CASE', detail: `no case ${CASE}` });
    await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) }));
    expect(h.enqueue(queued({ caseId: CASE, kind: 'supplement', request: withdraw, n: 3, from: 'township-baishi', identity: BAISHI_IDENTITY })))
      .toMatchObject({ code: 'FERRY_ERR_POLICY_CASE', detail: expect.stringContaining('came from public') });
    expect(h.enqueue(queued({ caseId: CASE, kind: 'supplement', request: withdraw, n: 4 }))).toBeNull();
    expect(h.store.stampQueue.peek(5).map((q) => q.kind)).toEqual(['supplement']);
  });

  it('hands an action to the desk at the stamp\'s time, whose transition table decides (withdraw: allowed before a decision)', async () => {
    const h = intranet();
    await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) }));
    h.clock.advance(60_000);
    const r = await h.deliver(queued({ caseId: CASE, kind: 'supplement', request: withdraw, n: 2 })) as { refusal: unknown };
    expect(r.refusal).toBeNull();
    expect(h.desk.pendingEvents(10).map((e) => e.type)).toContain('closed');
  });

  it('returns the desk\'s refusal for an action its transition table does not allow now (a supplement with no notice)', async () => {
    const h = intranet();
    await h.deliver(queued({ caseId: CASE, request: sampleSubmission(1) }));
    const supplement = JSON.stringify({ type: 'supplement', materials: ['charter'], reason: null, attachments: [] });
    const r = await h.deliver(queued({ caseId: CASE, kind: 'supplement', request: supplement, n: 2 }));
    expect('refusal' in r && r.refusal).toEqual({ code: 'FERRY_ERR_APPROVAL_TRANSITION', detail: "no 'supplement' from state 'received'" });
    expect(h.desk.pendingEvents(10).map((e) => e.type)).not.toContain('supplemented');
  });
});
