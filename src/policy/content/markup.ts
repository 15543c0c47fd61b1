// Active text: HTML, SVG or XML with script, server-side scripts. file-type identifies binary formats
// only (it returns undefined for HTML, SVG and scripts), so these are recognised here — not to accept
// anything, but to refuse with a precise code and to find markup hidden inside an allowed format.

/** How much of a text file is read to classify it; browsers sniff far less (WHATWG MIME Sniffing §7: 1445 bytes). */
const TEXT_SNIFF_BYTES = 64 * 1024;

// A tag name must be followed by white space, "/" or ">", so "<bodyguard" does not match.
const TAG_END = '(?=[\\s/>])';
const HTML_TAGS = new RegExp(`<(?:!doctype\\s+html|html${TAG_END}|head${TAG_END}|body${TAG_END}|script${TAG_END}|iframe${TAG_END}|frameset${TAG_END}|object${TAG_END}|embed${TAG_END}|applet${TAG_END}|meta${TAG_END}|form${TAG_END}|style${TAG_END}|link${TAG_END})`);
const SCRIPT_IN_MARKUP = /<script[\s/>]|javascript:|vbscript:|\son[a-z]+\s*=|<foreignobject[\s/>]|<handler[\s/>]|<iframe[\s/>]|<embed[\s/>]|<object[\s/>]|href\s*=\s*["']?\s*data:/;
const XML_SCRIPT = /<script[\s/>]|javascript:|vbscript:/;
const SERVER_SCRIPT = /^(?:<\?php|<%|@echo\s+off)/;

export type TextVerdict =
  | { readonly kind: 'script'; readonly detail: string }
  | { readonly kind: 'svg' }
  | { readonly kind: 'xml-dtd' }
  | undefined;

/** The first bytes as lower-case ASCII text, with a BOM and UTF-16's zero bytes removed. */
function textHead(bytes: Uint8Array): string {
  let head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, TEXT_SNIFF_BYTES)).toString('latin1');
  head = head.replace(/^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').replace(/\x00/g, '');
  return head.toLowerCase().trimStart();
}

/** Classifies a file that no binary signature identified (or that file-type calls xml). */
export function classifyText(bytes: Uint8Array): TextVerdict {
  const text = textHead(bytes);
  if (SERVER_SCRIPT.test(text)) return { kind: 'script', detail: 'a server-side or batch script' };
  if (/<svg[\s/>]/.test(text)) {
    return SCRIPT_IN_MARKUP.test(text) ? { kind: 'script', detail: 'SVG carrying script' } : { kind: 'svg' };
  }
  if (HTML_TAGS.test(text)) return { kind: 'script', detail: 'HTML' };
  if (text.startsWith('<?xml') || text.startsWith('<')) {
    if (/<!doctype|<!entity/.test(text)) return { kind: 'xml-dtd' };
    if (SCRIPT_IN_MARKUP.test(text)) return { kind: 'script', detail: 'XML carrying script' };
  }
  return undefined;
}

/** An XML document: DTD declarations and script are refused (used for every OFD XML member). */
export function checkXmlText(data: Uint8Array): TextVerdict {
  // The whole member is scanned, not a head: a DOCTYPE must come first, but script can be anywhere.
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1').toLowerCase();
  if (/<!doctype|<!entity/.test(text)) return { kind: 'xml-dtd' };
  // OFD XML has no event attributes (GB/T 33190 actions are Goto/URI/GotoA/Sound/Movie), so only
  // script elements and script URIs are looked for; an on*= rule would hit PascalCase OFD attributes.
  const m = XML_SCRIPT.exec(text);
  if (m !== null) return { kind: 'script', detail: `XML carrying script ("${m[0].trim()}")` };
  return undefined;
}

// Searched over whole binary files, case-insensitively. The shortest pattern, "<svg" plus a delimiter,
// occurs in random (compressed) data about once per 16 GiB, so images and PDFs are not refused for noise.
const EMBEDDED_MARKUP = /<(?:script|iframe|svg|html|body)[\s/>]|<!doctype\s+html|<\?php|javascript:|vbscript:/;

/** HTML or script markup anywhere in an allowed binary file (a browser-sniffable polyglot). */
export function findEmbeddedMarkup(lowerLatin1: string): string | undefined {
  const m = EMBEDDED_MARKUP.exec(lowerLatin1);
  return m === null ? undefined : `"${m[0].trim()}" at offset ${m.index}`;
}
