// PROTOCOL.md §6 rule 10 over one real mTLS link with real SQLite outboxes: a packet the receiver
// cannot open is refused back and HELD by the sender (never deleted), the rest acknowledged; a new
// session puts held packets back in line; a sender from before refusals (no `refusal` feature) gets
// today's ack; and the Refusal / Hello bytes are the vectors docs/PROTOCOL.md §6 prints.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../src/store/db.js';
import { Outbox, OUTBOX_SQL } from '../../src/store/outbox.js';
import { OutboxHeld, OUTBOX_HELD_SQL } from '../../src/store/outbox-held.js';
import { outboxSource } from '../../src/gateway/outbox-source.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/link/frame-codec.js';
import type { IncomingPacket, PacketSink, SinkResult } from '../../src/link/session.js';
import { Harness, makePki, tempDir, waitFor, type Pki } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;
beforeAll(async () => { tmp = tempDir('link-refusal'); pki = await makePki(join(tmp.dir, 'pki')); });
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

/** A sending side with the held table, as both gateways have since migration 7/9. */
function sender(name: string, withHeld = true) {
  const db: Db = openDb(join(h.dir, `${name}.db`), [{ version: 1, sql: OUTBOX_SQL + OUTBOX_HELD_SQL }]);
  h.defer(() => { db.close(); });
  const outbox = new Outbox(db);
  const held = new OutboxHeld(db);
  const errors: Record<string, unknown>[] = [];
  const refusedCodes: string[] = [];
  const source = withHeld
    ? outboxSource(outbox, held, { error: (o) => { errors.push(o as Record<string, unknown>); }, info: () => {} }, { countRefusal: (c) => refusedCodes.push(c) })
    : outboxSource(outbox);
  const ids: Buffer[] = [];
  const add = (n: number) => db.transaction(() => {
    for (let i = 0; i < n; i++) { const id = randomBytes(16); ids.push(id); outbox.add(id, 'submission', `case-${ids.length}`, randomBytes(64), Date.now()); }
  })();
  return { db, outbox, held, source, ids, add, errors, refusedCodes };
}

/** A receiver that refuses the ids in `bad` (as the inbox does for what does not open) and takes the rest. */
function refusingSink(bad: Set<string>): PacketSink & { taken: Set<string> } {
  const taken = new Set<string>();
  return {
    taken,
    accept(batch: readonly IncomingPacket[]): SinkResult {
      const acks: Buffer[] = [];
      const refused = [];
      for (const p of batch) {
        const hex = p.packetId.toString('hex');
        if (bad.has(hex)) refused.push({ packetId: p.packetId, code: 'FERRY_ERR_SEAL_WRONG_RECIPIENT', detail: 'encrypted to sha256:00' });
        else { taken.add(hex); acks.push(p.packetId); }
      }
      return { acks, refused };
    },
    backlog: () => 0,
  };
}
const nothing: PacketSink = { accept: () => [], backlog: () => 0 };

