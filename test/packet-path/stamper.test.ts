// The stamp stage (src/internal/stamper.ts) with a real RFC 3161 TSA and a real SQLite stamp queue, no
// socket: what it stamps (the exact packet bytes; the receipt over the request bytes), when it waits
// (time untrusted, outbox full), and what it does with a packet its re-check or delivery refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Stamper, type Stamp, type StampedHandler, type StamperOptions } from '../../src/internal/stamper.js';
import type { Prepared } from '../../src/internal/recheck.js';
import type { QueuedPacket } from '../../src/internal/store/stamp-queue.js';
import { decodeTstInfo } from '../../src/time/tsa-tstinfo.js';
import { readTokenParts } from '../../src/time/tsa-signed-data.js';
import { assumedTrust, noSources } from '../../src/time/time-trust.js';
import type { FerryErrorCode } from '../../src/errors.js';
import { captureLog, internalStore, makePki, ManualClock, removeTempDirs, sha256, T0, tsaFor, type Pki } from './fixtures.js';

let pki: Pki;
beforeAll(async () => { pki = await makePki(); });
afterAll(removeTempDirs);
const running: Stamper[] = [];
afterEach(() => { for (const s of running.splice(0)) s.stop(); });

const imprint = (token: Buffer): Buffer => decodeTstInfo(readTokenParts(token).eContent).digest;
const OK: Prepared = { receiptData: null, bar: null, parsed: { env: null as never, value: 'parsed once' } };

interface Delivery { q: QueuedPacket; stamp: Stamp; receipt: Stamp | null; parsed: unknown }

function harness(o: Partial<StamperOptions> & { prep?: (q: QueuedPacket) => Prepared; deliver?: StampedHandler } = {}) {
  const store = internalStore();
  const clock = new ManualClock();
  const trust = o.trust ?? assumedTrust(clock);
  const { log, lines } = captureLog();
  const delivered: Delivery[] = [];
  const refused: { id: string; code: FerryErrorCode; rule: string }[] = [];
  let commits = 0;
  const handler: StampedHandler = o.deliver ?? ((q, stamp, receipt, parsed) => { delivered.push({ q, stamp, receipt, parsed }); return null; });
  const stamper = new Stamper({
    db: store.db, queue: store.stampQueue, tsa: tsaFor(pki, store.db, clock), trust, whenUntrusted: o.whenUntrusted ?? 'hold', log,
    handlers: { submission: handler },
    prepare: async (q) => (o.prep ? o.prep(q) : OK),
    refuse: (q, code, _detail, rule) => { refused.push({ id: q.packetId.toString('hex'), code, rule }); },
    afterCommit: () => { commits++; },
    ...(o.outboxRoom ? { outboxRoom: o.outboxRoom } : {}),
  });
  running.push(stamper);
  let n = 0;
  const queue = (bytes = `sealed packet ${++n}`) => {
    const packetId = Buffer.alloc(16, n);
    store.stampQueue.add({ packetId, kind: 'submission', caseId: `QX-20310506-00000${n}`, fromDomain: 'public', toDomain: 'intranet', packet: Buffer.from(bytes), body: Buffer.from('body'), createdAt: T0.getTime(), queuedAt: T0.getTime() });
    return packetId;
  };
  /** Kicks and waits until the stage has nothing left to do (or has stopped to wait). */
  const run = async () => {
    stamper.kick();
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (!(stamper as unknown as { running: boolean }).running) return;
    }
    throw new Error('the stamper did not settle');
  };
  const stamps = () => store.db.prepare('SELECT packet_id AS id, digest, token, gen_time AS genTime, trusted FROM packet_stamps').all() as { id: Buffer; digest: Buffer; token: Buffer; genTime: number; trusted: number }[];
  return { store, clock, lines, delivered, refused, queue, run, stamps, commits: () => commits };
}

