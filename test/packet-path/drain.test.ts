// The desk's way out (src/internal/approval-wiring.ts): pending events become sealed packets to the
// domain the case came from, through the one way out; the catalogue is published once per version.
// A real desk, store and outbox; no socket.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCataloguePublisher, createDrain, kindForEvent } from '../../src/internal/approval-wiring.js';
import { decodeCatalogue, decodeStatus } from '../../src/gateway/bodies.js';
import { GatewayKv, PUBLISHED_CATALOGUE } from '../../src/store/gateway-kv.js';
import type { OutboundEvent } from '../../src/approval/events.js';
import type { Policy } from '../../src/policy/policy-model.js';
import { incoming } from '../desk/helpers.js';
import {
  captureLog, deskFor, internalStore, makePki, ManualClock, openAs, outboundFor, policyFrom, removeTempDirs, samplePolicy, sampleText, T0, type Pki,
} from './fixtures.js';

let pki: Pki;
beforeAll(async () => { pki = await makePki(); });
afterAll(removeTempDirs);

const CASE = 'QX-20310506-000030';

function intranet(o: { policy?: Policy; maxOutbox?: number } = {}) {
  const policy = o.policy ?? samplePolicy();
  const store = internalStore();
  const clock = new ManualClock();
  const { log, lines } = captureLog();
  const { desk, catalogue } = deskFor(store.db, clock, log);
  const { outbound, sent } = outboundFor({ db: store.db, outbox: store.outbox, keys: pki.outward.seal, clock, policy, maxOutbox: o.maxOutbox ?? 100, knownCase: (id) => store.cases.get(id) !== null });
  const notified: { type: string; at: number }[] = [];
  const deps = { store, desk, log, intranetDomain: 'intranet', outbound, notify: (e: OutboundEvent, at: Date) => notified.push({ type: e.type, at: at.getTime() }) };
  /** A case as a delivered submission leaves it: in the intranet case store (with its origin) and the desk. */
  const receive = (caseId: string, origin = 'public', withOrigin = true) => {
    const r = desk.receiveSubmission(incoming('SCJG-001', caseId, clock.now()));
    if (!r.ok) throw new Error(r.detail);
    if (withOrigin) {
      store.cases.receive({
        caseId, submittedAt: T0.getTime(), packetId: Buffer.alloc(16, 3), sourceAddress: '203.0.113.7',
        clientIdentity: '', originDomain: origin, requestBody: Buffer.from('{}'), requestSha256: Buffer.alloc(32),
      });
    }
  };
  const withdraw = (caseId: string) => {
    const r = desk.applicantAction(caseId, { type: 'withdraw', reason: 'filed twice' }, { receivedAt: clock.now() });
    if (!r.ok) throw new Error(r.detail);
  };
  return { store, clock, desk, catalogue, lines, sent, notified, deps, policy, receive, withdraw, drain: createDrain(deps) };
}

