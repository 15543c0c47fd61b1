import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueFromSources, findItem, loadCatalogue, parseItem } from '../../src/approval/catalogue.js';
import { validateForm } from '../../src/approval/form.js';
import { checkForm } from '../../src/published/form.js';
import { involvedDepartments } from '../../src/approval/item.js';
import { formatFen, publicView } from '../../src/approval/public-view.js';
import { FORMS, ROOT, catalogue, item } from './fixtures.js';

const licenceText = readFileSync(`${ROOT}config/items/SCJG-001.yaml`, 'utf8');

describe('the shipped sample catalogue', () => {
  it('holds the unified licence, a filing, a charged permit and an extended-mode permit', () => {
    expect(catalogue.items.map((i) => i.code)).toEqual(['BDC-003', 'FGW-002', 'SCJG-001', 'SPJY-004']);
    const licence = item('SCJG-001');
    expect(involvedDepartments(licence).map((d) => d.code)).toEqual(['aic', 'qts', 'tax']);
    expect(item('FGW-002')).toMatchObject({ category: 'filing', promisedDays: 1 });
    expect(item('FGW-002').statutoryDays).toBeUndefined();
    expect(item('BDC-003').fee).toEqual({ kind: 'charged', amountFen: 8000, legalBasis: expect.stringContaining('发改价格规〔2016〕2559号') });
    expect(item('SPJY-004').mode).toBe('extended');
  });

  it('has tolerance acceptance (容缺受理) for at least one material, with its commitment window', () => {
    const tolerable = catalogue.items.flatMap((i) => i.materials.filter((m) => m.acceptance === 'tolerable').map((m) => [i.code, m.id, m.commitWithinDays]));
    expect(tolerable).toEqual([['FGW-002', 'developer-qualification', 20], ['SCJG-001', 'premises-proof', 10]]);
  });

  it('is deeply frozen', () => {
    const licence = item('SCJG-001');
    expect(Object.isFrozen(catalogue)).toBe(true);
    expect(Object.isFrozen(licence.materials[0])).toBe(true);
    expect(() => { (licence as { promisedDays: number }).promisedDays = 99; }).toThrow(TypeError);
    expect(findItem(catalogue, 'toString')).toBeUndefined();
    expect(findItem(catalogue, 'BDC-003')?.name).toBe('不动产转移登记（住宅）');
  });
});

describe('a bad item file is refused with the file and the key named', () => {
  const edit = (from: string | RegExp, to: string) => licenceText.replace(from, to);
  it.each([
    ['an unknown key', edit('promisedDays: 3', 'promisedDays: 3\npromiseDays: 2'), /SCJG\.yaml:\d+: promiseDays: unknown key/],
    ['an unknown key in a material', edit('    acceptance: tolerable\n', '    acceptance: tolerable\n    copies: 2\n'), /materials\[5\]\.copies: unknown key/],
    ['promised longer than statutory', edit('statutoryDays: 15', 'statutoryDays: 2'), /promisedDays: promised limit 3 exceeds the statutory limit 2/],
    ['a department task longer than the promised limit', edit('name: 县国家税务局\n    taskDays: 2', 'name: 县国家税务局\n    taskDays: 9'), /parallelDepartments\[1\]\.taskDays: 9 exceeds the item's promised limit 3/],
    ['a tolerable material without a commitment window', edit('    commitWithinDays: 10\n', ''), /materials\[5\]\.commitWithinDays: is required for a tolerable material/],
    ['a commitment window on a required material', edit('    name: 公司章程\n    acceptance: required\n', '    name: 公司章程\n    acceptance: required\n    commitWithinDays: 3\n'), /materials\[1\]\.commitWithinDays: is only allowed when acceptance is tolerable/],
    ['an unknown acceptance kind', edit('acceptance: tolerable', 'acceptance: later'), /materials\[5\]\.acceptance: must be one of required, tolerable/],
    ['a material id twice', edit('id: articles', 'id: application'), /materials\[1\]: material id 'application' appears twice/],
    ['a fee in yuan with decimals', edit('fee: free', 'fee:\n  amountFen: 80.5\n  legalBasis: x'), /fee\.amountFen: must be an integer/],
    ['a fee without its legal basis', edit('fee: free', 'fee:\n  amountFen: 8000'), /fee\.legalBasis: is required/],
    ['a charging department that is not on the item', edit('fee: free', 'fee: free\nchargingDepartment: rer'), /chargingDepartment: 'rer' is not a department of this item \(aic, qts, tax\)/],
    ['a fee that is neither free nor a mapping', edit('fee: free', 'fee: none'), /fee: must be 'free' or a mapping/],
    ['an unknown mode', edit('mode: direct', 'mode: online'), /mode: must be one of direct, pre-review, extended/],
    ['a green limit longer than the promised one', edit('  promisedDays: 1\nresult', '  promisedDays: 5\nresult'), /greenChannel\.promisedDays: green-channel limit 5 is longer/],
    ['a bad field pattern', edit("pattern: '[0-9]{17}[0-9X]'", "pattern: '[0-9'"), /form\[4\]\.pattern: is not a valid regular expression/],
    ['an enum value twice', edit('values: [有限责任公司, 股份有限公司]', 'values: [有限责任公司, 有限责任公司]'), /form\[1\]\.values\[1\]: enum value '有限责任公司' appears twice/],
    ['a string field without maxLength', edit('    maxLength: 50\n', ''), /form\[0\]\.maxLength: is required/],
    ['a key that belongs to another field type', edit('    maxLength: 50\n', '    maxLength: 50\n    values: [a]\n'), /form\[0\]\.values: unknown key/],
    ['a department code twice', edit('code: qts', 'code: aic'), /parallelDepartments: department code 'aic' appears twice/],
    ['a missing required key', edit(/^result: .*$/m, ''), /result: is required/],
    ['a duplicate YAML key', edit('mode: direct', 'mode: direct\nmode: direct'), /not valid YAML/],
  ])('%s', (_why, text, message) => {
    expect(() => parseItem(text, 'SCJG.yaml')).toThrow(message);
  });

  it('the thrown error carries FERRY_ERR_APPROVAL_CATALOGUE', () => {
    expect(() => parseItem('code: 1', 'a.yaml')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_APPROVAL_CATALOGUE' }));
  });

  it('refuses the same item code in two files, naming both', () => {
    expect(() => catalogueFromSources([{ file: 'a.yaml', text: licenceText }, { file: 'b.yaml', text: licenceText }]))
      .toThrow(/b\.yaml: code: 'SCJG-001' is already defined in a\.yaml/);
  });

  it('loads a directory and refuses an empty one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-items-'));
    expect(() => loadCatalogue(dir)).toThrow(/no item files/);
    writeFileSync(join(dir, 'x.yaml'), licenceText);
    writeFileSync(join(dir, 'README.md'), 'not an item');
    expect(loadCatalogue(dir).items.map((i) => i.code)).toEqual(['SCJG-001']);
  });
});

