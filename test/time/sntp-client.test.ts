import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemClock } from '../../src/time/local-clock.js';
import { querySntp } from '../../src/time/sntp-client.js';
import { unixMsToNtp, writeTimestamp } from '../../src/time/sntp-packet.js';
import { startChronyServer, type ChronyServer } from '../helpers/chrony.js';

const clock = createSystemClock();

/** A hostile or broken NTP peer: answers each request with whatever `respond` returns. */
async function fakeServer(respond: (req: Buffer) => Buffer[], family: 'udp4' | 'udp6' = 'udp4') {
  const requests: Buffer[] = [];
  const s = dgram.createSocket(family);
  s.on('message', (msg, rinfo) => {
    requests.push(msg);
    for (const out of respond(msg)) s.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, family === 'udp4' ? '127.0.0.1' : '::1', r));
  return {
    port: s.address().port,
    requests,
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

/** A server reply to `req` whose clock is `offsetMs` ahead of ours; `patch` can then spoil it. */
function answer(req: Buffer, offsetMs: number, patch: (b: Buffer) => void = () => undefined): Buffer {
  const b = Buffer.alloc(48);
  b[0] = (4 << 3) | 4;
  b[1] = 2;
  req.copy(b, 24, 40, 48); // origin := the client's transmit
  const now = Date.now() + offsetMs;
  writeTimestamp(b, 32, unixMsToNtp(now));
  writeTimestamp(b, 40, unixMsToNtp(now + 0.01));
  patch(b);
  return b;
}

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const v = await p;
  return [v, performance.now() - start];
}

describe('querySntp against a real chronyd', () => {
  let good: ChronyServer;
  let unsynced: ChronyServer;
  beforeAll(async () => {
    [good, unsynced] = await Promise.all([startChronyServer({ stratum: 3 }), startChronyServer({ unsynchronised: true })]);
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), unsynced?.stop()]);
  });

  it('measures a same-host server as offset ≈ 0 with a sub-millisecond-scale delay', async () => {
    const r = await querySntp({ host: '127.0.0.1', port: good.port }, { timeoutMs: 1000, clock });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.stratum).toBe(3);
    expect(r.referenceId).toBe('127.127.1.1');
    // Same host, same clock: the true offset is 0, so θ is within δ/2 of it (RFC 5905 §8), give or take
    // the 1 ms our local clock may be off on a loaded machine (typically 25 µs).
    expect(Math.abs(r.offsetMs)).toBeLessThanOrEqual(r.delayMs / 2 + 1);
    expect(r.delayMs).toBeGreaterThanOrEqual(0);
    expect(r.delayMs).toBeLessThan(1000); // the reply came within the timeout
  });

  it('resolves a host name', async () => {
    const r = await querySntp({ host: 'localhost', port: good.port }, { timeoutMs: 1000, clock });
    expect(r.ok).toBe(true);
  });

  it('reports an unsynchronised chronyd as refused at once, not as a timeout', async () => {
    const [r, ms] = await timed(querySntp({ host: '127.0.0.1', port: unsynced.port }, { timeoutMs: 2000, clock }));
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_UNSYNCHRONISED' });
    expect(ms).toBeLessThan(500);
  });
});

