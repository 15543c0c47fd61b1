// The cross-reference data (ISO 32000-1 §7.5.4 tables, §7.5.8 streams, §7.5.6 incremental updates,
// §7.5.8.4 hybrid files) checked against what the scanner saw. A reader finds objects through the
// xref; Ferry judges the objects it found by scanning. The two views must agree, or a reader could
// reach an object Ferry never judged. So every in-use entry of every section (from the last startxref,
// along /Prev and /XRefStm, loops and counts bounded) must be accounted for:
//   type 1 (offset)  → an "n g obj" header Ferry recorded, with the same n, at that offset (after
//                       white space and comments, as a reader's lexer would skip them);
//   type 2 (in stm)  → an object stream Ferry decoded whose header lists that object;
//   anything else    → refused (PDF_UNSCANNABLE).
// A file with no startxref at all has no xref to disagree with: readers rebuild one by scanning for
// "n g obj" headers, which is exactly what Ferry's scan found.

import { fail, type Verdict } from '../../errors.js';
import { decodePdfStream, type FileInflateLeft } from './pdf-decode.js';
import { BudgetExceeded, PdfLexer, type Budget, type PdfValue } from './pdf-lexer.js';
import type { PdfStructure } from './pdf-structure.js';
import { streamData } from './pdf-stream-data.js';
import { PDF_MAX_XREF_ENTRIES, PDF_MAX_XREF_SECTIONS, type DecodeBudget } from './limits.js';

export interface XrefContext {
  readonly buf: Buffer;
  readonly structure: PdfStructure;
  /** Decoded object streams: stream object number → the object numbers its header lists. */
  readonly compressed: ReadonlyMap<number, ReadonlySet<number>>;
  readonly streamCap: number;
  readonly file: FileInflateLeft;
  readonly budget: DecodeBudget;
  readonly lexBudget: Budget;
}

/** /Index of an xref stream may list many subsections; longer arrays are refused, not truncated. */
const MAX_INDEX_ITEMS = 2 * 4096;
const MAX_FIELD_WIDTH = 8;

const OK: Verdict<void> = { ok: true, value: undefined };
const unscannable = (detail: string) => fail('FERRY_ERR_CONTENT_PDF_UNSCANNABLE', detail);

class Entries {
  count = 0;
  constructor(private readonly ctx: XrefContext) {}

  /** Type 1: an object at a byte offset. */
  atOffset(num: number, offset: number): Verdict<void> {
    const more = this.#more();
    if (!more.ok) return more;
    const { buf, structure, lexBudget } = this.ctx;
    if (offset >= buf.length) return unscannable(`xref entry for object ${num} points past the end of the file (offset ${offset})`);
    const lex = new PdfLexer(buf, offset, lexBudget);
    lex.skipSpace();
    const found = structure.headerAt.get(lex.pos);
    if (found !== num) {
      return unscannable(`xref entry for object ${num} points at offset ${offset}, where the scan found ${found === undefined ? 'no object header' : `object ${found}`}`);
    }
    return OK;
  }

  /** Type 2: the index-th object of object stream `stm`. */
  inStream(num: number, stm: number): Verdict<void> {
    const more = this.#more();
    if (!more.ok) return more;
    const members = this.ctx.compressed.get(stm);
    if (members === undefined) return unscannable(`xref entry puts object ${num} in object ${stm}, which is no object stream the scan decoded`);
    if (!members.has(num)) return unscannable(`xref entry puts object ${num} in object stream ${stm}, whose header does not list it`);
    return OK;
  }

  #more(): Verdict<void> {
    if (++this.count > PDF_MAX_XREF_ENTRIES) return unscannable(`more than ${PDF_MAX_XREF_ENTRIES} xref entries`);
    return OK;
  }
}

/** The offset after the last "startxref" (readers read the last one), or undefined if there is none. */
function lastStartxref(buf: Buffer, lexBudget: Budget): number | 'broken' | undefined {
  const at = buf.lastIndexOf('startxref', buf.length, 'latin1');
  if (at < 0) return undefined;
  const lex = new PdfLexer(buf, at + 9, lexBudget);
  lex.skipSpace();
  return lex.integer() ?? 'broken';
}

export async function checkXref(ctx: XrefContext): Promise<Verdict<void>> {
  try {
    return await walkSections(ctx);
  } catch (err) {
    if (err instanceof BudgetExceeded) return unscannable('the cross-reference data does not parse within the budget');
    throw err;
  }
}

async function walkSections(ctx: XrefContext): Promise<Verdict<void>> {
  const start = lastStartxref(ctx.buf, ctx.lexBudget);
  if (start === undefined) return OK;
  if (start === 'broken') return unscannable('startxref is not followed by an offset');
  const entries = new Entries(ctx);
  const queue: number[] = [start];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const offset = queue.shift()!;
    if (seen.has(offset)) continue; // a /Prev loop: every section in it has been checked once
    seen.add(offset);
    if (seen.size > PDF_MAX_XREF_SECTIONS) return unscannable(`more than ${PDF_MAX_XREF_SECTIONS} cross-reference sections`);
    if (offset >= ctx.buf.length) return unscannable(`a cross-reference offset (${offset}) points past the end of the file`);
    const lex = new PdfLexer(ctx.buf, offset, ctx.lexBudget, MAX_INDEX_ITEMS);
    lex.skipSpace();
    const section = lex.keyword('xref') ? readTable(lex, entries) : await readStream(ctx, lex, entries);
    if (!section.ok) return section;
    for (const key of ['Prev', 'XRefStm'] as const) {
      const v = section.value.get(key);
      if (v === undefined) continue;
      if (v.t !== 'int') return unscannable(`/${key} of the cross-reference section at offset ${offset} is not a direct integer`);
      queue.push(v.v);
    }
  }
  return OK;
}

