// Minimal valid PDF, PNG, JPEG and OFD files, built at test time so every hostile variant is a small,
// readable change to a known-good file. `file` (libmagic) and `unzip -t` check the valid ones.

import zlib from 'node:zlib';
import { buildZip, type ZipMember, type ZipOptions } from './zip-builder.js';

const b = (s: string) => Buffer.from(s, 'latin1');

// ---------- PDF ----------

export interface PdfSpec {
  /** Extra entries for the catalog dictionary (object 1). */
  catalogExtra?: string;
  /** Extra entries for the trailer dictionary. */
  trailerExtra?: string;
  /** Extra top-level objects: number → body between "obj" and "endobj". */
  extra?: Record<number, Buffer | string>;
  /** Put objects 1, 2, 3, 5 and these extra ones into an object stream, with an xref stream. */
  objectStream?: {
    members?: Record<number, string>;
    filter?: 'flate' | 'none' | string;
    decodeParms?: string;
    /** Text right after the object stream's "<<" (e.g. a non-name key token). */
    dictPrefix?: string;
    /** Extra entries at the end of the object stream's dictionary. */
    dictExtra?: string;
    /** Replaces "/Type /ObjStm" (e.g. with a #-escaped name, or nothing). */
    typeEntry?: string;
  };
  /** Page content (uncompressed). */
  content?: string;
  /** Bytes after the final %%EOF. */
  after?: Buffer;
  /** Leave out the %%EOF marker. */
  noEof?: boolean;
  /** Header text for an object instead of "n 0 obj" (e.g. with a comment between the tokens). */
  headers?: Record<number, string>;
}

/** The number the object stream gets: one above every other object. */
export function objectStreamNumber(spec: PdfSpec): number {
  const nums = [5, ...Object.keys(spec.extra ?? {}).map(Number), ...Object.keys(spec.objectStream?.members ?? {}).map(Number)];
  return Math.max(...nums) + 1;
}

/** A stream object body: the dictionary (with /Length added) and the data. */
export function streamBody(dict: string, data: Buffer): Buffer {
  return Buffer.concat([b(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, b('\nendstream')]);
}

export function makePdf(spec: PdfSpec = {}): Buffer {
  const content = spec.content ?? 'BT /F1 24 Tf 72 720 Td (Hello Ferry) Tj ET';
  const plain: Record<number, string> = {
    1: `<< /Type /Catalog /Pages 2 0 R ${spec.catalogExtra ?? ''}>>`,
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    5: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  };
  const top = new Map<number, Buffer>([[4, streamBody('', b(content))]]);
  for (const [n, body] of Object.entries(spec.extra ?? {})) top.set(Number(n), typeof body === 'string' ? b(body) : body);
  const packed = new Map<number, string>();
  if (spec.objectStream === undefined) {
    for (const [n, body] of Object.entries(plain)) top.set(Number(n), b(body));
  } else {
    for (const [n, body] of Object.entries({ ...plain, ...(spec.objectStream.members ?? {}) })) packed.set(Number(n), body);
  }
  const maxNum = Math.max(...top.keys(), ...packed.keys());
  const objStmNum = maxNum + 1;
  const xrefNum = maxNum + 2;
  if (packed.size > 0) {
    let header = '';
    let objects = '';
    for (const [n, body] of packed) {
      header += `${n} ${objects.length} `;
      objects += body + '\n';
    }
    const data = b(header + objects);
    const os = spec.objectStream!;
    const filter = os.filter ?? 'flate';
    const encoded = filter === 'flate' ? zlib.deflateSync(data) : data;
    const filterEntry = filter === 'flate' ? '/Filter /FlateDecode' : filter === 'none' ? '' : `/Filter ${filter}`;
    const parms = os.decodeParms === undefined ? '' : `/DecodeParms ${os.decodeParms}`;
    const type = os.typeEntry ?? '/Type /ObjStm';
    top.set(objStmNum, streamBody(`${os.dictPrefix ?? ''}${type} /N ${packed.size} /First ${header.length} ${filterEntry} ${parms} ${os.dictExtra ?? ''}`, encoded));
  }

  const parts: Buffer[] = [b('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let pos = parts[0]!.length;
  const offsets = new Map<number, number>();
  for (const n of [...top.keys()].sort((x, y) => x - y)) {
    const obj = Buffer.concat([b(`${spec.headers?.[n] ?? `${n} 0 obj`}\n`), top.get(n)!, b('\nendobj\n')]);
    offsets.set(n, pos);
    parts.push(obj);
    pos += obj.length;
  }
  const trailerExtra = spec.trailerExtra ?? '';
  if (packed.size === 0) {
    const size = maxNum + 1;
    let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let n = 1; n < size; n++) {
      const at = offsets.get(n);
      xref += at === undefined ? '0000000000 65535 f \n' : `${String(at).padStart(10, '0')} 00000 n \n`;
    }
    parts.push(b(`${xref}trailer\n<< /Size ${size} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${pos}\n`));
  } else {
    // ISO 32000-1 §7.5.8: cross-reference stream, /W [1 4 2]: type, offset or stream number, index.
    const size = xrefNum + 1;
    offsets.set(xrefNum, pos);
    const rows = Buffer.alloc(size * 7);
    const packedIndex = [...packed.keys()];
    for (let n = 0; n < size; n++) {
      const at = offsets.get(n);
      const k = packedIndex.indexOf(n);
      if (at !== undefined) {
        rows[n * 7] = 1;
        rows.writeUInt32BE(at, n * 7 + 1);
      } else if (k >= 0) {
        rows[n * 7] = 2;
        rows.writeUInt32BE(objStmNum, n * 7 + 1);
        rows.writeUInt16BE(k, n * 7 + 5);
      }
    }
    const xrefObj = Buffer.concat([
      b(`${xrefNum} 0 obj\n`),
      streamBody(`/Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R ${trailerExtra}`, rows),
      b('\nendobj\n'),
    ]);
    parts.push(xrefObj, b(`startxref\n${pos}\n`));
  }
  if (spec.noEof !== true) parts.push(b('%%EOF\n'));
  if (spec.after !== undefined) parts.push(spec.after);
  return Buffer.concat(parts);
}

// ---------- PNG ----------

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([b(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 2x2 RGB PNG; `extra` chunks go before IEND, `after` after it. */
export function makePng(opts: { extra?: Buffer[]; after?: Buffer } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    ...(opts.extra ?? []),
    chunk('IEND', Buffer.alloc(0)),
    opts.after ?? Buffer.alloc(0),
  ]);
}

export const pngChunk = chunk;

// ---------- JPEG ----------

/**
 * A 1x1 grey baseline JPEG (T.81): one quantisation table, one-code Huffman tables (DC category 0,
 * AC end-of-block), one scan of two bits. `segments` go after APP0 (e.g. a COM segment).
 */
export function makeJpeg(opts: { segments?: Buffer[]; after?: Buffer } = {}): Buffer {
  const seg = (marker: number, body: Buffer) => {
    const h = Buffer.from([0xff, marker, 0, 0]);
    h.writeUInt16BE(body.length + 2, 2);
    return Buffer.concat([h, body]);
  };
  const huff = (cls: number) => Buffer.from([cls, 1, ...new Array<number>(15).fill(0), 0x00]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])),
    ...(opts.segments ?? []),
    seg(0xdb, Buffer.from([0x00, ...new Array<number>(64).fill(1)])),
    seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    seg(0xc4, huff(0x00)),
    seg(0xc4, huff(0x10)),
    seg(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from([0x3f]), // DC "0" + EOB "0", padded with 1-bits
    Buffer.from([0xff, 0xd9]),
    opts.after ?? Buffer.alloc(0),
  ]);
}

