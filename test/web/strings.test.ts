import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStrings, parseStrings, STRING_KEYS } from '../../src/web/strings.js';
import { webDir } from '../../src/web/web-root.js';

const FILE = join(webDir(), 'strings', 'zh-CN.yaml');
const shipped = readFileSync(FILE, 'utf8');

describe('the pages\' wording file', () => {
  it('ships every key, and fills placeholders', () => {
    const t = loadStrings(FILE);
    for (const key of Object.keys(STRING_KEYS) as (keyof typeof STRING_KEYS)[]) expect(t(key).length).toBeGreaterThan(0);
    expect(t('items.page', { page: 2, pages: 7 })).toBe('第 2 页，共 7 页');
  });
  it('refuses a missing key, naming the file and the key', () => {
    expect(() => parseStrings(shipped.replace(/^ {2}footer: .*$/m, ''), 'county.yaml')).toThrow(/county\.yaml: site\.footer: missing or not a text/);
  });
  it('refuses an unknown key (a misspelt one would otherwise be silently ignored)', () => {
    expect(() => parseStrings(`${shipped}\nsite2:\n  titel: x\n`, 'county.yaml')).toThrow(/county\.yaml: unknown key site2\.titel/);
  });
  it('refuses a text that dropped a placeholder its page fills', () => {
    expect(() => parseStrings(shipped.replace('共 {n} 项', '共若干项'), 'county.yaml')).toThrow(/items\.count: the text must keep the placeholder \{n\}/);
  });
  it('refuses a non-text value and a file that is not YAML', () => {
    expect(() => parseStrings(shipped.replace('title: 政务服务网上办事大厅', 'title: [1, 2]'), 'c.yaml')).toThrow(/c\.yaml: site\.title: missing or not a text/);
    expect(() => parseStrings('site: [', 'c.yaml')).toThrow(/c\.yaml: not valid YAML/);
    expect(() => loadStrings('/nonexistent/zh-CN.yaml')).toThrow(/\/nonexistent\/zh-CN\.yaml: cannot be read: ENOENT/);
  });
});
