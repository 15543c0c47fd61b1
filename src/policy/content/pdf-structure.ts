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
  readonly streams: readonly PdfStream[];
  /** Stream data intervals [start, end), merged where they overlap, sorted. */
  readonly regions: readonly (readonly [number, number])[];
  readonly regionStarts: readonly number[];
  /** Sorted offsets of "obj", "trailer" and "xref" keywords anywhere in the file. */
  readonly evidence: readonly number[];
}

function isBoundary(b: number | undefined): boolean {
  return b === undefined || isPdfWhite(b) || isPdfDelimiter(b);
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** True when "obj" at `at` is preceded by "<int> <int> " (§7.3.10), white space only between. */
function isObjectHeader(buf: Buffer, at: number): boolean {
  let i = at - 1;
  const skipWhite = (): boolean => {
    const start = i;
    while (i >= 0 && isPdfWhite(buf[i])) i--;
    return i < start;
  };
  const skipDigits = (): boolean => {
    const start = i;
    while (i >= 0 && start - i < 12 && isDigit(buf[i])) i--;
    return i < start;
  };
  return skipWhite() && skipDigits() && skipWhite() && skipDigits() && (i < 0 || isBoundary(buf[i]));
}

function allOffsets(buf: Buffer, word: string, out: number[]): void {
  for (let at = buf.indexOf(word, 0, 'latin1'); at >= 0; at = buf.indexOf(word, at + 1, 'latin1')) {
    if (isBoundary(buf[at + word.length])) out.push(at);
  }
}

/** Where the data of the stream whose dictionary ended at `lex.pos` lies, or undefined if no stream. */
function streamData(buf: Buffer, lex: PdfLexer, dict: ReadonlyMap<string, PdfValue>): [number, number] | undefined {
  lex.skipSpace();
  if (!lex.keyword('stream')) return undefined;
  // §7.3.8.1: the keyword is followed by CRLF or LF (a lone CR is tolerated by readers).
  let start = lex.pos;
  if (buf[start] === 0x0d) start++;
  if (buf[start] === 0x0a) start++;
  const length = dict.get('Length');
  if (length?.t === 'int' && start + length.v <= buf.length) {
    let after = start + length.v;
    while (after < buf.length && isPdfWhite(buf[after])) after++;
    if (buf.toString('latin1', after, after + 9) === 'endstream') return [start, start + length.v];
  }
  const end = buf.indexOf('endstream', start, 'latin1');
  return [start, end < 0 ? buf.length : end];
}

/**
 * Finds every object header, the streams that follow them and the keyword evidence. Returns
 * 'budget' when parsing would cost more than `budgetBytes` (overlapping or nested hostile objects).
 */
export function readPdfStructure(buf: Buffer, budgetBytes: number): PdfStructure | 'budget' {
  const budget: Budget = { remaining: budgetBytes };
  const objs: number[] = [];
  allOffsets(buf, 'obj', objs);
  const streams: PdfStream[] = [];
  try {
    for (const at of objs) {
      if (!isObjectHeader(buf, at)) continue;
      const lex = new PdfLexer(buf, at + 3, budget);
      lex.skipSpace();
      if (lex.peek() !== 0x3c || lex.peek(1) !== 0x3c) continue;
      const dict = lex.dict();
      if (dict?.t !== 'dict') continue;
      const data = streamData(buf, lex, dict.map);
      if (data !== undefined) streams.push({ headerOffset: at, dict: dict.map, dataStart: data[0], dataEnd: data[1] });
    }
  } catch (err) {
    if (err instanceof BudgetExceeded) return 'budget';
    throw err;
  }
  const evidence = [...objs];
  allOffsets(buf, 'trailer', evidence);
  allOffsets(buf, 'xref', evidence);
  evidence.sort((a, b) => a - b);
  const regions = mergeRegions(streams);
  return { streams, regions, regionStarts: regions.map((r) => r[0]), evidence };
}

function mergeRegions(streams: readonly PdfStream[]): [number, number][] {
  const sorted = streams.map((s): [number, number] => [s.dataStart, s.dataEnd]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
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
  const region = s.regions[i];
  if (region === undefined || offset >= region[1]) return false;
  const e = s.evidence[lowerBound(s.evidence, region[0])];
  return e === undefined || e >= offset;
}
