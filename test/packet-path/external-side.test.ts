// The applicant side's stages without a socket: intake through the one way out (what the API calls
// after its checks), and the rows of its kind table (src/external/kinds.ts) that take the intranet's
// packets in. A real SQLite file, real sealing, the shipped policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionIntake, createIntake } from '../../src/external/intake.js';
import { EXTERNAL_KINDS, externalKindHandlers } from '../../src/external/kinds.js';
import { decodeSubmission, encodeCatalogue, encodeStatus } from '../../src/gateway/bodies.js';
import type { OpenedPacket } from '../../src/seal/open.js';
import type { KindName } from '../../src/seal/packet-kind.js';
import type { Policy } from '../../src/policy/policy-model.js';
import { isFerryError } from '../../src/errors.js';
import { sampleSubmission } from '../helpers/gateways.js';
import {
  captureLog, externalStore, makePki, ManualClock, openAs, outboundFor, policyFrom, removeTempDirs, sampleText, T0, type Pki,
} from './fixtures.js';

let pki: Pki;
beforeAll(async () => { pki = await makePki(); });
afterAll(removeTempDirs);

function applicantSide(o: { maxOutbox?: number; policy?: Policy } = {}) {
  const store = externalStore();
  const clock = new ManualClock();
  const h = outboundFor({ db: store.db, outbox: store.outbox, keys: pki.inward.seal, clock, maxOutbox: o.maxOutbox ?? 10, ...(o.policy ? { policy: o.policy } : {}) });
  return {
    store, clock, sent: h.sent,
    intake: createIntake({ store, outbound: h.outbound, peerDomain: 'intranet' }),
    action: createActionIntake({ store, outbound: h.outbound, peerDomain: 'intranet' }),
  };
}
const request = { raw: Buffer.from(sampleSubmission(1)), contentType: 'application/json', sourceAddress: '203.0.113.7', clientIdentity: '', itemCode: 'SCJG-001', fromDomain: 'public' };
// What the API passes as its own reading: deliberately not the gateway clock, which is what counts.
const API_NOW = new Date('2000-01-01T00:00:00Z');

describe('intake through the one way out', () => {
  it('seals the submission at the gateway clock: case id date, receipt time, createdAt and the status row agree', async () => {
    const h = applicantSide();
    h.clock.advance(42);
    const r = await h.intake(request, API_NOW);
    if (!r.ok) throw new Error(r.reason);
    expect(r.submittedAt.getTime()).toBe(T0.getTime() + 42);
    expect(r.caseId).toContain('20310506');
    const [row] = h.store.outbox.after(0, 5);
    const p = openAs(pki.inward, row!.bytes, h.clock.now());
    expect(p).toMatchObject({ kind: 'submission', fromDomain: 'public', toDomain: 'intranet', caseId: r.caseId });
    expect(p.createdAt.getTime()).toBe(T0.getTime() + 42);
    const env = decodeSubmission(p.body);
    if (!env.ok) throw new Error(env.detail);
    expect(env.value.receivedAtMs).toBe(T0.getTime() + 42);
    expect(Buffer.from(env.value.requestBody).equals(request.raw)).toBe(true);
    expect(h.store.status.get(r.caseId)).toMatchObject({ status: 'submitted' });
    expect(h.sent).toMatchObject([{ kind: 'submission', caseId: r.caseId, rule: 'public-apply' }]);
  });

  it('answers outbox-full, and writes neither packet nor case, when the outbox is at its bound', async () => {
    const h = applicantSide({ maxOutbox: 1 });
    expect((await h.intake(request, API_NOW)).ok).toBe(true);
    expect(await h.intake(request, API_NOW)).toEqual({ ok: false, reason: 'outbox-full' });
    expect(await h.action({ caseId: 'QX-1', kind: 'evaluation', raw: Buffer.from('{}'), sourceAddress: '203.0.113.7', clientIdentity: '', fromDomain: 'public' }, API_NOW))
      .toEqual({ ok: false, reason: 'outbox-full' });
    expect(h.store.outbox.count()).toBe(1);
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM case_status').get()).toEqual({ n: 1 });
  });

  it('runs the policy on the applicant side too: a kind no rule carries is never sealed (thrown as a fault of the caller, nothing written)', async () => {
    expect(sampleText()).toContain('- id: public-evaluate\n    from: [public]');
    const h = applicantSide({ policy: policyFrom(sampleText().replace('- id: public-evaluate\n    from: [public]', '- id: public-evaluate\n    from: [township-baishi]')) });
    const err = await h.action({ caseId: 'QX-1', kind: 'evaluation', raw: Buffer.from('{}'), sourceAddress: '203.0.113.7', clientIdentity: '', fromDomain: 'public' }, API_NOW)
      .then(() => null, (e: unknown) => e);
    expect(isFerryError(err) && err.code).toBe('FERRY_ERR_API_INTERNAL');
    expect(String((err as Error).message)).toContain('FERRY_ERR_POLICY_KIND');
    expect(h.store.outbox.count()).toBe(0);
  });

  it('sends an action as the kind it is, to the intranet, by the rule that carries it', async () => {
    const h = applicantSide();
    const r = await h.action({ caseId: 'QX-1', kind: 'evaluation', raw: Buffer.from('{"type":"evaluate","score":5,"comment":null}'), sourceAddress: '203.0.113.7', clientIdentity: '', fromDomain: 'public' }, API_NOW);
    expect(r).toEqual({ ok: true });
    expect(h.sent).toMatchObject([{ kind: 'evaluation', caseId: 'QX-1', to: 'intranet', rule: 'public-evaluate' }]);
  });
});