export function jpegComment(text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? b(text) : text;
  const h = Buffer.from([0xff, 0xfe, 0, 0]);
  h.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([h, body]);
}

// ---------- OFD ----------

const NS = 'http://www.ofdspec.org/2016';

export const OFD_XML =
  `<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="${NS}" Version="1.0" DocType="OFD"><ofd:DocBody>` +
  '<ofd:DocInfo><ofd:DocID>6a1e2c0f9b8d4e7f</ofd:DocID><ofd:Title>营业执照</ofd:Title><ofd:CreationDate>2024-03-01</ofd:CreationDate></ofd:DocInfo>' +
  '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>';

const DOCUMENT_XML =
  `<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="${NS}"><ofd:CommonData><ofd:MaxUnitID>10</ofd:MaxUnitID>` +
  '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>' +
  '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>';

const PUBLIC_RES_XML =
  `<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="${NS}" BaseLoc="Res"><ofd:Fonts>` +
  '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>';

export function pageXml(extra = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="${NS}"><ofd:Content><ofd:Layer ID="3">` +
    '<ofd:TextObject ID="4" Boundary="10 10 100 10" Font="2" Size="5"><ofd:TextCode X="0" Y="5">营业执照</ofd:TextCode></ofd:TextObject>' +
    `</ofd:Layer></ofd:Content>${extra}</ofd:Page>`
  );
}

/** The members of a minimal one-page OFD; tests add, replace or drop members. */
export function ofdMembers(): ZipMember[] {
  return [
    { name: 'OFD.xml', data: Buffer.from(OFD_XML) },
    { name: 'Doc_0/Document.xml', data: Buffer.from(DOCUMENT_XML) },
    { name: 'Doc_0/PublicRes.xml', data: Buffer.from(PUBLIC_RES_XML) },
    { name: 'Doc_0/Pages/Page_0/Content.xml', data: Buffer.from(pageXml()) },
  ];
}

export function makeOfd(members: ZipMember[] = ofdMembers(), opts?: ZipOptions): Buffer {
  return buildZip(members, opts);
}

/** Replaces the member called `name` (or appends it). */
export function withMember(members: ZipMember[], m: ZipMember): ZipMember[] {
  const out = members.filter((x) => x.name !== m.name);
  out.push(m);
  return out;
}

// ---------- executables and others ----------

export const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);

/** A DOS/PE stub: "MZ", e_lfanew pointing at "PE\0\0". */
export function makePe(): Buffer {
  const buf = Buffer.alloc(256);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(0x80, 0x3c);
  buf.write('This program cannot be run in DOS mode.', 0x40, 'latin1');
  buf.write('PE\0\0', 0x80, 'latin1');
  buf.writeUInt16LE(0x14c, 0x84); // i386
  return buf;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
