// Reconnect backoff: capped exponential with full jitter. The pure function with an injected random
// source, then LinkClient's real dials against a closed port and a peer that refuses after the upgrade.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { createBackoff, type Backoff } from '../../src/link/backoff.js';
import { encodeFrame } from '../../src/link/frame-codec.js';
import { Harness, fillOutbox, makePki, startServer, tempDir, waitFor, type Pki } from './fixtures.js';

const take = (b: Backoff, n: number): number[] => Array.from({ length: n }, () => b.next());
const ALMOST_ONE = 0.9999999;

describe('createBackoff', () => {
  it('with random() = 0 every delay is the floor, base/4', () => {
    expect(take(createBackoff(100, 1000, () => 0), 40)).toEqual(Array(40).fill(25));
  });

  it('with random() just under 1 the delay doubles from base and stops at the cap; reset starts over', () => {
    const b = createBackoff(100, 1000, () => ALMOST_ONE);
    expect(take(b, 8)).toEqual([99, 199, 399, 799, 999, 999, 999, 999]);
    b.reset();
    expect(take(b, 2)).toEqual([99, 199]);
  });

  it('stays finite and capped after thousands of attempts (the exponent is clamped)', () => {
    const b = createBackoff(250, 30_000, () => ALMOST_ONE);
    const d = take(b, 5000);
    expect(d.every((x) => Number.isFinite(x) && x <= 30_000)).toBe(true);
    expect(d.at(-1)).toBe(29_999);
  });

  it('keeps attempt n in [base/4, min(cap, base * 2^n)] for any random source', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100 }),
      fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 60 }),
      (base, capFactor, randoms) => {
        const cap = base * capFactor;
        let i = 0;
        const b = createBackoff(base, cap, () => randoms[i]!);
        for (i = 0; i < randoms.length; i++) {
          const d = b.next();
          if (d < base / 4 || d > Math.max(base / 4, Math.min(cap, base * 2 ** i))) return false;
        }
        return true;
      }));
  });
});

// ---- LinkClient's real dials ----

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let h: Harness;

