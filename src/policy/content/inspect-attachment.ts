// Attachment content inspection: bytes in, verdict out. Pure (no I/O, no clock), so it is fuzzed
// alone and called by both gateways: the external one on arrival, the internal one again after
// opening the packet (it trusts nothing the external side checked).
//
// Deny by default: the type comes from the bytes (file-type 21 plus the parsers here), never from the
// name or the declared media type, and only a positive identification as an allowed type that passes
// every check is accepted. Order: cheap checks first (name, size, magic), limits before work, then the
// format's own structure and content, then the cross-format (polyglot) markers.

import { fail, type Verdict } from '../../errors.js';
import { checkArchive, sniff } from './archive-check.js';
import { ByteView } from './byte-view.js';
import { checkFileName } from './file-name.js';
import { checkJpeg } from './jpeg-check.js';
import {
  DEFAULT_ALLOWED_TYPES, DEFAULT_CONTENT_LIMITS, DEFAULT_REQUEST_INFLATE_BYTES, type AllowedTypes, type ContentLimits, type ContentType, type DecodeBudget,
} from './limits.js';
import { classifyText } from './markup.js';
import { MEDIA_TYPE, checkDeclaredMediaType, checkExtension } from './media-type.js';
import { OFD_ROOT, checkOfdRoot, ofdMemberVisitor } from './ofd-check.js';
import { checkPdf } from './pdf-check.js';
import { checkPng } from './png-check.js';
import { PDF_HEADER_WINDOW, checkPolyglot, findPdfHeader } from './polyglot.js';
import { ARCHIVE_FILE_TYPES, EXECUTABLE_FILE_TYPES, archiveMagic, executableMagic } from './signatures.js';
import { readZipDirectory } from './zip-reader.js';

export interface AttachmentInput {
  readonly fileName: string;
  /** What the client said the type is; only compared, never trusted. */
  readonly declaredMediaType?: string;
  readonly bytes: Uint8Array;
}

export interface InspectedAttachment {
  readonly type: ContentType;
  /** The canonical media type of the bytes, to store and serve instead of the declared one. */
  readonly mediaType: string;
}

type Result = Verdict<InspectedAttachment>;

const FILE_TYPE_TO_CONTENT: ReadonlyMap<string, ContentType> = new Map<string, ContentType>([['pdf', 'pdf'], ['jpg', 'jpeg'], ['png', 'png']]);

export async function inspectAttachment(
  input: AttachmentInput,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
  allowed: AllowedTypes = DEFAULT_ALLOWED_TYPES,
  // One request's attachments share one budget (the caller makes it); alone, a call gets a fresh one.
  budget: DecodeBudget = { inflatedBytesLeft: DEFAULT_REQUEST_INFLATE_BYTES },
): Promise<Result> {
  const name = checkFileName(input.fileName, limits.maxFileNameBytes);
  if (!name.ok) return name;
  const bytes = input.bytes;
  if (!(bytes instanceof Uint8Array)) throw new TypeError('inspectAttachment: bytes must be a Uint8Array');
  if (bytes.byteLength > limits.maxAttachmentBytes) {
    return fail('FERRY_ERR_CONTENT_TOO_LARGE', `${bytes.byteLength} bytes exceed the limit of ${limits.maxAttachmentBytes}`);
  }
  if (bytes.byteLength === 0) return fail('FERRY_ERR_CONTENT_EMPTY', 'the attachment has no bytes');
  const view = new ByteView(bytes);

  const exe = executableMagic(bytes);
  if (exe !== undefined) return fail('FERRY_ERR_CONTENT_EXECUTABLE', `the bytes are an executable (${exe})`);
  // file-type may give up on a hostile zip (its own entry limits); the zip magic still says what it is.
  const sniffed = (await sniff(bytes)) ?? (archiveMagic(bytes) === 'zip' ? { ext: 'zip', mime: 'application/zip' } : undefined);

  // A byte-order mark means text; file-type reads FF FE as an MPEG audio frame sync.
  if (sniffed === undefined || sniffed.ext === 'xml' || startsWithBom(bytes)) return unidentified(view, sniffed?.ext);
  if (EXECUTABLE_FILE_TYPES.has(sniffed.ext)) return fail('FERRY_ERR_CONTENT_EXECUTABLE', `the bytes are a program (${sniffed.mime})`);
  if (sniffed.ext === 'zip') return inspectZip(view, input, limits, allowed, budget);
  if (ARCHIVE_FILE_TYPES.has(sniffed.ext)) return fail('FERRY_ERR_CONTENT_ARCHIVE', `the bytes are an archive (${sniffed.mime})`);
  const type = FILE_TYPE_TO_CONTENT.get(sniffed.ext);
  if (type === undefined) return fail('FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED', `the bytes are ${sniffed.mime}`);

  const names = checkNames(input, type, allowed);
  if (!names.ok) return names;
  const structure =
    type === 'pdf' ? await checkPdf(view, limits, budget) : type === 'png' ? checkPng(view.buf) : checkJpeg(view.buf, limits.jpegMaxChainedImages);
  if (!structure.ok) return structure;
  return accept(view, type);
}

