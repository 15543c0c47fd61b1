// The receiving end of the link (src/gateway/inbox.ts), driven with real sealed packets and a real
// SQLite file, no socket: what is delivered, dropped, rejected or quarantined, and that the batch is
// one commit whose every packet is acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkResult } from '../../src/link/session.js';
import { createInbox, type Admit, type KindHandler } from '../../src/gateway/inbox.js';
import { encodeStatus } from '../../src/gateway/bodies.js';
import type { KindName } from '../../src/seal/packet-kind.js';
import { externalStore, makePki, ManualClock, outboundFor, captureLog, removeTempDirs, T0, type Pki } from './fixtures.js';

let pki: Pki;
beforeAll(async () => { pki = await makePki(); });
afterAll(removeTempDirs);

const CASE = 'QX-20310506-000002';

/** Real packets from the intranet, sealed by the one way out into a scratch outbox. */
function packets(n: number, kind: KindName = 'status'): { packetId: Buffer; bytes: Buffer }[] {
  const scratch = externalStore();
  const { outbound } = outboundFor({ db: scratch.db, outbox: scratch.outbox, keys: pki.outward.seal, clock: new ManualClock(), knownCase: () => true });
  for (let i = 0; i < n; i++) {
    const body = encodeStatus({ caseId: CASE, status: 'accepted', atMs: T0.getTime() + i, detail: String(i), receiptToken: null, packetId: Buffer.alloc(0) });
    const r = outbound.send(() => ({ kind, from: 'intranet', to: 'public', caseId: kind === 'catalogue' ? '' : CASE, body }));
    if (!r.ok) throw new Error(r.detail);
  }
  return scratch.outbox.after(0, n).map((r) => ({ packetId: r.packetId, bytes: r.bytes }));
}

interface InboxHarness { store: ReturnType<typeof externalStore>; inbox: ReturnType<typeof createInbox>; delivered: string[]; accepted: string[]; refusedToOpen: string[]; lines: Record<string, unknown>[]; commits(): number }

function inboxWith(o: { admit?: Admit; handlers?: Partial<Record<KindName, KindHandler>> } = {}): InboxHarness {
  const store = externalStore();
  const { log, lines } = captureLog();
  const delivered: string[] = [];
  const accepted: string[] = [];
  const refusedToOpen: string[] = [];
  let commits = 0;
  const inbox = createInbox({
    db: store.db, clock: new ManualClock(), log, quarantine: store.quarantine,
    admit: o.admit ?? (() => null),
    open: { keys: pki.outward.open, signers: pki.outward.signers },
    handlers: o.handlers ?? { status: (p) => { delivered.push(p.packetId.toString('hex')); return null; } },
    onAccepted: (p) => accepted.push(p.packetId.toString('hex')),
    onRejected: (id, code) => refusedToOpen.push(`${id}:${code}`),
    afterCommit: () => { commits++; },
  });
  return { store, inbox, delivered, accepted, refusedToOpen, lines, commits: () => commits };
}

/** The acknowledgements of an accept (the inbox refuses back, separately, what it cannot open). */
const acked = (r: SinkResult): Buffer[] => (Array.isArray(r) ? r : r.acks);
const refusedBack = (r: SinkResult) => (Array.isArray(r) ? [] : r.refused);