beforeAll(async () => {
  tmp = tempDir('link-backoff');
  pki = await makePki(join(tmp.dir, 'pki'));
});
beforeEach(() => {
  h = new Harness(tmp.dir, pki);
  // LinkClient draws its jitter from Math.random (createBackoff's default); pin it just under 1 so
  // each delay is its ceiling and the doubling can be read off the clock.
  vi.spyOn(Math, 'random').mockReturnValue(ALMOST_ONE);
});
afterEach(async () => { vi.restoreAllMocks(); await h.cleanup(); });
afterAll(() => tmp.cleanup());

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
const gaps = (t: number[]): number[] => t.slice(1).map((x, i) => x - t[i]!);
const BASE = 10;
const CAP = 160;
const CEILINGS = [9, 19, 39, 79, 159, 159, 159, 159, 159]; // floor(ALMOST_ONE * min(CAP, BASE * 2^n))
const CAPPED = CEILINGS.flatMap((c, i) => (c === CEILINGS[4] ? [i] : [])); // the attempts the cap holds down
// Measured gaps are delay + dial + timer lateness, and a loaded machine stretches them without bound,
// so no gap is compared with an absolute ceiling. What holds on any machine: a timer never fires early
// (each gap >= its delay; 2 ms for clock rounding), and each rival behaviour has a FLOOR the gaps can
// be held under. Without the cap the next delay would be >= UNCAPPED; without the reset the first
// redial would wait >= the capped delay.
const EARLY = 2;
const UNCAPPED = 2 * CEILINGS[4]! - 1; // floor(ALMOST_ONE * BASE * 2^5)
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('LinkClient reconnect', () => {
  it('redials a closed port with doubling delays capped at backoffCapMs, and connects once the server appears', async () => {
    const port = await freePort();
    const sending = h.outbox();
    fillOutbox(sending, 1); // one packet, so the session that comes up proves itself with an ack
    const cli = h.client(pki, port, sending.source, h.sink(), { backoffBaseMs: BASE, backoffCapMs: CAP });
    const dials = () => cli.log.find('link dial failed').map((l) => l.at);
    await waitFor(() => dials().length >= CEILINGS.length + 1, `${CEILINGS.length + 1} refused dials`);
    expect(String(cli.log.find('link dial failed')[0]?.obj.err)).toMatch(/ECONNREFUSED/);
    const g = gaps(dials()).slice(0, CEILINGS.length);
    console.log(`[backoff] gaps between refused dials (ms): ${g.map((x) => x.toFixed(0)).join(', ')}; ceilings ${CEILINGS.join(', ')}`);
    // Each delay doubles up to the cap: every gap is at least its ceiling (which a constant delay fails).
    g.forEach((gap, i) => expect(gap, `gap ${i}`).toBeGreaterThanOrEqual(CEILINGS[i]! - EARLY));
    // ...and stops there: the typical capped gap stays under the delay that one more doubling would give
    // (the median, so one gap stretched by a loaded machine does not decide it).
    expect(median(CAPPED.map((i) => g[i]!)), 'median capped gap').toBeLessThan(UNCAPPED - EARLY);

    const srv = await startServer(pki, h.outbox().source, h.sink(), { port });
    h.defer(() => srv.server.close());
    const refusedBefore = dials().length;
    await waitFor(() => cli.client.connected, 'the client to connect to the new server', 10_000);
    // It connects on its next dial: at most the one dial already under way met the closed port.
    expect(dials().length - refusedBefore).toBeLessThanOrEqual(1);

    // A link that proved healthy (its packet acknowledged) resets the backoff: after a drop the first
    // redial waits ~base, not the cap.
    await waitFor(() => sending.trace.acked === 1, 'the packet to be acknowledged', 10_000);
    const before = dials().length;
    await srv.server.close();
    await waitFor(() => dials().length > before + 3, 'four redials after the drop', 10_000);
    const down = cli.log.find('link down').at(-1)!.at;
    const again = [dials()[before]! - down, ...gaps(dials().slice(before, before + 4))];
    console.log(`[backoff] after the reset: first redial ${again[0]!.toFixed(0)} ms after the drop, then gaps ${again.slice(1).map((x) => x.toFixed(0)).join(', ')}`);
    // Without the reset the first redial would wait the capped delay; with it the doubling starts over.
    expect(again[0], 'first redial after the drop').toBeLessThan(CEILINGS[4]! - EARLY);
    again.forEach((gap, i) => expect(gap, `gap ${i} after the reset`).toBeGreaterThanOrEqual(CEILINGS[i]! - EARLY));
  });

  it('keeps backing off from a peer that accepts the upgrade and then refuses at hello (version 2 only)', async () => {
    const https = createHttpsServer({ key: pki.external.key, cert: pki.external.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    const wss = new WebSocketServer({ server: https });
    const accepted: number[] = [];
    wss.on('connection', (ws) => {
      accepted.push(performance.now());
      ws.send(encodeFrame({ type: 'hello', versions: [2], gatewayId: 'future', window: 8 }));
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    h.defer(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); https.close(() => r()); }));
    const port = (https.address() as { port: number }).port;

    const cli = h.client(pki, port, h.outbox().source, h.sink(), { backoffBaseMs: BASE, backoffCapMs: CAP });
    await waitFor(() => accepted.length >= 6, 'six connections', 3_000);
    expect(cli.log.find('link closing')[0]?.obj.code).toBe(4001);
    const g = gaps(accepted);
    console.log(`[backoff] gaps between redials to a version-refusing peer (ms): ${g.map((x) => x.toFixed(0)).join(', ')}`);
    // A refusal after the upgrade is still a failed dial: the delays grow as for a closed port.
    g.slice(0, 5).forEach((gap, i) => expect(gap, `gap ${i}`).toBeGreaterThanOrEqual(CEILINGS[i]! - EARLY));
    expect(cli.client.connected).toBe(false);
  });

  it('keeps backing off from a peer that accepts Hello and then closes with 1011 (it cannot commit)', async () => {
    const https = createHttpsServer({ key: pki.external.key, cert: pki.external.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    const wss = new WebSocketServer({ server: https });
    const accepted: number[] = [];
    wss.on('connection', (ws) => {
      accepted.push(performance.now());
      ws.send(encodeFrame({ type: 'hello', versions: [1], gatewayId: 'full-disk', window: 8 }));
      setTimeout(() => ws.close(1011, 'inbox commit failed'), 5);
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    h.defer(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); https.close(() => r()); }));
    const port = (https.address() as { port: number }).port;

    const cli = h.client(pki, port, h.outbox().source, h.sink(), { backoffBaseMs: BASE, backoffCapMs: CAP });
    await waitFor(() => accepted.length >= 6, 'six connections', 3_000);
    expect(cli.log.find('link up').length).toBeGreaterThanOrEqual(1); // Hello was accepted each time
    const g = gaps(accepted);
    console.log(`[backoff] gaps between redials to a peer closing 1011 after Hello (ms): ${g.map((x) => x.toFixed(0)).join(', ')}`);
    // Accepting Hello is not health: the delays grow as for a closed port instead of staying at base.
    g.slice(0, 5).forEach((gap, i) => expect(gap, `gap ${i}`).toBeGreaterThanOrEqual(CEILINGS[i]! - EARLY));
  });
});
