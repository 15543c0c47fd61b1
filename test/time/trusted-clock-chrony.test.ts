// The trusted clock against real NTP servers: Debian's chronyd on loopback (test/helpers/chrony.ts),
// one of them running five minutes fast under libfaketime.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimeStatus } from '../../src/time/format-status.js';
import { TrustedClock, type TimeStatus } from '../../src/time/trusted-clock.js';
import type { TimeState } from '../../src/time/selection.js';
import { freeUdpPort, startChronyServer, type ChronyServer } from '../helpers/chrony.js';

const FIVE_MINUTES_S = 300;
const src = (name: string, port: number) => ({ name, host: '127.0.0.1', port });

describe('trusted clock with real chronyd sources', () => {
  let good: ChronyServer[] = [];
  let wrong: ChronyServer;
  let unsynced: ChronyServer;
  let deadPort: number;
  beforeAll(async () => {
    [wrong, unsynced, ...good] = await Promise.all([
      startChronyServer({ offsetSeconds: FIVE_MINUTES_S, stratum: 2 }),
      startChronyServer({ unsynchronised: true }),
      startChronyServer({ stratum: 3 }),
      startChronyServer({ stratum: 3 }),
      startChronyServer({ stratum: 4 }),
    ]);
    deadPort = await freeUdpPort(); // nothing listens there
  });
  afterAll(async () => {
    await Promise.all([wrong, unsynced, ...good].map((s) => s?.stop()));
  });
  const goodSources = () => good.map((g, i) => src(`good${i + 1}`, g.port));

  it('three agreeing servers: trusted, the local clock right, now() within milliseconds of the host clock', async () => {
    const clock = new TrustedClock({ sources: goodSources(), quorum: 2, timeoutMs: 500 });
    const st = await clock.poll();
    expect(st.state).toBe('trusted');
    expect(st.rows.map((r) => r.marker).sort()).toEqual(['*', '+', '+']);
    expect(st.rows.map((r) => r.stratum)).toEqual([3, 3, 4]);
    // Same host, same clock: true offset 0, so each θ is within δ/2 of it (RFC 5905 §8), and so is now(),
    // give or take the 1 ms our local clock may be off on a loaded machine (typically 25 µs).
    for (const r of st.rows) expect(Math.abs(r.offsetMs!)).toBeLessThanOrEqual(r.delayMs! / 2 + 1);
    const bound = Math.max(...st.rows.map((r) => r.delayMs! / 2)) + 2;
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThanOrEqual(bound);
    expect(clock.trustedNow().ok).toBe(true);
  });

  it('a fourth server five minutes fast is a falseticker, outvoted: still trusted', async () => {
    const clock = new TrustedClock({ sources: [...goodSources(), src('wrong', wrong.port)], quorum: 2, timeoutMs: 500 });
    const st = await clock.poll();
    expect(st.state).toBe('trusted');
    expect(st.agreeing).toBe(3);
    const row = st.rows[3]!;
    expect(row.marker).toBe('x');
    expect(row.offsetMs! / 1000).toBeCloseTo(FIVE_MINUTES_S, 0);
    expect(Math.abs(st.offsetMs!)).toBeLessThanOrEqual(Math.max(...st.rows.map((r) => r.delayMs! / 2)) + 1);
    expect(formatTimeStatus(st)).toMatch(/^\^x wrong \(127\.0\.0\.1:\d+\) +2 +\+300s .* falseticker/m);
  });

  it('only the wrong server and one good one answer (quorum 2 of 3 unmet): untrusted', async () => {
    const clock = new TrustedClock({ sources: [src('wrong', wrong.port), goodSources()[0]!, src('dead', deadPort)], quorum: 2, timeoutMs: 500 });
    const st = await clock.poll();
    expect(st).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_NO_QUORUM', answering: 2, agreeing: 1 });
    expect(st.rows.map((r) => r.marker)).toEqual(['-', '-', '?']);
    expect(st.rows[2]!.note).toMatch(/ECONNREFUSED/);
    expect(clock.isTrusted()).toBe(false);
    expect(clock.trustedNow()).toMatchObject({ ok: false, code: 'FERRY_ERR_TIME_UNTRUSTED' });
  });

  it('an unsynchronised chronyd is refused with its reason; two good ones left: degraded, no spare', async () => {
    const clock = new TrustedClock({ sources: [...goodSources().slice(0, 2), src('unsynced', unsynced.port)], quorum: 2, timeoutMs: 500 });
    const st = await clock.poll();
    expect(st).toMatchObject({ state: 'degraded', degradedBy: ['no-spare'] });
    expect(st.rows[2]).toMatchObject({ marker: '?', code: 'FERRY_ERR_TIME_UNSYNCHRONISED' });
    expect(clock.isTrusted()).toBe(true);
  });

  it('a poll of dead sources is bounded by timeoutMs', async () => {
    const silent = await freeUdpPort();
    const clock = new TrustedClock({ sources: [src('dead', deadPort), { host: '192.0.2.1', port: 123 }, src('silent', silent)], quorum: 2, timeoutMs: 300 });
    const start = performance.now();
    const st = await clock.poll();
    expect(performance.now() - start).toBeLessThan(300 + 400); // 400 ms of slack for a loaded CI machine
    expect(st.state).toBe('untrusted');
    expect(st.rows.every((r) => r.marker === '?')).toBe(true);
  });
});

describe('trusted clock as real sources die and come back', () => {
  const servers: ChronyServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('goes trusted → degraded → untrusted → degraded → trusted, firing onChange for each change', async () => {
    servers.push(...(await Promise.all([startChronyServer(), startChronyServer(), startChronyServer()])));
    const ports = servers.map((s) => s.port);
    const clock = new TrustedClock({ sources: ports.map((p, i) => src(`s${i}`, p)), quorum: 2, pollIntervalMs: 50, timeoutMs: 200 });
    const changes: [TimeState, TimeState][] = [];
    const waiters: { state: TimeState; resolve: (s: TimeStatus) => void }[] = [];
    clock.onChange((now, before) => {
      changes.push([before.state, now.state]);
      for (const w of waiters.splice(0)) if (w.state === now.state) w.resolve(now);
      else waiters.push(w);
    });
    const reach = (state: TimeState) =>
      new Promise<TimeStatus>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`never reached ${state}; last: ${clock.status().reason}`)), 3_000);
        waiters.push({ state, resolve: (s) => (clearTimeout(t), resolve(s)) });
      });

    try {
      let next = reach('trusted');
      clock.start();
      await next;

      next = reach('degraded');
      await servers[2]!.stop();
      expect((await next).rows[2]!.marker).toBe('?');

      next = reach('untrusted');
      await servers[1]!.stop();
      expect((await next).code).toBe('FERRY_ERR_TIME_NO_QUORUM');

      next = reach('degraded');
      servers[1] = await startChronyServer({ port: ports[1]! });
      await next;

      next = reach('trusted');
      servers[2] = await startChronyServer({ port: ports[2]! });
      const back = await next;
      expect(back.rows.map((r) => r.marker).sort()).toEqual(['*', '+', '+']);
    } finally {
      await clock.stop();
    }
    expect(changes).toEqual([
      ['untrusted', 'trusted'],
      ['trusted', 'degraded'],
      ['degraded', 'untrusted'],
      ['untrusted', 'degraded'],
      ['degraded', 'trusted'],
    ]);
  });
});
