import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import type { SntpFailure, SntpServer } from '../../src/time/sntp-client.js';
import type { SntpSample } from '../../src/time/sntp-offset.js';
import { TrustedClock, type TimeStatus, type TrustedClockDeps } from '../../src/time/trusted-clock.js';

function sample(offsetMs: number): SntpSample {
  return {
    ok: true,
    offsetMs,
    delayMs: 0.2,
    stratum: 2,
    leap: 0,
    referenceId: '192.0.2.1',
    rootDelayMs: 0,
    rootDispersionMs: 0,
    times: { t1: 0, t2: 0, t3: 0, t4: 0 },
  };
}
const refused = (port: number): SntpFailure => ({ ok: false, code: 'FERRY_ERR_TIME_SOCKET', detail: `127.0.0.1:${port}: ECONNREFUSED (recvmsg)` });

const SOURCES = [
  { name: 'a', host: '127.0.0.1', port: 1001 },
  { name: 'b', host: '127.0.0.1', port: 1002 },
  { name: 'c', host: '127.0.0.1', port: 1003 },
];

/** Sources whose answers the test sets: a number is an offset, null is "down". */
function scripted(initial: Record<number, number | null>) {
  const answers = { ...initial };
  let calls = 0;
  const query = async (server: SntpServer) => {
    calls += 1;
    const a = answers[server.port];
    return a === null || a === undefined ? refused(server.port) : sample(a);
  };
  return { answers, query, calls: () => calls };
}

const clocks: TrustedClock[] = [];
function make(config: Partial<ConstructorParameters<typeof TrustedClock>[0]>, deps: TrustedClockDeps) {
  const c = new TrustedClock({ sources: SOURCES, quorum: 2, pollIntervalMs: 20, timeoutMs: 50, ...config }, deps);
  clocks.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clocks.splice(0).map((c) => c.stop()));
});

