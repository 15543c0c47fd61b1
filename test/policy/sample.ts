// The shipped config/policy.yaml, loaded once per test file, and a helper for small inline policies.
import { readFileSync } from 'node:fs';
import { parsePolicy, formatIssues } from '../../src/policy/policy-file.js';
import type { Policy } from '../../src/policy/policy-model.js';

export const SAMPLE_FILE = 'config/policy.yaml';
export const sampleText = (): string => readFileSync(SAMPLE_FILE, 'utf8');

export function policyFrom(text: string, source = 'test-policy.yaml'): Policy {
  const r = parsePolicy(text, source);
  if (!r.ok) throw new Error(formatIssues(r));
  return r.policy;
}

export const samplePolicy = (): Policy => policyFrom(sampleText(), SAMPLE_FILE);

export const MiB = 1024 * 1024;
export const KiB = 1024;