function startsWithBom(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** Allowed-list, extension and declared type: cheap, so before any parsing. */
function checkNames(input: AttachmentInput, type: ContentType, allowed: AllowedTypes): Verdict<void> {
  if (!allowed.has(type)) return fail('FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED', `${type.toUpperCase()} is not on the allowed list`);
  const ext = checkExtension(input.fileName, type);
  if (!ext.ok) return ext;
  return checkDeclaredMediaType(input.declaredMediaType, type);
}

function accept(view: ByteView, type: ContentType): Result {
  const poly = checkPolyglot(view, type);
  if (!poly.ok) return poly;
  return { ok: true, value: { type, mediaType: MEDIA_TYPE[type] } };
}

/** No binary signature matched (or only generic XML): refuse, as precisely as the bytes allow. */
function unidentified(view: ByteView, ext: string | undefined): Result {
  const pdfAt = findPdfHeader(view, 0);
  if (pdfAt > 0 && pdfAt < PDF_HEADER_WINDOW) {
    return fail('FERRY_ERR_CONTENT_POLYGLOT', `a %PDF header at offset ${pdfAt}, not at the start, where PDF readers still find it`);
  }
  const arc = archiveMagic(view.buf);
  if (arc !== undefined) return fail('FERRY_ERR_CONTENT_ARCHIVE', `the bytes are an archive (${arc})`);
  const text = classifyText(view.buf);
  if (text?.kind === 'script') return fail('FERRY_ERR_CONTENT_SCRIPT', `the bytes are ${text.detail}`);
  if (text?.kind === 'xml-dtd') return fail('FERRY_ERR_CONTENT_XML_DTD', 'the bytes are XML declaring a DOCTYPE or ENTITY');
  if (text?.kind === 'xml-encoding') return fail('FERRY_ERR_CONTENT_XML_ENCODING', text.detail);
  if (text?.kind === 'svg') return fail('FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED', 'the bytes are an SVG image');
  if (ext === 'xml') return fail('FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED', 'the bytes are an XML document');
  return fail('FERRY_ERR_CONTENT_UNKNOWN_TYPE', 'the bytes are not identified as any allowed type');
}

async function inspectZip(view: ByteView, input: AttachmentInput, limits: ContentLimits, allowed: AllowedTypes, budget: DecodeBudget): Promise<Result> {
  const dir = readZipDirectory(view.buf, limits.zipMaxEntries);
  if (!dir.ok) return dir;
  const root = dir.value.entries.find((e) => e.name === OFD_ROOT);
  if (root === undefined) {
    const archive = await checkArchive(view.buf, dir.value, limits, budget);
    if (!archive.ok) return archive;
    return fail('FERRY_ERR_CONTENT_ARCHIVE', `a zip archive of ${dir.value.entries.length} members (no ${OFD_ROOT}, so not an OFD)`);
  }
  const names = checkNames(input, 'ofd', allowed);
  if (!names.ok) return names;
  if (root.uncompressedSize > limits.ofdMaxRootXmlBytes) {
    return fail('FERRY_ERR_CONTENT_OFD_INVALID', `${OFD_ROOT} declares ${root.uncompressedSize} bytes, over the limit of ${limits.ofdMaxRootXmlBytes}`);
  }
  const found: { rootXml?: Buffer } = {};
  const archive = await checkArchive(view.buf, dir.value, limits, budget, ofdMemberVisitor(found));
  if (!archive.ok) return archive;
  const ofd = checkOfdRoot(found.rootXml, new Set(dir.value.entries.map((e) => e.name)));
  if (!ofd.ok) return ofd;
  return accept(view, 'ofd');
}
