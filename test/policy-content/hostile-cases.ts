// The hostile-input table: each row is one attack (or one broken file) and the code it must get.
// Samples are built from the valid ones in samples.ts, so each row shows exactly what it changes.

import zlib from 'node:zlib';
import type { FerryErrorCode } from '../../src/errors.js';
import { DEFAULT_CONTENT_LIMITS, type AllowedTypes, type ContentLimits } from '../../src/policy/content/index.js';
import {
  ELF, OFD_XML, jpegComment, makeJpeg, makeOfd, makePdf, makePe, makePng, noise, objectStreamNumber, ofdMembers, pageXml, pngChunk, streamBody,
  withMember,
} from './samples.js';
import { buildZip, overlappingZip } from './zip-builder.js';

export interface HostileCase {
  readonly what: string;
  readonly fileName: string;
  readonly bytes: () => Buffer;
  readonly declared?: string;
  readonly limits?: Partial<ContentLimits>;
  readonly allowed?: AllowedTypes;
  readonly code: FerryErrorCode;
}

const b = (s: string) => Buffer.from(s, 'latin1');
const pdf = () => makePdf();
const zeros = (n: number) => Buffer.alloc(n);
const zip = (...names: [string, Buffer][]) => buildZip(names.map(([name, data]) => ({ name, data })));
const ofdWith = (...extra: Parameters<typeof withMember>[1][]) => () => makeOfd(extra.reduce(withMember, ofdMembers()));

/** A PDF whose object stream's header has a comment between its tokens ("n %c⏎0 obj", valid syntax). */
export function commentedObjStmHeader(members: Record<number, string>): Buffer {
  const spec = { objectStream: { members } };
  const n = objectStreamNumber(spec);
  return makePdf({ ...spec, headers: { [n]: `${n} %hidden\n0 obj` } });
}

export const limitsWith = (over: Partial<ContentLimits> = {}): ContentLimits => ({ ...DEFAULT_CONTENT_LIMITS, ...over });

