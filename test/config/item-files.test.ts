// The approval module's own files (config/items/*.yaml, config/calendar/cn-<year>.yaml) are read by the
// same loader and checked by the same schema language as the gateway configs: a fault names FILE:LINE,
// the key path and the value given, with the module's own error code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseItem } from '../../src/approval/catalogue.js';
import { parseCalendarYear } from '../../src/approval/calendar.js';
import { isFerryError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const ITEM = readFileSync(join(ROOT, 'config/items/SCJG-001.yaml'), 'utf8');
const YEAR = readFileSync(join(ROOT, 'config/calendar/cn-2026.yaml'), 'utf8');

/** The text with the first line matching `re` replaced, and that line's number. */
function edit(text: string, re: RegExp, to: string): { text: string; line: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => re.test(l));
  expect(i).toBeGreaterThanOrEqual(0);
  lines[i] = lines[i]!.replace(re, to);
  return { text: lines.join('\n'), line: i + 1 };
}

function refusal(run: () => unknown): { code: string; message: string } {
  try { run(); } catch (e) { if (isFerryError(e)) return { code: e.code, message: e.message }; throw e; }
  throw new Error('accepted');
}

describe('item and calendar files fail like the gateway configs: FILE:LINE, key, value', () => {
  it.each<[string, RegExp, string, string]>([
    ['a bad enum value', /acceptance: tolerable/, 'acceptance: later', 'materials[5].acceptance: must be one of required, tolerable (got "later")'],
    ['an unknown key', /^promisedDays: 3$/, 'promiseDays: 3', 'promiseDays: unknown key'],
    ['a string where an integer belongs', /^statutoryDays: (\d+)$/, 'statutoryDays: fifteen', 'statutoryDays: must be an integer from 1 to 250 (got "fifteen")'],
  ])('item: %s', (_n, re, to, reason) => {
    const { text, line } = edit(ITEM, re, to);
    expect(refusal(() => parseItem(text, 'config/items/SCJG-001.yaml'))).toEqual({
      code: 'FERRY_ERR_APPROVAL_CATALOGUE', message: `config/items/SCJG-001.yaml:${line}: ${reason}`,
    });
  });

  it('calendar: a year out of range, named at its line', () => {
    const { text, line } = edit(YEAR, /^year: 2026$/, 'year: 1999');
    expect(refusal(() => parseCalendarYear(text, 'cn-2026.yaml'))).toEqual({
      code: 'FERRY_ERR_APPROVAL_CALENDAR', message: `cn-2026.yaml:${line}: year: must be an integer from 2000 to 2100 (got 1999)`,
    });
  });

  it('a YAML syntax fault names its line too', () => {
    const { text, line } = edit(YEAR, /^year: 2026$/, 'year: [2026');
    const r = refusal(() => parseCalendarYear(text, 'cn-2026.yaml'));
    expect(r.code).toBe('FERRY_ERR_APPROVAL_CALENDAR');
    expect(r.message).toMatch(/^cn-2026\.yaml:\d+: not valid YAML: /);
    expect(Number(/:(\d+):/.exec(r.message)![1])).toBeGreaterThanOrEqual(line);
  });
});
