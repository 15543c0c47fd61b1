// The one error registry and its documentation stay in step, and no code is used that it lacks.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../src/errors.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error registry', () => {
  const doc = readFileSync('docs/ERRORS.md', 'utf8');
  it('documents every code in docs/ERRORS.md with its HTTP status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, `${code} missing from docs/ERRORS.md (npm run build && node scripts/errors-doc.mjs)`).toBeDefined();
      expect(row).toContain(`| ${(spec as { status?: number }).status ?? '—'} |`);
    }
  });
  it('documents no code the registry lacks', () => {
    for (const m of doc.matchAll(/`(FERRY_ERR_[A-Z0-9_]+)`/g)) expect(ERRORS).toHaveProperty(m[1]!);
  });
  it('uses no code in src/ that the registry lacks', () => {
    for (const file of sources('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/FERRY_ERR_[A-Z0-9_]+/g)) {
        expect(ERRORS, `${file} uses ${m[0]}`).toHaveProperty(m[0]);
      }
    }
  });
});
