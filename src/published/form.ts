// The form check both gateways run: the external one at ingress (so an applicant hears about every bad
// field at once, in the API's own words), the approval core again when the case is received. It works
// on the published form schema alone, so the extranet needs nothing of the approval core.

import type { FormField } from './item.js';

export interface FormProblem {
  readonly field: string;
  readonly problem: string;
}

/** The form of an item whose catalogue entry declares none (most of a county's catalogue): who applies
 *  and what they attach travel in the submission's applicant block and its materials, so the form only
 *  carries an optional statement of the request. It holds no personal data on purpose: the case state
 *  names the applicant by a pseudonymous id only. */
export const GENERIC_FORM: readonly FormField[] = Object.freeze([
  Object.freeze({ name: 'request', label: '申请事项说明', type: 'string', required: false, maxLength: 2000 } as const),
]);

/** True when `form` is the generic form (by content: a case or a packet holds a copy, not the object). */
export function isGenericForm(form: readonly FormField[]): boolean {
  return JSON.stringify(form) === JSON.stringify(GENERIC_FORM);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when s is a real calendar date written 'YYYY-MM-DD' (rejects 2026-02-30). */
export function isCivilDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** All problems with `fields` against `form`, in the catalogue's field order, then unknown fields. */
export function checkForm(form: readonly FormField[], fields: unknown): FormProblem[] {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    return [{ field: '(form)', problem: 'must be an object of field values' }];
  }
  const given = fields as Record<string, unknown>;
  const problems: FormProblem[] = [];
  for (const f of form) {
    const v = Object.hasOwn(given, f.name) ? given[f.name] : undefined;
    if (v === undefined || v === null || v === '') {
      if (f.required) problems.push({ field: f.name, problem: 'is required' });
      continue;
    }
    const p = checkValue(f, v);
    if (p) problems.push({ field: f.name, problem: p });
  }
  const known = new Set(form.map((f) => f.name));
  for (const k of Object.keys(given)) {
    if (!known.has(k)) problems.push({ field: k, problem: 'is not a field of this item' });
  }
  return problems;
}

// Patterns come from the catalogue (operator-written, a bounded set): compile each once.
const compiled = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

function checkValue(f: FormField, v: unknown): string | undefined {
  switch (f.type) {
    case 'string': {
      if (typeof v !== 'string') return 'must be text';
      // Length in Unicode code points, as applicants count characters (a CJK character is one).
      if ([...v].length > f.maxLength) return `is longer than ${f.maxLength} characters`;
      // The length check comes first, so a pattern only ever runs on bounded input.
      if (f.pattern !== undefined && !anchored(f.pattern).test(v)) return 'does not have the required format';
      return undefined;
    }
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (f.integer && !Number.isInteger(v)) return 'must be a whole number';
      if (f.min !== undefined && v < f.min) return `must be at least ${f.min}`;
      if (f.max !== undefined && v > f.max) return `must be at most ${f.max}`;
      return undefined;
    }
    case 'date':
      return isCivilDate(v) ? undefined : 'must be a date written YYYY-MM-DD';
    case 'enum':
      return typeof v === 'string' && f.values.includes(v) ? undefined : `must be one of: ${f.values.join(', ')}`;
  }
}
