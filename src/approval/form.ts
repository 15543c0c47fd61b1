// Form validation against an item's declared fields, in the approval core: the published check
// (src/published/form.ts, the one the external gateway runs at ingress) as a verdict with the values.

import { fail, type Verdict } from '../errors.js';
import { checkForm } from '../published/form.js';
import type { Item } from './item.js';

export type FormValue = string | number;
export type FormValues = Readonly<Record<string, FormValue>>;

/** Verdict form of checkForm: the values (only declared, non-empty fields) or one error naming every
 *  bad field, e.g. "companyName: is longer than 50 characters; capital: must be a number". */
export function validateForm(item: Item, fields: unknown): Verdict<FormValues> {
  const problems = checkForm(item.form, fields);
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