/** A classic table (§7.5.4): subsections "start count" of "offset gen n|f" lines, then the trailer. */
function readTable(lex: PdfLexer, entries: Entries): Verdict<ReadonlyMap<string, PdfValue>> {
  const at = lex.pos;
  for (;;) {
    lex.skipSpace();
    if (lex.keyword('trailer')) break;
    const first = lex.integer();
    lex.skipSpace();
    const count = lex.integer();
    if (first === undefined || count === undefined) return unscannable(`the xref table at offset ${at} has a broken subsection header`);
    if (entries.count + count > PDF_MAX_XREF_ENTRIES) return unscannable(`more than ${PDF_MAX_XREF_ENTRIES} xref entries`);
    for (let i = 0; i < count; i++) {
      lex.skipSpace();
      const offset = lex.integer();
      lex.skipSpace();
      const gen = lex.integer();
      lex.skipSpace();
      const inUse = lex.keyword('n');
      if (offset === undefined || gen === undefined || (!inUse && !lex.keyword('f'))) {
        return unscannable(`xref table entry ${first + i} (table at offset ${at}) does not parse`);
      }
      if (inUse) {
        const v = entries.atOffset(first + i, offset);
        if (!v.ok) return v;
      }
    }
  }
  lex.skipSpace();
  const trailer = lex.peek() === 0x3c && lex.peek(1) === 0x3c ? lex.value() : undefined;
  if (trailer?.t !== 'dict') return unscannable(`the trailer after the xref table at offset ${at} does not parse`);
  return { ok: true, value: trailer.map };
}


function directInts(v: PdfValue | undefined): number[] | undefined {
  if (v?.t !== 'array' || v.truncated) return undefined;
  const out: number[] = [];
  for (const item of v.items) {
    if (item.t !== 'int') return undefined;
    out.push(item.v);
  }
  return out;
}

/** A cross-reference stream (§7.5.8): "n g obj << /Type /XRef /W [..] /Index [..] ... >> stream". */
async function readStream(ctx: XrefContext, lex: PdfLexer, entries: Entries): Promise<Verdict<ReadonlyMap<string, PdfValue>>> {
  const at = lex.pos;
  const num = ctx.structure.headerAt.get(at);
  const what = `the cross-reference stream at offset ${at}`;
  if (num === undefined) return unscannable(`a cross-reference offset (${at}) points at neither "xref" nor an object header`);
  lex.integer();
  lex.skipSpace();
  lex.integer();
  lex.skipSpace();
  if (!lex.keyword('obj')) return unscannable(`${what} has a header the xref reader cannot follow`);
  lex.skipSpace();
  const dict = lex.peek() === 0x3c && lex.peek(1) === 0x3c ? lex.value() : undefined;
  if (dict?.t !== 'dict') return unscannable(`${what} has no dictionary that parses`);
  const type = dict.map.get('Type');
  if (type?.t !== 'name' || type.v !== 'XRef') return unscannable(`object ${num} at a cross-reference offset is not /Type /XRef`);
  const span = streamData(ctx.buf, lex, dict.map, (from) => { const e = ctx.buf.indexOf('endstream', from, 'latin1'); return e < 0 ? undefined : e; });
  const data = span && ctx.buf.subarray(span[0], span[1]);
  if (data === undefined) return unscannable(`${what} has no stream data`);
  const w = directInts(dict.map.get('W'));
  if (w === undefined || w.length !== 3 || w.some((x) => x < 0 || x > MAX_FIELD_WIDTH) || w[0]! + w[1]! + w[2]! === 0) {
    return unscannable(`${what} has no usable /W of three direct integers`);
  }
  const size = dict.map.get('Size');
  if (size?.t !== 'int') return unscannable(`${what} has no direct integer /Size`);
  const index = dict.map.has('Index') ? directInts(dict.map.get('Index')) : [0, size.v];
  if (index === undefined || index.length % 2 !== 0) return unscannable(`${what} has an /Index that is not pairs of direct integers`);
  let rowsNeeded = 0;
  for (let i = 1; i < index.length; i += 2) rowsNeeded += index[i]!;
  if (entries.count + rowsNeeded > PDF_MAX_XREF_ENTRIES) return unscannable(`more than ${PDF_MAX_XREF_ENTRIES} xref entries`);
  const decoded = await decodePdfStream({ what, dict: dict.map, data }, { allowPredictor: true, streamCap: ctx.streamCap, file: ctx.file, budget: ctx.budget });
  if (!decoded.ok) return decoded;
  const rowBytes = w[0]! + w[1]! + w[2]!;
  const rows = decoded.value;
  if (rows.length < rowsNeeded * rowBytes) return unscannable(`${what} holds ${Math.floor(rows.length / rowBytes)} entries, /Index lists ${rowsNeeded}`);
  const field = (p: number, width: number, dflt: number): number => {
    if (width === 0) return dflt;
    let v = 0;
    for (let k = 0; k < width; k++) v = v * 256 + rows[p + k]!;
    return v;
  };
  let row = 0;
  for (let i = 0; i < index.length; i += 2) {
    const first = index[i]!;
    for (let k = 0; k < index[i + 1]!; k++, row++) {
      const p = row * rowBytes;
      const t = field(p, w[0]!, 1); // §7.5.8.2 Table 17: a zero-width type field defaults to 1
      const f2 = field(p + w[0]!, w[1]!, 0);
      const n = first + k;
      let v: Verdict<void>;
      if (t === 0) continue;
      else if (t === 1) v = entries.atOffset(n, f2);
      else if (t === 2) v = entries.inStream(n, f2);
      else v = unscannable(`${what}: entry for object ${n} has type ${t}`);
      if (!v.ok) return v;
    }
  }
  return { ok: true, value: dict.map };
}
