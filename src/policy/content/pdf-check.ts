// PDF policy. Fails closed: whatever the scanner cannot account for is refused as PDF_UNSCANNABLE,
// never skipped. Covered: every "n g obj" header anywhere in the file, whose value must parse
// (pdf-structure.ts); risky names (pdf-names.ts) anywhere in the raw bytes, hex-escaped or not, outside
// inert stream data; every stream a reader could use as an object stream, which must decode
// (pdf-decode.ts: none or FlateDecode) and whose header must list its objects (pdf-objstm.ts), and the
// same names inside it; /Encrypt; the end of the file; and the cross-reference data, every in-use
// entry of which must point at an object the scan saw (pdf-xref.ts). Not looked into: the content of
// other streams (page contents, images, fonts), which no reader parses as objects.

import { fail, type FerryErrorCode, type Verdict } from '../../errors.js';
import { ByteView } from './byte-view.js';
import { DEFAULT_CONTENT_LIMITS, DEFAULT_REQUEST_INFLATE_BYTES, PDF_MAX_COMPRESSED_OBJECTS, type ContentLimits, type DecodeBudget } from './limits.js';
import { findEmbeddedMarkup } from './markup.js';
import { decodePdfStream, type FileInflateLeft } from './pdf-decode.js';
import { scanRiskyNames, type NameHit, type PdfRisk } from './pdf-names.js';
import { readObjectStreamHeader } from './pdf-objstm.js';
import { isInertStreamData, readPdfStructure, type PdfStream } from './pdf-structure.js';
import { checkXref } from './pdf-xref.js';

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

/** What the scanner saw and judged: the object numbers of every header, and of every object listed
 *  by an object stream it decoded. Tests check this against qpdf's and MuPDF's views of a file. */
export interface PdfInventory {
  readonly topLevel: ReadonlySet<number>;
  readonly compressed: ReadonlySet<number>;
}

const lexBudgetFor = (bytes: number) => LEX_BUDGET_BASE + LEX_BUDGET_PER_BYTE * bytes;

/**
 * Scans a PDF and returns the verdict with the inventory of what it saw. Refusals: the risky-content
 * codes, PDF_UNSCANNABLE, MALFORMED/POLYGLOT for the end of the file, CONTENT_BUDGET.
 */
export async function scanPdf(view: ByteView, limits: ContentLimits, budget: DecodeBudget): Promise<Verdict<PdfInventory>> {
  const buf = view.buf;
  const end = checkEnd(buf);
  if (!end.ok) return end;
  const structure = readPdfStructure(buf, lexBudgetFor(buf.length));
  if ('unscannable' in structure) return unscannable(structure.unscannable);

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
  const file: FileInflateLeft = { bytes: limits.pdfMaxInflatedBytes };
  const byNumber = new Map<number, Set<number>>();
  const compressed = new Set<number>();
  let memberCount = 0;
  for (const s of objectStreams) {
    const members = await scanObjectStream(buf, s, limits, file, budget);
    if (!members.ok) return members;
    memberCount += members.value.length;
    if (memberCount > PDF_MAX_COMPRESSED_OBJECTS) return unscannable(`object streams list more than ${PDF_MAX_COMPRESSED_OBJECTS} objects`);
    for (const m of members.value) compressed.add(m);
    if (s.num !== undefined) {
      const set = byNumber.get(s.num) ?? new Set<number>();
      for (const m of members.value) set.add(m);
      byNumber.set(s.num, set);
    }
  }
  const xref = await checkXref({
    buf, structure, compressed: byNumber, streamCap: limits.pdfMaxObjectStreamBytes, file, budget, lexBudget: { remaining: lexBudgetFor(buf.length) },
  });
  if (!xref.ok) return xref;
  return { ok: true, value: { topLevel: structure.topLevel, compressed } };
}

/** Decodes one object stream, reads its header and scans its objects for risky names and markup. */
async function scanObjectStream(buf: Buffer, s: PdfStream, limits: ContentLimits, file: FileInflateLeft, budget: DecodeBudget): Promise<Verdict<number[]>> {
  const what = `object stream ${s.num ?? '(no header)'} at offset ${s.headerOffset}`;
  const decoded = await decodePdfStream(
    { what, dict: s.dict, data: buf.subarray(s.dataStart, s.dataEnd) },
    { allowPredictor: false, streamCap: limits.pdfMaxObjectStreamBytes, file, budget },
  );
  if (!decoded.ok) return decoded;
  const members = readObjectStreamHeader(what, s.dict, decoded.value, PDF_MAX_COMPRESSED_OBJECTS);
  if (!members.ok) return members;
  const hits = new Map<PdfRisk, NameHit>();
  scanRiskyNames(decoded.value, 0, decoded.value.length, (hit) => {
    if (!hits.has(hit.risk)) hits.set(hit.risk, hit);
    return hits.size < RISK_ORDER.length;
  });
  const inner = verdictFor(hits, (at) => `inside ${what} (decoded offset ${at})`);
  if (!inner.ok) return inner;
  const markup = scriptMarkup(decoded.value.toString('latin1').toLowerCase(), `inside ${what}`);
  if (!markup.ok) return markup;
  return members;
}

export async function checkPdf(view: ByteView, limits: ContentLimits, budget: DecodeBudget): Promise<Verdict<void>> {
  const scan = await scanPdf(view, limits, budget);
  return scan.ok ? OK : scan;
}

/** The scanner's inventory of a PDF (pure; for cross-checks against independent parsers). */
export async function pdfInventory(bytes: Uint8Array, limits: ContentLimits = DEFAULT_CONTENT_LIMITS): Promise<Verdict<PdfInventory>> {
  return scanPdf(new ByteView(bytes), limits, { inflatedBytesLeft: DEFAULT_REQUEST_INFLATE_BYTES });
}
