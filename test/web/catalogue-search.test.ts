import { describe, expect, it } from 'vitest';
import { departments, PAGE_SIZE, parseItemQuery, searchItems, type ItemQuery } from '../../src/web/catalogue-search.js';
import type { PublishedItem } from '../../src/published/item.js';

function item(code: string, name: string, lead: string, category: PublishedItem['category'] = 'administrative-permit', parallel: string[] = []): PublishedItem {
  return {
    code, name, category, mode: 'direct', modeText: '', leadDepartment: lead, parallelDepartments: parallel, legalBasis: [], conditions: [],
    materials: [], form: [], procedure: [], promisedDays: 5, fee: { free: true, text: '不收费' }, result: '许可证',
  };
}
const all = [
  item('SCJG-001', '企业设立登记（三证合一）', '县工商局', 'administrative-permit', ['县国税局']),
  item('FGW-002', '企业投资项目备案', '县发改局', 'filing'),
  item('MZ-003', '低保申请', '县民政局', 'public-service'),
];
const q = (over: Partial<ItemQuery> = {}): ItemQuery => ({ q: '', department: '', category: '', page: 1, ...over });

describe('catalogue search', () => {
  it('matches every word, in name, code or departments, case-insensitively', () => {
    expect(searchItems(all, q({ q: '企业' })).items.map((i) => i.code)).toEqual(['SCJG-001', 'FGW-002']);
    expect(searchItems(all, q({ q: '企业 备案' })).items.map((i) => i.code)).toEqual(['FGW-002']);
    expect(searchItems(all, q({ q: 'scjg' })).items.map((i) => i.code)).toEqual(['SCJG-001']);
    expect(searchItems(all, q({ q: '国税' })).items.map((i) => i.code)).toEqual(['SCJG-001']);
    expect(searchItems(all, q({ q: '护照' })).total).toBe(0);
  });
  it('filters by department (lead or parallel) and by category', () => {
    expect(searchItems(all, q({ department: '县国税局' })).items.map((i) => i.code)).toEqual(['SCJG-001']);
    expect(searchItems(all, q({ category: 'public-service' })).items.map((i) => i.code)).toEqual(['MZ-003']);
  });
  it('pages results, and a page past the end shows the last page', () => {
    const many = Array.from({ length: PAGE_SIZE * 2 + 3 }, (_, k) => item(`X-${k}`, `事项${k}`, '县某局'));
    expect(searchItems(many, q({ page: 2 }))).toMatchObject({ total: PAGE_SIZE * 2 + 3, page: 2, pages: 3 });
    expect(searchItems(many, q({ page: 99 })).items.map((i) => i.code)).toEqual(['X-60', 'X-61', 'X-62']);
  });
  it('lists lead departments with their counts', () => {
    expect(departments(all)).toEqual([{ name: '县工商局', count: 1 }, { name: '县发改局', count: 1 }, { name: '县民政局', count: 1 }]);
  });
  it('refuses long queries, control characters, unknown categories and bad page numbers', () => {
    expect(parseItemQuery({ q: ' 企业 ', page: '2' })).toEqual({ ok: true, value: { q: '企业', department: '', category: '', page: 2 } });
    for (const bad of [{ q: 'x'.repeat(65) }, { q: 'a\u0000b' }, { cat: 'weapons' }, { page: '0' }, { page: '-1' }, { page: '1e3' }, { page: '999999' }]) {
      expect(parseItemQuery(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});