describe('refusals flow back (PROTOCOL.md §6 rule 10)', () => {
  it('the sender holds what the receiver refused, with the code, and deletes only what was acknowledged', async () => {
    const s = sender('out');
    s.add(10);
    const bad = new Set([s.ids[2]!, s.ids[7]!].map((b) => b.toString('hex')));
    const sink = refusingSink(bad);
    const srv = await h.server(pki, s.source, nothing);
    h.client(pki, srv.port, outboxSource(new Outbox(sender('peer').db)), sink);
    await waitFor(() => s.outbox.count() === 0 && s.held.depth().count === 2, 'outbox empty, two held', 10_000);
    expect(sink.taken.size).toBe(8);
    const held = s.held.list();
    expect(held.map((r) => r.packetId.toString('hex')).sort()).toEqual([...bad].sort());
    expect(held.every((r) => r.code === 'FERRY_ERR_SEAL_WRONG_RECIPIENT' && r.kind === 'submission' && r.caseId.startsWith('case-'))).toBe(true);
    expect(s.refusedCodes).toEqual(['FERRY_ERR_SEAL_WRONG_RECIPIENT', 'FERRY_ERR_SEAL_WRONG_RECIPIENT']);
    expect(s.errors.map((e) => [e['code'], typeof e['packet'], typeof e['case']])).toEqual(Array(2).fill(['FERRY_ERR_SEAL_WRONG_RECIPIENT', 'string', 'string']));
  });

  it('a new session puts held packets back in line; once the receiver can open them they are delivered', async () => {
    const s = sender('out');
    s.add(3);
    const bad = new Set([s.ids[1]!.toString('hex')]);
    const srv = await h.server(pki, s.source, nothing);
    const first = refusingSink(bad);
    const c1 = h.client(pki, srv.port, outboxSource(new Outbox(sender('peer1').db)), first);
    await waitFor(() => s.held.depth().count === 1 && s.outbox.count() === 0, 'one held', 10_000);
    c1.client.stop();
    bad.clear(); // the receiver's key is fixed
    const second = refusingSink(bad);
    h.client(pki, srv.port, outboxSource(new Outbox(sender('peer2').db)), second);
    await waitFor(() => second.taken.has(s.ids[1]!.toString('hex')), 'held packet delivered on the new session', 10_000);
    await waitFor(() => s.held.depth().count === 0 && s.outbox.count() === 0, 'nothing held or queued', 10_000);
  });

  it('a sender without the refusal feature (from before it) is acknowledged, as before: the link stays compatible', async () => {
    const s = sender('old', false);
    s.add(4);
    const bad = new Set([s.ids[0]!.toString('hex')]);
    const srv = await h.server(pki, s.source, nothing);
    h.client(pki, srv.port, outboxSource(new Outbox(sender('peer').db)), refusingSink(bad));
    await waitFor(() => s.outbox.count() === 0, 'old sender acknowledged all', 10_000);
    expect(s.held.depth().count).toBe(0);
  });
});

describe('frame vectors (docs/PROTOCOL.md §6)', () => {
  const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  const block = /```link-vector\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const v = (name: string) => {
    const m = new RegExp(`^${name}:\\s+([0-9a-f]+)$`, 'm').exec(block);
    if (!m) throw new Error(`docs/PROTOCOL.md link-vector lacks ${name}`);
    return m[1]!;
  };
  it('encodes the Refusal exactly as documented, and decodes it back', () => {
    const f: Frame = { type: 'refusal', packetId: Buffer.from('00112233445566778899aabbccddeeff', 'hex'), code: 'FERRY_ERR_SEAL_WRONG_RECIPIENT', detail: 'encrypted to sha256:2021' };
    expect(encodeFrame(f).toString('hex')).toBe(v('refusal_frame'));
    expect(decodeFrame(Buffer.from(v('refusal_frame'), 'hex'))).toEqual({ ok: true, value: f });
  });
  it('encodes the Hello with features and catalogue hash exactly as documented; a v1 Hello without them still decodes', () => {
    const f: Frame = { type: 'hello', versions: [1], gatewayId: 'external', window: 256, features: ['refusal'], catalogueSha256: 'ab'.repeat(32) };
    expect(encodeFrame(f).toString('hex')).toBe(v('hello_frame'));
    const old = decodeFrame(Buffer.from('0a100a0101120865787465726e616c188002', 'hex'));
    expect(old).toEqual({ ok: true, value: { type: 'hello', versions: [1], gatewayId: 'external', window: 256, features: [], catalogueSha256: '' } });
  });
  it.each([
    ['a refusal without a packet id', { refusal: { code: 'FERRY_ERR_SEAL_DECRYPT' } }],
    ['a refusal whose code is not a Ferry code', { refusal: { packetId: Buffer.alloc(16, 1), code: 'DROP TABLE' } }],
    ['a hello whose catalogue hash is not hex', { hello: { versions: [1], catalogueSha256: 'x'.repeat(64) } }],
    ['a hello with too many features', { hello: { versions: [1], features: Array(17).fill('a') } }],
  ])('refuses %s (FERRY_ERR_LINK_FRAME)', async (_name, msg) => {
    const { ferry } = await import('../../src/proto/ferry.js');
    const r = decodeFrame(ferry.v1.LinkFrame.encode(msg as never).finish());
    expect(r.ok ? 'ok' : r.code).toBe('FERRY_ERR_LINK_FRAME');
  });
});
