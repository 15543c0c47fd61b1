// The one way out (src/gateway/outbound.ts), without sockets: a real SQLite outbox, real sealing, the
// shipped policy. Each refusal names its code and rule and leaves nothing behind; a packet sent is
// sealed at the injected clock's time, is in the outbox, and is handed to the audit chain and the log
// with its packet id, case and rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus, encodeCatalogue, encodeStatus } from '../../src/gateway/bodies.js';
import { AuditLog } from '../../src/audit/chain.js';
import { createOutbound } from '../../src/gateway/outbound.js';
import type { KindName } from '../../src/seal/packet-kind.js';
import {
  captureLog, internalStore, makePki, ManualClock, openAs, outboundFor, policyFrom, removeTempDirs, samplePolicy, sampleText, T0, type Pki,
} from './fixtures.js';

let pki: Pki;
beforeAll(async () => { pki = await makePki(); });
afterAll(removeTempDirs);

const CASE = 'QX-20310506-000001';
const statusBody = (caseId = CASE) => encodeStatus({ caseId, status: 'accepted', atMs: T0.getTime(), detail: 'accepted', receiptToken: null, packetId: Buffer.alloc(0) });
const status = (over: Partial<{ kind: KindName; from: string; to: string; caseId: string }> = {}) => () =>
  ({ kind: 'status' as KindName, from: 'intranet', to: 'public', caseId: CASE, body: statusBody(), ...over });

function setup(o: { maxOutbox?: number; known?: string[]; policyText?: string } = {}) {
  const store = internalStore();
  const clock = new ManualClock();
  const h = outboundFor({
    db: store.db, outbox: store.outbox, keys: pki.outward.seal, clock, maxOutbox: o.maxOutbox ?? 10,
    knownCase: (id) => (o.known ?? [CASE]).includes(id), ...(o.policyText ? { policy: policyFrom(o.policyText) } : {}),
  });
  return { store, clock, ...h };
}

describe('outbound: a packet that may leave', () => {
  it('is sealed with the injected clock: the header createdAt and the outbox row carry the clock, not the host', () => {
    const { store, clock, outbound } = setup();
    clock.advance(1234);
    const r = outbound.send(status());
    expect(r).toMatchObject({ ok: true, rule: 'intranet-to-public' });
    const row = store.db.prepare('SELECT created_at AS at FROM outbox').get() as { at: number };
    expect(row.at).toBe(T0.getTime() + 1234);
    const [p] = store.outbox.after(0, 10);
    const opened = openAs(pki.outward, p!.bytes, clock.now());
    expect(opened.createdAt.getTime()).toBe(T0.getTime() + 1234);
    expect(r.ok && r.at.getTime()).toBe(T0.getTime() + 1234);
  });

  it('hands the body builder the same time it seals at', () => {
    const { store, clock, outbound } = setup();
    let seen: Date | null = null;
    outbound.send((at) => { seen = at; return status()(); });
    const opened = openAs(pki.outward, store.outbox.after(0, 1)[0]!.bytes, clock.now());
    expect(seen!.getTime()).toBe(opened.createdAt.getTime());
  });

  it('adds it to the outbox with its kind and case, body intact for the receiver', () => {
    const { store, clock, outbound } = setup();
    const r = outbound.send(status());
    const rows = store.outbox.after(0, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'status', caseId: CASE });
    expect(r.ok && rows[0]!.packetId.equals(r.packetId)).toBe(true);
    const opened = openAs(pki.outward, rows[0]!.bytes, clock.now());
    expect(opened).toMatchObject({ kind: 'status', fromDomain: 'intranet', toDomain: 'public', caseId: CASE });
    expect(decodeStatus(opened.body)).toMatchObject({ ok: true, value: { status: 'accepted' } });
  });

  it('audits and logs it naming the packet, the case and the rule', () => {
    const { outbound, sent, lines } = setup();
    const r = outbound.send(status());
    if (!r.ok) throw new Error(r.detail);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'status', caseId: CASE, to: 'public', rule: 'intranet-to-public' });
    expect(sent[0]!.packetId.equals(r.packetId)).toBe(true);
    const line = lines.find((l) => l['msg'] === 'packet sealed');
    expect(line).toMatchObject({ stage: 'outbound', packet: r.packetId.toString('hex'), case: CASE, rule: 'intranet-to-public', kind: 'status' });
  });

  it('lets an applicant packet out by the rule that carries it, judged on the request size it is given', () => {
    const store = internalStore();
    const h = outboundFor({ db: store.db, outbox: store.outbox, keys: pki.inward.seal, clock: new ManualClock() });
    const draft = { kind: 'evaluation' as KindName, from: 'public', to: 'intranet', caseId: CASE, body: Buffer.from('{}') };
    expect(h.outbound.send(() => ({ ...draft, policyBytes: 16 * 1024 }))).toMatchObject({ ok: true, rule: 'public-evaluate' });
    // public-evaluate carries 16 KiB: one byte more of request is refused even though the body is tiny.
    expect(h.outbound.send(() => ({ ...draft, policyBytes: 16 * 1024 + 1 }))).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'public-evaluate' });
    expect(store.outbox.count()).toBe(1);
  });

  it('sends the catalogue, which belongs to no case, because the policy lists it as unsolicited', () => {
    const { store, outbound } = setup({ known: [] });
    const body = encodeCatalogue({ itemsJson: Buffer.from('[]'), sha256: '0'.repeat(64) });
    expect(outbound.send(() => ({ kind: 'catalogue', from: 'intranet', to: 'public', caseId: '', body }))).toMatchObject({ ok: true, rule: 'intranet-to-public' });
    expect(store.outbox.count()).toBe(1);
  });
});

