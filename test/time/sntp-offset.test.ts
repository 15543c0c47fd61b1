import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeOffset, rootDistanceMs, sampleFromReply } from '../../src/time/sntp-offset.js';
import { unixMsToNtp, type SntpReply } from '../../src/time/sntp-packet.js';

/** The four timestamps of an exchange with a server whose clock is `trueOffset` ahead of ours. */
function exchange(trueOffset: number, outMs: number, backMs: number, holdMs = 1, t1 = 1_000) {
  const t2 = t1 + outMs + trueOffset; // arrival, by the server's clock
  const t3 = t2 + holdMs;
  const t4 = t3 - trueOffset + backMs; // back on our clock
  return { t1, t2, t3, t4 };
}

describe('RFC 5905 §8 offset and delay', () => {
  it('worked example: server 100 ms ahead, 10 ms each way, held 1 ms', () => {
    // T1=1000 T2=1110 T3=1111 T4=1021: θ = ((1110−1000)+(1111−1021))/2 = (110+90)/2 = 100; δ = 21−1 = 20
    const t = exchange(100, 10, 10);
    expect(t).toEqual({ t1: 1000, t2: 1110, t3: 1111, t4: 1021 });
    expect(computeOffset(t)).toEqual({ offsetMs: 100, delayMs: 20 });
  });

  it('worked example: our clock ahead (negative offset)', () => {
    // server 250 ms behind: T2 = 1000+5−250 = 755, T3 = 757, T4 = 757+250+5 = 1012
    expect(computeOffset({ t1: 1000, t2: 755, t3: 757, t4: 1012 })).toEqual({ offsetMs: -250, delayMs: 10 });
  });

  it('asymmetric path: 30 ms out, 10 ms back errs by (out−back)/2 = +10 ms, within δ/2 = 20 ms', () => {
    // T1=1000 T2=1130 T3=1131 T4=1041: θ = (130+90)/2 = 110 (true 100); δ = 41−1 = 40
    const t = exchange(100, 30, 10);
    expect(t).toEqual({ t1: 1000, t2: 1130, t3: 1131, t4: 1041 });
    const r = computeOffset(t);
    expect(r).toEqual({ offsetMs: 110, delayMs: 40 });
    expect(Math.abs(r.offsetMs - 100)).toBeLessThanOrEqual(r.delayMs / 2);
  });

  it('asymmetric the other way: 2 ms out, 48 ms back errs by −23 ms, within δ/2 = 25 ms', () => {
    const r = computeOffset(exchange(0, 2, 48));
    expect(r).toEqual({ offsetMs: -23, delayMs: 50 });
  });

  it('has no −RTT/2 bias: a correct clock with 20 ms each way reads offset 0, not −20', () => {
    // TOOLCHAIN.md saw ntp-time-sync report −20 ms for exactly this exchange (a −RTT/2 bias: it
    // subtracts half the round trip from an offset that had already had it taken out). RFC 5905: 0.
    const t = exchange(0, 20, 20, 1);
    const { offsetMs, delayMs } = computeOffset(t);
    expect(offsetMs).toBe(0);
    expect(delayMs).toBe(40);
  });

  it('recovers any true offset exactly on a symmetric path, and within δ/2 on any path (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 50 }),
        (trueOffset, out, back, hold) => {
          const sym = computeOffset(exchange(trueOffset, out, out, hold));
          expect(sym.offsetMs).toBe(trueOffset);
          const asym = computeOffset(exchange(trueOffset, out, back, hold));
          expect(asym.delayMs).toBe(out + back);
          expect(Math.abs(asym.offsetMs - trueOffset)).toBeLessThanOrEqual(asym.delayMs / 2);
        },
      ),
    );
  });

  it('clamps a delay made negative by clock granularity to zero', () => {
    // Loopback: T1 and T4 both read 5000 ms (1 ms clock), the server held the packet 0.02 ms.
    expect(computeOffset({ t1: 5000, t2: 5000.3, t3: 5000.32, t4: 5000 }).delayMs).toBe(0);
  });
});

describe('sampleFromReply', () => {
  const base: Omit<SntpReply, 'receiveTimestamp' | 'transmitTimestamp'> = {
    leap: 0,
    version: 4,
    mode: 4,
    stratum: 2,
    poll: 6,
    precision: -20,
    rootDelayMs: 8,
    rootDispersionMs: 3,
    referenceId: '192.0.2.1',
    referenceTimestamp: { seconds: 0, fraction: 0 },
  };

  it('converts the server timestamps with sub-millisecond accuracy and takes T1, T4 from our clock', () => {
    const t1 = Date.parse('2026-11-25T08:00:00Z') + 0.123;
    const trueOffset = 37.25;
    const reply: SntpReply = {
      ...base,
      receiveTimestamp: unixMsToNtp(t1 + 0.4 + trueOffset),
      transmitTimestamp: unixMsToNtp(t1 + 0.45 + trueOffset),
    };
    const s = sampleFromReply(reply, t1, t1 + 0.85);
    // ±0.5 µs: a double holds today's Unix milliseconds to 2^-12 ms (0.24 µs).
    expect(s.offsetMs).toBeCloseTo(trueOffset, 3);
    expect(s.delayMs).toBeCloseTo(0.8, 3);
    expect(s.times.t1).toBe(t1);
    expect(s.times.t4).toBe(t1 + 0.85);
    expect(s).toMatchObject({ ok: true, stratum: 2, rootDelayMs: 8, rootDispersionMs: 3, referenceId: '192.0.2.1' });
  });

  it('computes root distance as δ/2 + root delay/2 + root dispersion', () => {
    const t1 = 1_700_000_000_000;
    const reply: SntpReply = { ...base, receiveTimestamp: unixMsToNtp(t1 + 5), transmitTimestamp: unixMsToNtp(t1 + 5) };
    const s = sampleFromReply(reply, t1, t1 + 10); // δ = 10
    expect(rootDistanceMs(s)).toBeCloseTo(5 + 4 + 3, 6);
  });
});
