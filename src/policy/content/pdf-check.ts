// PDF policy. Covered: risky names (pdf-names.ts) anywhere in the raw bytes, hex-escaped or not,
// outside inert stream data (pdf-structure.ts); the same names inside every object stream, decoded
// when unfiltered or FlateDecode without predictor; /Encrypt; the end of the file. Not covered, and
// therefore refused rather than guessed: object streams with other filters (LZW, ASCII85, chains) or
// predictors, and any object stream that does not inflate within the limits. Not looked into: the
// content of non-object streams (page contents, images, fonts), which no reader parses as objects.

import { fail, type FerryErrorCode, type Verdict } from '../../errors.js';
import type { ByteView } from './byte-view.js';
import { inflateBounded } from './inflate-bounded.js';
import type { ContentLimits } from './limits.js';
import { findEmbeddedMarkup } from './markup.js';
import type { PdfValue } from './pdf-lexer.js';
import { scanRiskyNames, type NameHit, type PdfRisk } from './pdf-names.js';
import { isInertStreamData, readPdfStructure, type PdfStream } from './pdf-structure.js';

const RISK_ORDER: readonly PdfRisk[] = ['encrypt', 'script', 'action', 'embedded'];
const RISK_CODE: Readonly<Record<PdfRisk, FerryErrorCode>> = {
  encrypt: 'FERRY_ERR_CONTENT_ENCRYPTED',
  script: 'FERRY_ERR_CONTENT_PDF_SCRIPT',
  action: 'FERRY_ERR_CONTENT_PDF_ACTION',
  embedded: 'FERRY_ERR_CONTENT_PDF_EMBEDDED',
};

/** Lexing work allowed per byte of file: each byte is normally read once; overlap costs more. */
const LEX_BUDGET_PER_BYTE = 8;
const LEX_BUDGET_BASE = 1024 * 1024;

const OK: Verdict<void> = { ok: true, value: undefined };
const unscannable = (detail: string) => fail('FERRY_ERR_CONTENT_PDF_UNSCANNABLE', detail);

function verdictFor(hits: ReadonlyMap<PdfRisk, NameHit>, where: (offset: number) => string): Verdict<void> {
  for (const risk of RISK_ORDER) {
    const hit = hits.get(risk);
    if (hit !== undefined) return fail(RISK_CODE[risk], `/${hit.name} ${where(hit.offset)}`);
  }
  return OK;
}

/** A javascript: URI (in a /URI action or a link) or HTML script markup among the objects of an object
 *  stream. (In the raw bytes the same markup is a polyglot marker, checked for every type.) */
function scriptMarkup(lowerText: string, where: string): Verdict<void> {
  const found = findEmbeddedMarkup(lowerText);
  return found === undefined ? OK : fail('FERRY_ERR_CONTENT_PDF_SCRIPT', `${found} ${where}`);
}

/** The end of a PDF: readers look for %%EOF in the last 1024 bytes; after it only white space may follow. */
function checkEnd(buf: Buffer): Verdict<void> {
  const eof = buf.lastIndexOf('%%EOF', buf.length, 'latin1');
  if (eof < 0) return fail('FERRY_ERR_CONTENT_MALFORMED', 'the PDF has no %%EOF marker');
  for (let i = eof + 5; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09 && b !== 0x0c && b !== 0x00) {
      return fail('FERRY_ERR_CONTENT_POLYGLOT', `${buf.length - eof - 5} bytes follow the final %%EOF`);
    }
  }
  return OK;
}

function isName(v: PdfValue | undefined, ...names: string[]): boolean {
  return v?.t === 'name' && names.includes(v.v);
}

