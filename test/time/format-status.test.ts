import { describe, expect, it } from 'vitest';
import { formatTimeStatus } from '../../src/time/format-status.js';
import { selectTime, type SourceResult } from '../../src/time/selection.js';
import type { SntpSample } from '../../src/time/sntp-offset.js';
import type { TimeStatus } from '../../src/time/trusted-clock.js';

const s = (offsetMs: number, delayMs = 0.2): SntpSample => ({
  ok: true,
  offsetMs,
  delayMs,
  stratum: 3,
  leap: 0,
  referenceId: '127.127.1.1',
  rootDelayMs: 0,
  rootDispersionMs: 0.5,
  times: { t1: 0, t2: 0, t3: 0, t4: 0 },
});
const POLICY = { quorum: 2, toleranceMs: 10, maxOffsetMs: 100, hardLimitMs: 1e6, maxDistanceMs: 1000 };
const at = (results: SourceResult[]): TimeStatus => ({
  ...selectTime(results, POLICY),
  lastPollAt: new Date('2026-11-25T08:00:00Z'),
  polls: 3,
});

describe('formatTimeStatus', () => {
  it('reads like chronyc sources -v, then the verdict and why', () => {
    const text = formatTimeStatus(
      at([
        { name: 'ntp-a', host: '10.0.0.1', port: 123, result: s(0.0123) },
        { name: '127.0.0.1:4123', host: '127.0.0.1', port: 4123, result: s(0.031, 0.15) },
        { name: 'ntp-wrong', host: '10.0.0.3', port: 123, result: s(300_000.4) },
        { name: 'ntp-d', host: '10.0.0.4', port: 123, result: { ok: false, code: 'FERRY_ERR_TIME_TIMEOUT', detail: '10.0.0.4:123: no reply within 2000 ms' } },
      ]),
    );
    const body = text.split('\n').slice(5).join('\n');
    expect(body).toBe(
      [
        'MS Name/IP address              Stratum     Offset     Delay  Root dist  Note',
        '='.repeat(87),
        '^+ ntp-a (10.0.0.1:123)               3      +12us     200us      600us',
        '^* 127.0.0.1:4123                     3      +31us     150us      575us',
        '^x ntp-wrong (10.0.0.3:123)           3      +300s     200us      600us  falseticker: +300s ± 11ms misses the agreed +22us',
        '^? ntp-d (10.0.0.4:123)               -          -         -          -  FERRY_ERR_TIME_TIMEOUT: 10.0.0.4:123: no reply within 2000 ms',
        '',
        'State           : degraded (no-spare)',
        'Reason          : 2 of 4 sources agree (quorum 2; 1 falseticker(s), 1 unreachable or refused); no spare: exactly the quorum agrees, so one more source lost or wrong makes time untrusted',
        'System time     : 0.000021650 seconds slow of NTP time',
        'Sources         : 2 agreeing, 3 answering, 4 configured, quorum 2',
        'Last poll       : 2026-11-25T08:00:00.000Z',
        '',
      ].join('\n'),
    );
    expect(text.split('\n')[0]).toMatch(/Source mode/);
  });

  it('says fast when the host is ahead, and that an untrusted offset is not applied', () => {
    const text = formatTimeStatus(at([
      { name: 'a', host: 'a', port: 1, result: s(-2e6) },
      { name: 'b', host: 'b', port: 1, result: s(-2e6) },
    ]));
    expect(text).toMatch(/^State {11}: untrusted$/m);
    expect(text).toMatch(/^Code {12}: FERRY_ERR_TIME_OFFSET_LIMIT$/m);
    expect(text).toMatch(/^System time {5}: 2000\.000000000 seconds fast of NTP time \(not applied: untrusted\)$/m);
  });

  it('shows an unknown system time and "never" before the first poll', () => {
    const text = formatTimeStatus({ ...at([]), lastPollAt: null });
    expect(text).toMatch(/^System time {5}: unknown \(no agreed offset\)$/m);
    expect(text).toMatch(/^Last poll {7}: never$/m);
  });
});
