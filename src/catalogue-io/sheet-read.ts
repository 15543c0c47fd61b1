// Reading a county catalogue spreadsheet (.xlsx, or .csv holding sheet 事项 alone) into items, with
// every fault as `Sheet!Cell: what is wrong`. Reading is all-or-nothing: a sheet with any fault yields
// no catalogue, only the full list of faults, so a county fixes its sheet in one round (the spirit of
// the one-time notice, 一次性告知, applied to ourselves).

import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import ExcelJS from 'exceljs';
import { catalogueFromItems, CODE_RE, ID_RE, type Catalogue } from '../approval/catalogue.js';
import type { Item } from '../approval/item.js';
import { FerryError } from '../errors.js';
import { cellText } from './cell-text.js';
import { rowToItem, type DepartmentNames } from './row-to-item.js';
import { zipProblem } from './zip-limits.js';
import {
  DEPARTMENT_COLUMNS, DEPARTMENTS_SHEET, ITEM_COLUMNS, ITEMS_SHEET, MAX_FILE_BYTES, MAX_ROWS, NOTES_SHEET, columnLetter, type Column,
} from './sheet-layout.js';

export type SheetRead =
  | { readonly ok: true; readonly catalogue: Catalogue; readonly departments: number }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A grid of raw cell values, rows from 1; enough of exceljs's Worksheet for the checks below. */
interface Grid { readonly name: string; readonly rowCount: number; cell(row: number, col: number): unknown; width(row: number): number }

function gridOf(ws: ExcelJS.Worksheet): Grid {
  return {
    name: ws.name,
    rowCount: ws.rowCount,
    cell: (r, c) => ws.getRow(r).getCell(c).value,
    width: (r) => ws.getRow(r).cellCount,
  };
}

/** Read FILE (.xlsx or .csv). For a CSV, department names come from `knownDepartments` (the catalogue
 *  in force): a CSV has no sheet 部门. Environment faults (unreadable, too big) throw. */
export async function readCatalogueSheet(file: string, knownDepartments: DepartmentNames = new Map()): Promise<SheetRead> {
  const kind = extname(file).toLowerCase();
  if (kind !== '.xlsx' && kind !== '.csv') throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: not an .xlsx or .csv file`);
  let size: number;
  try { size = statSync(file).size; } catch (e) {
    throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (size > MAX_FILE_BYTES) throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: ${size} bytes; at most ${MAX_FILE_BYTES}`);
  if (kind === '.xlsx') {
    const problem = zipProblem(readFileSync(file));
    if (problem) throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: ${problem}`);
  }
  const wb = new ExcelJS.Workbook();
  try {
    // CSV: every field stays text (exceljs would otherwise turn 2026-01-02 into a date and 1e3 into 1000).
    if (kind === '.csv') await wb.csv.readFile(file, { sheetName: ITEMS_SHEET, map: (v: unknown) => v } as never);
    else await wb.xlsx.readFile(file);
  } catch (e) {
    throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: not a readable ${kind.slice(1)} file: ${(e as Error).message.slice(0, 200)}`, { cause: e });
  }
  const errors: string[] = [];
  const known = new Set([ITEMS_SHEET, DEPARTMENTS_SHEET, NOTES_SHEET]);
  for (const ws of wb.worksheets) if (!known.has(ws.name)) errors.push(`${ws.name}!A1: unknown sheet (expected ${[...known].join(', ')})`);
  const itemsWs = wb.getWorksheet(ITEMS_SHEET);
  if (!itemsWs) return { ok: false, errors: [...errors, `${ITEMS_SHEET}!A1: sheet ${ITEMS_SHEET} is missing`] };
  let departments = knownDepartments;
  if (kind === '.xlsx') {
    const deptWs = wb.getWorksheet(DEPARTMENTS_SHEET);
    if (!deptWs) return { ok: false, errors: [...errors, `${DEPARTMENTS_SHEET}!A1: sheet ${DEPARTMENTS_SHEET} is missing`] };
    departments = readDepartments(gridOf(deptWs), errors);
  }
  const items = readItems(gridOf(itemsWs), departments, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, catalogue: catalogueFromItems(items), departments: departments.size };
}

