// The link protocol as a raw peer sees it: real TLS 1.3 + ws, frames written by hand. Heartbeats,
// version negotiation, and the close code for each malformed or out-of-order frame.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { ferry } from '../../src/proto/ferry.js';
import { decodeFrame, encodeFrame } from '../../src/link/frame-codec.js';
import { SUPPORTED_VERSIONS } from '../../src/link/limits.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../../src/seal/limits.js';
import {
  fillOutbox, Harness, makePki, rawPeer, sleep, tempDir, waitFor, type Pki, type RawPeer, type ServerEnd,
} from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;

beforeAll(async () => {
  tmp = tempDir('link-proto');
  pki = await makePki(join(tmp.dir, 'pki'));
});
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

async function peer(port: number): Promise<RawPeer> {
  const p = await rawPeer(port, pki.internal);
  h.defer(() => p.ws.terminate());
  return p;
}
const hello = (versions: number[] = [...SUPPORTED_VERSIONS]) => ({ type: 'hello', versions, gatewayId: 'raw', window: 8 }) as const;

/** The server still serves: a new peer's hello and heartbeat are answered. */
async function expectServing(port: number): Promise<void> {
  const p = await peer(port);
  p.send(hello());
  p.send({ type: 'heartbeat', sentAtMs: 42, reply: false });
  await waitFor(() => p.frames.some((f) => f.type === 'heartbeat' && f.reply && f.sentAtMs === 42), 'a heartbeat reply');
  p.ws.terminate();
}

describe('heartbeats', () => {
  const beat = { heartbeatMs: 50, deadAfterMs: 250 };
  // The silence check runs on each heartbeat tick: a side that declares its peer dead at the first tick
  // past deadAfterMs has asked at most this many times. Counted in ticks, not milliseconds, so a loaded
  // machine (late ticks, hence fewer heartbeats) cannot fail it, while a side that kept waiting would.
  const MAX_ASKS = Math.ceil(beat.deadAfterMs / beat.heartbeatMs) + 1;

  it('declares a peer that completed hello and then went silent dead (close 4003) after deadAfterMs, within one heartbeat more', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink(), beat);
    const p = await peer(srv.port);
    p.send(hello());
    const t0 = performance.now();
    const c = await p.closed;
    const after = c.at - t0;
    expect(c.code).toBe(4003);
    expect(c.reason).toMatch(/^FERRY_ERR_LINK_TIMEOUT/);
    const asks = p.frames.filter((f) => f.type === 'heartbeat' && !f.reply).length;
    expect(asks).toBeGreaterThan(2); // it was asked
    expect(asks).toBeLessThanOrEqual(MAX_ASKS); // and dropped at the first tick past deadAfterMs
    // Timers never fire early: it waited out deadAfterMs (5 ms for the clocks' rounding).
    expect(after).toBeGreaterThanOrEqual(beat.deadAfterMs - 5);
    console.log(`[heartbeat] silent peer dropped ${after.toFixed(0)} ms after its hello, ${asks} heartbeats asked (deadAfterMs ${beat.deadAfterMs}, heartbeatMs ${beat.heartbeatMs})`);
    await expectServing(srv.port);
  });

  it('keeps a peer that answers heartbeats for many deadAfterMs periods', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink(), beat);
    const p = await peer(srv.port);
    p.send(hello());
    p.ws.on('message', (d: Buffer) => {
      const v = decodeFrame(d);
      if (v.ok && v.value.type === 'heartbeat' && !v.value.reply) p.send({ ...v.value, reply: true });
    });
    let closed = false;
    void p.closed.then(() => { closed = true; });
    await sleep(4 * beat.deadAfterMs);
    expect(closed).toBe(false);
    expect(srv.server.connected).toBe(true);
  });

  it('makes the client drop a server that says hello and then goes silent, and redial', async () => {
    const https = createServer({ key: pki.external.key, cert: pki.external.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    const wss = new WebSocketServer({ server: https });
    let connections = 0;
    const asks: number[] = []; // heartbeats the client asked, per connection
    wss.on('connection', (ws) => {
      const i = connections++;
      asks[i] = 0;
      ws.on('message', (d: Buffer) => { const v = decodeFrame(d); if (v.ok && v.value.type === 'heartbeat' && !v.value.reply) asks[i]!++; });
      ws.send(encodeFrame(hello()));
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    h.defer(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); https.close(() => r()); }));
    const port = (https.address() as { port: number }).port;

    const cli = h.client(pki, port, h.outbox().source, h.sink(), beat);
    await waitFor(() => cli.states.some((s) => !s.up), 'the client to declare the server dead', 3_000);
    const [up, down] = cli.states;
    const after = down!.at - up!.at;
    expect(cli.log.find('link closing')[0]?.obj.code).toBe(4003);
    expect(after).toBeGreaterThanOrEqual(beat.deadAfterMs - 5);
    expect(asks[0]).toBeGreaterThan(2);
    expect(asks[0]).toBeLessThanOrEqual(MAX_ASKS);
    console.log(`[heartbeat] client dropped a silent server ${after.toFixed(0)} ms after link up, ${asks[0]} heartbeats asked`);
    await waitFor(() => connections >= 2, 'the client to redial');
  });
});

