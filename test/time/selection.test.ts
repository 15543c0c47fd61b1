import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_CONFIG } from '../../src/time/limits.js';
import { marzullo, median, selectTime, type SelectionPolicy, type SourceResult } from '../../src/time/selection.js';
import type { SntpFailure } from '../../src/time/sntp-client.js';
import type { SntpSample } from '../../src/time/sntp-offset.js';

const POLICY: SelectionPolicy = {
  quorum: 2,
  toleranceMs: 10,
  maxOffsetMs: 100,
  hardLimitMs: 1_000_000,
  maxDistanceMs: 1_000,
};

function sample(offsetMs: number, extra: Partial<SntpSample> = {}): SntpSample {
  return {
    ok: true,
    offsetMs,
    delayMs: 1,
    stratum: 2,
    leap: 0,
    referenceId: '192.0.2.1',
    rootDelayMs: 0,
    rootDispersionMs: 0,
    times: { t1: 0, t2: 0, t3: 0, t4: 0 },
    ...extra,
  };
}
const down: SntpFailure = { ok: false, code: 'FERRY_ERR_TIME_SOCKET', detail: '127.0.0.1:9: ECONNREFUSED (recvmsg)' };

function sources(...results: (SntpSample | SntpFailure)[]): SourceResult[] {
  return results.map((result, i) => ({ name: `ntp${i}`, host: '127.0.0.1', port: 1000 + i, result }));
}
const markers = (v: ReturnType<typeof selectTime>) => v.rows.map((r) => r.marker).join('');