describe('drain of desk events', () => {
  it('seals each pending event to the domain its case came from and marks it dispatched; \'received\' left with the receipt', () => {
    const h = intranet();
    h.receive(CASE);
    h.withdraw(CASE);
    expect(h.desk.pendingEvents(10).map((e) => e.type)).toEqual(['received', 'closed']);
    expect(h.drain()).toBe(2);
    expect(h.desk.pendingEvents(10)).toEqual([]);
    const rows = h.store.outbox.after(0, 10);
    expect(rows).toHaveLength(1);
    const p = openAs(pki.outward, rows[0]!.bytes, h.clock.now());
    expect(p).toMatchObject({ kind: 'status', fromDomain: 'intranet', toDomain: 'public', caseId: CASE });
    expect(p.createdAt.getTime()).toBe(h.clock.now().getTime());
    const s = decodeStatus(p.body);
    expect(s.ok && JSON.parse(s.value.eventJson ?? '')).toMatchObject({ type: 'closed', outcome: 'withdrawn', caseId: CASE });
    expect(h.sent).toMatchObject([{ kind: 'status', caseId: CASE, to: 'public', rule: 'intranet-to-public' }]);
  });

  it('sends a township\'s case to that township', () => {
    const h = intranet();
    h.receive(CASE, 'township-qinghe');
    h.withdraw(CASE);
    h.drain();
    expect(h.sent).toMatchObject([{ to: 'township-qinghe', rule: 'intranet-to-township' }]);
  });

  it('queues the applicant\'s notification in the same step, at the trusted time the packet was sealed', () => {
    const h = intranet();
    h.receive(CASE);
    h.withdraw(CASE);
    h.clock.advance(7000);
    h.drain();
    expect(h.notified).toEqual([{ type: 'closed', at: T0.getTime() + 7000 }]);
  });

  it('leaves every event pending while the outbox is full (nothing lost, nothing marked)', () => {
    const h = intranet({ maxOutbox: 0 });
    h.receive(CASE);
    h.withdraw(CASE);
    expect(h.drain()).toBe(0);
    expect(h.desk.pendingEvents(10).map((e) => e.type)).toEqual(['received', 'closed']);
    expect(h.store.outbox.count()).toBe(0);
  });

  it('keeps inside an event no rule lets out: not sent, logged with the code and rule, not retried', () => {
    const h = intranet({ policy: policyFrom(sampleText().replace('kinds: [status, notice, decision, catalogue]', 'kinds: [catalogue]')) });
    h.receive(CASE);
    h.withdraw(CASE);
    expect(h.drain()).toBe(2);
    expect(h.store.outbox.count()).toBe(0);
    expect(h.notified).toEqual([]);
    expect(h.lines.find((l) => l['msg'] === 'outbound event refused by policy')).toMatchObject({ code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' });
    expect(h.desk.pendingEvents(10)).toEqual([]);
  });

  it('sends nothing for a case with no recorded origin, and says so', () => {
    const h = intranet();
    h.receive(CASE, 'public', false);
    h.withdraw(CASE);
    h.drain();
    expect(h.store.outbox.count()).toBe(0);
    expect(h.lines.some((l) => l['msg'] === 'event for a case with no origin: not sent')).toBe(true);
  });

  it('carries each event in the kind its table names', () => {
    const e = (type: string) => ({ type }) as OutboundEvent;
    expect(['notice', 'fee-due', 'decision', 'result-ready', 'accepted', 'closed'].map((t) => kindForEvent(e(t))))
      .toEqual(['notice', 'notice', 'decision', 'decision', 'status', 'status']);
  });
});

describe('catalogue publisher', () => {
  it('publishes the public view to every domain the policy lets the catalogue reach, and records its SHA-256', () => {
    const h = intranet();
    const publish = createCataloguePublisher({ ...h.deps, catalogue: h.catalogue, policy: () => h.policy });
    expect(publish()).toBe(true);
    expect(h.sent.map((s) => [s.kind, s.to, s.caseId, s.rule])).toEqual([['catalogue', 'public', '', 'intranet-to-public']]);
    const p = openAs(pki.outward, h.store.outbox.after(0, 1)[0]!.bytes, h.clock.now());
    const c = decodeCatalogue(p.body);
    if (!c.ok) throw new Error(c.detail);
    expect(createHash('sha256').update(c.value.itemsJson).digest('hex')).toBe(c.value.sha256);
    expect(new GatewayKv(h.store.db).get(PUBLISHED_CATALOGUE)).toBe(c.value.sha256);
    expect(publish()).toBe(false);
  });

  it('does not resend a version already published (a restart)', () => {
    const h = intranet();
    expect(createCataloguePublisher({ ...h.deps, catalogue: h.catalogue, policy: () => h.policy })()).toBe(true);
    expect(createCataloguePublisher({ ...h.deps, catalogue: h.catalogue, policy: () => h.policy })()).toBe(false);
    expect(h.store.outbox.count()).toBe(1);
  });

  it('while the outbox is full, publishes nothing and records nothing, then goes out once there is room', () => {
    const h = intranet({ maxOutbox: 1 });
    h.receive(CASE);
    h.withdraw(CASE);
    h.drain(); // one packet: the outbox is full
    const publish = createCataloguePublisher({ ...h.deps, catalogue: h.catalogue, policy: () => h.policy });
    expect(publish()).toBe(false);
    expect(new GatewayKv(h.store.db).get(PUBLISHED_CATALOGUE)).toBeNull();
    h.store.outbox.acknowledge(h.store.outbox.after(0, 10).map((r) => r.packetId));
    expect(publish()).toBe(true);
    expect(h.store.outbox.after(0, 10).map((r) => r.kind)).toEqual(['catalogue']);
  });
});
