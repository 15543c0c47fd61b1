// Copies of the shipped policy for tests that must not trip the rate limits (load and crash tests
// submit hundreds of cases from one loopback address); the rest of the file is the shipped one.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function shippedPolicy(): string {
  let dir = resolve(fileURLToPath(import.meta.url), '..');
  for (let i = 0; i < 5; i++, dir = resolve(dir, '..')) {
    try { return readFileSync(join(dir, 'config/policy.yaml'), 'utf8'); } catch { /* go up */ }
  }
  throw new Error('config/policy.yaml not found');
}

export function policyWithoutRateLimits(): string {
  const text = shippedPolicy().replace(/(per(?:Applicant|SourceAddress|Township)): \d+\/(\w)/g, '$1: 1000000/$2');
  const file = join(mkdtempSync(join(tmpdir(), 'ferry-policy-')), 'policy.yaml');
  writeFileSync(file, text);
  return file;
}

/** The shipped policy with exact text edits; each `from` must occur in the file, so a test cannot
 *  silently run against the unchanged policy after the shipped file is reworded. */
export function policyWith(edits: readonly (readonly [from: string, to: string])[]): string {
  let text = shippedPolicy();
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`policyWith: ${JSON.stringify(from)} is not in config/policy.yaml`);
    text = text.replace(from, to);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'ferry-policy-')), 'policy.yaml');
  writeFileSync(file, text);
  return file;
}
