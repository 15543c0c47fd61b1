import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_CONFIG } from '../../src/time/limits.js';
import { resolveTimeConfig, type TimeConfigInput } from '../../src/time/time-config.js';

const SOURCES = [
  { name: 'ntp-a', host: 'ntp-a.gov.example', port: 123 },
  { host: '10.0.0.2', port: 123 },
  { host: '10.0.0.3', port: 1123 },
];

describe('resolveTimeConfig', () => {
  it('fills every omitted field from DEFAULT_TIME_CONFIG and names unnamed sources host:port', () => {
    const v = resolveTimeConfig({ sources: SOURCES });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value).toMatchObject(DEFAULT_TIME_CONFIG);
    expect(v.value.sources.map((s) => s.name)).toEqual(['ntp-a', '10.0.0.2:123', '10.0.0.3:1123']);
    expect(Object.isFrozen(v.value)).toBe(true);
    expect(Object.isFrozen(v.value.sources[0])).toBe(true);
  });

  it('keeps the values given', () => {
    const v = resolveTimeConfig({ sources: SOURCES, quorum: 3, pollIntervalMs: 200, timeoutMs: 100 });
    expect(v.ok && [v.value.quorum, v.value.pollIntervalMs, v.value.timeoutMs]).toEqual([3, 200, 100]);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown top-level key', { sources: SOURCES, quorom: 2 }, /unknown key "quorom"/],
    ['an unknown source key', { sources: [{ host: 'a', port: 123, prot: 1 }] }, /sources\[0\]: unknown key "prot"/],
    ['no sources', { sources: [] }, /at least one NTP server/],
    ['an empty host', { sources: [{ host: ' ', port: 123 }] }, /sources\[0\]\.host/],
    ['port 0', { sources: [{ host: 'a', port: 0 }] }, /sources\[0\]\.port/],
    ['port 70000', { sources: [{ host: 'a', port: 70000 }] }, /sources\[0\]\.port/],
    ['a duplicate name', { sources: [{ host: 'a', port: 123 }, { name: 'a:123', host: 'b', port: 123 }] }, /duplicate source name "a:123"/],
    ['quorum 0', { sources: SOURCES, quorum: 0 }, /"quorum" must be an integer/],
    ['quorum 2.5', { sources: SOURCES, quorum: 2.5 }, /"quorum" must be an integer/],
    ['quorum above the sources', { sources: SOURCES, quorum: 4 }, /"quorum" is 4 but only 3/],
    ['a negative tolerance', { sources: SOURCES, toleranceMs: -1 }, /"toleranceMs"/],
    ['an infinite timeout', { sources: SOURCES, timeoutMs: Infinity }, /"timeoutMs"/],
    ['a string interval', { sources: SOURCES, pollIntervalMs: '64s' }, /"pollIntervalMs"/],
    ['hard limit above 60 s (an on-path attacker could move stamped time that far)', { sources: SOURCES, hardLimitMs: 60_001 }, /"hardLimitMs" \(60001\) may be at most 60000/],
    ['hard limit below max offset', { sources: SOURCES, maxOffsetMs: 500, hardLimitMs: 100 }, /"hardLimitMs" \(100\) must be at least "maxOffsetMs" \(500\)/],
    ['max offset 0', { sources: SOURCES, maxOffsetMs: 0 }, /"maxOffsetMs" must be more than 0/],
  ])('refuses %s, naming it', (_n, input, message) => {
    const v = resolveTimeConfig(input as TimeConfigInput);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.code).toBe('FERRY_ERR_CONFIG');
      expect(v.detail).toMatch(/^time: /);
      expect(v.detail).toMatch(message);
    }
  });
});
