// OFD XML members in other encodings and with hidden markup (outside review, item 4). Shared by the
// unit test, the fuzzers and the real-process test.

import type { FerryErrorCode } from '../../src/errors.js';
import { makeOfd, ofdMembers, pageXml, withMember } from './samples.js';

const PAGE = 'Doc_0/Pages/Page_0/Content.xml';
const b = (s: string) => Buffer.from(s, 'latin1');
const utf16le = (s: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string, bom = true) => { const le = Buffer.from(s, 'utf16le').swap16(); return Buffer.concat([bom ? Buffer.from([0xfe, 0xff]) : Buffer.alloc(0), le]); };
const utf32be = (s: string) => { const out = Buffer.alloc(s.length * 4); for (let i = 0; i < s.length; i++) out.writeUInt32BE(s.charCodeAt(i), i * 4); return out; };
// Stored (method 0) when large, so that long padding is not refused as a compression-ratio bomb first.
export const withPage = (data: Buffer, name = PAGE) => makeOfd(withMember(ofdMembers(), { name, data, ...(data.length > 64 * 1024 ? { method: 0 } : {}) }));

const uri = (u: string) => pageXml(`<ofd:Actions><ofd:Action Event="PO"><ofd:URI URI="${u}"/></ofd:Action></ofd:Actions>`);
const DTD = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>';
const withDtd = (xml: string) => xml.replace('?>', `?>${DTD}`);
const pad = (n: number) => `<!-- ${'x'.repeat(n)} -->`;

export interface OfdRow { readonly what: string; readonly bytes: () => Buffer; readonly code: FerryErrorCode }

export const OFD_ROWS: readonly OfdRow[] = [
  // --- UTF-16 members skipped the checks on today's main ---
  { what: 'a UTF-16LE page (BOM) with an external-entity DTD', bytes: () => withPage(utf16le(withDtd(pageXml()).replace('UTF-8', 'UTF-16'))), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'a UTF-16BE page (BOM) with a javascript: URI', bytes: () => withPage(utf16be(uri('javascript:alert(1)').replace('UTF-8', 'UTF-16'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a UTF-16LE page without BOM holding <script>', bytes: () => withPage(utf16le(pageXml('<script>alert(1)</script>').replace('UTF-8', 'UTF-16'), false)), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a UTF-16BE OFD.xml without BOM declaring a DTD', bytes: () => withPage(utf16be(withDtd(pageXml()).replace('UTF-8', 'UTF-16'), false), 'OFD.xml'), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'a UTF-16 DTD in a member named .dat that does not start like XML', bytes: () => withPage(Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), utf16le(DTD, false)]), 'Doc_0/Signs/Sign_0/SignedValue.dat'), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  // --- encodings Ferry does not read ---
  { what: 'a UTF-32BE page', bytes: () => withPage(utf32be(pageXml())), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a UTF-32LE page with BOM', bytes: () => withPage(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32be(pageXml()).swap32()])), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a page declaring encoding="UTF-7" (+ADw-script+AD4-)', bytes: () => withPage(b(pageXml('+ADw-script+AD4-alert(1)+ADw-/script+AD4-').replace('UTF-8', 'UTF-7'))), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a page starting with the UTF-7 signature', bytes: () => withPage(Buffer.concat([b('+/v8'), b(pageXml())])), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'an EBCDIC page ("<?xm" in code page 037)', bytes: () => withPage(Buffer.concat([Buffer.from([0x4c, 0x6f, 0xa7, 0x94]), b('rest')])), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'an ASCII page declaring encoding="UTF-16"', bytes: () => withPage(b(pageXml().replace('UTF-8', 'UTF-16'))), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a UTF-16 page declaring encoding="UTF-8"', bytes: () => withPage(utf16le(pageXml())), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a page declaring an unknown encoding (x-evil)', bytes: () => withPage(b(pageXml().replace('UTF-8', 'x-evil'))), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  { what: 'a UTF-8 BOM with encoding="Shift_JIS"', bytes: () => withPage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b(pageXml().replace('UTF-8', 'Shift_JIS'))])), code: 'FERRY_ERR_CONTENT_XML_ENCODING' },
  // --- the whole member, not a 64 KiB head ---
  { what: 'a javascript: URI after 100 KiB of comment', bytes: () => withPage(b(uri('javascript:alert(1)').replace('<ofd:Content>', `${pad(100 * 1024)}<ofd:Content>`))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a <script> element after 1 MiB in a resource', bytes: () => withPage(b(`<r>${pad(1024 * 1024)}<script>x</script></r>`), 'Doc_0/Res/r.xml'), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  // --- character references, CDATA, prefixes and white space ---
  { what: 'javascript: written &#x6A;avascript:', bytes: () => withPage(b(uri('&#x6A;avascript:alert(1)'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'javascript: written with a decimal reference for the colon', bytes: () => withPage(b(uri('javascript&#58;alert(1)'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'javascript: split by a tab reference (URL parsers drop it)', bytes: () => withPage(b(uri('java&#9;script:alert(1)'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'javascript: split by a raw newline', bytes: () => withPage(b(uri('java\nscript:alert(1)'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'JavaScript: in mixed case with leading spaces', bytes: () => withPage(b(uri('  JaVaScRiPt:alert(1)'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a namespaced <svg:script> element', bytes: () => withPage(b(pageXml('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a script element inside CDATA', bytes: () => withPage(b(pageXml('<ofd:Note><![CDATA[<script>alert(1)</script>]]></ofd:Note>'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
  { what: 'a DOCTYPE written <!doctype in lower case', bytes: () => withPage(b(pageXml().replace('?>', '?><!doctype x>'))), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'an XInclude of /etc/passwd', bytes: () => withPage(b(pageXml('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'))), code: 'FERRY_ERR_CONTENT_XML_DTD' },
  { what: 'an xml-stylesheet processing instruction', bytes: () => withPage(b(pageXml().replace('?>', '?><?xml-stylesheet type="text/xsl" href="x.xsl"?>'))), code: 'FERRY_ERR_CONTENT_SCRIPT' },
];

/** OFDs that must stay accepted: other encodings Ferry reads, with nothing active in them. */
export const OFD_VALID: ReadonlyArray<[string, () => Buffer]> = [
  ['a UTF-16LE page with BOM', () => withPage(utf16le(pageXml().replace('UTF-8', 'UTF-16')))],
  ['a UTF-16BE page without BOM', () => withPage(utf16be(pageXml().replace('UTF-8', 'UTF-16'), false))],
  // 营业 in GB18030/GBK is D3 AA D2 B5.
  ['a GB18030 page', () => withPage(Buffer.concat([b('<?xml version="1.0" encoding="GB18030"?>\n<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="3"><ofd:TextObject ID="4" Boundary="0 0 1 1" Font="2" Size="5"><ofd:TextCode X="0" Y="5">'), Buffer.from([0xd3, 0xaa, 0xd2, 0xb5]), b('</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')]))],
  ['a GBK page', () => withPage(Buffer.concat([b('<?xml version="1.0" encoding="GBK"?>\n<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content/>'), Buffer.from([0xd3, 0xaa]), b('</ofd:Page>')]))],
  ['a page with a plain https: link and character references', () => withPage(b(pageXml('<ofd:Actions><ofd:Action Event="CLICK"><ofd:URI URI="https://www.gov.cn/?a=1&amp;b=&#50;"/></ofd:Action></ofd:Actions>')))],
];