describe('stamper', () => {
  it('stamps each queued packet over the SHA-256 of its exact bytes, at the trusted time, then delivers it with what prepare parsed', async () => {
    const h = harness();
    h.queue('the exact bytes that crossed');
    await h.run();
    expect(h.delivered).toHaveLength(1);
    const d = h.delivered[0]!;
    expect(imprint(d.stamp.token).equals(sha256(Buffer.from('the exact bytes that crossed')))).toBe(true);
    expect(d.stamp.genTime.getTime()).toBe(T0.getTime());
    expect(d.parsed).toEqual({ env: null, value: 'parsed once' });
    expect(d.receipt).toBeNull();
    const [row] = h.stamps();
    expect(row!.digest.equals(sha256(Buffer.from('the exact bytes that crossed')))).toBe(true);
    expect(row!.token.equals(d.stamp.token)).toBe(true);
    expect(h.store.stampQueue.count()).toBe(0);
    expect(h.commits()).toBe(1);
  });

  it('gives the applicant a receipt over the bytes prepare names (the request), not over the packet', async () => {
    const h = harness({ prep: () => ({ ...OK, receiptData: Buffer.from('{"the":"request"}') }) });
    h.queue();
    await h.run();
    const r = h.delivered[0]!.receipt!;
    expect(imprint(r.token).equals(sha256(Buffer.from('{"the":"request"}')))).toBe(true);
    expect(r.serial).not.toBe(h.delivered[0]!.stamp.serial);
  });

  it('holds packets while time is untrusted (whenUntrusted: hold): nothing stamped, nothing delivered, the queue keeps them', async () => {
    const h = harness({ trust: noSources(new ManualClock()) });
    h.queue();
    await h.run();
    expect(h.stamps()).toEqual([]);
    expect(h.delivered).toEqual([]);
    expect(h.store.stampQueue.count()).toBe(1);
    expect(h.lines.some((l) => l['code'] === 'FERRY_ERR_TIME_UNTRUSTED')).toBe(true);
  });

  it('stamps anyway with untrusted time when configured to warn (demo), marks the stamp untrusted and logs it', async () => {
    const h = harness({ trust: noSources(new ManualClock()), whenUntrusted: 'warn' });
    h.queue();
    await h.run();
    expect(h.delivered).toHaveLength(1);
    expect(h.stamps()[0]!.trusted).toBe(0);
    expect(h.lines.some((l) => String(l['msg']).includes('untrusted time'))).toBe(true);
  });

  it('refuses a packet its re-check barred, with the bar\'s code and rule: stamped (it did cross), not delivered, out of the queue', async () => {
    const h = harness({ prep: () => ({ receiptData: null, bar: { code: 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', detail: 'exe', rule: 'public-apply' }, parsed: null }) });
    const id = h.queue();
    await h.run();
    expect(h.refused).toEqual([{ id: id.toString('hex'), code: 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', rule: 'public-apply' }]);
    expect(h.delivered).toEqual([]);
    expect(h.stamps()).toHaveLength(1);
    expect(h.store.stampQueue.count()).toBe(0);
  });

  it('refuses with rule "delivery" what the delivery handler refused, and rolls back what it wrote', async () => {
    const h = harness({
      deliver: (q) => {
        h.store.notifications.add('e1', q.caseId, 'accepted', 'text', T0.getTime());
        return { code: 'FERRY_ERR_POLICY_CASE', detail: 'case exists' };
      },
    });
    h.queue();
    await h.run();
    expect(h.refused).toMatchObject([{ code: 'FERRY_ERR_POLICY_CASE', rule: 'delivery' }]);
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM notifications').get()).toEqual({ n: 0 });
  });

  it('waits while the outbox has no room, and stamps no more at once than it has room for', async () => {
    let slots = 0;
    // Each delivered submission takes a slot of the outbox, as its 'received' status does.
    const h = harness({ outboxRoom: () => slots - h.delivered.length });
    h.queue(); h.queue(); h.queue();
    await h.run();
    expect(h.stamps()).toEqual([]);
    expect(h.store.stampQueue.count()).toBe(3);
    expect(h.lines.some((l) => l['code'] === 'FERRY_ERR_STORE_OUTBOX_FULL')).toBe(true);
    slots = 2;
    await h.run();
    expect(h.delivered).toHaveLength(2);
    expect(h.stamps()).toHaveLength(2); // the third was not even stamped
    expect(h.store.stampQueue.count()).toBe(1);
  });

  it('leaves a packet queued when its delivery finds the outbox full; its first token is the one kept', async () => {
    let full = true;
    const h = harness({ deliver: () => (full ? { code: 'FERRY_ERR_STORE_OUTBOX_FULL', detail: 'the outbox holds 1 packets' } : null) });
    h.queue();
    await h.run();
    expect(h.refused).toEqual([]);
    expect(h.store.stampQueue.count()).toBe(1);
    const first = h.stamps()[0]!.token;
    full = false;
    h.clock.advance(60_000);
    await h.run();
    expect(h.store.stampQueue.count()).toBe(0);
    expect(h.stamps()).toHaveLength(1);
    expect(h.stamps()[0]!.token.equals(first)).toBe(true);
  });
});
