// The host's own wall clock, read with sub-millisecond resolution. This is the clock whose error the
// trusted clock measures, so it must follow the real system clock (Date.now()), steps included.

/** Milliseconds since the Unix epoch, with a fractional part. */
export type LocalClock = () => number;

/** Accept a calibration only if the millisecond tick is pinned between monotonic readings this close. */
const TICK_BRACKET_MS = 0.05;
const READ_RETRIES = 5;
/** Longest a calibration busy-waits for such a tick; then it keeps the tightest bracket it saw. */
const CALIBRATION_LIMIT_MS = 5;

/** Date.now() has 1 ms resolution (and truncates), too coarse for loopback round trips of ~0.05 ms.
 *  This clock anchors performance.now() (monotonic, sub-µs) to the instant Date.now() turns to a new
 *  millisecond, so a reading is the wall clock to within ~25 µs (measured), and never more than 1 ms
 *  off even when a loaded machine spoils the calibration. Linux slews both clocks alike, so
 *  only a step separates them: when a reading disagrees with the millisecond Date.now() reports, the
 *  clock re-anchors (a busy-wait of about 1 ms, up to 5 ms on a loaded machine, once per step). */
export function createSystemClock(
  wall: () => number = Date.now,
  monotonic: () => number = () => performance.now(),
): LocalClock {
  let anchor = calibrate(wall, monotonic);
  return () => {
    let r = bracketedRead(wall, monotonic);
    const early = anchor.wall + (r.m1 - anchor.mono);
    const late = anchor.wall + (r.m2 - anchor.mono);
    // Date.now() truncates, so at the instant it was read the true time lay in [now, now + 1).
    if (late < r.now || early >= r.now + 1) {
      anchor = calibrate(wall, monotonic);
      r = bracketedRead(wall, monotonic);
    }
    // Whatever the calibration achieved, the wall reading bounds the true time at m1 to
    // [now − (m2 − m1), now + 1): clamp into it, so no reading is more than about 1 ms off.
    const estimate = anchor.wall + (r.m1 - anchor.mono);
    return Math.min(Math.max(estimate, r.now - (r.m2 - r.m1)), r.now + 1);
  };
}

/** The wall clock read between two monotonic readings. If the thread was preempted in between, the wall
 *  reading could belong to any instant in [m1, m2], which loosens every check made with it, so read
 *  again (a few times: preemption just there is rare even under load). */
function bracketedRead(wall: () => number, monotonic: () => number): { m1: number; now: number; m2: number } {
  let r = { m1: monotonic(), now: wall(), m2: monotonic() };
  for (let retry = 0; retry < READ_RETRIES && r.m2 - r.m1 > TICK_BRACKET_MS; retry++) {
    r = { m1: monotonic(), now: wall(), m2: monotonic() };
  }
  return r;
}

/** The monotonic instant at which the wall clock turned to a new millisecond, pinned between the
 *  monotonic readings around the last wall reading before the tick and the first after it. */
function calibrate(wall: () => number, monotonic: () => number): { wall: number; mono: number } {
  const started = monotonic();
  let prev = { before: started, wall: wall(), after: monotonic() };
  let best: { wall: number; mono: number; width: number } | null = null;
  for (;;) {
    const before = monotonic();
    const now = wall();
    const after = monotonic();
    if (now !== prev.wall) {
      // The tick happened after the previous wall reading and before this one.
      const width = after - prev.before;
      const mono = (prev.before + after) / 2;
      if (best === null || width < best.width) best = { wall: now, mono, width };
      if (width <= TICK_BRACKET_MS) return best;
    }
    if (after - started > CALIBRATION_LIMIT_MS) {
      // A loaded machine, or a wall clock that never ticks (a test double): the best we saw, else ±1 ms.
      return best ?? { wall: now, mono: after };
    }
    prev = { before, wall: now, after };
  }
}
