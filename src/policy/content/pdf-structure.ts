// Where a PDF's objects and stream data are. Risky names are searched in the raw bytes everywhere,
// with one exception that keeps large scans usable: inside stream data (compressed images, fonts),
// "/JS" or "/AA" followed by a delimiter turns up by chance about once per 180 MiB, so ~6 % of
// 10 MiB scanned-page PDFs would be refused for noise. A name inside stream data is therefore counted
// only when that data also holds object syntax before it: an "obj" keyword, "trailer" or "xref". That
// is what a reader needs to parse a hidden object there (an xref offset pointing into an image, or
// pdf.js reconstructing a broken file by scanning for "n g obj"), so hidden objects are still caught.
// Object streams (/ObjStm), whose objects have no headers, are decoded and scanned in full elsewhere;
// the cross-reference data is checked against the headers found here (pdf-xref.ts).

import { streamData } from './pdf-stream-data.js';
import { BudgetExceeded, PdfLexer, isPdfDelimiter, isPdfWhite, type Budget, type PdfValue } from './pdf-lexer.js';

export interface PdfStream {
  readonly headerOffset: number;
  /** The object number from the "n g obj" header, when the header has one. */
  readonly num: number | undefined;
  readonly dict: ReadonlyMap<string, PdfValue>;
  readonly dataStart: number;
  readonly dataEnd: number;
}

export interface PdfStructure {
  /** Streams a reader could use as object streams (see isObjectStreamCandidate). */
  readonly objectStreams: readonly PdfStream[];
  /** Where each "n g obj" header starts (the first digit of n) → n. The xref must point at these. */
  readonly headerAt: ReadonlyMap<number, number>;
  /** Object numbers of every "n g obj" header found anywhere in the file. */
  readonly topLevel: ReadonlySet<number>;
  /** Stream data intervals [start, end), merged where they overlap, sorted by start. */
  readonly regionStarts: readonly number[];
  readonly regionEnds: readonly number[];
  /** Sorted offsets of "obj", "trailer" and "xref" keywords anywhere in the file. */
  readonly evidence: readonly number[];
}

export type StructureResult = PdfStructure | { readonly unscannable: string };

/** How far back from "obj" a header's tokens (and comments between them) are looked for. */
const HEADER_LOOKBACK = 256;
const MAX_OBJECT_NUMBER = 0x7fffffff;