/** Row 1 must be exactly `columns`' headers; nothing to the right of them. */
function checkHeaders(g: Grid, columns: readonly Column[], errors: string[]): boolean {
  const before = errors.length;
  columns.forEach((c, i) => {
    const r = cellText(g.cell(1, i + 1));
    // A CSV written with a byte-order mark (as ours are, for spreadsheets) carries it before A1.
    const got = r.ok ? r.text.replace(/^\ufeff/, '').trim() : '(unreadable)';
    if (got !== c.header) errors.push(`${g.name}!${columnLetter(i + 1)}1: header must be ${c.header} (got "${got.slice(0, 40)}")`);
  });
  for (let c = columns.length + 1; c <= g.width(1); c++) {
    const r = cellText(g.cell(1, c));
    if (!r.ok || r.text.trim() !== '') errors.push(`${g.name}!${columnLetter(c)}1: unknown column (the layout has ${columns.length} columns, ${columns[0]!.header}…${columns.at(-1)!.header})`);
  }
  if (g.rowCount > MAX_ROWS + 1) errors.push(`${g.name}!A${MAX_ROWS + 2}: more than ${MAX_ROWS} rows`);
  return errors.length === before;
}

function rowValues(g: Grid, row: number, width: number): unknown[] | undefined {
  const values = Array.from({ length: width }, (_, i) => g.cell(row, i + 1));
  // Cells right of the layout on a data row are refused too: data there would be silently dropped.
  for (let c = width + 1; c <= g.width(row); c++) {
    const v = g.cell(row, c);
    if (v !== null && v !== undefined && v !== '') values.push(Symbol.for('extra'));
  }
  return values.every((v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) ? undefined : values;
}

function readDepartments(g: Grid, errors: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!checkHeaders(g, DEPARTMENT_COLUMNS, errors)) return out;
  const firstRow = new Map<string, number>();
  for (let r = 2; r <= Math.min(g.rowCount, MAX_ROWS + 1); r++) {
    const values = rowValues(g, r, DEPARTMENT_COLUMNS.length);
    if (!values) continue;
    const [code, name] = DEPARTMENT_COLUMNS.map((c, i) => {
      const t = cellText(values[i]);
      const at = `${g.name}!${columnLetter(i + 1)}${r}: ${c.header}`;
      if (!t.ok) { errors.push(`${at} ${t.problem}`); return undefined; }
      const s = t.text.trim();
      if (s === '') { errors.push(`${at} is required`); return undefined; }
      if ([...s].length > c.max) { errors.push(`${at} has ${[...s].length} characters; at most ${c.max}`); return undefined; }
      return s;
    });
    if (values.length > DEPARTMENT_COLUMNS.length) errors.push(`${g.name}!${columnLetter(DEPARTMENT_COLUMNS.length + 1)}${r}: a value outside the layout's columns`);
    if (code === undefined || name === undefined) continue;
    if (!ID_RE.test(code)) { errors.push(`${g.name}!A${r}: 部门编码 must be lower-case letters, digits and '-', starting with a letter (got "${code.slice(0, 40)}")`); continue; }
    const prev = firstRow.get(code);
    if (prev !== undefined) { errors.push(`${g.name}!A${r}: 部门编码 '${code}' is already on row ${prev}`); continue; }
    firstRow.set(code, r);
    out.set(code, name);
  }
  return out;
}

function readItems(g: Grid, departments: DepartmentNames, errors: string[]): Item[] {
  if (!checkHeaders(g, ITEM_COLUMNS, errors)) return [];
  const items: Item[] = [];
  const firstRow = new Map<string, number>();
  for (let r = 2; r <= Math.min(g.rowCount, MAX_ROWS + 1); r++) {
    const values = rowValues(g, r, ITEM_COLUMNS.length);
    if (!values) continue;
    if (values.length > ITEM_COLUMNS.length) errors.push(`${g.name}!${columnLetter(ITEM_COLUMNS.length + 1)}${r}: a value outside the layout's columns`);
    // The code first, so a duplicate is named even when the rest of its row is faulty.
    const code = cellText(values[0]);
    if (code.ok && CODE_RE.test(code.text.trim())) {
      const prev = firstRow.get(code.text.trim());
      if (prev !== undefined) errors.push(`${g.name}!A${r}: 事项编码 '${code.text.trim()}' is already on row ${prev}`);
      else firstRow.set(code.text.trim(), r);
    }
    const res = rowToItem(values.slice(0, ITEM_COLUMNS.length), r, departments, g.name);
    if (res.ok) items.push(res.item);
    else errors.push(...res.errors);
  }
  if (items.length === 0 && errors.length === 0) errors.push(`${g.name}!A2: the sheet lists no items`);
  return items;
}