describe('validateForm names every bad field', () => {
  const licence = item('SCJG-001');
  const good = FORMS['SCJG-001']!;
  it.each([
    ['a missing required field', { ...good, companyName: undefined }, 'companyName: is required'],
    ['an empty required field', { ...good, address: '' }, 'address: is required'],
    ['text too long (CJK counted as characters)', { ...good, companyName: '明'.repeat(51) }, 'companyName: is longer than 50 characters'],
    ['a pattern mismatch', { ...good, legalRepresentativeIdNo: '33012319800101123Y' }, 'legalRepresentativeIdNo: does not have the required format'],
    ['a pattern must match the whole value', { ...good, legalRepresentativeIdNo: '330123198001011230X' }, 'legalRepresentativeIdNo: is longer than 18 characters'],
    ['a number given as text', { ...good, registeredCapital: '100' }, 'registeredCapital: must be a number'],
    ['a number below min', { ...good, registeredCapital: -1 }, 'registeredCapital: must be at least 0'],
    ['an enum value not listed', { ...good, companyType: '合伙企业' }, 'companyType: must be one of: 有限责任公司, 股份有限公司'],
    ['an impossible date', { ...good, plannedOpening: '2026-02-29' }, 'plannedOpening: must be a date written YYYY-MM-DD'],
    ['an unknown field', { ...good, nickname: 'x' }, 'nickname: is not a field of this item'],
  ])('%s', (_why, fields, detail) => {
    const v = validateForm(licence, fields);
    expect(v).toEqual({ ok: false, code: 'FERRY_ERR_APPROVAL_FORM', detail });
  });

  it('reports all problems at once, in field order', () => {
    expect(checkForm(licence.form, { ...good, companyName: 5, address: undefined, extra: 1 }).map((p) => p.field)).toEqual(['companyName', 'address', 'extra']);
    expect(checkForm(licence.form, [1, 2])).toEqual([{ field: '(form)', problem: 'must be an object of field values' }]);
  });

  it('returns only the declared, non-empty values when valid', () => {
    const v = validateForm(licence, { ...good, plannedOpening: '' });
    expect(v.ok && Object.keys(v.value)).toEqual(['companyName', 'companyType', 'registeredCapital', 'legalRepresentative', 'legalRepresentativeIdNo', 'businessScope', 'address']);
  });

  it('an integer field refuses a fraction', () => {
    const it2 = parseItem(licenceText.replace('    min: 0\n', '    min: 0\n    integer: true\n'), 'x.yaml');
    expect(validateForm(it2, { ...good, registeredCapital: 1.5 })).toMatchObject({ ok: false, detail: 'registeredCapital: must be a whole number' });
  });
});

describe('publicView is the applicant-facing projection (八公开)', () => {
  it('publishes basis, conditions, materials, procedure, limits, fee and result, never review points', () => {
    const v = publicView(item('BDC-003'));
    expect(v).toMatchObject({
      code: 'BDC-003', leadDepartment: '县不动产登记中心', parallelDepartments: ['县地方税务局'],
      statutoryDays: 30, promisedDays: 5, result: '不动产权证书', mode: 'pre-review',
      fee: { free: false, amountFen: 8000, text: '80.00 元' },
    });
    expect(v.procedure.join('\n')).toMatch(/并联审查，同步启动：县不动产登记中心（5个工作日）、县地方税务局（3个工作日）/);
    expect(v.procedure).toContain('一次收费 80.00 元');
    // The review points (staff-only) mention the register search (登记簿); the public view must not.
    expect(JSON.stringify(v)).not.toMatch(/reviewPoints|登记簿/);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('marks tolerable materials and the green-channel limit', () => {
    const v = publicView(item('SCJG-001'));
    expect(v.materials.find((m) => m.id === 'premises-proof')).toMatchObject({ tolerable: true, commitWithinDays: 10 });
    expect(v.greenChannelDays).toBe(1);
    expect(v.fee).toEqual({ free: true, text: '不收费' });
    expect(publicView(item('SPJY-004')).greenChannelDays).toBeUndefined();
  });

  it.each([[8000, '80.00 元'], [5, '0.05 元'], [123456, '1234.56 元']])('formatFen(%i) = %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });
});
