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
    ['an unknown top-level key', { sources: SOURCES, quorom: 2 }, /^time\.quorom: unknown key$/],
    ['an unknown source key', { sources: [{ host: 'a', port: 123, prot: 1 }] }, /^time\.sources\[0\]\.prot: unknown key$/],
    ['no sources', { sources: [] }, /^time\.sources: must list at least one NTP server/],
    ['an empty host', { sources: [{ host: ' ', port: 123 }] }, /^time\.sources\[0\]\.host: must not be empty/],
    ['port 0', { sources: [{ host: 'a', port: 0 }] }, /^time\.sources\[0\]\.port: must be an integer from 1 to 65535 \(got 0\)$/],
    ['port 70000', { sources: [{ host: 'a', port: 70000 }] }, /^time\.sources\[0\]\.port: must be an integer from 1 to 65535 \(got 70000\)$/],
    ['a duplicate name', { sources: [{ host: 'a', port: 123 }, { name: 'a:123', host: 'b', port: 123 }] }, /^time\.sources\[1\]: duplicate source name "a:123"/],
    ['quorum 0', { sources: SOURCES, quorum: 0 }, /^time\.quorum: must be an integer of at least 1 \(got 0\)$/],
    ['quorum 2.5', { sources: SOURCES, quorum: 2.5 }, /^time\.quorum: must be an integer of at least 1 \(got 2\.5\)$/],
    ['quorum above the sources', { sources: SOURCES, quorum: 4 }, /^time\.quorum: is 4 but only 3 source\(s\) are configured$/],
    ['a negative tolerance', { sources: SOURCES, toleranceMs: -1 }, /^time\.toleranceMs: must be an integer of at least 0 \(got -1\)$/],
    ['an infinite timeout', { sources: SOURCES, timeoutMs: Infinity }, /^time\.timeoutMs: must be an integer of at least 10 \(got Infinity\)$/],
    ['a string interval', { sources: SOURCES, pollIntervalMs: '64s' }, /^time\.pollIntervalMs: must be an integer of at least 10 \(got "64s"\)$/],
    ['hard limit above 60 s (an on-path attacker could move stamped time that far)', { sources: SOURCES, hardLimitMs: 60_001 }, /^time\.hardLimitMs: must be an integer from 1 to 60000 \(got 60001\)$/],
    ['hard limit below max offset', { sources: SOURCES, maxOffsetMs: 500, hardLimitMs: 100 }, /^time\.hardLimitMs: \(100\) must be at least maxOffsetMs \(500\)$/],
    ['max offset 0', { sources: SOURCES, maxOffsetMs: 0 }, /^time\.maxOffsetMs: must be an integer of at least 1 \(got 0\)$/],
  ])('refuses %s, naming it', (_n, input, message) => {
    const v = resolveTimeConfig(input as TimeConfigInput);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.code).toBe('FERRY_ERR_CONFIG');
      expect(v.detail).toMatch(/^time[.:]/);
      expect(v.detail).toMatch(message);
    }
  });
});
