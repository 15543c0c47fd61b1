// OFD (GB/T 33190-2016, the Chinese fixed-layout document format): a zip whose root holds OFD.xml,
// the package entry point naming each document's Document.xml in <ofd:DocRoot>. file-type reports the
// package as "zip"; it is an OFD only if OFD.xml is there and says so.
// Members an OFD uses: XML (documents, pages, resources, signatures' lists), images (BMP, JPEG, PNG,
// TIFF, GIF, JPEG 2000, JBIG2), fonts (TrueType/OpenType) and opaque binaries (signature values and
// seals, DER). XML members (sniffed as XML, or looking like XML in any encoding) are decoded
// (xml-text.ts: UTF-8, UTF-16 by BOM or by zero bytes, GB18030/GBK; anything else refused) and refused
// in full with a DTD (XXE, entity expansion) or script; members that file-type identifies as anything
// else (PDF, office documents, media) are refused as OFD_MEMBER; unidentified members are searched for
// the same markup in every encoding an XML reader could take them in.

import { fail, type Verdict } from '../../errors.js';
import type { MemberVisitor } from './archive-check.js';
import { checkXmlText } from './markup.js';
import { decodeXmlUnicode, findMarkupAnyEncoding, looksLikeXml } from './xml-text.js';

export const OFD_ROOT = 'OFD.xml';
const OFD_NAMESPACE = 'http://www.ofdspec.org/2016';

const MEMBER_TYPES: ReadonlySet<string> = new Set([
  'xml', 'png', 'jpg', 'bmp', 'gif', 'tif', 'jp2', 'jpx', 'j2c', 'ttf', 'otf', 'ttc', 'woff', 'woff2', 'eot',
]);

const OK: Verdict<void> = { ok: true, value: undefined };

/** A visitor for checkArchive that applies the OFD member rules and keeps OFD.xml's bytes. */
export function ofdMemberVisitor(found: { rootXml?: Buffer }): MemberVisitor {
  return (entry, data, sniffed) => {
    if (entry.name === OFD_ROOT) found.rootXml = data;
    if (sniffed?.ext === 'xml' || looksLikeXml(data)) {
      const xml = checkXmlText(data);
      if (xml?.kind === 'xml-encoding') return fail('FERRY_ERR_CONTENT_XML_ENCODING', `member "${entry.name}": ${xml.detail}`);
      if (xml?.kind === 'xml-dtd') return fail('FERRY_ERR_CONTENT_XML_DTD', `member "${entry.name}" declares a DOCTYPE or ENTITY`);
      if (xml?.kind === 'script') return fail('FERRY_ERR_CONTENT_SCRIPT', `member "${entry.name}" is ${xml.detail}`);
      return OK;
    }
    if (sniffed !== undefined) {
      return MEMBER_TYPES.has(sniffed.ext) ? OK : fail('FERRY_ERR_CONTENT_OFD_MEMBER', `member "${entry.name}" is ${sniffed.mime}`);
    }
    // Unidentified binary (signature values, seals, JBIG2, CFF fonts): no DTD or script in any reading.
    const markup = findMarkupAnyEncoding(data);
    if (markup?.kind === 'xml-dtd') return fail('FERRY_ERR_CONTENT_XML_DTD', `member "${entry.name}" holds ${markup.detail}`);
    if (markup?.kind === 'script') return fail('FERRY_ERR_CONTENT_SCRIPT', `member "${entry.name}" is ${markup.detail}`);
    return OK;
  };
}

/** OFD.xml must be an ofd:OFD root in the OFD namespace whose DocRoot names a member of the package. */
export function checkOfdRoot(rootXml: Buffer | undefined, memberNames: ReadonlySet<string>): Verdict<void> {
  const invalid = (detail: string) => fail('FERRY_ERR_CONTENT_OFD_INVALID', detail);
  if (rootXml === undefined) return invalid('OFD.xml is missing');
  const decoded = decodeXmlUnicode(rootXml);
  if (!decoded.ok) return invalid(`OFD.xml: ${decoded.detail}`);
  const text = decoded.value;
  const body = text.replace(/^\s*(?:<\?xml[^>]*\?>)?(?:\s*<!--[\s\S]*?-->)*\s*/, '');
  const root = /^<(?:([A-Za-z_][\w.-]*):)?OFD(?=[\s>\/])[^>]*>/.exec(body);
  if (root === null) return invalid('OFD.xml does not start with an OFD root element');
  const prefix = root[1];
  const xmlns = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
  const ns = new RegExp(`\\s${xmlns.replace(/[.]/g, '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(root[0]);
  if (ns?.[1] !== OFD_NAMESPACE) return invalid(`the OFD root element is not in the ${OFD_NAMESPACE} namespace`);
  // Found with indexOf, not a regex: "\s*([^<]*?)\s*" backtracks quadratically on long white space.
  const tag = prefix === undefined ? 'DocRoot' : `${prefix}:DocRoot`;
  const open = body.indexOf(`<${tag}>`);
  const close = open < 0 ? -1 : body.indexOf(`</${tag}>`, open);
  if (close < 0) return invalid('OFD.xml names no DocRoot');
  const path = body.slice(open + tag.length + 2, close).trim().replace(/^\.?\//, '');
  if (!memberNames.has(path)) return invalid(`DocRoot "${path.slice(0, 200)}" is not a member of the package`);
  return OK;
}
