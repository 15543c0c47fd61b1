// One row of sheet 事项 → the plain value an item file holds, then the one item validator
// (itemFromNode in src/approval/catalogue.ts). Cell-level faults (a formula, a date, text in a number
// column, an over-long cell, an empty required cell, an unknown department) are all collected, each
// at its own cell; the validator's rules (limits within limits, a fee's basis, …) then report the
// first fault of a row that passed the cell checks, at the cell that holds the value.

import { itemFromNode } from '../approval/catalogue.js';
import { ConfigNode } from '../approval/config-node.js';
import type { Item } from '../approval/item.js';
import { isFerryError } from '../errors.js';
import { cellNumber, cellText } from './cell-text.js';
import {
  CATEGORY_WORDS, ITEM_COLUMNS, ITEMS_SHEET, MODE_WORDS, REQUIRED_WORD, TOLERABLE_WORD, YES_NO_WORDS, columnLetter, type Column,
} from './sheet-layout.js';

export type RowResult = { readonly ok: true; readonly item: Item } | { readonly ok: false; readonly errors: readonly string[] };

/** Departments by code (from sheet 部门, or the catalogue in force for a CSV). */
export type DepartmentNames = ReadonlyMap<string, string>;

interface Cell { readonly column: Column; readonly index: number; readonly address: string }

/** Which item path each column fills, to name the cell of a validator fault. */
const PATH_COLUMN: readonly [RegExp, string][] = [
  [/^leadDepartment\.taskDays/, 'leadTaskDays'],
  [/^leadDepartment/, 'leadDepartment'],
  [/^fee\.legalBasis/, 'feeBasis'],
  [/^greenChannel/, 'greenChannel'],
  [/^([A-Za-z]+)/, '$1'],
];

/** `values[i]` is the raw cell value of ITEM_COLUMNS[i]; `row` is the sheet row number (1-based). */
export function rowToItem(values: readonly unknown[], row: number, departments: DepartmentNames, sheet = ITEMS_SHEET): RowResult {
  const errors: string[] = [];
  const cells = new Map<string, Cell>();
  ITEM_COLUMNS.forEach((column, index) => cells.set(column.key, { column, index, address: `${sheet}!${columnLetter(index + 1)}${row}` }));
  const at = (key: string) => cells.get(key)!;
  const bad = (key: string, problem: string) => { const c = at(key); errors.push(`${c.address}: ${c.column.header} ${problem}`); };

  const { text, num } = readCells(values, cells, bad);

  const v: Record<string, unknown> = {};
  const str = (key: string) => text.get(key);
  const lines = (key: string) => str(key)?.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const choice = <T>(key: string, words: Readonly<Record<string, T>>): T | undefined => {
    const t = str(key);
    if (t === undefined) return undefined;
    if (Object.hasOwn(words, t)) return words[t];
    bad(key, `must be one of ${Object.keys(words).join('、')} (got "${t.slice(0, 40)}")`);
    return undefined;
  };
  const dept = (key: string, code: string, taskDays: unknown) => {
    const name = departments.get(code);
    if (name === undefined) { bad(key, `names unknown department '${code.slice(0, 64)}' (not on sheet 部门)`); return undefined; }
    return { code, name, taskDays };
  };

  v['code'] = str('code');
  v['name'] = str('name');
  v['category'] = choice('category', CATEGORY_WORDS);
  const lead = str('leadDepartment');
  if (lead !== undefined) v['leadDepartment'] = dept('leadDepartment', lead, num.get('leadTaskDays'));
  const parallel = lines('parallelDepartments');
  if (parallel) {
    v['parallelDepartments'] = parallel.map((l) => {
      const m = /^([^:：]+)[:：]\s*(\d{1,4})$/.exec(l);
      if (!m) { bad('parallelDepartments', `line "${l.slice(0, 40)}" must read 部门编码:审查时限, e.g. qts:2`); return undefined; }
      return dept('parallelDepartments', m[1]!.trim(), Number(m[2]));
    });
  }
  if (num.has('statutoryDays')) v['statutoryDays'] = num.get('statutoryDays');
  v['promisedDays'] = num.get('promisedDays');
  const sameDay = choice('sameDay', YES_NO_WORDS);
  if (sameDay !== undefined) v['sameDay'] = sameDay;
  v['mode'] = choice('mode', MODE_WORDS);
  v['legalBasis'] = lines('legalBasis');
  v['conditions'] = lines('conditions');
  v['materials'] = lines('materials')?.map((l) => material(l, (p) => bad('materials', p)));
  v['fee'] = fee(num.get('fee'), str('feeBasis'), (p) => bad('fee', p));
  if (str('chargingDepartment') !== undefined) v['chargingDepartment'] = str('chargingDepartment');
  v['greenChannel'] = num.has('greenChannel') ? { eligible: true, promisedDays: num.get('greenChannel') } : { eligible: false };
  v['result'] = str('result');
  if (lines('reviewPoints')) v['reviewPoints'] = lines('reviewPoints');
  const form = str('form');
  if (form !== undefined) {
    try { v['form'] = JSON.parse(form) as unknown; } catch (e) { bad('form', `is not valid JSON: ${(e as Error).message.slice(0, 80)}`); }
  }
  if (errors.length > 0) return { ok: false, errors };

  const locate = (path: string): string => {
    for (const [re, to] of PATH_COLUMN) {
      const m = re.exec(path);
      if (!m) continue;
      const key = to.replace('$1', m[1] ?? '');
      if (!cells.has(key)) continue;
      const c = at(key);
      const rest = path.slice(m[0].length).replace(/^\./, '');
      return `${c.address}: ${c.column.header}${rest ? ` (${rest})` : ''}`;
    }
    return `${sheet}!A${row}: 事项`;
  };
  try {
    return { ok: true, item: itemFromNode(new ConfigNode(v, sheet, '', 'FERRY_ERR_APPROVAL_CATALOGUE', undefined, locate)) };
  } catch (e) {
    if (isFerryError(e) && e.code === 'FERRY_ERR_APPROVAL_CATALOGUE') return { ok: false, errors: [e.message] };
    throw e;
  }
}

