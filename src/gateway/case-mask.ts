// Case numbers in logs, masked. Anyone who reads a log line must not learn a case number, and an
// operator must still be able to follow one case across lines and both gateways: the mask keeps the
// date prefix (which day's cases to look at) and replaces the 16 random characters with 8 hex digits
// of SHA-256 over the whole number. The case number carries 80 random bits, so the short hash cannot
// be reversed by search; no key is needed, and `ferry log mask F20261203-…` gives an operator the
// same token to grep for.
import { createHash } from 'node:crypto';

/** Any case number inside a text (the pattern of src/external/case-id.ts, unanchored). */
const CASE_ID_ANYWHERE = /F(\d{8})-[0-9A-HJKMNP-TV-Z]{16}/g;
/** Deep objects in a log line are walked to this depth; deeper values are left as they are. */
const MAX_DEPTH = 4;

/** `F20261203-ABCDEFGHJKMNPQRS` → `F20261203~1f0c9a2b`. Not a case number, so never re-masked. */
export function maskCaseId(caseId: string): string {
  return caseId.replace(CASE_ID_ANYWHERE, (whole, date: string) =>
    `F${date}~${createHash('sha256').update(`ferry-case-log\0${whole}`).digest('hex').slice(0, 8)}`);
}

/** Masks every case number in a log record's values (strings, arrays and plain objects). */
export function maskLogValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.includes('F') ? maskCaseId(v) : v;
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => maskLogValue(x, depth + 1));
  // Errors, Buffers and class instances are left to pino's serialisers.
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = maskLogValue(x, depth + 1);
  return out;
}