/** How an object stream is encoded: 'none', 'flate', or a reason it cannot be decoded here. */
function encoding(s: PdfStream): 'none' | 'flate' | { reason: string } {
  const filter = s.dict.get('Filter');
  let flate: boolean;
  if (filter === undefined) flate = false;
  else if (isName(filter, 'FlateDecode', 'Fl')) flate = true;
  else if (filter.t === 'array' && filter.items.length === 1 && isName(filter.items[0], 'FlateDecode', 'Fl')) flate = true;
  else return { reason: 'a filter other than FlateDecode' };
  const parms = s.dict.get('DecodeParms') ?? s.dict.get('DP');
  const parm = parms?.t === 'array' ? parms.items[0] : parms;
  if (parm?.t === 'ref') return { reason: 'indirect decode parameters' };
  if (parm?.t === 'dict') {
    const predictor = parm.map.get('Predictor');
    if (predictor !== undefined && !(predictor.t === 'int' && predictor.v <= 1)) return { reason: 'a predictor' };
  }
  return flate ? 'flate' : 'none';
}

async function decodeObjectStream(buf: Buffer, s: PdfStream, cap: number): Promise<Verdict<Buffer>> {
  const enc = encoding(s);
  if (typeof enc === 'object') return unscannable(`object stream at offset ${s.headerOffset} uses ${enc.reason}`);
  const raw = buf.subarray(s.dataStart, s.dataEnd);
  if (enc === 'none') return { ok: true, value: raw };
  // FlateDecode is zlib-wrapped (RFC 1950); some writers emit bare deflate and readers accept it.
  let r = await inflateBounded(raw, 'zlib', cap);
  if (r.kind === 'corrupt') r = await inflateBounded(raw, 'raw', cap);
  if (r.kind === 'too-large') return unscannable(`object stream at offset ${s.headerOffset} inflates past ${cap} bytes`);
  if (r.kind === 'corrupt') return unscannable(`object stream at offset ${s.headerOffset} does not inflate: ${r.reason}`);
  return { ok: true, value: r.data };
}

export async function checkPdf(view: ByteView, limits: ContentLimits): Promise<Verdict<void>> {
  const buf = view.buf;
  const end = checkEnd(buf);
  if (!end.ok) return end;
  const structure = readPdfStructure(buf, LEX_BUDGET_BASE + LEX_BUDGET_PER_BYTE * buf.length);
  if (structure === 'budget') return unscannable('the object syntax overlaps too much to scan within the budget');

  const rawHits = new Map<PdfRisk, NameHit>();
  scanRiskyNames(buf, 0, buf.length, (hit) => {
    if (!rawHits.has(hit.risk) && !isInertStreamData(structure, hit.offset)) rawHits.set(hit.risk, hit);
    return rawHits.size < RISK_ORDER.length;
  });
  const raw = verdictFor(rawHits, (at) => `at offset ${at}`);
  if (!raw.ok) return raw;

  const objectStreams = structure.objectStreams;
  if (objectStreams.length > limits.pdfMaxObjectStreams) {
    return unscannable(`${objectStreams.length} object streams exceed the limit of ${limits.pdfMaxObjectStreams}`);
  }
  let budget = limits.pdfMaxInflatedBytes;
  for (const s of objectStreams) {
    const cap = Math.min(limits.pdfMaxObjectStreamBytes, budget);
    const decoded = await decodeObjectStream(buf, s, cap);
    if (!decoded.ok) return decoded;
    budget -= decoded.value.length;
    const hits = new Map<PdfRisk, NameHit>();
    scanRiskyNames(decoded.value, 0, decoded.value.length, (hit) => {
      if (!hits.has(hit.risk)) hits.set(hit.risk, hit);
      return hits.size < RISK_ORDER.length;
    });
    const inner = verdictFor(hits, (at) => `inside the object stream at offset ${s.headerOffset} (decoded offset ${at})`);
    if (!inner.ok) return inner;
    const markup = scriptMarkup(decoded.value.toString('latin1').toLowerCase(), `inside the object stream at offset ${s.headerOffset}`);
    if (!markup.ok) return markup;
  }
  return OK;
}
