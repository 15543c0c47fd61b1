// Faults on a real link: the receiver's store fails, the connection is cut mid-stream, the receiver's
// inbox backs up. Nothing may be lost and nothing delivered twice.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  fillOutbox, Harness, makePki, rowDiff, sleep, startServer, tempDir, waitFor, type Pki, type ServerEnd,
} from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;

beforeAll(async () => {
  tmp = tempDir('link-faults');
  pki = await makePki(join(tmp.dir, 'pki'));
});
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

describe('link faults', () => {
  it('acknowledges nothing when the receiver cannot commit: the link drops with 1011, the sender keeps the packets and resends them once reconnected', async () => {
    const k = h.sink();
    k.failNextCommits = 1; // the first batch hits a simulated disk error inside its transaction
    const out = h.outbox(k);
    const sent = fillOutbox(out, 5);
    const srv = await h.server(pki, h.outbox().source, k);
    const atDrop: Array<{ outbox: number; table: number }> = [];
    const cli = h.client(pki, srv.port, out.source, h.sink(), {}, (up) => {
      if (!up) atDrop.push({ outbox: out.outbox.count(), table: k.count() });
    });

    await waitFor(() => out.outbox.count() === 0, 'the outbox to empty after the reconnect');
    expect(atDrop[0]).toEqual({ outbox: 5, table: 0 }); // rolled back, unacknowledged, still queued
    expect(srv.log.find('inbox commit failed; dropping link')).toHaveLength(1);
    expect(cli.log.find('link down')[0]?.obj.reason).toBe('closed 1011 inbox commit failed');
    expect(cli.ups()).toBe(2);
    expect(out.trace.ackedBeforeCommit).toEqual([]);
    expect(rowDiff(sent, k.rows())).toEqual([]);
    expect(k.delivered).toBe(5);
    expect(k.duplicates).toBe(0);
  });

  it('delivers every packet exactly once both ways when the server is killed mid-stream and when the client is replaced', async () => {
    const N = 1500;
    const extSink = h.sink();
    const intSink = h.sink();
    const extOut = h.outbox(intSink);
    const intOut = h.outbox(extSink);
    const sentToInt = fillOutbox(extOut, N);
    const sentToExt = fillOutbox(intOut, N);
    const opts = { window: 32 };

    let srv: ServerEnd = await h.server(pki, extOut.source, extSink, opts);
    const port = srv.port;
    const cuts: Array<{ how: string; extOutbox: number; intOutbox: number }> = [];

    // Cut 1: once the external side has committed 300 packets, close the server (terminates the socket)
    // and start a new one on the same port over the same SQLite files.
    extSink.onCommitted = () => {
      if (cuts.length > 0 || extSink.count() < 300) return;
      cuts.push({ how: 'server killed', extOutbox: extOut.outbox.count(), intOutbox: intOut.outbox.count() });
      setImmediate(async () => {
        await srv.server.close();
        srv = await startServer(pki, extOut.source, extSink, { ...opts, port });
        h.defer(() => srv.server.close());
      });
    };
    let cli = h.client(pki, port, intOut.source, intSink, opts);
    // Cut 2: once the internal side holds 900, stop the client and start a new one on the same outbox.
    intSink.onCommitted = () => {
      if (cuts.length !== 1 || intSink.count() < 900) return;
      cuts.push({ how: 'client replaced', extOutbox: extOut.outbox.count(), intOutbox: intOut.outbox.count() });
      setImmediate(() => { cli.client.stop(); cli = h.client(pki, port, intOut.source, intSink, opts); });
    };

    const t0 = performance.now();
    await waitFor(() => cuts.length === 2 && extOut.outbox.count() === 0 && intOut.outbox.count() === 0,
      'both outboxes to empty after two cuts', 15_000);
    const ms = performance.now() - t0;

    // Both cuts happened with packets still queued on both sides: mid-stream.
    for (const c of cuts) expect(c.extOutbox + c.intOutbox, c.how).toBeGreaterThan(0);
    expect(rowDiff(sentToInt, intSink.rows())).toEqual([]);
    expect(rowDiff(sentToExt, extSink.rows())).toEqual([]);
    expect([intSink.delivered, extSink.delivered]).toEqual([N, N]);
    expect(extOut.trace.ackedBeforeCommit).toEqual([]);
    expect(intOut.trace.ackedBeforeCommit).toEqual([]);
    console.log(`[cuts] ${2 * N} packets, 2 cuts: ${ms.toFixed(0)} ms; duplicates dropped: ` +
      `external ${extSink.duplicates}, internal ${intSink.duplicates}; at cuts ${JSON.stringify(cuts)}`);
  });

  it('stops reading while the inbox backlog is at backlogHigh: the sender stops at its window, the link stays up, nothing is dropped, and all arrives after the drain', async () => {
    const W = 10;
    const N = 60;
    const k = h.sink();
    k.queueMode = true; // rows stay unprocessed: backlog() = rows not yet drained
    const out = h.outbox(k);
    const sent = fillOutbox(out, N);
    // Small heartbeats: a pause several times deadAfterMs long must not be taken for a dead peer.
    const beat = { heartbeatMs: 50, deadAfterMs: 200 };
    const srv = await h.server(pki, h.outbox().source, k, { ...beat, backlogHigh: 5, backlogLow: 2 });
    const cli = h.client(pki, srv.port, out.source, h.sink(), { ...beat, window: W });

    await waitFor(() => srv.log.find('inbox full: link reading paused').length === 1, 'reading to pause');
    await sleep(100);
    const first = { table: k.count(), inFlight: out.trace.inFlight.size };
    await sleep(600); // 3x deadAfterMs
    expect(k.count()).toBe(first.table);            // nothing read while paused
    expect(first.table).toBeLessThan(N);
    expect(out.trace.inFlight.size).toBe(W);        // the sender filled its window and stopped
    expect(out.trace.maxInFlight).toBe(W);
    // Nothing dropped: every packet is either committed at the receiver or still in the sender's outbox.
    const queued = out.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number };
    expect(queued.n).toBe(N - out.trace.acked);
    expect(out.trace.acked).toBe(k.count());

    const consumer = setInterval(() => k.drain(), 20);
    h.defer(() => clearInterval(consumer));
    await waitFor(() => out.outbox.count() === 0, 'everything to arrive after the drain', 10_000);
    expect(rowDiff(sent, k.rows())).toEqual([]);
    expect(k.duplicates).toBe(0);
    expect(srv.log.find('inbox drained: link reading resumed').length).toBeGreaterThan(0);
    expect([srv.ups(), cli.ups()]).toEqual([1, 1]);   // never dropped
    expect(srv.states.every((s) => s.up) && cli.states.every((s) => s.up)).toBe(true);
    expect(out.trace.maxInFlight).toBe(W);
  });
});
