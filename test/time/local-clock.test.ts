import { describe, expect, it } from 'vitest';
import { createSystemClock } from '../../src/time/local-clock.js';

/** A simulated host: true time t (ms) advances 10 µs per monotonic read; the wall clock truncates to ms. */
function host(start: number) {
  const h = {
    t: start,
    wall: () => Math.floor(h.t),
    monotonic: () => {
      h.t += 0.01;
      return h.t - start + 12_345; // a monotonic clock with its own origin
    },
  };
  return h;
}

describe('createSystemClock', () => {
  it('reads the wall clock to within microseconds although Date.now() only has milliseconds', () => {
    const h = host(1_700_000_000_000.37);
    const clock = createSystemClock(h.wall, h.monotonic);
    for (let i = 0; i < 50; i++) {
      h.t += 0.123;
      const read = clock();
      expect(Math.abs(read - h.t)).toBeLessThanOrEqual(0.02);
    }
  });

  it('follows a step of the system clock at the next reading', () => {
    const h = host(1_700_000_000_000.37);
    const clock = createSystemClock(h.wall, h.monotonic);
    h.t += 3_600_000.5; // an hour ahead
    expect(Math.abs(clock() - h.t)).toBeLessThanOrEqual(0.02);
    h.t -= 7_200_000; // and back two hours
    expect(Math.abs(clock() - h.t)).toBeLessThanOrEqual(0.02);
  });

  it('stays within 1 ms of the wall clock when a loaded machine spoils the calibration, and re-anchors on a step', () => {
    // Every monotonic read takes 0.7 ms of true time during the first 30 reads (a thread being
    // preempted), so no tick can be pinned to 0.05 ms and calibration settles for its best bracket.
    let reads = 0;
    const h = { t: 1_700_000_000_000.37 };
    const clock = createSystemClock(
      () => Math.floor(h.t),
      () => {
        h.t += reads++ < 30 ? 0.7 : 0.01;
        return h.t;
      },
    );
    for (let i = 0; i < 50; i++) {
      h.t += 0.37;
      expect(Math.abs(clock() - h.t)).toBeLessThan(1);
    }
    h.t += 60_000.25;
    expect(Math.abs(clock() - h.t)).toBeLessThanOrEqual(0.02);
  });

  it('stays within a millisecond of a wall clock that never ticks (and does not hang)', () => {
    let mono = 0;
    const clock = createSystemClock(() => 5_000, () => (mono += 0.1));
    expect(clock()).toBeGreaterThanOrEqual(5_000);
    expect(clock()).toBeLessThanOrEqual(5_001);
  });

  it('agrees with the real Date.now()', () => {
    const clock = createSystemClock();
    for (let i = 0; i < 100; i++) {
      const before = Date.now();
      const read = clock();
      const after = Date.now();
      // Within the millisecond(s) Date.now() reported around it; 0.5 ms of slack for a preempted read.
      expect(read).toBeGreaterThanOrEqual(before - 0.5);
      expect(read).toBeLessThanOrEqual(after + 1);
    }
  });
});