function isBoundary(b: number | undefined): boolean {
  return b === undefined || isPdfWhite(b) || isPdfDelimiter(b);
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function allOffsets(buf: Buffer, word: string, out: number[]): void {
  for (let at = buf.indexOf(word, 0, 'latin1'); at >= 0; at = buf.indexOf(word, at + 1, 'latin1')) {
    if (isBoundary(buf[at + word.length])) out.push(at);
  }
}

/** The "obj" keywords: delimited after, and before by a delimiter, white space or a digit ("1 0obj"
 *  is "1 0 obj" to pdf.js and MuPDF, whose number lexers stop at the first non-digit). */
function objKeywords(buf: Buffer): number[] {
  const out: number[] = [];
  for (let at = buf.indexOf('obj', 0, 'latin1'); at >= 0; at = buf.indexOf('obj', at + 1, 'latin1')) {
    if (isBoundary(buf[at + 3]) && (at === 0 || isBoundary(buf[at - 1]) || isDigit(buf[at - 1]))) out.push(at);
  }
  return out;
}

/** Steps back over white space and % comments from `p` (inclusive); returns the new position. */
function skipBackSpace(buf: Buffer, p: number, floor: number): number {
  while (p >= floor) {
    if (isPdfWhite(buf[p])) {
      p--;
      continue;
    }
    // Is buf[p] inside a comment? Only if a "%" precedes it on the same line (within the lookback).
    let lineStart = p;
    while (lineStart > floor && buf[lineStart - 1] !== 0x0a && buf[lineStart - 1] !== 0x0d) lineStart--;
    // Searched only up to p (an indexOf would run on to the next "%", maybe the final %%EOF, for
    // every header: quadratic on a file of many objects).
    let pct = lineStart;
    while (pct <= p && buf[pct] !== 0x25) pct++;
    if (pct > p) return p;
    p = pct - 1;
  }
  return p;
}

/** Reads an unsigned integer token ending at `p` (inclusive), backwards. */
function intBefore(buf: Buffer, p: number, floor: number): { value: number; start: number } | undefined {
  let start = p;
  while (start > floor && isDigit(buf[start - 1]) && p - start < 10) start--;
  if (!isDigit(buf[p]) || (start > 0 && !isBoundary(buf[start - 1]))) return undefined;
  const value = Number(buf.toString('latin1', start, p + 1));
  return value <= MAX_OBJECT_NUMBER ? { value, start } : undefined;
}

/** The "n g" before the "obj" at `at`, with comments allowed between the tokens (§7.2.3). */
export function headerBefore(buf: Buffer, at: number): { num: number; gen: number; start: number } | undefined {
  const floor = Math.max(0, at - HEADER_LOOKBACK);
  const gen = intBefore(buf, skipBackSpace(buf, at - 1, floor), floor);
  if (gen === undefined) return undefined;
  const beforeGen = skipBackSpace(buf, gen.start - 1, floor);
  if (beforeGen === gen.start - 1 && gen.start > 0) return undefined; // "12obj": one token, no separator
  const num = intBefore(buf, beforeGen, floor);
  if (num === undefined) return undefined;
  return { num: num.value, gen: gen.value, start: num.start };
}

/**
 * A stream some reader would decode as an object stream: §7.5.7 /Type /ObjStm, or /First or /N (qpdf
 * and MuPDF use a stream named by a type-2 xref entry whatever its /Type), or a /Type that is not a
 * direct name (an indirect /Type resolves to anything). Type-2 references are checked separately.
 */
function isObjectStreamCandidate(dict: ReadonlyMap<string, PdfValue>): boolean {
  const type = dict.get('Type');
  if (type !== undefined && type.t !== 'name') return true;
  return dict.has('First') || dict.has('N') || (type?.t === 'name' && type.v === 'ObjStm');
}

/**
 * Finds every object header, the streams that follow them and the keyword evidence. Fails closed:
 * an object after an "n g obj" header whose value does not parse (any reason: nesting depth, a
 * non-name key, an unclosed string or dictionary) makes the file unscannable, as does running out of
 * the lexing budget (`budgetBytes`; overlapping or nested hostile objects). Only object streams keep
 * their dictionary; other streams keep two numbers, so a file of a million tiny objects costs a
 * million iterations and no garbage to speak of.
 */
export function readPdfStructure(buf: Buffer, budgetBytes: number): StructureResult {
  const budget: Budget = { remaining: budgetBytes };
  const objs = objKeywords(buf);
  const endstreams: number[] = [];
  for (let at = buf.indexOf('endstream', 0, 'latin1'); at >= 0; at = buf.indexOf('endstream', at + 1, 'latin1')) endstreams.push(at);
  const objectStreams: PdfStream[] = [];
  const headerAt = new Map<number, number>();
  const topLevel = new Set<number>();
  const starts: number[] = [];
  const ends: number[] = [];
  const lex = new PdfLexer(buf, 0, budget);
  try {
    // Every "obj" keyword is tried, whatever precedes it: a reader reaching an object through the xref
    // lexes "n %comment\n g obj" happily, so requiring a clean "n g obj" header here would let a
    // comment hide an object stream from the scan. Without a header only a dictionary is parsed (the
    // word "obj" in text is no object), but a stream there is still looked at.
    for (const at of objs) {
      const header = headerBefore(buf, at);
      if (header !== undefined) {
        headerAt.set(header.start, header.num);
        topLevel.add(header.num);
      }
      lex.pos = at + 3;
      lex.skipSpace();
      if (header === undefined && (lex.peek() !== 0x3c || lex.peek(1) !== 0x3c)) continue;
      const value = lex.value();
      if (value === undefined) {
        const what = header === undefined ? 'a dictionary after "obj"' : `object ${header.num} ${header.gen}`;
        return { unscannable: `${what} at offset ${at} does not parse (nesting, key, string or dictionary syntax)` };
      }
      if (value.t !== 'dict') continue;
      // Searched in a precomputed list, not with indexOf: many streams without "endstream" would make
      // each search run to the end of the file.
      const data = streamData(buf, lex, value.map, (from) => endstreams[lowerBound(endstreams, from)]);
      if (data === undefined) continue;
      starts.push(data[0]);
      ends.push(data[1]);
      if (isObjectStreamCandidate(value.map)) {
        objectStreams.push({ headerOffset: at, num: header?.num, dict: value.map, dataStart: data[0], dataEnd: data[1] });
      }
    }
  } catch (err) {
    if (err instanceof BudgetExceeded) return { unscannable: 'the object syntax overlaps too much to scan within the budget' };
    throw err;
  }
  const keywords: number[] = [];
  allOffsets(buf, 'trailer', keywords);
  allOffsets(buf, 'xref', keywords);
  keywords.sort((a, b) => a - b); // few: one per revision
  const merged = mergeRegions(starts, ends);
  return { objectStreams, headerAt, topLevel, regionStarts: merged[0], regionEnds: merged[1], evidence: mergeSorted(objs, keywords) };
}

/** Merges overlapping [start, end) intervals; the input is in file order, which is nearly sorted. */
function mergeRegions(starts: number[], ends: number[]): [number[], number[]] {
  let order: number[] | undefined;
  for (let i = 1; i < starts.length; i++) {
    if (starts[i]! < starts[i - 1]!) {
      order = starts.map((_, k) => k).sort((a, b) => starts[a]! - starts[b]!);
      break;
    }
  }
  const outStarts: number[] = [];
  const outEnds: number[] = [];
  for (let k = 0; k < starts.length; k++) {
    const i = order === undefined ? k : order[k]!;
    const last = outEnds.length - 1;
    if (last >= 0 && starts[i]! <= outEnds[last]!) outEnds[last] = Math.max(outEnds[last]!, ends[i]!);
    else {
      outStarts.push(starts[i]!);
      outEnds.push(ends[i]!);
    }
  }
  return [outStarts, outEnds];
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** First index in sorted `xs` with xs[i] >= v. */
export function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when a name at `offset` sits in stream data with no object syntax before it (see top). */
export function isInertStreamData(s: PdfStructure, offset: number): boolean {
  const i = lowerBound(s.regionStarts, offset + 1) - 1;
  if (i < 0 || offset >= s.regionEnds[i]!) return false;
  const e = s.evidence[lowerBound(s.evidence, s.regionStarts[i]!)];
  return e === undefined || e >= offset;
}
