// Where a PDF's objects and stream data are. Risky names are searched in the raw bytes everywhere,
// with one exception that keeps large scans usable: inside stream data (compressed images, fonts),
// "/JS" or "/AA" followed by a delimiter turns up by chance about once per 180 MiB, so ~6 % of
// 10 MiB scanned-page PDFs would be refused for noise. A name inside stream data is therefore counted
// only when that data also holds object syntax before it: an "obj" keyword, "trailer" or "xref". That
// is what a reader needs to parse a hidden object there (an xref offset pointing into an image, or
// pdf.js reconstructing a broken file by scanning for "n g obj"), so hidden objects are still caught.
// Object streams (/ObjStm), whose objects have no headers, are decoded and scanned in full elsewhere.

import { BudgetExceeded, PdfLexer, isPdfDelimiter, isPdfWhite, type Budget, type PdfValue } from './pdf-lexer.js';

export interface PdfStream {
  readonly headerOffset: number;
  readonly dict: ReadonlyMap<string, PdfValue>;
  readonly dataStart: number;
  readonly dataEnd: number;
}

export interface PdfStructure {
  /** Streams that are (or claim to be) object streams: /First or /Type /ObjStm. */
  readonly objectStreams: readonly PdfStream[];
  /** Stream data intervals [start, end), merged where they overlap, sorted by start. */
  readonly regionStarts: readonly number[];
  readonly regionEnds: readonly number[];
  /** Sorted offsets of "obj", "trailer" and "xref" keywords anywhere in the file. */
  readonly evidence: readonly number[];
}

const MAX_WHITE_BEFORE_ENDSTREAM = 64;

function isBoundary(b: number | undefined): boolean {
  return b === undefined || isPdfWhite(b) || isPdfDelimiter(b);
}

function allOffsets(buf: Buffer, word: string, out: number[]): void {
  for (let at = buf.indexOf(word, 0, 'latin1'); at >= 0; at = buf.indexOf(word, at + 1, 'latin1')) {
    if (isBoundary(buf[at + word.length])) out.push(at);
  }
}

/** Where the data of the stream whose dictionary ended at `lex.pos` lies, or undefined if no stream. */
function streamData(buf: Buffer, lex: PdfLexer, dict: ReadonlyMap<string, PdfValue>, endstreams: readonly number[]): [number, number] | undefined {
  lex.skipSpace();
  if (!lex.keyword('stream')) return undefined;
  // §7.3.8.1: the keyword is followed by CRLF or LF (a lone CR is tolerated by readers).
  let start = lex.pos;
  if (buf[start] === 0x0d) start++;
  if (buf[start] === 0x0a) start++;
  const length = dict.get('Length');
  if (length?.t === 'int' && start + length.v <= buf.length) {
    // A few EOL/space bytes may precede "endstream"; capped so that many streams whose /Length ends
    // in one long run of white space cannot make this quadratic.
    let after = start + length.v;
    const limit = Math.min(buf.length, after + MAX_WHITE_BEFORE_ENDSTREAM);
    while (after < limit && isPdfWhite(buf[after])) after++;
    if (buf.toString('latin1', after, after + 9) === 'endstream') return [start, start + length.v];
  }
  // Searched in a precomputed list, not with indexOf: many streams without "endstream" would make
  // each search run to the end of the file.
  const end = endstreams[lowerBound(endstreams, start)];
  return [start, end ?? buf.length];
}

/**
 * Finds every object header, the streams that follow them and the keyword evidence. Returns
 * 'budget' when parsing would cost more than `budgetBytes` (overlapping or nested hostile objects).
 * Only object streams keep their dictionary; other streams keep two numbers, so a file of a million
 * tiny objects costs a million iterations and no garbage to speak of.
 */
export function readPdfStructure(buf: Buffer, budgetBytes: number): PdfStructure | 'budget' {
  const budget: Budget = { remaining: budgetBytes };
  const objs: number[] = [];
  allOffsets(buf, 'obj', objs);
  const endstreams: number[] = [];
  for (let at = buf.indexOf('endstream', 0, 'latin1'); at >= 0; at = buf.indexOf('endstream', at + 1, 'latin1')) endstreams.push(at);
  const objectStreams: PdfStream[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const lex = new PdfLexer(buf, 0, budget);
  try {
    // Every "obj" keyword is tried, whatever precedes it: a reader reaching an object through the xref
    // lexes "n %comment\n g obj" happily, so requiring a clean "n g obj" header here would let a
    // comment hide an object stream from the scan. A dictionary after a stray "obj" costs a parse.
    for (const at of objs) {
      lex.pos = at + 3;
      lex.skipSpace();
      if (lex.peek() !== 0x3c || lex.peek(1) !== 0x3c) continue;
      const dict = lex.dict();
      if (dict?.t !== 'dict') continue;
      const data = streamData(buf, lex, dict.map, endstreams);
      if (data === undefined) continue;
      starts.push(data[0]);
      ends.push(data[1]);
      // §7.5.7: an object stream has /Type /ObjStm, /N and /First; no reader can use one without /First.
      const type = dict.map.get('Type');
      if (dict.map.has('First') || (type?.t === 'name' && type.v === 'ObjStm')) {
        objectStreams.push({ headerOffset: at, dict: dict.map, dataStart: data[0], dataEnd: data[1] });
      }
    }
  } catch (err) {
    if (err instanceof BudgetExceeded) return 'budget';
    throw err;
  }
  const keywords: number[] = [];
  allOffsets(buf, 'trailer', keywords);
  allOffsets(buf, 'xref', keywords);
  keywords.sort((a, b) => a - b); // few: one per revision
  const merged = mergeRegions(starts, ends);
  return { objectStreams, regionStarts: merged[0], regionEnds: merged[1], evidence: mergeSorted(objs, keywords) };
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
function lowerBound(xs: readonly number[], v: number): number {
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
