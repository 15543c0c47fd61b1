// XML bytes → the text an XML parser reads (XML 1.0 §4.3.3 and Appendix F), and the checks on that
// text. A member in UTF-16 read as bytes hides "<!DOCTYPE" and "javascript:" behind zero bytes, so
// every check runs on decoded text, over the whole member, with character references resolved.
//
// Encodings read: UTF-8 (BOM or none), UTF-16 LE/BE (BOM, or "<\0" / "\0<" without one), and the
// ASCII-compatible encodings Chinese documents use (GB18030, GBK, GB2312) plus US-ASCII and
// ISO-8859-1. In those, every ASCII character is its own single byte and no multi-byte sequence
// decodes to ASCII, so markup found in a latin1 reading of the bytes is exactly the markup a parser
// finds (and a little more: a trail byte may complete a match, which only refuses more). Anything
// else (UTF-32/UCS-4, UTF-7, EBCDIC, an unknown or contradicting declaration) is refused.

import { isUtf8 } from 'node:buffer';
import { fail, type Verdict } from '../../errors.js';

const ASCII_COMPATIBLE: ReadonlySet<string> = new Set([
  'utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'iso_8859-1', 'latin1', 'gb18030', 'gbk', 'gb2312', 'cp936',
]);
const UTF16: ReadonlySet<string> = new Set(['utf-16', 'utf-16le', 'utf-16be']);

const refuse = (detail: string) => fail('FERRY_ERR_CONTENT_XML_ENCODING', detail);

function startsWith(d: Uint8Array, ...sig: number[]): boolean {
  return sig.every((x, i) => d[i] === x);
}

type Family = 'ascii' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | { refuse: string };

/** XML 1.0 Appendix F: the encoding family from the first four bytes. */
function family(d: Uint8Array): Family {
  if (startsWith(d, 0, 0, 0xfe, 0xff) || startsWith(d, 0xff, 0xfe, 0, 0) || startsWith(d, 0, 0, 0, 0x3c) || startsWith(d, 0x3c, 0, 0, 0)) {
    return { refuse: 'UTF-32 (UCS-4)' };
  }
  if (startsWith(d, 0, 0, 0x3c, 0) || startsWith(d, 0, 0x3c, 0, 0)) return { refuse: 'UCS-4 in an unusual byte order' };
  if (startsWith(d, 0xfe, 0xff)) return 'utf-16be';
  if (startsWith(d, 0xff, 0xfe)) return 'utf-16le';
  if (startsWith(d, 0xef, 0xbb, 0xbf)) return 'utf-8-bom';
  if (startsWith(d, 0x2b, 0x2f, 0x76)) return { refuse: 'UTF-7' };
  if (startsWith(d, 0x4c, 0x6f, 0xa7, 0x94)) return { refuse: 'EBCDIC' };
  // No BOM: an ASCII character beside a zero byte is UTF-16 (white space may come before "<").
  if (d.length >= 2 && d[0] === 0 && d[1] !== 0) return 'utf-16be';
  if (d.length >= 2 && d[0] !== 0 && d[1] === 0) return 'utf-16le';
  return 'ascii';
}

/** True when the bytes would be taken for XML (or XML-like text) in some encoding. */
export function looksLikeXml(d: Uint8Array): boolean {
  const f = family(d);
  if (typeof f === 'object') return true; // refused encodings are judged (and refused) as XML
  const text = f === 'ascii' || f === 'utf-8-bom' ? Buffer.from(d.buffer, d.byteOffset, Math.min(d.byteLength, 1024)).toString('latin1') : decode16(d.subarray(0, 1024 + 2), f);
  return /^\uFEFF?(?:\xEF\xBB\xBF)?[ \t\r\n]*</.test(text);
}

function decode16(d: Uint8Array, f: 'utf-16le' | 'utf-16be'): string {
  const even = d.byteLength - (d.byteLength % 2);
  const buf = Buffer.from(d.buffer, d.byteOffset, even);
  return f === 'utf-16le' ? buf.toString('utf16le') : Buffer.from(buf).swap16().toString('utf16le');
}

/** The declared encoding of an XML declaration at the very start of `text`, lower-cased. */
function declaredEncoding(text: string): string | undefined {
  const m = /^\uFEFF?(?:\xEF\xBB\xBF)?<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/.exec(text.slice(0, 512));
  return m?.[2]?.toLowerCase();
}

