// Form validation against an item's declared fields. Every problem is reported at once, field by field,
// in the catalogue's field order — the same spirit as the one-time notice: tell the applicant all of it.

import { fail, type Verdict } from '../errors.js';
import { isLocalDate } from './local-date.js';
import type { FormField, Item } from './item.js';

export type FormValue = string | number;
export type FormValues = Readonly<Record<string, FormValue>>;

export interface FormProblem {
  readonly field: string;
  readonly problem: string;
}

/** All problems with `fields` for `item`, in the catalogue's field order, then unknown fields. */
export function checkForm(item: Item, fields: unknown): FormProblem[] {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    return [{ field: '(form)', problem: 'must be an object of field values' }];
  }
  const given = fields as Record<string, unknown>;
  const problems: FormProblem[] = [];
  for (const f of item.form) {
    const v = Object.hasOwn(given, f.name) ? given[f.name] : undefined;
    if (v === undefined || v === null || v === '') {
      if (f.required) problems.push({ field: f.name, problem: 'is required' });
      continue;
    }
    const p = checkValue(f, v);
    if (p) problems.push({ field: f.name, problem: p });
  }
  const known = new Set(item.form.map((f) => f.name));
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
      return isLocalDate(v) ? undefined : 'must be a date written YYYY-MM-DD';
    case 'enum':
      return typeof v === 'string' && f.values.includes(v) ? undefined : `must be one of: ${f.values.join(', ')}`;
  }
}

/** Verdict form of checkForm: the values (only declared, non-empty fields) or one error naming every
 *  bad field, e.g. "companyName: is longer than 50 characters; capital: must be a number". */
export function validateForm(item: Item, fields: unknown): Verdict<FormValues> {
  const problems = checkForm(item, fields);
  if (problems.length > 0) {
    return fail('FERRY_ERR_APPROVAL_FORM', problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
  }
  const given = fields as Record<string, unknown>;
  const values: Record<string, FormValue> = {};
  for (const f of item.form) {
    const v = given[f.name];
    if (v !== undefined && v !== null && v !== '') values[f.name] = v as FormValue;
  }
  return { ok: true, value: values };
}
