// Delivery over one real mTLS WebSocket link: both directions, exactly once, pipelined within the
// window, acknowledged only after the receiver's commit.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { IncomingPacket } from '../../src/link/session.js';
import {
  fillOutbox, Harness, makePki, rowDiff, sleep, startClient, startServer, TableSink, tempDir, waitFor,
  type ClientEnd, type Pki, type SendingSide, type ServerEnd,
} from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;

beforeAll(async () => {
  tmp = tempDir('link-flow');
  pki = await makePki(join(tmp.dir, 'pki'));
});
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

const outbox = (peer?: TableSink): SendingSide => h.outbox(peer);
const sink = (): TableSink => h.sink();
const server = (...a: Parameters<typeof startServer>): Promise<ServerEnd> => h.server(...a);
const client = (...a: Parameters<typeof startClient>): ClientEnd => h.client(...a);

/** Every id of the batch must still be in the sender's outbox when the receiver commits it. */
function stillQueued(side: SendingSide, missing: string[]): (batch: readonly IncomingPacket[]) => void {
  const has = side.db.prepare('SELECT 1 FROM outbox WHERE packet_id = ?');
  return (batch) => { for (const p of batch) if (!has.get(p.packetId)) missing.push(p.packetId.toString('hex')); };
}

describe('link delivery', () => {
  it('carries packets both ways on one link; each arrives exactly once, and a sender drops a row only after the ack for a commit', async () => {
    const N = 300;
    const extSink = sink();    // the external gateway receives what the internal one sends
    const intSink = sink();
    const extOut = outbox(intSink);
    const intOut = outbox(extSink);
    const sentOut = fillOutbox(extOut, N);
    const sentIn = fillOutbox(intOut, N, 1024);
    const deletedEarly: string[] = [];
    extSink.onCommitted = stillQueued(intOut, deletedEarly);
    intSink.onCommitted = stillQueued(extOut, deletedEarly);

    const t0 = performance.now();
    const srv = await server(pki, extOut.source, extSink, { window: 32 });
    const cli = client(pki, srv.port, intOut.source, intSink, { window: 32 });
    await waitFor(() => extOut.outbox.count() === 0 && intOut.outbox.count() === 0, 'both outboxes to empty');
    const ms = performance.now() - t0;

    for (const [sent, k] of [[sentOut, intSink], [sentIn, extSink]] as const) {
      expect(rowDiff(sent, k.rows())).toEqual([]);
      expect(k.delivered).toBe(N);
      expect(k.duplicates).toBe(0);
    }
    expect(deletedEarly).toEqual([]);
    expect(extOut.trace.ackedBeforeCommit).toEqual([]);
    expect(intOut.trace.ackedBeforeCommit).toEqual([]);
    expect([extOut.trace.acked, intOut.trace.acked]).toEqual([N, N]);
    // One link carried both directions: one connection came up on each end and stayed up.
    expect(srv.states).toEqual([expect.objectContaining({ up: true })]);
    expect(cli.states).toEqual([expect.objectContaining({ up: true })]);
    console.log(`[flow] ${2 * N} packets both ways over one link: ${ms.toFixed(0)} ms`);
  });

  it('keeps exactly W packets unacknowledged in flight before any ack (window W=8: pipelined, not stop-and-wait)', async () => {
    const W = 8;
    const k = sink();
    k.holdAll = true; // commits but acknowledges nothing
    const out = outbox(k);
    fillOutbox(out, 50);
    const srv = await server(pki, outbox().source, k, { window: 256 });
    client(pki, srv.port, out.source, sink(), { window: W });

    await waitFor(() => k.count() === W, `${W} packets at the receiver`);
    await sleep(250); // time for any packet beyond the window to show up
    expect(k.count()).toBe(W);
    expect(k.commits).toBeGreaterThan(0);
    expect(out.trace.maxInFlight).toBe(W);
    expect(out.trace.inFlight.size).toBe(W);
    expect(out.outbox.count()).toBe(50); // nothing acknowledged, nothing dropped
  });

  it("sends no more than the receiver's advertised window when it is smaller than the sender's own", async () => {
    const k = sink();
    k.holdAll = true;
    const out = outbox();
    fillOutbox(out, 40);
    const srv = await server(pki, outbox().source, k, { window: 5 });
    client(pki, srv.port, out.source, sink(), { window: 64 });
    await waitFor(() => k.count() === 5, '5 packets at the receiver');
    await sleep(250);
    expect(k.count()).toBe(5);
    expect(out.trace.maxInFlight).toBe(5);
  });

  it('under steady acks keeps the window full but never above it (W=16, 600 packets)', async () => {
    const W = 16;
    const k = sink();
    const out = outbox(k);
    const sent = fillOutbox(out, 600);
    const srv = await server(pki, outbox().source, k);
    client(pki, srv.port, out.source, sink(), { window: W });
    await waitFor(() => out.outbox.count() === 0, 'outbox to empty');
    expect(out.trace.maxInFlight).toBe(W);
    expect(k.delivered).toBe(sent.size);
    expect(k.duplicates).toBe(0);
    expect(out.trace.ackedBeforeCommit).toEqual([]);
  });

  it('resends held packets on a new connection; the receiver drops the duplicates by id and still acknowledges them', async () => {
    const W = 8;
    const k = sink();
    k.holdAll = true;
    const out = outbox(k);
    const sent = fillOutbox(out, 50);
    const srv = await server(pki, outbox().source, k);
    const first = client(pki, srv.port, out.source, sink(), { window: W });
    await waitFor(() => k.count() === W, `${W} packets held at the receiver`);
    first.client.stop();
    await waitFor(() => srv.states.some((s) => !s.up), 'the server to see the link drop');

    k.holdAll = false;
    out.trace.reset();
    client(pki, srv.port, out.source, sink(), { window: W });
    await waitFor(() => out.outbox.count() === 0, 'outbox to empty after the resend');
    expect(k.duplicates).toBe(W);
    expect(k.delivered).toBe(sent.size);
    expect(rowDiff(sent, k.rows())).toEqual([]);
  });
});
