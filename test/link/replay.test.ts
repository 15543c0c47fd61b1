// PROTOCOL.md §6 rule 12 over a real mTLS link with real SQLite files: acknowledged packets are kept
// (outbox_retained); a receiver whose watermark is older (restored from a backup) asks for a replay and
// gets every retained packet after it, in seq order, plus any acknowledged out of order; a request
// from below the retention window gets what is retained AND the alarm (error line naming the gap,
// ferry_replay_gap_packets_total, audit entry); a peer without the feature is never asked; the ReplayRequest
// bytes are the vector docs/PROTOCOL.md prints.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { openDb } from '../../src/store/db.js';
import { Outbox, OUTBOX_SQL } from '../../src/store/outbox.js';
import { OUTBOX_RETAINED_SQL } from '../../src/store/outbox-retained.js';
import { LINK_WATERMARK_SQL, LinkWatermark } from '../../src/store/seen-packets.js';
import { outboxSource } from '../../src/gateway/outbox-source.js';
import { startLinkReplay } from '../../src/gateway/link-replay.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/link/frame-codec.js';
import type { IncomingPacket, PacketSink } from '../../src/link/session.js';
import { Harness, makePki, rawPeer, tempDir, waitFor, type Pki } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;
beforeAll(async () => { tmp = tempDir('link-replay'); pki = await makePki(join(tmp.dir, 'pki')); });
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

const HOUR = 3_600_000;

/** The sending gateway's side: outbox + retained table, replay wired as the gateways wire it. */
function sender(maxBytes = 1 << 30) {
  const db = openDb(join(h.dir, `out-${randomBytes(4).toString('hex')}.db`), [{ version: 1, sql: OUTBOX_SQL + OUTBOX_RETAINED_SQL }]);
  h.defer(() => { db.close(); });
  const outbox = new Outbox(db);
  const clock = { t: Date.parse('2026-12-03T10:00:00Z') };
  const errors: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const audit: Array<{ action: string; detail: Record<string, unknown> }> = [];
  const registry = new Registry();
  const replay = startLinkReplay({
    db, outbox, registry, now: () => clock.t,
    cfg: { replayRetentionHours: 72, replayRetentionMaxBytes: maxBytes },
    log: { info: () => {}, error: (obj, msg) => { errors.push({ obj: obj as Record<string, unknown>, msg }); } },
    audit: { record: (action, _subject, detail) => { audit.push({ action, detail: detail ?? {} }); } },
  });
  h.defer(() => replay.stop());
  const ids: Buffer[] = [];
  const add = (n: number) => db.transaction(() => {
    for (let i = 0; i < n; i++) { const id = randomBytes(16); ids.push(id); outbox.add(id, 'submission', `case-${ids.length}`, randomBytes(64), clock.t); }
  })();
  const gapMetric = async () => (await registry.getSingleMetricAsString('ferry_replay_gap_packets_total'));
  return { db, outbox, replay, source: replay.serve(outboxSource(outbox)), clock, errors, audit, ids, add, gapMetric };
}

/** A receiver whose watermark is `from` (what a restored database would report); records arrival order. */
function receiver(from: number): PacketSink & { seqs: number[]; ids: string[] } {
  const seqs: number[] = [];
  const ids: string[] = [];
  return {
    seqs, ids,
    accept(batch: readonly IncomingPacket[]) { for (const p of batch) { seqs.push(p.seq ?? 0); ids.push(p.packetId.toString('hex')); } return batch.map((p) => p.packetId); },
    backlog: () => 0,
    replayFrom: () => from,
  };
}
const quietSource = () => outboxSource(new Outbox(openDb(join(h.dir, `peer-${randomBytes(4).toString('hex')}.db`), [{ version: 1, sql: OUTBOX_SQL }])));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Delivers everything once, to a first receiver that asks for nothing: all of it ends up retained. */
async function deliverAll(s: ReturnType<typeof sender>, n: number) {
  s.add(n);
  const srv = await h.server(pki, s.source, receiver(0));
  const first = receiver(0);
  const c = h.client(pki, srv.port, quietSource(), first);
  await waitFor(() => s.outbox.count() === 0 && s.replay.retained.depth().count === n, 'all acknowledged and retained', 10_000);
  c.client.stop();
  return srv;
}