describe('querySntp against broken and hostile peers', () => {
  it('sends a fresh 64-bit random transmit timestamp each time and nothing else of ours', async () => {
    const srv = await fakeServer((req) => [answer(req, 0)]);
    await querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 500, clock });
    await querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 500, clock });
    await srv.close();
    const [a, b] = srv.requests;
    expect(a!.length).toBe(48);
    expect(a![0]).toBe(0x23);
    expect(a!.subarray(1, 40).every((x) => x === 0)).toBe(true);
    expect(a!.subarray(40).equals(b!.subarray(40))).toBe(false);
  });

  it('measures a server 5 s ahead as offset +5000 ms (T1, T4 from our clock)', async () => {
    const srv = await fakeServer((req) => [answer(req, 5_000)]);
    const r = await querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 500, clock });
    await srv.close();
    expect(r.ok).toBe(true);
    // RFC 5905 bound: |θ − true offset| ≤ δ/2 (event-loop latency lands in δ), + 1 ms for the fake server's
    // Date.now() truncation + 1 ms for our local clock on a loaded machine.
    if (r.ok) expect(Math.abs(r.offsetMs - 5_000)).toBeLessThanOrEqual(r.delayMs / 2 + 2);
  });

  it('works over IPv6', async () => {
    const srv = await fakeServer((req) => [answer(req, 0)], 'udp6');
    const r = await querySntp({ host: '::1', port: srv.port }, { timeoutMs: 500, clock });
    await srv.close();
    expect(r.ok).toBe(true);
  });

  it('ignores a spoofed reply (wrong origin) and still takes the genuine one that follows', async () => {
    const srv = await fakeServer((req) => [answer(req, 60_000, (b) => b.fill(7, 24, 32)), Buffer.alloc(12), answer(req, 3)]);
    const r = await querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 500, clock });
    await srv.close();
    expect(r.ok).toBe(true);
    if (r.ok) expect(Math.abs(r.offsetMs - 3)).toBeLessThanOrEqual(r.delayMs / 2 + 2);
  });

  it('reports a replayed or forged reply as bogus when no genuine reply comes, after the timeout', async () => {
    const srv = await fakeServer((req) => [answer(req, 0, (b) => (b[31] = (b[31] ?? 0) ^ 0xff))]);
    const [r, ms] = await timed(querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 300, clock }));
    await srv.close();
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_BOGUS_ORIGIN' });
    expect(ms).toBeGreaterThanOrEqual(295);
  });

  it('stops at once on a genuine kiss-o\'-death and names the code', async () => {
    const srv = await fakeServer((req) => [answer(req, 0, (b) => { b[0] = 0xe4; b[1] = 0; b.write('RATE', 12, 'latin1'); })]);
    const [r, ms] = await timed(querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 2000, clock }));
    await srv.close();
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_KISS_OF_DEATH' });
    expect(!r.ok && r.detail).toMatch(/RATE/);
    expect(ms).toBeLessThan(500);
  });

  it('bounds a silent server by the timeout', async () => {
    const srv = await fakeServer(() => []);
    const [r, ms] = await timed(querySntp({ host: '127.0.0.1', port: srv.port }, { timeoutMs: 250, clock }));
    await srv.close();
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_TIMEOUT' });
    expect(ms).toBeGreaterThanOrEqual(245);
    expect(ms).toBeLessThan(400);
  });

  it('reports a closed port as ECONNREFUSED at once, as a value', async () => {
    const srv = await fakeServer(() => []);
    const port = srv.port;
    await srv.close();
    const [r, ms] = await timed(querySntp({ host: '127.0.0.1', port }, { timeoutMs: 2000, clock }));
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_SOCKET' });
    expect(!r.ok && r.detail).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(500);
  });

  it.each([
    ['an unknown host', { host: 'no-such-host.invalid', port: 123 }, /name lookup failed: ENOTFOUND/],
    ['port 0', { host: '127.0.0.1', port: 0 }, /ERR_SOCKET_BAD_PORT/],
  ])('reports %s as a socket failure, never a throw', async (_n, server, detail) => {
    const r = await querySntp(server, { timeoutMs: 1000, clock });
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_SOCKET' });
    expect(!r.ok && r.detail).toMatch(detail);
  });

  it('closes its socket whatever the outcome', async () => {
    const silent = await fakeServer(() => []);
    const good = await fakeServer((req) => [answer(req, 0)]);
    const before = udpHandles();
    await Promise.all([
      querySntp({ host: '127.0.0.1', port: silent.port }, { timeoutMs: 100, clock }),
      querySntp({ host: '127.0.0.1', port: good.port }, { timeoutMs: 100, clock }),
      querySntp({ host: '127.0.0.1', port: 0 }, { timeoutMs: 100, clock }),
      querySntp({ host: 'no-such-host.invalid', port: 123 }, { timeoutMs: 100, clock }),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(udpHandles()).toBe(before);
    await Promise.all([silent.close(), good.close()]);
  });
});
