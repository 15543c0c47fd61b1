// The fail-closed table for the PDF scanner (outside review, item 1) and the cross-check of its
// inventory against qpdf and MuPDF. Shared by the unit test, the fuzzers and the real-process test.

import { expect } from 'vitest';
import type { FerryErrorCode } from '../../src/errors.js';
import { DEFAULT_CONTENT_LIMITS, pdfInventory } from '../../src/policy/content/index.js';
import { hasTool, mutoolXref, qpdfObjects } from './pdf-tools.js';
import {
  headerOffset, incrementalUpdate, jsObjStm, nestedArrays, nestedDicts, objStmBody, objectStreamNumber, patchTableEntry, patchXrefRow,
} from './pdf-variants.js';
import { makePdf, noise, streamBody } from './samples.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const UNSCANNABLE: FerryErrorCode = 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE';

export interface Row {
  readonly what: string;
  readonly bytes: () => Buffer;
  readonly code: FerryErrorCode;
  /** qpdf reads the file and reaches this active name: the hole is real, not a broken file. */
  readonly qpdfSees?: string;
}

export const image = (inner: Buffer) =>
  streamBody('/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode', Buffer.concat([noise(500, 3), inner, noise(500, 4)]));

export const FAIL_CLOSED_ROWS: readonly Row[] = [
  // --- the review's two triggers: the object stream's own dictionary does not parse ---
  { what: 'arrays nested 100 deep in the object stream dictionary (review trigger 1)', bytes: () => jsObjStm({ dictExtra: nestedArrays(100) }), code: UNSCANNABLE, qpdfSees: '/JavaScript' },
  { what: 'a non-name token in key position, << 1 0 /Type /ObjStm (review trigger 2)', bytes: () => jsObjStm({ dictPrefix: '1 0 ' }), code: UNSCANNABLE },
  // --- variants of the same class ---
  { what: 'dictionaries nested 100 deep in the object stream dictionary', bytes: () => jsObjStm({ dictExtra: nestedDicts(100) }), code: UNSCANNABLE, qpdfSees: '/JavaScript' },
  { what: 'a string in key position in the object stream dictionary', bytes: () => jsObjStm({ dictPrefix: '(k) 1 ' }), code: UNSCANNABLE },
  { what: 'an array in key position in the object stream dictionary', bytes: () => jsObjStm({ dictPrefix: '[/a] 1 ' }), code: UNSCANNABLE },
  { what: 'a stray closer inside the object stream dictionary', bytes: () => jsObjStm({ dictExtra: '/X ]' }), code: UNSCANNABLE },
  { what: 'arrays nested 100 deep in an ordinary object', bytes: () => makePdf({ extra: { 6: `<< ${nestedArrays(100)} >>` } }), code: UNSCANNABLE },
  { what: 'an object whose value is an unclosed dictionary at the end of the file', bytes: () => Buffer.concat([makePdf().subarray(0, -6), b('9 0 obj << /A 1 \n%%EOF\n')]), code: UNSCANNABLE },
  // --- streams a reader uses as object streams, whatever they call themselves ---
  { what: 'an object stream with no /Type (only /N and /First), holding JavaScript', bytes: () => jsObjStm({ typeEntry: '' }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT', qpdfSees: '/JavaScript' },
  { what: 'an object stream whose /Type is an indirect reference', bytes: () => jsObjStm({ typeEntry: '/Type 2 0 R' }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'an object stream whose /Type is written /Obj#53tm', bytes: () => jsObjStm({ typeEntry: '/Type /Obj#53tm' }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT', qpdfSees: '/JavaScript' },
  { what: 'an object stream whose /Type and /ObjStm are split by a comment', bytes: () => jsObjStm({ typeEntry: '/Type %c\n/ObjStm' }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT', qpdfSees: '/JavaScript' },
  { what: 'an object stream whose /Filter is an indirect reference', bytes: () => jsObjStm({ filter: '9 0 R' }), code: UNSCANNABLE },
  { what: 'an object stream with /DecodeParms as an indirect reference', bytes: () => jsObjStm({ decodeParms: '9 0 R' }), code: UNSCANNABLE },
  { what: 'an object stream with /F (pdf.js reads it as /Filter)', bytes: () => jsObjStm({ dictExtra: '/F /LZWDecode' }), code: UNSCANNABLE },
  { what: 'an object stream whose /N claims more objects than its header lists', bytes: () => jsObjStm({ dictExtra: '/N 50' }), code: UNSCANNABLE },
  { what: 'an object stream whose /N is an indirect reference', bytes: () => jsObjStm({ dictExtra: '/N 9 0 R' }), code: UNSCANNABLE },
  { what: 'an object stream whose /First is past its data', bytes: () => jsObjStm({ dictExtra: '/First 99999' }), code: UNSCANNABLE },
  { what: 'an LZW object stream behind a glued header "6 0obj" (pdf.js and MuPDF split it)', code: UNSCANNABLE,
    bytes: () => makePdf({ headers: { 6: '6 0obj' }, extra: { 6: objStmBody({ 9: '<< /S /JavaScript /JS (x) >>' }, (h) => `/Type /ObjStm /N 1 /First ${h.length} /Filter /LZWDecode`) } }) },
  { what: 'a /N-only object stream in an object without a header', code: UNSCANNABLE,
    bytes: () => makePdf({ headers: { 6: '(x) obj' }, extra: { 6: objStmBody({ 9: '<< /S /JavaScript /JS (x) >>' }, (h) => `/N 1 /First ${h.length} /Filter /ASCII85Decode`) } }) },
  // --- cross-reference entries that point at nothing the scan saw ---
  { what: 'a classic xref entry pointing into image data with no object header there', code: UNSCANNABLE,
    bytes: () => { const p = makePdf({ extra: { 6: image(b('<< /S /JavaScript >>')) } }); return patchTableEntry(p, 6, p.indexOf('<< /S /JavaScript', 0, 'latin1')); } },
  { what: 'a classic xref entry pointing at another object\'s header', bytes: () => { const p = makePdf(); return patchTableEntry(p, 3, headerOffset(p, 5)); }, code: UNSCANNABLE },
  { what: 'a classic xref entry pointing past the end of the file', bytes: () => patchTableEntry(makePdf(), 3, 99_999_999), code: UNSCANNABLE },
  { what: 'an xref stream entry placing an object in a stream that is no object stream', bytes: () => patchXrefRow(makePdf({ objectStream: {} }), 6, 2, 4, 0), code: UNSCANNABLE },
  { what: 'an xref stream entry placing an object in an object stream that does not list it', bytes: () => patchXrefRow(makePdf({ objectStream: {} }), 6, 2, objectStreamNumber({ objectStream: {} }), 0), code: UNSCANNABLE },
  { what: 'an xref stream entry of type 3', bytes: () => patchXrefRow(makePdf({ objectStream: {} }), 6, 3, 0, 0), code: UNSCANNABLE },
  { what: 'an xref stream entry whose offset is inside the object stream data', code: UNSCANNABLE,
    bytes: () => { const p = makePdf({ objectStream: {} }); return patchXrefRow(p, 4, 1, headerOffset(p, 4) + 20, 0); } },
  { what: 'startxref followed by no offset', bytes: () => Buffer.from(makePdf().toString('latin1').replace(/startxref\n\d+/, 'startxref\nxx'), 'latin1'), code: UNSCANNABLE },
  { what: 'startxref pointing at neither "xref" nor an object', bytes: () => Buffer.from(makePdf().toString('latin1').replace(/startxref\n\d+/, 'startxref\n20'), 'latin1'), code: UNSCANNABLE },
  { what: 'a trailer /Prev pointing past the end of the file', bytes: () => makePdf({ trailerExtra: '/Prev 99999999' }), code: UNSCANNABLE },
  { what: 'a trailer /Prev that is an indirect reference', bytes: () => makePdf({ trailerExtra: '/Prev 9 0 R' }), code: UNSCANNABLE },
  { what: 'an incremental update whose new object is not where its xref says', code: UNSCANNABLE,
    bytes: () => { const p = incrementalUpdate(makePdf()); const s = p.toString('latin1'); return Buffer.from(s.replace(/\n2 1\n(\d{10})/, (_m, o: string) => `\n2 1\n${String(Number(o) + 3).padStart(10, '0')}`), 'latin1'); } },
  // --- hiding places that were already covered stay covered ---
  { what: 'a JS object hidden after the %%EOF of an earlier revision', bytes: () => incrementalUpdate(makePdf(), '<< /S /JavaScript /JS (x) >>'), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a JS object inside image data that the xref points at', code: 'FERRY_ERR_CONTENT_PDF_SCRIPT',
    bytes: () => { const p = makePdf({ extra: { 6: image(b('\n9 0 obj << /S /JavaScript /JS (x) >> endobj\n')) } }); return p; } },
];

/** Every object qpdf --json and mutool's xref list is in Ferry's inventory of the same bytes. */
export async function expectInventoryCovers(name: string, pdf: Buffer): Promise<void> {
  const inv = await pdfInventory(pdf, DEFAULT_CONTENT_LIMITS);
  expect(inv.ok, `${name}: ${inv.ok ? '' : inv.detail}`).toBe(true);
  if (!inv.ok) return;
  const seen = (n: number) => inv.value.topLevel.has(n) || inv.value.compressed.has(n);
  if (hasTool('qpdf')) {
    const q = qpdfObjects(pdf);
    if (q !== undefined) expect(q.objects.filter((n) => !seen(n)), `${name}: objects qpdf found that Ferry did not`).toEqual([]);
  }
  if (hasTool('mutool')) {
    const m = mutoolXref(pdf);
    if (m !== undefined) expect(m.filter((n) => !seen(n)), `${name}: objects MuPDF found that Ferry did not`).toEqual([]);
  }
}

