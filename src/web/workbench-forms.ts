// A posted workbench form → the desk command the staff JSON API would carry. Only the fields each
// step knows are read (anything else in the body is ignored, never forwarded); the desk's own
// parseCommand then checks the shape and names a bad field, and the page shows that message.
import type { CaseState } from '../approval/index.js';
import { involvedDepartments } from '../approval/index.js';
import { FORM_EVENTS, type FormEvent } from './workbench-case-page.js';

/** A decoded application/x-www-form-urlencoded body: every value of every name, in order. */
export type FormBody = ReadonlyMap<string, readonly string[]>;

/** At most this many fields are read from one form (a notice over a long material list stays well under). */
export const MAX_FORM_FIELDS = 400;

export function parseForm(body: string): FormBody {
  const out = new Map<string, string[]>();
  let n = 0;
  for (const [k, v] of new URLSearchParams(body)) {
    if (++n > MAX_FORM_FIELDS) break;
    const list = out.get(k);
    if (list) list.push(v); else out.set(k, [v]);
  }
  return out;
}

export const one = (f: FormBody, k: string): string | undefined => f.get(k)?.[0];
const trimmed = (f: FormBody, k: string): string | undefined => {
  const v = one(f, k)?.trim();
  return v ? v : undefined;
};
const withReason = (f: FormBody, cmd: Record<string, unknown>) => {
  const reason = trimmed(f, 'reason');
  return reason === undefined ? cmd : { ...cmd, reason };
};

export interface FormCommand { readonly command: Record<string, unknown>; readonly expectedVersion: number | undefined }

export function isFormEvent(v: unknown): v is FormEvent {
  return typeof v === 'string' && (FORM_EVENTS as readonly string[]).includes(v);
}

/** The command for a posted form; `c` is the case as it stands (the departments an acceptance assigns). */
export function commandOf(f: FormBody, c: CaseState): FormCommand {
  const type = one(f, 'type');
  const v = Number(one(f, 'version'));
  // An opinion is one department's own step in a parallel review (并联审批): another department's
  // opinion moves the case's version without touching this one, so holding the form to the version
  // it was rendered at would refuse every department but the first to press the button. What the
  // version guards against is still refused by the desk: a second opinion of the same department
  // (a resent form) is FERRY_ERR_APPROVAL_OPINION_GIVEN, and a case that moved on (a notice, a
  // withdrawal, a decision) has no give-opinion row in the transition table.
  const expectedVersion = type !== 'give-opinion' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  const cmd = ((): Record<string, unknown> => {
    switch (type) {
      case 'accept': {
        const assignments = Object.fromEntries(involvedDepartments(c.item).map((d) => [d.code, { a: one(f, `a.${d.code}`) ?? '', b: one(f, `b.${d.code}`) ?? '' }]));
        const tolerated = (f.get('tolerate') ?? []).map((id) => ({ materialId: id, commitBy: one(f, `commitBy.${id}`) ?? '' }));
        return withReason(f, { type, assignments, ...(tolerated.length ? { tolerated } : {}) });
      }
      case 'notify': {
        const materials = (f.get('material') ?? []).map((id) => ({ id, reason: trimmed(f, `reason.${id}`) ?? '' }));
        return withReason(f, { type, materials });
      }
      case 'give-opinion': return withReason(f, { type, verdict: one(f, 'verdict') ?? '' });
      case 'record-payment': return withReason(f, { type, amountFen: Number(one(f, 'amountFen')), reference: trimmed(f, 'reference') ?? '' });
      case 'issue-result': {
        const documentNo = trimmed(f, 'documentNo');
        return withReason(f, { type, ...(documentNo ? { documentNo } : {}), ...(one(f, 'originalsChecked') === 'true' ? { originalsChecked: true } : {}) });
      }
      case 'refuse': return { type, reason: one(f, 'reason') ?? '' };
      default: return withReason(f, { type: typeof type === 'string' ? type.slice(0, 32) : '' });
    }
  })();
  return { command: cmd, expectedVersion };
}