describe('stale sessions', () => {
  it('replaces a stale session (a peer that went quiet without closing) when the pinned peer reconnects', async () => {
    const k = h.sink();
    const srv = await h.server(pki, h.outbox().source, k);
    const stale = await peer(srv.port);
    stale.send(hello());
    await waitFor(() => srv.server.connected, 'the first link');
    const out = h.outbox();
    fillOutbox(out, 10);
    h.client(pki, srv.port, out.source, h.sink());
    const c = await stale.closed;
    expect([c.code, c.reason]).toEqual([1001, 'replaced by a new connection']);
    await waitFor(() => out.outbox.count() === 0, 'the new link to carry the packets');
    expect(k.count()).toBe(10);
    expect(srv.states.map((s) => s.up)).toEqual([true, false, true]);
  });
});

describe('version negotiation', () => {
  it('refuses a peer that offers only version 2 with close code 4001', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const p = await peer(srv.port);
    p.send(hello([2]));
    const c = await p.closed;
    expect(c.code).toBe(4001);
    expect(c.reason).toBe('FERRY_ERR_LINK_VERSION: peer offers 2');
    expect(srv.server.connected).toBe(false);
    await expectServing(srv.port);
  });

  it('accepts a peer that offers version 2 and version 1', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const p = await peer(srv.port);
    p.send(hello([2, 1]));
    await waitFor(() => srv.server.connected, 'the link to be ready');
  });
});

describe('malformed and out-of-order frames', () => {
  const packetFrame = { type: 'packet', packet: Buffer.from('sealed bytes'), packetId: Buffer.alloc(16, 7) } as const;
  const emptyPacket = Buffer.from(ferry.v1.LinkFrame.encode({ packet: { packet: new Uint8Array(0), packetId: Buffer.alloc(16, 7) } }).finish());
  const undecodable = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]); // hello, length 2^32-1: runs off the end

  const table: Array<{ rule: string; afterHello: boolean; send: (p: RawPeer) => void; code: number; reason: RegExp }> = [
    { rule: 'bytes that do not decode as a LinkFrame', afterHello: true, send: (p) => p.ws.send(undecodable), code: 1007, reason: /^FERRY_ERR_LINK_FRAME: frame does not decode/ },
    { rule: 'a LinkFrame of no known type', afterHello: true, send: (p) => p.ws.send(Buffer.alloc(0)), code: 1007, reason: /^FERRY_ERR_LINK_FRAME: frame of no known type/ },
    { rule: 'a packet frame with an empty packet', afterHello: true, send: (p) => p.ws.send(emptyPacket), code: 1007, reason: /^FERRY_ERR_LINK_FRAME: empty packet frame/ },
    { rule: 'a text frame', afterHello: true, send: (p) => p.ws.send('{"packet":"x"}', { binary: false }), code: 1003, reason: /^FERRY_ERR_LINK_FRAME: text frame/ },
    { rule: 'a text frame before hello', afterHello: false, send: (p) => p.ws.send('hello', { binary: false }), code: 1003, reason: /^FERRY_ERR_LINK_FRAME: text frame/ },
    { rule: 'a packet frame before hello', afterHello: false, send: (p) => p.send(packetFrame), code: 1002, reason: /^FERRY_ERR_LINK_FRAME: frame before hello/ },
    { rule: 'an ack before hello', afterHello: false, send: (p) => p.send({ type: 'ack', packetIds: [Buffer.alloc(16)] }), code: 1002, reason: /^FERRY_ERR_LINK_FRAME: frame before hello/ },
    { rule: 'a frame larger than the largest packet (ws maxPayload, RFC 6455 §7.4.1)', afterHello: true, send: (p) => p.ws.send(Buffer.alloc(DEFAULT_MAX_PACKET_BYTES + 1025)), code: 1009, reason: /^$/ /* ws sends no reason */ },
    { rule: 'a second hello', afterHello: true, send: (p) => p.send(hello()), code: 1002, reason: /^FERRY_ERR_LINK_FRAME: second hello/ },
  ];

  it('the inputs are what their names say', () => {
    expect(decodeFrame(undecodable).ok).toBe(false);
    expect(decodeFrame(Buffer.alloc(0))).toMatchObject({ ok: false, detail: 'frame of no known type' });
    expect(decodeFrame(emptyPacket)).toMatchObject({ ok: false, detail: 'empty packet frame' });
  });

  let srv: ServerEnd;
  let sink: ReturnType<Harness['sink']>;
  beforeEach(async () => {
    sink = h.sink();
    srv = await h.server(pki, h.outbox().source, sink);
  });

  it.each(table)('closes the link on $rule with code $code, and keeps serving new connections', async (row) => {
    const p = await peer(srv.port);
    if (row.afterHello) {
      p.send(hello());
      await waitFor(() => srv.server.connected, 'the link to be ready');
    }
    row.send(p);
    const c = await p.closed;
    expect(c.code).toBe(row.code);
    expect(c.reason).toMatch(row.reason);
    // The session logs its own refusals; ws refuses an oversized frame itself (from the frame header).
    if (row.code === 1009) expect(srv.log.find('link socket error').at(-1)?.obj.err).toBe('Max payload size exceeded');
    else expect(srv.log.find('link closing').at(-1)?.obj.code).toBe(row.code);
    expect(sink.count()).toBe(0); // nothing from the bad peer reached the inbox
    await expectServing(srv.port);
  });

  it('serves a proper client right after refusing a bad peer: its packets arrive', async () => {
    const out = h.outbox();
    fillOutbox(out, 3);
    const bad = await peer(srv.port);
    bad.send({ type: 'packet', packet: Buffer.from('x'), packetId: Buffer.alloc(16) });
    expect((await bad.closed).code).toBe(1002);
    h.client(pki, srv.port, out.source, h.sink());
    await waitFor(() => out.outbox.count() === 0, 'the outbox to empty');
    expect(sink.count()).toBe(3);
  });
});