describe('outbound: refusals name the code and the rule and leave nothing behind', () => {
  it('refuses when the outbox is full, before the body is even built', () => {
    const { store, outbound, sent } = setup({ maxOutbox: 1 });
    expect(outbound.send(status()).ok).toBe(true);
    expect(outbound.full()).toBe(true);
    let built = false;
    const r = outbound.send(() => { built = true; return status()(); });
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_STORE_OUTBOX_FULL', rule: 'outbox.maxOutbox' });
    expect(built).toBe(false);
    expect(store.outbox.count()).toBe(1);
    expect(sent).toHaveLength(1);
  });

  const DENIED: [name: string, over: Partial<{ kind: KindName; from: string; to: string }>, code: string, rule: string][] = [
    ['to an internal department (no rule connects them)', { to: 'dept-market' }, 'FERRY_ERR_POLICY_DIRECTION', 'default-deny'],
    ['a kind no rule carries that way (catalogue to a township)', { kind: 'catalogue', to: 'township-qinghe' }, 'FERRY_ERR_POLICY_KIND', 'default-deny'],
    ['a submission travelling outward', { kind: 'submission' }, 'FERRY_ERR_POLICY_KIND', 'default-deny'],
    ['to a domain the policy does not declare', { to: 'township-nowhere' }, 'FERRY_ERR_POLICY_DOMAIN', 'default-deny'],
    ['from a domain the policy does not declare', { from: 'laptop' }, 'FERRY_ERR_POLICY_DOMAIN', 'default-deny'],
  ];
  it.each(DENIED)('refuses %s with the policy\'s code and rule', (_n, over, code, rule) => {
    const { store, outbound, sent, lines } = setup();
    expect(outbound.send(status(over))).toMatchObject({ ok: false, code, rule });
    expect(store.outbox.count()).toBe(0);
    expect(sent).toEqual([]);
    expect(lines.filter((l) => l['msg'] === 'packet sealed')).toEqual([]);
  });

  it('refuses a body over the rule\'s maxBytes, naming the rule whose limit failed', () => {
    const text = sampleText().replace(/(- id: intranet-to-public[\s\S]*?maxBytes:) 32 MiB([\s\S]*?maxBytes:) 16 MiB/, '$1 16$2 16');
    expect(text).not.toBe(sampleText());
    const { store, outbound } = setup({ policyText: text });
    expect(outbound.send(status())).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'intranet-to-public' });
    expect(store.outbox.count()).toBe(0);
  });

  it('refuses a status for a case that never came in from outside (correlation)', () => {
    const { store, outbound, sent } = setup({ known: [] });
    expect(outbound.send(status())).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_UNSOLICITED', rule: 'outbound.requireCorrelation' });
    expect(store.outbox.count()).toBe(0);
    expect(sent).toEqual([]);
  });

  it('refuses a status that names no case at all (correlation)', () => {
    const { outbound } = setup();
    expect(outbound.send(status({ caseId: '' }))).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_UNSOLICITED' });
  });

  it('checks correlation only where the policy asks for it', () => {
    const text = sampleText().replace('requireCorrelation: true', 'requireCorrelation: false');
    expect(text).not.toBe(sampleText());
    const { outbound } = setup({ known: [], policyText: text });
    expect(outbound.send(status())).toMatchObject({ ok: true });
  });
});

describe('outbound: check', () => {
  it('gives the verdict send would give, and writes, seals and audits nothing', () => {
    const { store, outbound, sent } = setup({ known: [] });
    expect(outbound.check(status({ caseId: '' })())).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_UNSOLICITED' });
    const body = encodeCatalogue({ itemsJson: Buffer.from('[]'), sha256: '0'.repeat(64) });
    expect(outbound.check({ kind: 'catalogue', from: 'intranet', to: 'public', caseId: '', body })).toEqual({ ok: true, rule: 'intranet-to-public' });
    expect(outbound.check({ kind: 'catalogue', from: 'intranet', to: 'dept-tax', caseId: '', body })).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_DIRECTION' });
    expect(store.outbox.count()).toBe(0);
    expect(sent).toEqual([]);
  });
});

describe('outbound: durable with the state that made it', () => {
  it('runs inside the caller\'s transaction: a rollback takes the packet and its audit entry with it', () => {
    const store = internalStore();
    const audit = new AuditLog(store.db);
    const clock = new ManualClock();
    const policy = samplePolicy();
    const outbound = createOutbound({
      db: store.db, outbox: store.outbox, keys: pki.outward.seal, policy: () => policy, clock, maxOutbox: 10, knownCase: () => true,
      audit: (p) => audit.append({ at: clock.now(), actor: 'gateway:internal', action: 'packet.out', subject: p.packetId.toString('hex'), detail: { case: p.caseId, rule: p.rule } }),
      log: captureLog().log,
    });
    const entries = () => (store.db.prepare("SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'packet.out'").get() as { n: number }).n;
    expect(() => store.db.transaction(() => { outbound.send(status()); throw new Error('the state change failed'); })()).toThrow('the state change failed');
    expect(store.outbox.count()).toBe(0);
    expect(entries()).toBe(0);
    store.db.transaction(() => { outbound.send(status()); })();
    expect(store.outbox.count()).toBe(1);
    expect(entries()).toBe(1);
  });
});
