// The county catalogue spreadsheet: the shipped sample reads with no fault; a broken sheet names every
// fault at its own cell; the diff names what changes; export → import gives back the same catalogue.
// Real files throughout: exceljs writes the .xlsx / .csv, the reader under test reads them back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { catalogueFromItems, loadCatalogue, type Catalogue } from '../../src/approval/catalogue.js';
import { diffCatalogues, diffLines } from '../../src/catalogue-io/catalogue-diff.js';
import { readCatalogueSheet } from '../../src/catalogue-io/sheet-read.js';
import { catalogueWorkbook, departmentsOf, writeCatalogueSheet } from '../../src/catalogue-io/sheet-write.js';
import { checkForm, GENERIC_FORM } from '../../src/published/form.js';
import { publicView } from '../../src/approval/public-view.js';

const SAMPLE = 'config/catalogue/county-sample.xlsx';
const tmp = () => mkdtempSync(join(tmpdir(), 'ferry-sheet-'));

async function sample(): Promise<Catalogue> {
  const r = await readCatalogueSheet(SAMPLE);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.catalogue;
}

describe('the shipped county sample', () => {
  it('reads with 0 faults: 311+ items (160 permits, 151 public services) over 32+ departments', async () => {
    const r = await readCatalogueSheet(SAMPLE);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    const count = (c: string) => r.catalogue.items.filter((i) => i.category === c).length;
    expect(r.catalogue.items.length).toBeGreaterThanOrEqual(311);
    expect(count('administrative-permit')).toBe(160);
    expect(count('public-service')).toBe(151);
    expect(r.departments).toBeGreaterThanOrEqual(32);
    expect(new Set(r.catalogue.items.map((i) => i.leadDepartment.code)).size).toBeGreaterThanOrEqual(32);
  });

  it("carries the source's own figures and keeps the four detailed items with their form schemas", async () => {
    const c = await sample();
    expect(c.byCode['FGW-001']).toMatchObject({ statutoryDays: 60, promisedDays: 3 });
    expect(c.byCode['FGW-003']).toMatchObject({ statutoryDays: 55, promisedDays: 5 });
    expect(c.byCode['FGW-002']).toMatchObject({ category: 'filing', promisedDays: 1 });
    expect(c.byCode['SCJG-001']).toMatchObject({ promisedDays: 5 });
    const detailed = loadCatalogue('config/items');
    for (const d of detailed.items) {
      expect(c.byCode[d.code]!.form).toEqual(d.form);
      expect(c.byCode[d.code]!.materials).toEqual(d.materials);
    }
  });

  it('has same-day items (limit 0) and items on the generic form, which the published form check accepts', async () => {
    const c = await sample();
    const sameDay = c.items.filter((i) => i.sameDay);
    expect(sameDay.length).toBeGreaterThan(10);
    for (const i of sameDay) expect([i.promisedDays, i.leadDepartment.taskDays, i.parallelDepartments.length]).toEqual([0, 0, 0]);
    const generic = c.items.find((i) => i.code === 'HOU-P01')!;
    expect(generic.form).toEqual(GENERIC_FORM);
    const pub = publicView(generic);
    expect(pub.genericForm).toBe(true);
    expect(checkForm(pub.form, {})).toEqual([]);
    expect(checkForm(pub.form, { request: '申请办理' })).toEqual([]);
    expect(checkForm(pub.form, { companyName: 'x' })).toEqual([{ field: 'companyName', problem: 'is not a field of this item' }]);
    expect(publicView(sameDay[0]!)).toMatchObject({ sameDay: true, promisedDays: 0 });
  });
});

