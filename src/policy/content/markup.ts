// Active text: HTML, SVG or XML with script, server-side scripts. file-type identifies binary formats
// only (it returns undefined for HTML, SVG and scripts), so these are recognised here — not to accept
// anything, but to refuse with a precise code and to find markup hidden inside an allowed format.

import { decodeXml, findXmlMarkup, looksLikeXml } from './xml-text.js';

// A tag name must be followed by white space, "/" or ">", so "<bodyguard" does not match.
const TAG_END = '(?=[\\s/>])';
const HTML_TAGS = new RegExp(`<(?:!doctype\\s+html|html${TAG_END}|head${TAG_END}|body${TAG_END}|script${TAG_END}|iframe${TAG_END}|frameset${TAG_END}|object${TAG_END}|embed${TAG_END}|applet${TAG_END}|meta${TAG_END}|form${TAG_END}|style${TAG_END}|link${TAG_END})`);
const SCRIPT_IN_MARKUP = /<script[\s/>]|javascript:|vbscript:|\son[a-z]+\s*=|<foreignobject[\s/>]|<handler[\s/>]|<iframe[\s/>]|<embed[\s/>]|<object[\s/>]|href\s*=\s*["']?\s*data:/;
const SERVER_SCRIPT = /^(?:<\?php|<%|@echo\s+off)/;

export type TextVerdict =
  | { readonly kind: 'script'; readonly detail: string }
  | { readonly kind: 'svg' }
  | { readonly kind: 'xml-dtd' }
  | { readonly kind: 'xml-encoding'; readonly detail: string }
  | undefined;

/** Classifies a file that no binary signature identified (or that file-type calls xml). The whole
 *  file is read, decoded as an XML parser would (BOM, UTF-16 without BOM): script after a 64 KiB head,
 *  or behind UTF-16's zero bytes, is still script. */
export function classifyText(bytes: Uint8Array): TextVerdict {
  const decoded = decodeXml(bytes);
  if (!decoded.ok && looksLikeXml(bytes)) return { kind: 'xml-encoding', detail: decoded.detail };
  const raw = decoded.ok ? decoded.value : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').replace(/\x00/g, '');
  const text = raw.toLowerCase().trimStart();
  if (SERVER_SCRIPT.test(text)) return { kind: 'script', detail: 'a server-side or batch script' };
  if (/<svg[\s/>]/.test(text)) {
    return SCRIPT_IN_MARKUP.test(text) ? { kind: 'script', detail: 'SVG carrying script' } : { kind: 'svg' };
  }
  if (HTML_TAGS.test(text)) return { kind: 'script', detail: 'HTML' };
  if (text.startsWith('<')) {
    const found = findXmlMarkup(text);
    if (found?.kind === 'xml-dtd') return { kind: 'xml-dtd' };
    if (found !== undefined) return found;
    if (SCRIPT_IN_MARKUP.test(text)) return { kind: 'script', detail: 'XML carrying script' };
  }
  return undefined;
}

/** An XML document: DTD declarations and script are refused (used for every OFD XML member). The
 *  bytes are decoded first (xml-text.ts), and the whole member is checked, not a head: a DOCTYPE must
 *  come first, but script can be anywhere. OFD XML has no event attributes (GB/T 33190 actions are
 *  Goto/URI/GotoA/Sound/Movie), so only script elements and script URIs are looked for; an on*= rule
 *  would hit PascalCase OFD attributes. */
export function checkXmlText(data: Uint8Array): TextVerdict {
  const decoded = decodeXml(data);
  if (!decoded.ok) return { kind: 'xml-encoding', detail: decoded.detail };
  const found = findXmlMarkup(decoded.value);
  if (found === undefined) return undefined;
  return found.kind === 'xml-dtd' ? { kind: 'xml-dtd' } : found;
}

// Searched over whole binary files, case-insensitively. The shortest pattern, "<svg" plus a delimiter,
// occurs in random (compressed) data about once per 16 GiB, so images and PDFs are not refused for noise.
const EMBEDDED_MARKUP = /<(?:script|iframe|svg|html|body)[\s/>]|<!doctype\s+html|<\?php|javascript:|vbscript:/;

/** HTML or script markup anywhere in an allowed binary file (a browser-sniffable polyglot). */
export function findEmbeddedMarkup(lowerLatin1: string): string | undefined {
  const m = EMBEDDED_MARKUP.exec(lowerLatin1);
  return m === null ? undefined : `"${m[0].trim()}" at offset ${m.index}`;
}