describe('replay after a restore (PROTOCOL.md §6 rule 12)', () => {
  it('sends again, in seq order, exactly the retained packets after the restored watermark', async () => {
    const s = sender();
    const srv = await deliverAll(s, 20);
    const restored = receiver(8);
    const c = h.client(pki, srv.port, quietSource(), restored);
    await waitFor(() => restored.seqs.length === 12, '12 replayed', 10_000);
    await new Promise((r) => setTimeout(r, 300)); // nothing more follows
    expect(restored.seqs).toEqual(range(9, 20));
    expect(restored.ids).toEqual(s.ids.slice(8).map((b) => b.toString('hex')));
    expect(c.log.find('replay requested from the peer').map((l) => l.obj['fromSeq'])).toEqual([8]);
    expect(s.audit.filter((a) => a.action === 'link.replay').map((a) => a.detail)).toEqual([
      { role: 'served', fromSeq: 8, packets: 12, gap: 0, retainedFrom: 1, prunedThrough: 0 },
    ]);
    expect(s.errors).toEqual([]);
    // Replayed packets are acknowledged again and stay retained (a second restore can ask again).
    await waitFor(() => srv.log.find('replay sent').length === 1, 'replay finished', 10_000);
    expect(s.replay.retained.depth().count).toBe(20);
  });

  it('a request from below the retention window gets what is retained AND the alarm: log line naming the gap, metric, audit', async () => {
    const s = sender(10 * 64); // the byte cap keeps the newest 10 packets of 64 bytes
    const srv = await deliverAll(s, 20);
    s.replay.prune();
    expect(s.replay.retained.depth()).toMatchObject({ count: 10, bytes: 640 });
    const restored = receiver(5);
    h.client(pki, srv.port, quietSource(), restored);
    await waitFor(() => restored.seqs.length === 10, 'the 10 retained replayed', 10_000);
    expect(restored.seqs).toEqual(range(11, 20));
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]!.msg).toMatch(/^replay gap: the peer asks from seq 6 but seqs up to 10 were pruned \(5 packets cannot be replayed/);
    expect(s.errors[0]!.obj).toMatchObject({ stage: 'replay', gapFrom: 6, gapTo: 10, gap: 5, retainedFrom: 11 });
    expect(await s.gapMetric()).toMatch(/^ferry_replay_gap_packets_total 5$/m);
    expect(s.audit.find((a) => a.action === 'link.replay')?.detail).toMatchObject({ role: 'served', fromSeq: 5, packets: 10, gap: 5, retainedFrom: 11, prunedThrough: 10 });
  });

  it('prunes by age: past the window nothing is retained and the whole span above the watermark is a counted gap', async () => {
    const s = sender();
    const srv = await deliverAll(s, 6);
    s.clock.t += 72 * HOUR + 1;
    s.replay.prune();
    expect(s.replay.retained.depth().count).toBe(0);
    const restored = receiver(2);
    h.client(pki, srv.port, quietSource(), restored);
    await waitFor(() => s.errors.length === 1, 'gap alarm', 10_000);
    expect(s.errors[0]!.obj).toMatchObject({ gap: 4, gapFrom: 3, gapTo: 6, retainedFrom: null });
    expect(restored.seqs).toEqual([]);
  });

  it('a watermark at the head asks for nothing more; a packet acknowledged out of order is always replayed', async () => {
    const s = sender();
    s.add(5);
    // Seq 2 is acknowledged after 5 (as a held packet released later would be): flagged out of order.
    const [a, b, c, d, e] = s.ids;
    s.outbox.acknowledge([a!, c!, d!, e!]);
    s.outbox.acknowledge([b!]);
    const srv = await h.server(pki, s.source, receiver(0));
    const restored = receiver(5);
    h.client(pki, srv.port, quietSource(), restored);
    await waitFor(() => restored.seqs.length === 1, 'the out-of-order packet replayed', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(restored.seqs).toEqual([2]);
  });

  it('is never asked of a peer that does not announce the feature, and a side without retention ignores a request', async () => {
    const plain = sender();
    plain.add(3);
    const srv = await h.server(pki, outboxSource(plain.outbox), receiver(0)); // no replay: no "replay" feature
    const r = receiver(1);
    const c = h.client(pki, srv.port, quietSource(), r);
    await waitFor(() => r.seqs.length === 3, 'the outbox delivered', 10_000);
    expect(c.log.find('replay requested from the peer')).toEqual([]);
    expect(plain.audit).toEqual([]);
  });

  it('the receiver watermark only moves up', () => {
    const db = openDb(join(h.dir, 'wm.db'), [{ version: 1, sql: LINK_WATERMARK_SQL }]);
    h.defer(() => { db.close(); });
    const w = new LinkWatermark(db);
    expect(w.high()).toBe(0);
    w.advance('public', 7, 1);
    w.advance('public', 3, 2);
    expect(w.high()).toBe(7);
  });
});

