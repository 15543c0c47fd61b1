// Finding items in the published catalogue: by words, department and category, a page at a time.
// Pure and in memory: a county's whole catalogue (hundreds of items) is searched in well under a
// millisecond, so no index is kept beside the catalogue cache.
import { ITEM_CATEGORIES, type ItemCategory, type PublishedItem } from '../published/item.js';

export const PAGE_SIZE = 30;
/** Longer queries are refused: a search box needs no more, and the match cost grows with it. */
export const MAX_QUERY_CHARS = 64;

export interface ItemQuery { readonly q: string; readonly department: string; readonly category: ItemCategory | ''; readonly page: number }

export type QueryResult = { ok: true; value: ItemQuery } | { ok: false; reason: string };

const first = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** Reads the query string's q, dept, cat and page; anything odd is refused, not guessed at. */
export function parseItemQuery(raw: Readonly<Record<string, unknown>>): QueryResult {
  const q = first(raw.q).trim();
  const department = first(raw.dept).trim();
  const cat = first(raw.cat).trim();
  const pageText = first(raw.page).trim() || '1';
  if ([q, department].some((s) => s.length > MAX_QUERY_CHARS || /[\u0000-\u001f\u007f]/.test(s))) return { ok: false, reason: 'query too long or with control characters' };
  if (cat !== '' && !(ITEM_CATEGORIES as readonly string[]).includes(cat)) return { ok: false, reason: `unknown category ${cat}` };
  if (!/^[1-9]\d{0,4}$/.test(pageText)) return { ok: false, reason: 'page must be a number from 1' };
  return { ok: true, value: { q, department, category: cat as ItemCategory | '', page: Number(pageText) } };
}

function haystack(i: PublishedItem): string {
  return [i.code, i.name, i.leadDepartment, ...i.parallelDepartments, i.result].join('\n').toLowerCase();
}

export interface ItemPage { readonly items: readonly PublishedItem[]; readonly total: number; readonly page: number; readonly pages: number }

/** Every word of q must occur (in name, code, departments or result); filters are exact. */
export function searchItems(all: readonly PublishedItem[], query: ItemQuery): ItemPage {
  const words = query.q.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = all.filter((i) => (query.department === '' || i.leadDepartment === query.department || i.parallelDepartments.includes(query.department))
    && (query.category === '' || i.category === query.category)
    && (words.length === 0 || words.every((w) => haystack(i).includes(w))));
  const pages = Math.max(1, Math.ceil(hits.length / PAGE_SIZE));
  const page = Math.min(query.page, pages);
  return { items: hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), total: hits.length, page, pages };
}

/** Lead departments with how many items each leads, in the catalogue's own order. */
export function departments(all: readonly PublishedItem[]): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const i of all) counts.set(i.leadDepartment, (counts.get(i.leadDepartment) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count }));
}
