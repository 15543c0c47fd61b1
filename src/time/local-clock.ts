// The host's own wall clock, read with sub-millisecond resolution. This is the clock whose error the
// trusted clock measures, so it must follow the real system clock (Date.now()), steps included.

/** Milliseconds since the Unix epoch, with a fractional part. */
export type LocalClock = () => number;

/** Date.now() has 1 ms resolution, too coarse for loopback round trips of ~0.1 ms. This clock adds
 *  performance.now()'s sub-ms elapsed time to a Date.now() anchor and re-anchors whenever the
 *  estimate leaves the millisecond Date.now() reports, so a stepped or slewed system clock is
 *  followed within 1 ms while successive readings keep microsecond resolution. */
export function createSystemClock(
  wall: () => number = Date.now,
  monotonic: () => number = () => performance.now(),
): LocalClock {
  let anchorWall = wall();
  let anchorMono = monotonic();
  return () => {
    const mono = monotonic();
    const estimate = anchorWall + (mono - anchorMono);
    const now = wall();
    // Date.now() truncates, so the true time lies in [now, now + 1).
    if (estimate < now || estimate >= now + 1) {
      anchorWall = now;
      anchorMono = mono;
      return now;
    }
    return estimate;
  };
}