describe('the applicant side\'s kind table', () => {
  const CASE = 'QX-20310506-000040';
  const packet = (kind: KindName, body: Uint8Array, caseId = CASE): OpenedPacket => ({
    packetId: Buffer.alloc(16, 9), kind, fromDomain: 'intranet', toDomain: 'public', caseId, createdAt: T0, body: Buffer.from(body), signerSubject: 'ferry-internal-sign', timestampToken: null,
  });
  const status = (caseId = CASE) => encodeStatus({ caseId, status: 'accepted', atMs: T0.getTime(), detail: 'accepted', receiptToken: null, packetId: Buffer.alloc(0), eventJson: '{"type":"accepted"}' });

  it('has a row for every kind the intranet sends out, and none for the applicant kinds', () => {
    expect(Object.keys(EXTERNAL_KINDS).sort()).toEqual(['catalogue', 'decision', 'notice', 'status']);
  });

  it('applies a status to a case this side filed, and refuses one for an unknown case or naming another case than its header', () => {
    const store = externalStore();
    const handlers = externalKindHandlers({ store, log: captureLog().log });
    store.status.submitted(CASE, T0.getTime(), Buffer.alloc(32), Buffer.alloc(32));
    expect(handlers.status!(packet('status', status()), T0.getTime(), Buffer.alloc(0))).toBeNull();
    expect(store.status.get(CASE)).toMatchObject({ status: 'accepted' });
    expect(handlers.notice!(packet('notice', status('QX-20310506-000041'), 'QX-20310506-000041'), T0.getTime(), Buffer.alloc(0)))
      .toMatchObject({ code: 'FERRY_ERR_POLICY_CASE', detail: expect.stringContaining('unknown case') });
    expect(handlers.decision!(packet('decision', status('QX-20310506-000041')), T0.getTime(), Buffer.alloc(0)))
      .toMatchObject({ code: 'FERRY_ERR_POLICY_CASE', detail: expect.stringContaining('vs header') });
  });

  it('replaces the published catalogue, and refuses one whose items are not JSON', () => {
    const store = externalStore();
    const handlers = externalKindHandlers({ store, log: captureLog().log });
    const good = encodeCatalogue({ itemsJson: Buffer.from('[{"code":"SCJG-001"}]'), sha256: 'a'.repeat(64) });
    expect(handlers.catalogue!(packet('catalogue', good, ''), T0.getTime(), Buffer.alloc(0))).toBeNull();
    expect(store.catalogue.current()?.sha256).toBe('a'.repeat(64));
    const bad = encodeCatalogue({ itemsJson: Buffer.from('[{"code":'), sha256: 'b'.repeat(64) });
    expect(handlers.catalogue!(packet('catalogue', bad, ''), T0.getTime(), Buffer.alloc(0))).toMatchObject({ code: 'FERRY_ERR_SEAL_MALFORMED' });
    expect(store.catalogue.current()?.sha256).toBe('a'.repeat(64));
  });
});
