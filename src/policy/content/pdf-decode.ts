// Decoding the two kinds of stream whose content a reader parses as PDF objects: object streams
// (§7.5.7) and cross-reference streams (§7.5.8). Only what writers actually use is decoded: no filter,
// or FlateDecode alone (zlib, or bare deflate, which readers also take), and for cross-reference
// streams the PNG predictors 10–15. Anything else (LZW, ASCII85, filter chains, indirect filters or
// parameters, TIFF predictor, several colours) cannot be read here and is refused, never skipped.

import { fail, type Verdict } from '../../errors.js';
import { inflateBudgeted } from './inflate-bounded.js';
import type { DecodeBudget } from './limits.js';
import type { PdfValue } from './pdf-lexer.js';
import { unpredictPng } from './pdf-predictor.js';

/** What one PDF may still inflate (its own limit), beside the request's shared DecodeBudget. */
export interface FileInflateLeft {
  bytes: number;
}

export interface StreamToDecode {
  readonly what: string;
  readonly dict: ReadonlyMap<string, PdfValue>;
  readonly data: Buffer;
}

const unscannable = (detail: string) => fail('FERRY_ERR_CONTENT_PDF_UNSCANNABLE', detail);

function isName(v: PdfValue | undefined, ...names: string[]): boolean {
  return v?.t === 'name' && names.includes(v.v);
}

/** A direct integer entry, its default when absent, or undefined when present in another form. */
function intEntry(dict: ReadonlyMap<string, PdfValue>, key: string, dflt: number): number | undefined {
  const v = dict.get(key);
  if (v === undefined) return dflt;
  return v.t === 'int' ? v.v : undefined;
}

type Encoding = { flate: boolean; columns: number | undefined } | { reason: string };

function encoding(dict: ReadonlyMap<string, PdfValue>, allowPredictor: boolean): Encoding {
  // pdf.js reads /F and /DP as /Filter and /DecodeParms, while §7.3.8.2 makes /F an external file:
  // readers disagree about such a stream, so it is not read here.
  for (const key of ['F', 'DP', 'FFilter', 'FDecodeParms']) if (dict.has(key)) return { reason: `/${key} (external data or abbreviations readers disagree on)` };
  const filter = dict.get('Filter');
  let flate: boolean;
  if (filter === undefined) flate = false;
  else if (isName(filter, 'FlateDecode', 'Fl')) flate = true;
  else if (filter.t === 'array' && filter.items.length === 1 && !filter.truncated && isName(filter.items[0], 'FlateDecode', 'Fl')) flate = true;
  else return { reason: 'a filter other than FlateDecode alone (or an indirect filter)' };
  let parm = dict.get('DecodeParms');
  if (parm?.t === 'array') {
    if (parm.items.length > 1 || parm.truncated) return { reason: 'several decode parameters' };
    parm = parm.items[0];
  }
  if (parm === undefined) return { flate, columns: undefined };
  if (parm.t !== 'dict') return { reason: 'indirect or unreadable decode parameters' };
  const predictor = intEntry(parm.map, 'Predictor', 1);
  if (predictor === undefined) return { reason: 'an indirect /Predictor' };
  if (predictor === 1) return { flate, columns: undefined };
  if (!flate) return { reason: 'a predictor without FlateDecode' };
  if (!allowPredictor) return { reason: `/Predictor ${predictor}` };
  if (predictor < 10 || predictor > 15) return { reason: `/Predictor ${predictor} (only PNG predictors 10-15 are read)` };
  const colors = intEntry(parm.map, 'Colors', 1);
  const bpc = intEntry(parm.map, 'BitsPerComponent', 8);
  const columns = intEntry(parm.map, 'Columns', 1);
  if (colors !== 1 || bpc !== 8) return { reason: 'a predictor over several colours or other than 8 bits' };
  if (columns === undefined || columns < 1) return { reason: 'a predictor without a positive direct /Columns' };
  return { flate, columns };
}

/**
 * Decodes an object or cross-reference stream, paying inflated bytes from the file's own limit and
 * the request's budget. Refusals: PDF_UNSCANNABLE (cannot decode, or past the file's limits) or
 * CONTENT_BUDGET (the request's budget is spent).
 */
export async function decodePdfStream(
  s: StreamToDecode,
  opts: { allowPredictor: boolean; streamCap: number; file: FileInflateLeft; budget: DecodeBudget },
): Promise<Verdict<Buffer>> {
  const enc = encoding(s.dict, opts.allowPredictor);
  if ('reason' in enc) return unscannable(`${s.what} uses ${enc.reason}`);
  let out = s.data;
  if (enc.flate) {
    const cap = Math.min(opts.streamCap, Math.max(0, opts.file.bytes));
    // FlateDecode is zlib-wrapped (RFC 1950); some writers emit bare deflate and readers accept it.
    let r = await inflateBudgeted(s.data, 'zlib', cap, opts.budget);
    if (r.kind === 'corrupt') r = await inflateBudgeted(s.data, 'raw', cap, opts.budget);
    if (r.kind === 'budget') return fail('FERRY_ERR_CONTENT_BUDGET', `${s.what} would inflate past what is left of the request's decode budget`);
    if (r.kind === 'too-large') return unscannable(`${s.what} inflates past ${cap} bytes`);
    if (r.kind === 'corrupt') return unscannable(`${s.what} does not inflate: ${r.reason}`);
    opts.file.bytes -= r.data.length;
    out = r.data;
  }
  if (enc.columns !== undefined) {
    const un = unpredictPng(out, enc.columns);
    if (typeof un === 'string') return unscannable(`${s.what}: ${un}`);
    out = un;
  }
  return { ok: true, value: out };
}
