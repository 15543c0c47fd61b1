// Every row of the hostile table gets exactly its code, and the registry knows every code used.

import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { DEFAULT_ALLOWED_TYPES, inspectAttachment } from '../../src/policy/content/index.js';
import { HOSTILE, limitsWith } from './hostile-cases.js';

describe('inspectAttachment refuses hostile input with the specific code', () => {
  it('has at least 40 distinct hostile cases', () => {
    expect(new Set(HOSTILE.map((c) => c.what)).size).toBe(HOSTILE.length);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(HOSTILE.map((c) => [c.what, c] as const))('refuses %s', async (_what, c) => {
    const bytes = c.bytes();
    const verdict = await inspectAttachment(
      { fileName: c.fileName, bytes, ...(c.declared === undefined ? {} : { declaredMediaType: c.declared }) },
      limitsWith(c.limits),
      c.allowed ?? DEFAULT_ALLOWED_TYPES,
    );
    expect(verdict.ok ? 'accepted' : `${verdict.code}: ${verdict.detail}`).toMatch(new RegExp(`^${c.code}: `));
  });

  it('uses only codes of the content section of the registry, each with an HTTP status', () => {
    for (const c of HOSTILE) {
      expect(c.code.startsWith('FERRY_ERR_CONTENT_')).toBe(true);
      const spec = ERRORS[c.code] as { readonly status?: number; readonly meaning: string };
      expect([400, 413, 415, 422]).toContain(spec.status);
    }
  });
});