/** The text an XML parser would read from `d`, or a refusal for encodings Ferry does not read. */
export function decodeXml(d: Uint8Array): Verdict<string> {
  const f = family(d);
  if (typeof f === 'object') return refuse(`the XML is in ${f.refuse}, which is not read here`);
  if (f === 'utf-16le' || f === 'utf-16be') {
    if (d.byteLength % 2 !== 0) return refuse(`the UTF-16 text has an odd number of bytes (${d.byteLength})`);
    const text = decode16(d, f).replace(/^\uFEFF/, '');
    const enc = declaredEncoding(text);
    if (enc !== undefined && !UTF16.has(enc)) return refuse(`UTF-16 bytes declare encoding "${enc.slice(0, 40)}"`);
    return { ok: true, value: text };
  }
  const text = Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('latin1');
  const enc = declaredEncoding(text);
  if (enc !== undefined && !ASCII_COMPATIBLE.has(enc)) return refuse(`the XML declares encoding "${enc.slice(0, 40)}", which is not read here`);
  const utf8 = enc === undefined || enc === 'utf-8' || enc === 'utf8';
  if (f === 'utf-8-bom' && !utf8) return refuse(`a UTF-8 byte-order mark with encoding "${enc!.slice(0, 40)}"`);
  // latin1, not UTF-8 decoding: it keeps every ASCII byte where a parser sees it, and costs a third.
  return { ok: true, value: f === 'utf-8-bom' ? text.slice(3) : text };
}

/** decodeXml, but valid UTF-8 comes back as Unicode (OFD.xml's DocRoot may name a member in Chinese). */
export function decodeXmlUnicode(d: Uint8Array): Verdict<string> {
  const v = decodeXml(d);
  if (!v.ok || family(d) === 'utf-16le' || family(d) === 'utf-16be') return v;
  const body = startsWith(d, 0xef, 0xbb, 0xbf) ? d.subarray(3) : d;
  return isUtf8(body) ? { ok: true, value: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') } : v;
}

/** Text with character references (&#106; &#x6A;) and the five predefined entities resolved, once,
 *  as a parser resolves them in attribute values and content. */
export function resolveReferences(text: string): string {
  return text.replace(/&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|(lt|gt|amp|quot|apos));/g, (m, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (named !== undefined) return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[named as 'lt']!;
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

export type MarkupFinding = { readonly kind: 'xml-dtd'; readonly detail: string } | { readonly kind: 'script'; readonly detail: string };

// DTD declarations (XXE, entity expansion) and XInclude, which fetches other documents the same way.
const DTD = /<!(?:doctype|entity|element|attlist|notation)|http:\/\/www\.w3\.org\/2001\/xinclude/;
// Script elements (any namespace prefix) and style sheets (XSLT runs in a browser that opens the member).
const SCRIPT_ELEMENT = /<(?:[a-z_][\w.-]*:)?script[\s/>]|<\?xml-stylesheet/;
// URL parsers drop ASCII tab and newline anywhere in a URL (WHATWG URL §4.4), so "java&#9;script:"
// is javascript: too; they are removed before looking for the schemes.
const TNL = '[\\t\\n\\r]*';
const SCRIPT_SCHEME = new RegExp(['javascript:', 'vbscript:', 'livescript:'].map((w) => w.split('').join(TNL)).join('|'));

/** DTDs and script in decoded XML text (the whole of it). */
export function findXmlMarkup(text: string): MarkupFinding | undefined {
  const lower = (text.includes('&') ? resolveReferences(text) : text).toLowerCase();
  if (DTD.test(lower)) return { kind: 'xml-dtd', detail: 'a DOCTYPE, ENTITY or other DTD declaration, or XInclude' };
  const el = SCRIPT_ELEMENT.exec(lower);
  if (el !== null) return { kind: 'script', detail: `XML carrying script ("${el[0].trim()}")` };
  const scheme = SCRIPT_SCHEME.exec(lower);
  if (scheme !== null) return { kind: 'script', detail: `XML carrying script ("${scheme[0].replace(/[\t\n\r]/g, '')}")` };
  return undefined;
}

/** Markup in bytes of unknown encoding: looked for in the latin1, UTF-16LE and UTF-16BE readings. */
export function findMarkupAnyEncoding(d: Uint8Array): MarkupFinding | undefined {
  const latin1 = Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('latin1');
  return findXmlMarkup(latin1) ?? findXmlMarkup(decode16(d, 'utf-16le')) ?? findXmlMarkup(decode16(d, 'utf-16be'));
}