describe('a broken sheet names every fault at its own cell', () => {
  it('reports a bad number, a missing cell, a duplicate code, a formula, an unknown department, over-long text, a date, and a rule', async () => {
    const c = await sample();
    const wb = catalogueWorkbook(c);
    const ws = wb.getWorksheet('事项')!;
    const code2 = String(ws.getCell('A2').value);
    ws.getCell('H3').value = 'abc';                                    // bad number
    ws.getCell('B4').value = null;                                     // missing required cell
    ws.getCell('A5').value = code2;                                    // duplicate code
    ws.getCell('G6').value = { formula: 'H6*2', result: 40 } as ExcelJS.CellFormulaValue; // formula
    ws.getCell('D7').value = 'nosuch';                                 // unknown department
    ws.getCell('R8').value = '证'.repeat(201);                         // over-long text
    ws.getCell('L9').value = new Date('2026-01-02T00:00:00Z');         // a date where text is expected
    ws.getCell('L9').numFmt = 'yyyy-mm-dd';
    ws.getCell('B12').value = 12345;                                   // a number where text is expected
    for (const [a, v] of [['E10', 1], ['F10', null], ['G10', 1], ['H10', 3], ['I10', '否'], ['Q10', null]] as const) ws.getCell(a).value = v;
    ws.getCell('C11').value = '行政审批';                               // not a category word
    const depts = wb.getWorksheet('部门')!;
    const lost = String(depts.getCell('A3').value);
    depts.getCell('A3').value = String(depts.getCell('A2').value);     // a department twice
    const file = join(tmp(), 'broken.xlsx');
    await wb.xlsx.writeFile(file);

    const r = await readCatalogueSheet(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const dup = String(depts.getCell('A2').value);
    expect(r.errors).toEqual([
      `部门!A3: 部门编码 '${dup}' is already on row 2`,
      '事项!H3: 承诺时限 must be a number (got "abc")',
      '事项!B4: 事项名称 is required',
      `事项!A5: 事项编码 '${code2}' is already on row 2`,
      '事项!G6: 法定时限 is a formula (=H6*2); formulas are not evaluated: enter the value itself',
      "事项!D7: 实施部门编码 names unknown department 'nosuch' (not on sheet 部门)",
      '事项!R8: 办理结果 has 201 characters; at most 200',
      '事项!L9: 受理条件 is a date; enter text or a number (format the cell as text)',
      '事项!H10: 承诺时限: promised limit 3 exceeds the statutory limit 1',
      '事项!C11: 事项类别 must be one of 行政许可、备案、公共服务 (got "行政审批")',
      ...r.errors.slice(10),
    ]);
    const rest = r.errors.slice(10);
    expect(rest).toContain('事项!B12: 事项名称 holds a number (12345) where text is expected: format the cell as text and enter it again');
    // The department row refused above leaves its items naming an unknown department, each named.
    expect(rest.filter((e) => !e.startsWith('事项!B12:')).every((e) => new RegExp(`^事项!D\\d+: 实施部门编码 names unknown department '${lost}'`).test(e))).toBe(true);
    expect(rest.length).toBeGreaterThan(1);
  });

  it('refuses a header that is not the layout, a column outside it, a missing sheet, and a CSV formula', async () => {
    const c = catalogueFromItems(loadCatalogue('config/items').items);
    const wb = catalogueWorkbook(c);
    const ws = wb.getWorksheet('事项')!;
    ws.getCell('H1').value = '时限';
    ws.getCell('U3').value = 'stray';
    const file = join(tmp(), 'headers.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await readCatalogueSheet(file);
    expect(r.ok ? [] : r.errors).toEqual(['事项!H1: header must be 承诺时限 (got "时限")']);

    const wb2 = catalogueWorkbook(c);
    wb2.removeWorksheet(wb2.getWorksheet('部门')!.id);
    const file2 = join(tmp(), 'nodept.xlsx');
    await wb2.xlsx.writeFile(file2);
    expect(await readCatalogueSheet(file2)).toEqual({ ok: false, errors: ['部门!A1: sheet 部门 is missing'] });

    const wb3 = catalogueWorkbook(c);
    wb3.getWorksheet('事项')!.getCell('U3').value = 'stray';
    const file3 = join(tmp(), 'stray.xlsx');
    await wb3.xlsx.writeFile(file3);
    expect(await readCatalogueSheet(file3)).toEqual({ ok: false, errors: ["事项!U3: a value outside the layout's columns"] });

    const csv = join(tmp(), 'formula.csv');
    await writeCatalogueSheet(c, csv);
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('不动产转移登记（住宅）', '=HYPERLINK("http://x")'));
    const r4 = await readCatalogueSheet(csv, departmentsOf(c));
    expect(r4.ok ? [] : r4.errors).toEqual(["事项!B2: 事项名称 starts with '=': formulas are not accepted; enter the value itself"]);
  });

  it('flattens rich text to its characters', async () => {
    const c = catalogueFromItems(loadCatalogue('config/items').items);
    const wb = catalogueWorkbook(c);
    wb.getWorksheet('事项')!.getCell('B2').value = { richText: [{ text: '不动产转移登记' }, { font: { bold: true }, text: '（住宅）' }] };
    const file = join(tmp(), 'rich.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await readCatalogueSheet(file);
    expect(r.ok && r.catalogue.byCode['BDC-003']!.name).toBe('不动产转移登记（住宅）');
  });
});

describe('the diff against the catalogue in force', () => {
  it('names added, removed and changed items with the changed fields', async () => {
    const inForce = loadCatalogue('config/items');
    const next = await sample();
    const d = diffCatalogues(inForce, next);
    expect(d.removed).toEqual([]);
    expect(d.added.length).toBe(next.items.length - 4);
    expect(d.changed).toEqual([{ code: 'SCJG-001', name: inForce.byCode['SCJG-001']!.name, fields: [{ field: 'promisedDays', from: '3', to: '5' }] }]);
    const lines = diffLines(d);
    expect(lines).toContain(`~ SCJG-001  ${inForce.byCode['SCJG-001']!.name}: promisedDays 3 → 5`);
    expect(lines).toContain('+ FGW-001  政府投资项目审批（项目建议书、可行性研究报告）');
    expect(lines.at(-1)).toBe(`${next.items.length - 4} added, 0 removed, 1 changed`);
    expect(diffLines(diffCatalogues(next, inForce)).at(-1)).toBe(`0 added, ${next.items.length - 4} removed, 1 changed`);
  });
});

describe('export → import is the identity', () => {
  it.each(['xlsx', 'csv'])('through .%s', async (ext) => {
    const c = await sample();
    const file = join(tmp(), `round.${ext}`);
    await writeCatalogueSheet(c, file);
    const r = await readCatalogueSheet(file, departmentsOf(c));
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(JSON.stringify(r.catalogue)).toBe(JSON.stringify(c));
    const d = diffCatalogues(c, r.catalogue);
    expect([d.added, d.removed, d.changed]).toEqual([[], [], []]);
  });
});
