// Case commands: what staff and applicants ask the workflow to do. They arrive decoded from JSON (staff
// UI, applicant packets), so parseCommand checks the shape and reports a bad field as a value.

import { fail, type Verdict } from '../errors.js';
import type { CaseEventName } from './case-state.js';
import { isLocalDate, type LocalDate } from './local-date.js';

export type Command =
  | {
    readonly type: 'accept';
    /** Department code → its A officer and B stand-in; every involved department must be present. */
    readonly assignments: Readonly<Record<string, { readonly a: string; readonly b: string }>>;
    /** Tolerance acceptance (容缺受理): missing tolerable materials and the committed dates. */
    readonly tolerated?: readonly { readonly materialId: string; readonly commitBy: LocalDate }[];
    /** Confirm (true) or revoke (false) the green channel; default: as requested at submission. */
    readonly green?: boolean;
    readonly reason?: string;
  }
  | { readonly type: 'notify'; readonly materials: readonly { readonly id: string; readonly reason: string }[]; readonly reason?: string }
  | { readonly type: 'supplement'; readonly materials: readonly string[]; readonly reason?: string }
  | { readonly type: 'refuse'; readonly reason: string }
  | { readonly type: 'resume-review'; readonly reason?: string }
  | { readonly type: 'supply-committed'; readonly materialId: string; readonly reason?: string }
  | { readonly type: 'give-opinion'; readonly verdict: 'approve' | 'deny'; readonly reason?: string }
  | { readonly type: 'decide'; readonly reason?: string }
  | { readonly type: 'decide-on-the-spot'; readonly verdict: 'approve' | 'deny'; readonly reason?: string }
  | { readonly type: 'record-payment'; readonly amountFen: number; readonly reference: string; readonly reason?: string }
  | { readonly type: 'issue-result'; readonly originalsChecked?: boolean; readonly documentNo?: string; readonly reason?: string }
  | { readonly type: 'close'; readonly reason?: string }
  | { readonly type: 'withdraw'; readonly reason?: string };

export type CommandOf<E extends CaseEventName> = Extract<Command, { type: E }>;

/** Longest free text (reasons, notes) a command may carry. */
export const MAX_REASON_CHARS = 2000;
const MAX_ID = 128;
const MAX_LIST = 200;

type Obj = Record<string, unknown>;
type Check = (o: Obj) => string | undefined;

