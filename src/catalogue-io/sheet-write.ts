// Writing a catalogue out in the layout sheet-read.ts reads (ferry catalogue export): the inverse of
// row-to-item.ts, so export → import gives back the same catalogue. A value the layout cannot carry
// (a line break inside a one-line entry, a '|' inside a material name) is refused, never mangled.

import ExcelJS from 'exceljs';
import { extname } from 'node:path';
import type { Catalogue } from '../approval/catalogue.js';
import type { Item } from '../approval/item.js';
import { FerryError } from '../errors.js';
import { isGenericForm } from '../published/form.js';
import {
  CATEGORY_WORDS, DEPARTMENT_COLUMNS, DEPARTMENTS_SHEET, ITEM_COLUMNS, ITEMS_SHEET, MODE_WORDS, NOTES_SHEET, REQUIRED_WORD, TOLERABLE_WORD,
} from './sheet-layout.js';

const wordFor = <T>(words: Readonly<Record<string, T>>, v: T): string => Object.keys(words).find((k) => words[k] === v)!;

/** code → name over every item's departments; one code with two names cannot be written as one row. */
export function departmentsOf(catalogue: Catalogue): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of catalogue.items) {
    for (const d of [item.leadDepartment, ...item.parallelDepartments]) {
      const had = out.get(d.code);
      if (had !== undefined && had !== d.name) {
        throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `department ${d.code} is named both "${had}" and "${d.name}" (item ${item.code}): one code, one name`);
      }
      out.set(d.code, d.name);
    }
  }
  return out;
}

function oneLine(item: Item, what: string, s: string, extra = ''): string {
  if (/[\r\n]/.test(s) || (extra !== '' && s.includes(extra))) {
    throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `item ${item.code}: ${what} "${s.slice(0, 40)}" holds a line break${extra ? ` or '${extra}'` : ''}, which the sheet layout cannot carry`);
  }
  return s;
}

/** The row of sheet 事项 for one item, in ITEM_COLUMNS order. */
export function itemRow(item: Item): (string | number | null)[] {
  const lines = (what: string, xs: readonly string[]) => xs.map((x) => oneLine(item, what, x)).join('\n');
  const byKey: Record<string, string | number | null> = {
    code: item.code,
    name: item.name,
    category: wordFor(CATEGORY_WORDS, item.category),
    leadDepartment: item.leadDepartment.code,
    leadTaskDays: item.leadDepartment.taskDays,
    parallelDepartments: item.parallelDepartments.map((d) => `${d.code}:${d.taskDays}`).join('\n') || null,
    statutoryDays: item.statutoryDays ?? null,
    promisedDays: item.promisedDays,
    sameDay: item.sameDay === true ? '是' : '否',
    mode: wordFor(MODE_WORDS, item.mode),
    legalBasis: lines('legal basis', item.legalBasis),
    conditions: lines('condition', item.conditions),
    materials: item.materials.map((m) => [
      m.id, oneLine(item, 'material name', m.name, '|'),
      m.acceptance === 'tolerable' ? `${TOLERABLE_WORD}${m.commitWithinDays}` : REQUIRED_WORD,
      ...(m.note !== undefined ? [oneLine(item, 'material note', m.note, '|')] : []),
    ].join('|')).join('\n'),
    fee: item.fee.kind === 'free' ? null : item.fee.amountFen / 100,
    feeBasis: item.fee.kind === 'free' ? null : item.fee.legalBasis,
    chargingDepartment: item.chargingDepartment !== undefined && item.chargingDepartment !== item.leadDepartment.code ? item.chargingDepartment : null,
    greenChannel: item.greenChannel.eligible ? item.greenChannel.promisedDays : null,
    result: item.result,
    reviewPoints: item.reviewPoints.length > 0 ? lines('review point', item.reviewPoints) : null,
    form: isGenericForm(item.form) ? null : JSON.stringify(item.form),
  };
  return ITEM_COLUMNS.map((c) => byKey[c.key] ?? null);
}

/** The workbook for a catalogue, with an optional note (sheet 说明, one line per row). */
export function catalogueWorkbook(catalogue: Catalogue, notes: readonly string[] = []): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ferry catalogue export';
  const items = wb.addWorksheet(ITEMS_SHEET);
  items.addRow(ITEM_COLUMNS.map((c) => c.header));
  for (const item of catalogue.items) items.addRow(itemRow(item));
  // Text columns stay text when a person edits the sheet (Excel would make "1-2" a date).
  ITEM_COLUMNS.forEach((c, i) => { if (c.kind !== 'int' && c.kind !== 'yuan') items.getColumn(i + 1).numFmt = '@'; });
  items.getRow(1).font = { bold: true };
  items.views = [{ state: 'frozen', ySplit: 1 }];
  const depts = wb.addWorksheet(DEPARTMENTS_SHEET);
  depts.addRow(DEPARTMENT_COLUMNS.map((c) => c.header));
  for (const [code, name] of [...departmentsOf(catalogue)].sort(([a], [b]) => (a < b ? -1 : 1))) depts.addRow([code, name]);
  depts.getRow(1).font = { bold: true };
  if (notes.length > 0) {
    const n = wb.addWorksheet(NOTES_SHEET);
    for (const line of notes) n.addRow([line]);
  }
  return wb;
}

/** Write FILE (.xlsx: sheets 事项, 部门 and any notes; .csv: sheet 事项 alone, UTF-8 with a BOM so a
 *  spreadsheet opens the Chinese text as UTF-8). */
export async function writeCatalogueSheet(catalogue: Catalogue, file: string, notes: readonly string[] = []): Promise<void> {
  const kind = extname(file).toLowerCase();
  if (kind !== '.xlsx' && kind !== '.csv') throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: --out must end in .xlsx or .csv`);
  const wb = catalogueWorkbook(catalogue, notes);
  try {
    if (kind === '.xlsx') await wb.xlsx.writeFile(file);
    else await wb.csv.writeFile(file, { sheetName: ITEMS_SHEET, encoding: 'utf8', formatterOptions: { writeBOM: true } } as never);
  } catch (e) {
    throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: cannot write: ${(e as Error).message.slice(0, 200)}`, { cause: e });
  }
}
