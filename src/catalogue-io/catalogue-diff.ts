// What an import would change: items added, removed, and changed with the fields that differ. Pure.

import type { Catalogue } from '../approval/catalogue.js';
import type { Item } from '../approval/item.js';

export interface FieldChange { readonly field: string; readonly from: string; readonly to: string }
export interface CatalogueDiff {
  readonly added: readonly { code: string; name: string }[];
  readonly removed: readonly { code: string; name: string }[];
  readonly changed: readonly { code: string; name: string; fields: readonly FieldChange[] }[];
}

/** Short text of a field's value for the diff line: scalars as they are, lists and mappings by size. */
function show(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return [...v].length > 40 ? `${[...v].slice(0, 40).join('')}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `${v.length} entries`;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function fieldChanges(a: Item, b: Item): FieldChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  return keys
    .filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]))
    .map((k) => ({ field: k, from: show(ra[k]), to: show(rb[k]) }));
}

export function diffCatalogues(inForce: Catalogue, next: Catalogue): CatalogueDiff {
  const has = (c: Catalogue, code: string) => Object.hasOwn(c.byCode, code);
  return {
    added: next.items.filter((i) => !has(inForce, i.code)).map((i) => ({ code: i.code, name: i.name })),
    removed: inForce.items.filter((i) => !has(next, i.code)).map((i) => ({ code: i.code, name: i.name })),
    changed: next.items.flatMap((i) => {
      if (!has(inForce, i.code)) return [];
      const fields = fieldChanges(inForce.byCode[i.code]!, i);
      return fields.length > 0 ? [{ code: i.code, name: i.name, fields }] : [];
    }),
  };
}

export const isEmptyDiff = (d: CatalogueDiff): boolean => d.added.length + d.removed.length + d.changed.length === 0;

/** The diff as lines a person reads, like `git diff --stat`: + added, - removed, ~ changed (fields). */
export function diffLines(d: CatalogueDiff): string[] {
  return [
    ...d.added.map((i) => `+ ${i.code}  ${i.name}`),
    ...d.removed.map((i) => `- ${i.code}  ${i.name}`),
    ...d.changed.map((i) => `~ ${i.code}  ${i.name}: ${i.fields.map((f) => `${f.field} ${f.from} → ${f.to}`).join('; ')}`),
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`,
  ];
}