describe('TrustedClock', () => {
  it('starts untrusted, with a reason, before any poll', () => {
    const c = make({}, { query: scripted({}).query });
    expect(c.status()).toMatchObject({ state: 'untrusted', reason: 'no poll has finished yet', polls: 0, lastPollAt: null, configured: 3 });
    expect(c.status().rows.map((r) => [r.name, r.marker, r.note])).toEqual([
      ['a', '?', 'not polled yet'],
      ['b', '?', 'not polled yet'],
      ['c', '?', 'not polled yet'],
    ]);
    expect(c.isTrusted()).toBe(false);
  });

  it('fires onChange on every change of state, and only then', async () => {
    const s = scripted({ 1001: 0, 1002: 0.1, 1003: 0.2 });
    const c = make({}, { query: s.query });
    const seen: [string, string][] = [];
    c.onChange((now, before) => seen.push([before.state, now.state]));

    expect((await c.poll()).state).toBe('trusted');
    await c.poll(); // no change, no event
    s.answers[1003] = null;
    expect((await c.poll()).state).toBe('degraded');
    s.answers[1002] = null;
    expect((await c.poll()).state).toBe('untrusted');
    s.answers[1002] = 0.1;
    s.answers[1003] = 0.2;
    expect((await c.poll()).state).toBe('trusted');

    expect(seen).toEqual([
      ['untrusted', 'trusted'],
      ['trusted', 'degraded'],
      ['degraded', 'untrusted'],
      ['untrusted', 'trusted'],
    ]);
    expect(c.status().polls).toBe(5);
  });

  it('corrects now() by the agreed offset and carries it on the monotonic clock, unmoved by a host clock step', async () => {
    let local = 1_700_000_000_000;
    let mono = 5_000;
    const s = scripted({ 1001: 500, 1002: 500, 1003: 500 });
    const c = make({ maxOffsetMs: 1_000 }, { query: s.query, clock: () => local, monotonic: () => mono });
    await c.poll();
    expect(c.now().getTime()).toBe(1_700_000_000_500);
    mono += 1_000;
    local += 5_000 + 1_000; // someone steps the host clock five seconds ahead between polls
    expect(c.now().getTime()).toBe(1_700_000_001_500);
    expect(c.trustedNow()).toEqual({ ok: true, value: new Date(1_700_000_001_500) });
    // The next poll sees the step as an offset of −5 s: beyond maxOffsetMs, within the 10 s hard limit.
    s.answers[1001] = s.answers[1002] = s.answers[1003] = 500 - 5_000;
    const st = await c.poll();
    expect(st).toMatchObject({ state: 'degraded', degradedBy: ['local-offset'] });
    expect(c.now().getTime()).toBe(1_700_000_001_500);
  });

  it('does not follow agreeing sources more than 10 s (the default hard limit) from the host clock', async () => {
    // Unauthenticated SNTP: an on-path attacker can make every source agree on a shifted time. Up to the
    // hard limit now() would follow; beyond it the clock is untrusted and stamping holds.
    const s = scripted({ 1001: 10_001, 1002: 10_001, 1003: 10_001 });
    const c = make({}, { query: s.query, clock: () => 1_700_000_000_000 });
    const st = await c.poll();
    expect(st.state).toBe('untrusted');
    expect(st.reason).toMatch(/beyond hardLimitMs 10000/);
    expect(c.trustedNow().ok).toBe(false);
    s.answers[1001] = s.answers[1002] = s.answers[1003] = 9_000;
    expect((await c.poll()).state).toBe('degraded');
  });

  it('serves the plain local clock and refuses trustedNow() while untrusted', async () => {
    const s = scripted({ 1001: 500, 1002: null, 1003: null });
    const c = make({}, { query: s.query, clock: () => 42_000 });
    await c.poll();
    expect(c.now().getTime()).toBe(42_000);
    const t = c.trustedNow();
    expect(t.ok).toBe(false);
    if (!t.ok) {
      expect(t.code).toBe('FERRY_ERR_TIME_UNTRUSTED');
      expect(t.detail).toMatch(/no quorum/);
    }
  });

  it('does not apply an offset beyond the hard limit', async () => {
    const s = scripted({ 1001: 2e6, 1002: 2e6, 1003: 2e6 });
    const c = make({}, { query: s.query, clock: () => 42_000 });
    expect((await c.poll()).code).toBe('FERRY_ERR_TIME_OFFSET_LIMIT');
    expect(c.now().getTime()).toBe(42_000);
  });

  it('treats a query that throws as a refused source and keeps polling', async () => {
    const c = make({}, {
      query: async (server) => {
        if (server.port === 1003) throw new Error('boom');
        return sample(0);
      },
    });
    const st = await c.poll();
    expect(st.state).toBe('degraded');
    expect(st.rows[2]).toMatchObject({ marker: '?', code: 'FERRY_ERR_TIME_SOCKET' });
    expect(st.rows[2]!.note).toMatch(/query threw: Error: boom/);
  });

  it('survives a listener that throws: the error is reported, other listeners still hear', async () => {
    const errors: unknown[] = [];
    const c = make({}, { query: scripted({ 1001: 0, 1002: 0, 1003: 0 }).query, onListenerError: (e) => errors.push(e) });
    const heard: string[] = [];
    c.onChange(() => {
      throw new Error('listener bug');
    });
    const off = c.onChange((st) => heard.push(st.state));
    await c.poll();
    expect(heard).toEqual(['trusted']);
    expect(String(errors[0])).toMatch(/listener bug/);
    off();
  });

  it('polls every pollIntervalMs after start() and not at all after stop()', async () => {
    const s = scripted({ 1001: 0, 1002: 0, 1003: 0 });
    const c = make({ pollIntervalMs: 20 }, { query: s.query });
    const changed = new Promise<TimeStatus>((r) => c.onChange(r));
    const started = performance.now();
    c.start();
    c.start(); // idempotent: one loop
    expect((await changed).state).toBe('trusted');
    while (c.status().polls < 4) await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    const elapsed = performance.now() - started;
    // Polls never overlap and wait pollIntervalMs between them: at most one poll per interval, plus the first.
    expect(c.status().polls).toBeLessThanOrEqual(Math.floor(elapsed / 20) + 1);
    const calls = s.calls();
    await new Promise((r) => setTimeout(r, 80));
    expect(s.calls()).toBe(calls);
  });

  it('stop() waits for the poll in flight to finish', async () => {
    let finished = 0;
    const c = make({}, {
      query: async () => {
        await new Promise((r) => setTimeout(r, 60));
        finished += 1;
        return sample(0);
      },
    });
    c.start();
    await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    expect(finished).toBe(3);
  });

  it('restarts cleanly after stop() with a single loop', async () => {
    const s = scripted({ 1001: 0, 1002: 0, 1003: 0 });
    const c = make({ pollIntervalMs: 25 }, { query: s.query });
    c.start();
    await c.stop();
    const started = performance.now();
    c.start();
    await new Promise((r) => setTimeout(r, 140));
    await c.stop();
    const elapsed = performance.now() - started;
    // One loop: at most one poll per interval (plus the first, and the one stopped before), never two loops' worth.
    expect(s.calls() / 3).toBeLessThanOrEqual(Math.floor(elapsed / 25) + 2);
  });

  it.each([
    [{ sources: [] }, /at least one NTP server/],
    [{ sources: SOURCES, quorum: 4 }, /time\.quorum: is 4 but only 3/],
    [{ sources: SOURCES, pollInterval: 5 }, /time\.pollInterval: unknown key/],
  ])('refuses a bad config with FERRY_ERR_CONFIG naming the field (%#)', (config, message) => {
    try {
      new TrustedClock(config as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FerryError);
      expect((e as FerryError).code).toBe('FERRY_ERR_CONFIG');
      expect((e as FerryError).message).toMatch(message);
    }
  });
});