describe('marzullo', () => {
  it.each([
    ['three overlapping', [[0, 10], [5, 15], [8, 20]], 3, 8, 10, [0, 1, 2], false],
    ['closed intervals that only touch agree', [[0, 5], [5, 10]], 2, 5, 5, [0, 1], false],
    ['one outlier', [[0, 10], [1, 11], [500, 510]], 2, 1, 10, [0, 1], false],
    ['two disjoint singles tie', [[0, 1], [2, 3]], 1, 0, 1, [0], true],
    ['a wide interval joins two that disagree', [[0, 10], [2, 3], [5, 6]], 2, 2, 3, [0, 1], true],
  ] as const)('%s', (_n, ivs, count, lo, hi, members, ambiguous) => {
    const r = marzullo(ivs.map(([a, b]) => ({ lo: a, hi: b })));
    expect(r).toEqual({ count, lo, hi, members, ambiguous });
  });

  it('finds nothing in nothing', () => {
    expect(marzullo([]).count).toBe(0);
  });

  it('agrees with brute force: count is the most intervals sharing one point, and members share it', () => {
    const interval = fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 30 })).map(([lo, w]) => ({ lo, hi: lo + w }));
    fc.assert(
      fc.property(fc.array(interval, { minLength: 1, maxLength: 8 }), (ivs) => {
        const points = ivs.flatMap((iv) => [iv.lo, iv.hi]);
        const depth = (p: number) => ivs.filter((iv) => iv.lo <= p && p <= iv.hi).length;
        const bestDepth = Math.max(...points.map(depth));
        const r = marzullo(ivs);
        expect(r.count).toBe(bestDepth);
        expect(r.members.length).toBe(bestDepth);
        for (const m of r.members) expect(ivs[m]!.lo <= r.lo && r.hi <= ivs[m]!.hi).toBe(true);
        const bestPoints = new Set(points.filter((p) => depth(p) === bestDepth).map((p) => ivs.map((iv) => iv.lo <= p && p <= iv.hi).join()));
        expect(r.ambiguous).toBe(bestPoints.size > 1);
      }),
    );
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('selectTime', () => {
  it('trusts three agreeing sources and takes the median offset, not the mean', () => {
    const v = selectTime(sources(sample(0.2), sample(1.1), sample(15)), POLICY);
    expect(v).toMatchObject({ state: 'trusted', code: null, agreeing: 3, answering: 3, configured: 3, degradedBy: [] });
    expect(v.offsetMs).toBe(1.1);
    expect(v.reason).toBe('3 of 3 sources agree (quorum 2; 0 falseticker(s), 0 unreachable or refused); the local clock is 1100us slow, within maxOffsetMs 100');
  });

  it('marks the agreeing source with the smallest root distance as selected', () => {
    const v = selectTime(sources(sample(0, { delayMs: 4 }), sample(0.5, { delayMs: 0.2 }), sample(1, { rootDispersionMs: 3 })), POLICY);
    expect(markers(v)).toBe('+*+');
  });

  it('outvotes a source minutes off: it is a falseticker and time stays trusted', () => {
    const v = selectTime(sources(sample(0.1), sample(300_000), sample(-0.2), sample(0.3)), POLICY);
    expect(v.state).toBe('trusted');
    expect(markers(v)).toMatch(/^[*+]x[*+][*+]$/);
    expect(v.rows[1]!.note).toMatch(/^falseticker: \+300s/);
    expect(v.offsetMs).toBeCloseTo(0.1, 9);
  });

  it('is untrusted when only a wrong source and a good one answer (quorum 2 of 3 unmet)', () => {
    const v = selectTime(sources(sample(0.1), sample(300_000), down), POLICY);
    expect(v).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_NO_QUORUM', offsetMs: null, agreeing: 1 });
    expect(markers(v)).toBe('--?');
    expect(v.reason).toMatch(/no quorum: the largest group of agreeing sources has 1, quorum is 2 \(2 answered, 1 unreachable/);
  });

  it('is untrusted when nothing answers', () => {
    const v = selectTime(sources(down, down, down), POLICY);
    expect(v).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_NO_QUORUM', answering: 0 });
    expect(v.rows.every((r) => r.marker === '?' && r.code === 'FERRY_ERR_TIME_SOCKET' && r.note.includes('ECONNREFUSED'))).toBe(true);
  });

  it('degrades with no spare when exactly the quorum agrees and more sources are configured', () => {
    const v = selectTime(sources(sample(0), down, sample(0.5)), POLICY);
    expect(v).toMatchObject({ state: 'degraded', degradedBy: ['no-spare'], agreeing: 2, code: null });
    expect(v.reason).toMatch(/no spare/);
    // …the same for a falseticker in place of the unreachable source.
    expect(selectTime(sources(sample(0), sample(5_000), sample(0.5)), POLICY).degradedBy).toEqual(['no-spare']);
  });

  it('stays trusted when one source is down but a spare still agrees', () => {
    expect(selectTime(sources(sample(0), down, sample(0.5), sample(0.7)), POLICY).state).toBe('trusted');
  });

  it('degrades when the sources agree the local clock is off by more than maxOffsetMs', () => {
    const v = selectTime(sources(sample(-150), sample(-151), sample(-149)), POLICY);
    expect(v).toMatchObject({ state: 'degraded', degradedBy: ['local-offset'], offsetMs: -150 });
    expect(v.reason).toMatch(/the local clock is 150ms fast \(more than maxOffsetMs 100/);
  });

  it('reports both margins when both are gone', () => {
    expect(selectTime(sources(sample(500), sample(500.4), down), POLICY).degradedBy).toEqual(['local-offset', 'no-spare']);
  });

  it('refuses a correction beyond hardLimitMs even when all sources agree', () => {
    const v = selectTime(sources(sample(2_000_000), sample(2_000_000.5), sample(1_999_999.8)), POLICY);
    expect(v).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_OFFSET_LIMIT', offsetMs: 2_000_000 });
    expect(v.reason).toMatch(/2000s slow, beyond hardLimitMs 1000000/);
  });

  it('wants a strict majority of the answering sources, not just the quorum', () => {
    // Two pairs that disagree: either pair could be the liars.
    const v = selectTime(sources(sample(0), sample(0.5), sample(2_000), sample(2_000.5)), POLICY);
    expect(v).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_NO_QUORUM' });
    expect(v.reason).toMatch(/no majority: only 2 of the 4 answering sources agree/);
    expect(markers(v)).toBe('----');
  });

  it('refuses to choose between two groups that share one wide source', () => {
    const wide = sample(0, { rootDispersionMs: 90 }); // interval ±101 ms
    const v = selectTime(sources(wide, sample(-60), sample(60)), POLICY);
    expect(v).toMatchObject({ state: 'untrusted', code: 'FERRY_ERR_TIME_NO_QUORUM' });
    expect(v.reason).toMatch(/ambiguous/);
  });

  it('does not let a source with a huge root distance vote (it would agree with anything)', () => {
    const vague = sample(0, { rootDispersionMs: 5_000 });
    const v = selectTime(sources(vague, sample(300_000), sample(0.1)), POLICY);
    expect(v.rows[0]).toMatchObject({ marker: '?', code: 'FERRY_ERR_TIME_ROOT_DISTANCE' });
    expect(v.state).toBe('untrusted');
  });

  it('widens each interval by the tolerance: sources 19 ms apart agree at ±10 ms, not at ±5 ms', () => {
    const s = sources(sample(0, { delayMs: 0 }), sample(19, { delayMs: 0 }), down);
    expect(selectTime(s, POLICY).agreeing).toBe(2);
    expect(selectTime(s, { ...POLICY, toleranceMs: 5 }).state).toBe('untrusted');
  });

  it('trusts a single source with quorum 1 of 1 (no cross-check, but that is what was configured)', () => {
    expect(selectTime(sources(sample(3)), { ...POLICY, quorum: 1 }).state).toBe('trusted');
  });

  it('keeps the rows in configured order with stratum, offset and delay', () => {
    const v = selectTime(sources(sample(1, { stratum: 3, delayMs: 0.25 }), down), { ...POLICY, quorum: 1 });
    expect(v.rows.map((r) => [r.name, r.port, r.stratum, r.offsetMs, r.delayMs])).toEqual([
      ['ntp0', 1000, 3, 1, 0.25],
      ['ntp1', 1001, null, null, null],
    ]);
  });

  it('uses the default policy values unchanged', () => {
    expect(selectTime(sources(sample(0), sample(1), sample(2)), DEFAULT_TIME_CONFIG).state).toBe('trusted');
  });
});