export const HOSTILE: readonly HostileCase[] = [
  // --- file names ---
  { what: 'a name climbing out with ../', fileName: '../a.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_PATH' },
  { what: 'a name with a slash', fileName: 'a/b.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_PATH' },
  { what: 'a name with a backslash', fileName: 'a\\b.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_PATH' },
  { what: 'a name with a fullwidth solidus (NFKC "/")', fileName: 'a\uFF0Fb.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_PATH' },
  { what: 'a name with ".." inside', fileName: 'a..pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_PATH' },
  { what: 'the device name CON with an extension', fileName: 'CON.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_RESERVED' },
  { what: 'the device name lpt1 without extension', fileName: 'lpt1', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_RESERVED' },
  { what: 'the device name COM¹ (superscript digit)', fileName: 'COM\u00B9.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_RESERVED' },
  { what: 'a right-to-left override hiding .exe', fileName: 'a\u202Efdp.exe', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CONTROL' },
  { what: 'a NUL in the name', fileName: 'a\u0000.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CONTROL' },
  { what: 'a DEL in the name', fileName: 'a\u007F.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CONTROL' },
  { what: 'a zero-width joiner in the name', fileName: 'in\u200Dvoice.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CONTROL' },
  { what: 'a lone surrogate in the name', fileName: 'a\uD800.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CONTROL' },
  { what: 'an empty name', fileName: '', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_EMPTY' },
  { what: 'a 256-byte name', fileName: 'x'.repeat(252) + '.pdf', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_TOO_LONG' },
  { what: 'a name of 86 CJK characters (258 UTF-8 bytes)', fileName: '文'.repeat(86), bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_TOO_LONG' },
  { what: 'an NTFS alternate data stream', fileName: 'a.pdf:evil.exe', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CHARACTER' },
  { what: 'a trailing dot that Windows strips', fileName: 'a.exe.', bytes: pdf, code: 'FERRY_ERR_CONTENT_NAME_CHARACTER' },

  // --- size ---
  { what: 'no bytes', fileName: 'a.pdf', bytes: () => zeros(0), code: 'FERRY_ERR_CONTENT_EMPTY' },
  { what: 'more bytes than the limit', fileName: 'a.pdf', bytes: pdf, limits: { maxAttachmentBytes: 100 }, code: 'FERRY_ERR_CONTENT_TOO_LARGE' },

  // --- executables ---
  { what: 'an ELF header renamed .pdf', fileName: 'report.pdf', bytes: () => ELF, code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a PE (MZ) executable renamed .jpg', fileName: 'photo.jpg', bytes: makePe, code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a #!/bin/sh script', fileName: 'a.pdf', bytes: () => b('#!/bin/sh\nrm -rf /\n'), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a shebang after a UTF-8 BOM', fileName: 'a.pdf', bytes: () => b('\xef\xbb\xbf#!/usr/bin/env python\n'), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a 64-bit Mach-O', fileName: 'a.png', bytes: () => Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), zeros(64)]), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a Java class file', fileName: 'a.pdf', bytes: () => Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), zeros(64)]), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a WebAssembly module', fileName: 'a.pdf', bytes: () => Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'an Android DEX file', fileName: 'a.pdf', bytes: () => Buffer.concat([b('dex\n035\0'), zeros(100)]), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },
  { what: 'a Windows shortcut', fileName: 'a.pdf', bytes: () => Buffer.concat([Buffer.from([0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46]), zeros(60)]), code: 'FERRY_ERR_CONTENT_EXECUTABLE' },

  // --- scripts and markup (file-type says nothing about these) ---
  { what: 'an SVG with <script>', fileName: 'a.png', bytes: () => b('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'an SVG with an onload handler behind an XML declaration', fileName: 'a.png', bytes: () => b('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'an HTML page', fileName: 'a.pdf', bytes: () => b('<!DOCTYPE html><html><body>hi</body></html>'), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'HTML in UTF-16 with a BOM', fileName: 'a.pdf', bytes: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<html><script>alert(1)</script></html>', 'utf16le')]), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a PHP script', fileName: 'a.jpg', bytes: () => b('<?php system($_GET["c"]); ?>'), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'an SVG without script (not an allowed type)', fileName: 'a.png', bytes: () => b('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'), code: 'FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED' },
  { what: 'XML with an entity-expansion DTD', fileName: 'a.pdf', bytes: () => b('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>'), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'plain text', fileName: 'a.pdf', bytes: () => b('just some words, no format at all\n'), code: 'FERRY_ERR_CONTENT_UNKNOWN_TYPE' },
  { what: 'a GIF image (known, not allowed)', fileName: 'a.gif', bytes: () => b('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), code: 'FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED' },

  // --- archives ---
  { what: 'a plain zip of a text file', fileName: 'a.zip', bytes: () => zip(['a.txt', b('hello')]), code: 'FERRY_ERR_CONTENT_ARCHIVE' },
  { what: 'a zip with an .exe inside', fileName: 'a.zip', bytes: () => zip(['setup.exe', makePe()]), code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE' },
  { what: 'a zip with a PE renamed .txt inside', fileName: 'a.zip', bytes: () => zip(['readme.txt', makePe()]), code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE' },
  { what: 'a zip with a .js inside', fileName: 'a.zip', bytes: () => zip(['invoice.js', b('WScript.Shell')]), code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE' },
  { what: 'a zip inside a zip', fileName: 'a.zip', bytes: () => zip(['inner.dat', zip(['a.txt', b('x')])]), code: 'FERRY_ERR_CONTENT_ARCHIVE_NESTED' },
  { what: 'a zip-slip member ../evil.txt', fileName: 'a.zip', bytes: () => zip(['../evil.txt', b('x')]), code: 'FERRY_ERR_CONTENT_ARCHIVE_PATH' },
  { what: 'an absolute member path', fileName: 'a.zip', bytes: () => zip(['/etc/cron.d/x', b('x')]), code: 'FERRY_ERR_CONTENT_ARCHIVE_PATH' },
  { what: 'a symbolic-link member', fileName: 'a.zip', bytes: () => buildZip([{ name: 'link', data: b('/etc/passwd'), method: 0, unixMode: 0o120777 }]), code: 'FERRY_ERR_CONTENT_ARCHIVE_PATH' },
  { what: 'a ZipCrypto-encrypted zip', fileName: 'a.zip', bytes: () => buildZip([{ name: 'secret.txt', data: b('top secret'), password: 'pw' }]), code: 'FERRY_ERR_CONTENT_ENCRYPTED' },
  { what: 'an AES-encrypted zip (method 99)', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: b('x'), method: 99, flags: 1, payload: noise(40), centralExtra: Buffer.from([0x01, 0x99, 7, 0, 2, 0, 0x41, 0x45, 3, 8, 0]) }]), code: 'FERRY_ERR_CONTENT_ENCRYPTED' },
  { what: 'a zip bomb: 32 MiB of zeros declared honestly (~1000:1)', fileName: 'a.zip', bytes: () => zip(['zeros.txt', zeros(32 * 1024 * 1024)]), code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'a zip bomb that declares 1000 bytes and inflates to 8 MiB', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: zeros(8 * 1024 * 1024), declaredSize: 1000 }]), code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'overlapping entries (Fifield construction)', fileName: 'a.zip', bytes: overlappingZip, code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'more entries than the limit', fileName: 'a.ofd', bytes: () => makeOfd(), limits: { zipMaxEntries: 3 }, code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'members whose declared total passes the limit', fileName: 'a.zip', bytes: () => zip(['a.txt', noise(600)], ['b.txt', noise(600)]), limits: { zipMaxTotalBytes: 1000 }, code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'a gzip file', fileName: 'a.pdf', bytes: () => zlib.gzipSync(b('hello')), code: 'FERRY_ERR_CONTENT_ARCHIVE' },
  { what: 'a 7z file', fileName: 'a.pdf', bytes: () => Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), zeros(30)]), code: 'FERRY_ERR_CONTENT_ARCHIVE' },
  { what: 'a RAR file', fileName: 'a.pdf', bytes: () => Buffer.concat([b('Rar!\x1a\x07\x01\x00'), zeros(30)]), code: 'FERRY_ERR_CONTENT_ARCHIVE' },
  { what: 'a zip whose local and central names differ', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', localName: 'a.exe', data: b('x') }]), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },
  { what: 'a zip member with a wrong CRC', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: b('hello'), declaredCrc: 1234 }]), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },
  { what: 'a zip with bytes hidden between members and directory', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: b('x') }], { gap: makePe() }), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },
  { what: 'a zip with the same member twice (case-folded)', fileName: 'a.zip', bytes: () => zip(['A.txt', b('1')], ['a.TXT', b('2')]), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },
  { what: 'a zip member after the end of its deflate stream', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: b('hello'), payload: Buffer.concat([zlib.deflateRawSync(b('hello')), b('<script>')]) }]), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },
  { what: 'a zip using bzip2 (method 12)', fileName: 'a.zip', bytes: () => buildZip([{ name: 'a.txt', data: b('x'), method: 12, payload: b('BZh9') }]), code: 'FERRY_ERR_CONTENT_ARCHIVE_MALFORMED' },

  // --- OFD ---
  { what: 'an OFD holding an .exe', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Res/tool.exe', data: makePe() }), code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE' },
  { what: 'an OFD holding an ELF named as an image', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Res/img.png', data: ELF }), code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE' },
  { what: 'an OFD with an encrypted page', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Pages/Page_0/Content.xml', data: Buffer.from(pageXml()), password: 'pw' }), code: 'FERRY_ERR_CONTENT_ENCRYPTED' },
  { what: 'an OFD with a bomb resource', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Res/big.xml', data: zeros(16 * 1024 * 1024) }), code: 'FERRY_ERR_CONTENT_ZIP_BOMB' },
  { what: 'an OFD.xml with a DTD (XXE)', fileName: 'a.ofd', bytes: ofdWith({ name: 'OFD.xml', data: Buffer.from(OFD_XML.replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')) }), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'an OFD page with a javascript: URI action', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Pages/Page_0/Content.xml', data: Buffer.from(pageXml('<ofd:Actions><ofd:Action Event="PO"><ofd:URI URI="javascript:alert(1)"/></ofd:Action></ofd:Actions>')) }), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'an OFD holding a PDF attachment', fileName: 'a.ofd', bytes: ofdWith({ name: 'Doc_0/Attachs/a.dat', data: makePdf() }), code: 'FERRY_ERR_CONTENT_OFD_MEMBER' },
  { what: 'an OFD.xml in the wrong namespace', fileName: 'a.ofd', bytes: ofdWith({ name: 'OFD.xml', data: Buffer.from(OFD_XML.replace('ofdspec.org/2016', 'example.com/ofd')) }), code: 'FERRY_ERR_CONTENT_OFD_INVALID' },
  { what: 'an OFD whose DocRoot is not in the package', fileName: 'a.ofd', bytes: ofdWith({ name: 'OFD.xml', data: Buffer.from(OFD_XML.replace('Doc_0/Document.xml', 'Doc_9/Document.xml')) }), code: 'FERRY_ERR_CONTENT_OFD_INVALID' },
  { what: 'an OFD named .pdf', fileName: 'a.pdf', bytes: () => makeOfd(), code: 'FERRY_ERR_CONTENT_EXTENSION_MISMATCH' },
  { what: 'an OFD with a PDF in its zip comment', fileName: 'a.ofd', bytes: () => makeOfd(ofdMembers(), { comment: makePdf().subarray(0, 500) }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },

  // --- PDF active content ---
  { what: 'a PDF with a /JavaScript name tree', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/Names << /JavaScript << /Names [(a) 6 0 R] >> >>', extra: { 6: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>' } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with /J#61vaScript (hex-escaped name)', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/Names << /J#61vaScript << /Names [(a) 6 0 R] >> >>', extra: { 6: '<< /S /J#61v#61Script >>' } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with only /J#53 (hex-escaped /JS)', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: '<< /S /URI /J#53 (app.alert\\(1\\)) >>' } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with an XFA form', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/AcroForm << /Fields [] /XFA 6 0 R >>', extra: { 6: streamBody('', b('<xdp:xdp/>')) } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with /OpenAction', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/OpenAction [3 0 R /Fit]' }), code: 'FERRY_ERR_CONTENT_PDF_ACTION' },
  { what: 'a PDF with a /Launch action', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: '<< /S /Launch /F (cmd.exe) >>' } }), code: 'FERRY_ERR_CONTENT_PDF_ACTION' },
  { what: 'a PDF with document additional actions /AA', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/AA << /WC 6 0 R >>', extra: { 6: '<< /S /URI /URI (https://example.com) >>' } }), code: 'FERRY_ERR_CONTENT_PDF_ACTION' },
  { what: 'a PDF with /EmbeddedFiles', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/Names << /EmbeddedFiles << /Names [(a.txt) 6 0 R] >> >>', extra: { 6: '<< /Type /Filespec /F (a.txt) /EF << /F 7 0 R >> >>', 7: streamBody('/Type /EmbeddedFile', b('hello')) } }), code: 'FERRY_ERR_CONTENT_PDF_EMBEDDED' },
  { what: 'a PDF with a RichMedia annotation', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: '<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>' } }), code: 'FERRY_ERR_CONTENT_PDF_EMBEDDED' },
  { what: 'a PDF with a JS action hidden in a FlateDecode object stream', fileName: 'a.pdf', bytes: () => makePdf({ catalogExtra: '/OpenAction 8 0 R', objectStream: { members: { 8: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>' } } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with a hex-escaped /Launch in an object stream', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { members: { 8: '<< /S /L#61unch /F (calc.exe) >>' } } }), code: 'FERRY_ERR_CONTENT_PDF_ACTION' },
  { what: 'a PDF object stream holding a javascript: URI action', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { members: { 8: '<< /S /URI /URI (javascript:app.alert\\(1\\)) >>' } } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF object stream whose header hides behind a comment', fileName: 'a.pdf', bytes: () => commentedObjStmHeader({ 8: '<< /S /JavaScript /JS (x) >>' }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF hiding a JS object inside image data (xref points there)', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: streamBody('/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode', Buffer.concat([noise(2000, 7), b('\n9 0 obj << /S /JavaScript /JS (app.alert\\(1\\)) >> endobj\n'), noise(2000, 8)])) } }), code: 'FERRY_ERR_CONTENT_PDF_SCRIPT' },
  { what: 'a PDF with /Encrypt in the trailer', fileName: 'a.pdf', bytes: () => makePdf({ trailerExtra: '/Encrypt 6 0 R', extra: { 6: '<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <00> /U <00> >>' } }), code: 'FERRY_ERR_CONTENT_ENCRYPTED' },
  { what: 'a PDF object stream under LZWDecode (cannot be scanned)', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { filter: '/LZWDecode' } }), code: 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE' },
  { what: 'a PDF object stream with a PNG predictor', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { decodeParms: '<< /Predictor 12 /Columns 4 >>' } }), code: 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE' },
  { what: 'a PDF object stream with a filter chain', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { filter: '[/ASCIIHexDecode /FlateDecode]' } }), code: 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE' },
  { what: 'a PDF object stream that claims Flate but does not inflate', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { filter: '/FlateDecode' } }), code: 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE' },
  { what: 'a PDF object stream inflating past its limit', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { members: { 8: `<< /Pad (${'A'.repeat(300_000)}) >>` } } }), limits: { pdfMaxObjectStreamBytes: 100_000 }, code: 'FERRY_ERR_CONTENT_PDF_UNSCANNABLE' },
  { what: 'a PDF without %%EOF', fileName: 'a.pdf', bytes: () => makePdf({ noEof: true }), code: 'FERRY_ERR_CONTENT_MALFORMED' },

  // --- polyglots ---
  { what: 'a PDF with a zip appended (PDF+zip polyglot)', fileName: 'a.pdf', bytes: () => makePdf({ after: zip(['a.txt', b('x')]) }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a PDF carrying a zip central directory in a stream', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: streamBody('', zip(['a.txt', b('x')])) } }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a PDF with an OFD appended after %%EOF', fileName: 'a.pdf', bytes: () => Buffer.concat([makePdf(), makeOfd()]), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a PDF with HTML script in its page text', fileName: 'a.pdf', bytes: () => makePdf({ content: 'BT /F1 9 Tf 72 720 Td (<script>alert\\(1\\)</script>) Tj ET' }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a JPEG with a zip appended', fileName: 'a.jpg', bytes: () => makeJpeg({ after: zip(['a.exe', makePe()]) }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a JPEG with a script appended', fileName: 'a.jpg', bytes: () => makeJpeg({ after: b('<script>alert(1)</script>') }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a JPEG with %PDF inside its first 1024 bytes', fileName: 'a.jpg', bytes: () => makeJpeg({ segments: [jpegComment(makePdf().subarray(0, 300))] }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a JPEG comment holding <script>', fileName: 'a.jpg', bytes: () => makeJpeg({ segments: [jpegComment('<script>alert(1)</script>')] }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a PNG with data after IEND', fileName: 'a.png', bytes: () => makePng({ after: b('PK\x03\x04 hidden') }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'a PNG text chunk holding HTML', fileName: 'a.png', bytes: () => makePng({ extra: [pngChunk('tEXt', b('Comment\0<html><body onload=alert(1)>'))] }), code: 'FERRY_ERR_CONTENT_POLYGLOT' },
  { what: 'junk then %PDF within 1024 bytes', fileName: 'a.pdf', bytes: () => Buffer.concat([b('hello, world\n'), makePdf()]), code: 'FERRY_ERR_CONTENT_POLYGLOT' },

  // --- broken allowed types ---
  { what: 'a PNG chunk with a bad CRC', fileName: 'a.png', bytes: () => { const p = makePng(); p[30] = p[30]! ^ 0xff; return p; }, code: 'FERRY_ERR_CONTENT_MALFORMED' },
  { what: 'a truncated PNG', fileName: 'a.png', bytes: () => makePng().subarray(0, 40), code: 'FERRY_ERR_CONTENT_MALFORMED' },
  { what: 'a JPEG without end of image', fileName: 'a.jpg', bytes: () => makeJpeg().subarray(0, -2), code: 'FERRY_ERR_CONTENT_MALFORMED' },

  // --- names and types disagreeing ---
  { what: 'x.pdf that is a PNG', fileName: 'x.pdf', bytes: () => makePng(), code: 'FERRY_ERR_CONTENT_EXTENSION_MISMATCH' },
  { what: 'a.png that is a JPEG', fileName: 'a.png', bytes: () => makeJpeg(), code: 'FERRY_ERR_CONTENT_EXTENSION_MISMATCH' },
  { what: 'a PDF with no extension', fileName: 'scan', bytes: pdf, code: 'FERRY_ERR_CONTENT_EXTENSION_MISMATCH' },
  { what: 'a PDF declared as image/png', fileName: 'a.pdf', bytes: pdf, declared: 'image/png', code: 'FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH' },
  { what: 'a JPEG declared as text/html', fileName: 'a.jpg', bytes: () => makeJpeg(), declared: 'text/html; charset=utf-8', code: 'FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH' },
  { what: 'a PDF declared with a non-string media type', fileName: 'a.pdf', bytes: pdf, declared: 42 as unknown as string, code: 'FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH' },
  { what: 'a PDF when only PNG is allowed', fileName: 'a.pdf', bytes: pdf, allowed: new Set(['png']), code: 'FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED' },
  { what: 'an OFD when OFD is not allowed', fileName: 'a.ofd', bytes: () => makeOfd(), allowed: new Set(['pdf', 'png', 'jpeg']), code: 'FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED' },
];