/** Every cell to text (or a number), each with its own length cap; faults go to `bad`. */
function readCells(values: readonly unknown[], cells: ReadonlyMap<string, Cell>, bad: (key: string, problem: string) => void) {
  const text = new Map<string, string>();
  const num = new Map<string, number>();
  for (const { column, index } of cells.values()) {
    const r = cellText(values[index]);
    if (!r.ok) { bad(column.key, r.problem); continue; }
    const t = r.text.trim();
    if ([...t].length > column.max) { bad(column.key, `has ${[...t].length} characters; at most ${column.max}`); continue; }
    if (t === '') { if (column.required) bad(column.key, 'is required'); continue; }
    // A number where text belongs is a date or a code that the spreadsheet turned into a number (a
    // date in a text-formatted column reads back as its serial number; 00123 loses its zeros).
    if (r.number !== undefined && column.kind !== 'int' && column.kind !== 'yuan') {
      bad(column.key, `holds a number (${t}) where text is expected: format the cell as text and enter it again`);
      continue;
    }
    if (column.kind === 'int' || column.kind === 'yuan') {
      const n = cellNumber(r);
      if (n === undefined) { bad(column.key, `must be a number (got "${t.slice(0, 40)}")`); continue; }
      num.set(column.key, n);
    }
    text.set(column.key, t);
  }

  return { text, num };
}

/** `id|名称|必需[|备注]` or `id|名称|容缺N[|备注]` (N: working days to supply it after acceptance). */
function material(line: string, bad: (p: string) => void): unknown {
  const parts = line.split('|').map((p) => p.trim());
  const [id, name, acceptance, note] = parts;
  if (parts.length < 3 || parts.length > 4 || !id || !name || !acceptance) {
    bad(`line "${line.slice(0, 40)}" must read id|名称|${REQUIRED_WORD} or id|名称|${TOLERABLE_WORD}N, optionally |备注`);
    return undefined;
  }
  const m = new RegExp(`^${TOLERABLE_WORD}(\\d{1,4})$`).exec(acceptance);
  if (acceptance !== REQUIRED_WORD && !m) {
    bad(`line "${line.slice(0, 40)}": "${acceptance.slice(0, 20)}" must be ${REQUIRED_WORD} or ${TOLERABLE_WORD}N (e.g. ${TOLERABLE_WORD}10)`);
    return undefined;
  }
  return {
    id, name, acceptance: m ? 'tolerable' : 'required',
    ...(m ? { commitWithinDays: Number(m[1]) } : {}),
    ...(note ? { note } : {}),
  };
}

/** Blank (or 0) is free; otherwise yuan with at most two decimals → integer fen. */
function fee(yuan: number | undefined, basis: string | undefined, bad: (p: string) => void): unknown {
  if (yuan === undefined || yuan === 0) {
    if (basis !== undefined) bad('is empty (free) but 收费依据 is filled in');
    return 'free';
  }
  const fen = Math.round(yuan * 100);
  if (yuan < 0 || Math.abs(fen - yuan * 100) > 1e-6) { bad(`must be an amount in yuan with at most two decimals (got ${yuan})`); return undefined; }
  return { amountFen: fen, ...(basis !== undefined ? { legalBasis: basis } : {}) };
}