describe('inbox', () => {
  it('delivers an authentic packet to its kind\'s handler and acknowledges it after the commit', () => {
    const [p] = packets(1);
    const h = inboxWith();
    const acks = acked(h.inbox.acceptNow([p!]));
    expect(acks.map((a) => a.toString('hex'))).toEqual([p!.packetId.toString('hex')]);
    expect(h.delivered).toEqual([p!.packetId.toString('hex')]);
    expect(h.accepted).toEqual(h.delivered);
    expect(h.commits()).toBe(1);
  });

  it('drops a duplicate by packet id: the handler runs once, both copies are acknowledged', () => {
    const [p] = packets(1);
    const h = inboxWith();
    expect(acked(h.inbox.acceptNow([p!]))).toHaveLength(1);
    expect(acked(h.inbox.acceptNow([p!]))).toHaveLength(1);
    expect(h.delivered).toHaveLength(1);
    expect(h.lines.some((l) => l['msg'] === 'duplicate packet dropped')).toBe(true);
  });

  it('keeps a packet that does not open as rejected, with the opener\'s code, and refuses it back (never acknowledged)', () => {
    const [p] = packets(1);
    const bytes = Buffer.from(p!.bytes);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0x01, bytes.length - 10); // a flipped bit near the end (signature)
    const h = inboxWith();
    const r = h.inbox.acceptNow([{ packetId: p!.packetId, bytes }]);
    expect(acked(r)).toHaveLength(0);
    expect(refusedBack(r).map((x) => x.code)).toEqual([expect.stringMatching(/^FERRY_ERR_SEAL_/)]);
    expect(h.delivered).toEqual([]);
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM rejected_packets').get()).toEqual({ n: 1 });
    expect(h.refusedToOpen).toHaveLength(1);
    expect(h.refusedToOpen[0]).toMatch(/:FERRY_ERR_SEAL_/);
  });

  it('rejects a packet whose frame names another packet id (FERRY_ERR_LINK_FRAME)', () => {
    const [p] = packets(1);
    const h = inboxWith();
    const r = h.inbox.acceptNow([{ packetId: Buffer.alloc(16, 7), bytes: p!.bytes }]);
    expect(refusedBack(r).map((x) => x.code)).toEqual(['FERRY_ERR_LINK_FRAME']);
    expect(h.delivered).toEqual([]);
    expect(h.store.db.prepare('SELECT code FROM rejected_packets').pluck().all()).toEqual(['FERRY_ERR_LINK_FRAME']);
  });

  it('quarantines a packet its admit check refuses, with the check\'s code and rule, and does not deliver it', () => {
    const [p] = packets(1);
    const h = inboxWith({ admit: () => ({ code: 'FERRY_ERR_POLICY_STALE', detail: 'too old', rule: 'freshness' }) });
    expect(acked(h.inbox.acceptNow([p!]))).toHaveLength(1);
    expect(h.delivered).toEqual([]);
    expect(h.store.quarantine.counts()).toMatchObject({ held: 1 });
    const held = h.store.db.prepare('SELECT code, rule FROM quarantine').get();
    expect(held).toEqual({ code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' });
  });

  it('quarantines a kind this side has no handler for (FERRY_ERR_POLICY_KIND, default-deny)', () => {
    const [p] = packets(1, 'catalogue');
    const h = inboxWith();
    h.inbox.acceptNow([p!]);
    expect(h.store.db.prepare('SELECT code, rule FROM quarantine').get()).toEqual({ code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' });
  });

  it('rolls back what a refusing handler wrote, quarantines that packet, and still delivers the rest of the batch', () => {
    const [a, b] = packets(2);
    const h = inboxWith({
      handlers: {
        status: (p, now) => {
          // Each delivery writes a row; the first packet's handler then refuses.
          h.store.status.submitted(p.packetId.toString('hex'), now, Buffer.alloc(32), Buffer.alloc(32));
          return p.packetId.equals(a!.packetId) ? { code: 'FERRY_ERR_POLICY_CASE', detail: 'no such case' } : null;
        },
      },
    });
    expect(acked(h.inbox.acceptNow([a!, b!]))).toHaveLength(2);
    // Only b's write survived; a's was rolled back with its savepoint.
    expect(h.store.db.prepare('SELECT case_id FROM case_status').pluck().all()).toEqual([b!.packetId.toString('hex')]);
    expect(h.store.db.prepare('SELECT code, rule FROM quarantine').get()).toEqual({ code: 'FERRY_ERR_POLICY_CASE', rule: 'delivery' });
  });
});