describe('ReplayRequest and PacketFrame.seq encoding', () => {
  const doc = readFileSync('docs/PROTOCOL.md', 'utf8');
  const block = /```link-vector\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const v = (name: string) => {
    const m = new RegExp(`^${name}:\\s+([0-9a-f]+)$`, 'm').exec(block);
    if (!m) throw new Error(`docs/PROTOCOL.md link-vector lacks ${name}`);
    return m[1]!;
  };
  it('encodes ReplayRequest and a packet frame with its seq exactly as documented, and decodes them back', () => {
    const r: Frame = { type: 'replayRequest', fromSeq: 300 };
    expect(encodeFrame(r).toString('hex')).toBe(v('replay_request_frame'));
    expect(decodeFrame(Buffer.from(v('replay_request_frame'), 'hex'))).toEqual({ ok: true, value: r });
    const p: Frame = { type: 'packet', packet: Buffer.from('sealed'), packetId: Buffer.alloc(16, 0xab), seq: 300 };
    expect(encodeFrame(p).toString('hex')).toBe(v('packet_frame_seq'));
    expect(decodeFrame(Buffer.from(v('packet_frame_seq'), 'hex'))).toEqual({ ok: true, value: p });
  });
  it('a packet frame without seq (a peer from before replay) still decodes, with no seq', () => {
    const old = encodeFrame({ type: 'packet', packet: Buffer.from('sealed'), packetId: Buffer.alloc(16, 1) });
    expect(decodeFrame(old)).toEqual({ ok: true, value: { type: 'packet', packet: Buffer.from('sealed'), packetId: Buffer.alloc(16, 1) } });
  });
});

describe('a peer that asks again', () => {
  it('is answered once per session: a second ReplayRequest is logged and ignored (no second resend, no second audit entry)', async () => {
    const s = sender();
    s.add(4);
    s.outbox.acknowledge(s.ids);
    const srv = await h.server(pki, s.source, receiver(0));
    const peer = await rawPeer(srv.port, pki.internal);
    peer.send({ type: 'hello', versions: [1], gatewayId: 'internal', window: 256, features: ['replay'], catalogueSha256: '' });
    peer.send({ type: 'replayRequest', fromSeq: 0 });
    peer.send({ type: 'replayRequest', fromSeq: 0 });
    await waitFor(() => srv.log.find('replay request ignored: one per session').length === 1, 'second request ignored', 10_000);
    await waitFor(() => peer.frames.filter((f) => f.type === 'packet').length === 4, '4 replayed', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.frames.filter((f) => f.type === 'packet').map((f) => (f as { seq?: number }).seq)).toEqual([1, 2, 3, 4]);
    expect(s.audit.filter((a) => a.action === 'link.replay')).toHaveLength(1);
    peer.ws.close();
  });
});
