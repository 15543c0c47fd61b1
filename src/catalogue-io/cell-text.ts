// One spreadsheet cell, untrusted, to text. Nothing in a cell is evaluated: a formula is refused (its
// cached result may be anything the sender's Excel last computed, or forged), rich text is flattened to
// its characters, a date is refused where text is expected (Excel turns 2026-01-02 or 1-2 into a date
// silently), and an error value (#N/A) is refused. Numbers are kept as numbers for the number columns.

export type CellRead =
  | { readonly ok: true; readonly text: string; readonly number?: number }
  | { readonly ok: false; readonly problem: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `value` is exceljs's Cell.value (or a CSV field, always a string here). */
export function cellText(value: unknown): CellRead {
  if (value === null || value === undefined) return { ok: true, text: '' };
  if (typeof value === 'string') {
    // A leading '=' is a formula to whoever opens an exported CSV in a spreadsheet (CSV injection):
    // refused on the way in, so an export never carries one out.
    if (value.trimStart().startsWith('=')) return { ok: false, problem: "starts with '=': formulas are not accepted; enter the value itself" };
    return { ok: true, text: value };
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { ok: true, text: String(value), number: value } : { ok: false, problem: 'is not a finite number' };
  }
  if (typeof value === 'boolean') return { ok: false, problem: `is the logical value ${value ? 'TRUE' : 'FALSE'}; write 是 or 否 as text` };
  if (value instanceof Date) return { ok: false, problem: 'is a date; enter text or a number (format the cell as text)' };
  if (isObj(value)) {
    if ('formula' in value || 'sharedFormula' in value) {
      const f = String(value['formula'] ?? value['sharedFormula']).slice(0, 60);
      return { ok: false, problem: `is a formula (=${f}); formulas are not evaluated: enter the value itself` };
    }
    if (Array.isArray(value['richText'])) {
      const parts = value['richText'] as unknown[];
      if (parts.some((p) => !isObj(p) || typeof p['text'] !== 'string')) return { ok: false, problem: 'holds rich text that cannot be read' };
      return cellText(parts.map((p) => (p as { text: string }).text).join(''));
    }
    if ('error' in value) return { ok: false, problem: `holds the error value ${String(value['error']).slice(0, 20)}` };
    if (typeof value['text'] === 'string' && 'hyperlink' in value) return cellText(value['text']);
  }
  return { ok: false, problem: 'holds a value of a kind this reader does not accept' };
}

/** A cell's number: a number cell, or text that is plainly a decimal number (no 1e3, no 0x10, no ','). */
export function cellNumber(r: CellRead & { ok: true }): number | undefined {
  if (r.number !== undefined) return r.number;
  const t = r.text.trim();
  return /^-?\d{1,15}(\.\d{1,6})?$/.test(t) ? Number(t) : undefined;
}
