// File names: what real applicants send passes; each unsafe shape gets its own code.

import { describe, expect, it } from 'vitest';
import type { FerryErrorCode } from '../../src/errors.js';
import { DEFAULT_CONTENT_LIMITS, checkFileName, fileExtension, parseAllowedTypes } from '../../src/policy/content/index.js';

const ACCEPTED = [
  'a.pdf',
  '营业执照 副本.pdf',
  '身份证（正面）.jpg',
  'scan (1).JPG',
  'Invoice_2024-03-01.ofd',
  'x'.repeat(251) + '.pdf', // 255 bytes exactly
  '文'.repeat(83) + '.pdf', // 253 bytes
  'CONTRACT.pdf', // starts with CON but is not CON
  'com10.pdf', // COM10 is not a device
  '.profile',
  '项目　申报.pdf', // ideographic space U+3000 is a visible space, allowed
];

const REFUSED: readonly [string, FerryErrorCode][] = [
  ['.', 'FERRY_ERR_CONTENT_NAME_PATH'],
  ['..', 'FERRY_ERR_CONTENT_NAME_PATH'],
  ['. .', 'FERRY_ERR_CONTENT_NAME_EMPTY'],
  ['a\u2215b.pdf', 'FERRY_ERR_CONTENT_NAME_PATH'], // division slash
  ['a\uFE68b.pdf', 'FERRY_ERR_CONTENT_NAME_PATH'], // small reverse solidus
  ['C:evil.pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a?.pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a*.pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a<b>.pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a|b.pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a".pdf', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['a.pdf ', 'FERRY_ERR_CONTENT_NAME_CHARACTER'],
  ['nul.tar.gz', 'FERRY_ERR_CONTENT_NAME_RESERVED'],
  ['AUX .pdf', 'FERRY_ERR_CONTENT_NAME_RESERVED'],
  ['conin$.pdf', 'FERRY_ERR_CONTENT_NAME_RESERVED'],
  ['ＣＯＮ.pdf', 'FERRY_ERR_CONTENT_NAME_RESERVED'], // fullwidth letters fold to CON
  ['a\u0085.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // C1 next line
  ['a\u2028.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // line separator
  ['a\u2066b.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // left-to-right isolate
  ['a\uFEFF.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // BOM / zero-width no-break space
  ['a\u00AD.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // soft hyphen (invisible)
  ['a\uFFFD.pdf', 'FERRY_ERR_CONTENT_NAME_CONTROL'], // already mis-decoded
  ['x'.repeat(10_000), 'FERRY_ERR_CONTENT_NAME_TOO_LONG'],
];

describe('checkFileName', () => {
  it.each(ACCEPTED)('accepts %s', (name) => {
    expect(checkFileName(name)).toEqual({ ok: true, value: undefined });
  });

  it.each(REFUSED)('refuses %j', (name, code) => {
    const v = checkFileName(name);
    expect(v.ok ? 'accepted' : v.code).toBe(code);
  });

  it('counts UTF-8 bytes, not characters, against the limit', () => {
    expect(checkFileName('文'.repeat(84) + '.pdf').ok).toBe(false); // 256 bytes, 88 characters
    expect(checkFileName('a.pdf', 4).ok).toBe(false);
    expect(checkFileName('a.pdf', DEFAULT_CONTENT_LIMITS.maxFileNameBytes).ok).toBe(true);
  });

  it('treats a non-string as empty rather than throwing', () => {
    expect(checkFileName(undefined as unknown as string)).toMatchObject({ ok: false, code: 'FERRY_ERR_CONTENT_NAME_EMPTY' });
  });
});

describe('fileExtension', () => {
  it.each([
    ['a.PDF', 'pdf'],
    ['a.tar.gz', 'gz'],
    ['README', ''],
    ['.profile', ''],
    ['a.', ''],
  ])('%s -> %j', (name, ext) => expect(fileExtension(name)).toBe(ext));
});

describe('limits and allowed types', () => {
  it('freezes the default limits', () => {
    expect(Object.isFrozen(DEFAULT_CONTENT_LIMITS)).toBe(true);
  });

  it('parses a configured allowed list and names an unknown type', () => {
    const ok = parseAllowedTypes(['pdf', 'ofd']);
    expect(ok.ok && [...ok.value]).toEqual(['pdf', 'ofd']);
    expect(parseAllowedTypes(['pdf', 'docx'])).toEqual({ ok: false, unknown: 'docx' });
  });
});
