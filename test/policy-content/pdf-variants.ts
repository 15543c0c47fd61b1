// PDF variants for the fail-closed tests and the fuzzers: the outside review's two triggers, the ways a
// reader can find an object the scanner might miss, and cross-reference edits. Each is a small change
// to a makePdf() sample, so a row shows exactly what it changes.

import zlib from 'node:zlib';
import { makePdf, objectStreamNumber, streamBody, type PdfSpec } from './samples.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** The review's payload: a catalog whose /OpenAction runs JavaScript kept in an object stream. */
export const JS_IN_OBJSTM: PdfSpec = { catalogExtra: '/OpenAction 8 0 R', objectStream: { members: { 8: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>' } } };

export function jsObjStm(os: NonNullable<PdfSpec['objectStream']>): Buffer {
  return makePdf({ ...JS_IN_OBJSTM, objectStream: { ...JS_IN_OBJSTM.objectStream, ...os } });
}

export const nestedArrays = (depth: number) => `/Junk ${'['.repeat(depth)}${']'.repeat(depth)}`;
export const nestedDicts = (depth: number) => `/Junk ${'<< /a '.repeat(depth)}1${' >>'.repeat(depth)}`;

/** Where the classic xref table's entry for object n is (20 bytes: "oooooooooo ggggg n \n"). */
function tableEntryAt(pdf: Buffer, n: number): number {
  const xref = pdf.lastIndexOf('xref\n0 ', pdf.length, 'latin1');
  const firstEntry = pdf.indexOf('\n', xref + 5, 'latin1') + 1;
  return firstEntry + 20 * n;
}

/** Rewrites the classic xref entry of object n. */
export function patchTableEntry(pdf: Buffer, n: number, offset: number, type: 'n' | 'f' = 'n'): Buffer {
  const out = Buffer.from(pdf);
  out.write(`${String(offset).padStart(10, '0')} 00000 ${type}`, tableEntryAt(pdf, n), 'latin1');
  return out;
}

/** The offset of object n's header ("n 0 obj") in a makePdf() file. */
export function headerOffset(pdf: Buffer, n: number): number {
  const at = pdf.indexOf(`\n${n} 0 obj`, 0, 'latin1');
  if (at < 0) throw new Error(`no object ${n}`);
  return at + 1;
}

/** Rewrites row n of a makePdf({ objectStream }) file's unfiltered xref stream (/W [1 4 2]). */
export function patchXrefRow(pdf: Buffer, n: number, type: number, f2: number, f3 = 0): Buffer {
  const dict = pdf.lastIndexOf('/Type /XRef', pdf.length, 'latin1');
  const data = pdf.indexOf('stream\n', dict, 'latin1') + 7;
  const out = Buffer.from(pdf);
  out[data + 7 * n] = type;
  out.writeUInt32BE(f2, data + 7 * n + 1);
  out.writeUInt16BE(f3, data + 7 * n + 5);
  return out;
}

/** An incremental update (§7.5.6): a new version of object 2 and a table whose /Prev is the old one. */
export function incrementalUpdate(pdf: Buffer, body = '<< /Type /Pages /Kids [3 0 R] /Count 1 /Extra (v2) >>'): Buffer {
  const prev = Number(/startxref\s+(\d+)/.exec(pdf.toString('latin1', pdf.lastIndexOf('startxref', pdf.length, 'latin1')))![1]);
  const at = pdf.length;
  const obj = b(`2 0 obj\n${body}\nendobj\n`);
  const xrefAt = at + obj.length;
  const size = Number(/\/Size (\d+)/.exec(pdf.toString('latin1'))![1]);
  const table = b(`xref\n0 1\n0000000000 65535 f \n2 1\n${String(at).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size} /Root 1 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return Buffer.concat([pdf, obj, table]);
}

/** An extra top-level stream that claims to be an object stream and holds `objects`. */
export function objStmBody(objects: Record<number, string>, dictText: (header: string) => string, encode: (data: Buffer) => Buffer = zlib.deflateSync): Buffer {
  let header = '';
  let body = '';
  for (const [n, text] of Object.entries(objects)) {
    header += `${n} ${body.length} `;
    body += `${text}\n`;
  }
  return streamBody(dictText(header), encode(b(header + body)));
}

export { objectStreamNumber };