const text = (max: number, required: boolean) => (o: Obj, k: string): string | undefined => {
  const v = o[k];
  if (v === undefined) return required ? `${k} is required` : undefined;
  if (typeof v !== 'string' || v.trim() === '') return `${k} must be non-empty text`;
  if ([...v].length > max) return `${k} is longer than ${max} characters`;
  return undefined;
};
const id = text(MAX_ID, true);
const optReason: Check = (o) => text(MAX_REASON_CHARS, false)(o, 'reason');
const list = (o: Obj, k: string, each: (e: unknown, i: number) => string | undefined): string | undefined => {
  const v = o[k];
  if (!Array.isArray(v) || v.length === 0) return `${k} must be a non-empty list`;
  if (v.length > MAX_LIST) return `${k} has more than ${MAX_LIST} entries`;
  for (const [i, e] of v.entries()) {
    const p = each(e, i);
    if (p) return `${k}[${i}]: ${p}`;
  }
  return undefined;
};
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SHAPES: Record<CaseEventName, { keys: readonly string[]; check: Check }> = {
  accept: {
    keys: ['assignments', 'tolerated', 'green', 'reason'],
    check: (o) => {
      const asg = o['assignments'];
      if (!isObj(asg) || Object.keys(asg).length === 0) return 'assignments must be an object of department → { a, b }';
      for (const [dept, ab] of Object.entries(asg)) {
        if (!isObj(ab)) return `assignments.${dept} must be { a, b }`;
        const p = id(ab, 'a') ?? id(ab, 'b');
        if (p) return `assignments.${dept}.${p}`;
      }
      if (o['tolerated'] !== undefined) {
        const p = list(o, 'tolerated', (e) => !isObj(e) ? 'must be { materialId, commitBy }'
          : id(e, 'materialId') ?? (isLocalDate(e['commitBy']) ? undefined : 'commitBy must be a date YYYY-MM-DD'));
        if (p) return p;
      }
      if (o['green'] !== undefined && typeof o['green'] !== 'boolean') return 'green must be true or false';
      return optReason(o);
    },
  },
  notify: {
    keys: ['materials', 'reason'],
    check: (o) => list(o, 'materials', (e) => !isObj(e) ? 'must be { id, reason }' : id(e, 'id') ?? text(MAX_REASON_CHARS, true)(e, 'reason')) ?? optReason(o),
  },
  supplement: {
    keys: ['materials', 'reason'],
    check: (o) => list(o, 'materials', (e) => (typeof e === 'string' && e !== '' && e.length <= MAX_ID ? undefined : 'must be a material id')) ?? optReason(o),
  },
  refuse: { keys: ['reason'], check: (o) => text(MAX_REASON_CHARS, true)(o, 'reason') },
  'resume-review': { keys: ['reason'], check: optReason },
  'supply-committed': { keys: ['materialId', 'reason'], check: (o) => id(o, 'materialId') ?? optReason(o) },
  'give-opinion': {
    keys: ['verdict', 'reason'],
    check: (o) => {
      if (o['verdict'] !== 'approve' && o['verdict'] !== 'deny') return 'verdict must be approve or deny';
      // Administrative Licensing Law art. 38: a denial must state its reasons.
      return text(MAX_REASON_CHARS, o['verdict'] === 'deny')(o, 'reason');
    },
  },
  decide: { keys: ['reason'], check: optReason },
  'decide-on-the-spot': {
    keys: ['verdict', 'reason'],
    check: (o) => {
      if (o['verdict'] !== 'approve' && o['verdict'] !== 'deny') return 'verdict must be approve or deny';
      // Administrative Licensing Law art. 38: a denial must state its reasons.
      return text(MAX_REASON_CHARS, o['verdict'] === 'deny')(o, 'reason');
    },
  },
  'record-payment': {
    keys: ['amountFen', 'reference', 'reason'],
    check: (o) => {
      const a = o['amountFen'];
      if (typeof a !== 'number' || !Number.isSafeInteger(a) || a <= 0) return 'amountFen must be a positive integer (fen)';
      return id(o, 'reference') ?? optReason(o);
    },
  },
  'issue-result': {
    keys: ['originalsChecked', 'documentNo', 'reason'],
    check: (o) => {
      if (o['originalsChecked'] !== undefined && typeof o['originalsChecked'] !== 'boolean') return 'originalsChecked must be true or false';
      return text(MAX_ID, false)(o, 'documentNo') ?? optReason(o);
    },
  },
  close: { keys: ['reason'], check: optReason },
  withdraw: { keys: ['reason'], check: optReason },
};

export const COMMAND_TYPES = Object.keys(SHAPES) as CaseEventName[];

/** Check a decoded command's shape: known type, no unknown keys, every field of the right type. */
export function parseCommand(input: unknown): Verdict<Command> {
  if (!isObj(input)) return fail('FERRY_ERR_APPROVAL_COMMAND', 'command must be an object');
  const type = input['type'];
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) {
    return fail('FERRY_ERR_APPROVAL_COMMAND', `type must be one of ${COMMAND_TYPES.join(', ')}`);
  }
  const shape = SHAPES[type as CaseEventName];
  for (const k of Object.keys(input)) {
    if (k !== 'type' && !shape.keys.includes(k)) return fail('FERRY_ERR_APPROVAL_COMMAND', `${type}: unknown field ${k}`);
  }
  const problem = shape.check(input);
  if (problem) return fail('FERRY_ERR_APPROVAL_COMMAND', `${type}: ${problem}`);
  return { ok: true, value: input as Command };
}
