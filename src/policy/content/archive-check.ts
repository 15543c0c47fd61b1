// Policy for a zip whose directory zip-reader.ts has read: member names (zip-slip), encryption,
// executables and nested archives, declared and real sizes (bombs), then each member's real bytes.
// Every check runs over all entries before the next, so the most telling refusal wins (an archive with
// an .exe and a lying size is reported as holding an executable).

import zlib from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { fail, type FerryErrorCode, type Verdict } from '../../errors.js';
import { checkFileName, fileExtension } from './file-name.js';
import { inflateBudgeted } from './inflate-bounded.js';
import type { ContentLimits, DecodeBudget } from './limits.js';
import { ARCHIVE_FILE_TYPES, EXECUTABLE_FILE_TYPES, archiveMagic, executableMagic, isArchiveName, isExecutableName } from './signatures.js';
import { METHOD_DEFLATED, METHOD_STORED, entryData, type ZipDirectory, type ZipEntry } from './zip-reader.js';

export interface Sniffed {
  readonly ext: string;
  readonly mime: string;
}

/** Called with each member's verified bytes; returns a refusal to stop, or ok. */
export type MemberVisitor = (entry: ZipEntry, data: Buffer, sniffed: Sniffed | undefined) => Verdict<void>;

const OK: Verdict<void> = { ok: true, value: undefined };

function memberNameProblem(e: ZipEntry): string | undefined {
  // Without the UTF-8 flag a name is in some legacy code page (GBK from Chinese Windows tools): only its
  // ASCII bytes can be judged, so the rest are masked rather than read as latin1 C1 controls.
  const name = e.flags & (1 << 11) ? e.name : e.name.replace(/[\u0080-\u00ff]/g, '_');
  if (name.length === 0) return 'an empty member name';
  if (name.startsWith('/')) return `member "${name}" has an absolute path`;
  const segments = name.split('/');
  if (e.isDirectory) segments.pop(); // "dir/" ends in an empty segment
  for (const seg of segments) {
    const v = checkFileName(seg);
    if (!v.ok) return `member "${name}": ${v.detail}`;
  }
  if (e.isSymlink) return `member "${name}" is a symbolic link`;
  return undefined;
}

export async function sniff(data: Uint8Array): Promise<Sniffed | undefined> {
  try {
    return await fileTypeFromBuffer(data);
  } catch {
    return undefined; // file-type's own limits tripped: the member is simply not identified
  }
}

/** Runs the archive policy over a directory read by readZipDirectory. */
export async function checkArchive(buf: Buffer, dir: ZipDirectory, limits: ContentLimits, budget: DecodeBudget, visit?: MemberVisitor): Promise<Verdict<void>> {
  const entries = dir.entries;
  const seen = new Set<string>();
  for (const e of entries) {
    const problem = memberNameProblem(e);
    if (problem !== undefined) return fail('FERRY_ERR_CONTENT_ARCHIVE_PATH', problem);
    if (e.unicodePath !== undefined && e.unicodePath !== e.name) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" carries a different Unicode path "${e.unicodePath}"`);
    }
    // Case-insensitive file systems (Windows, macOS) would merge these; readers disagree on which wins.
    const key = e.name.normalize('NFC').toLowerCase();
    if (seen.has(key)) return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" appears twice`);
    seen.add(key);
  }
  for (const e of entries) {
    if (!e.isDirectory && isExecutableName(fileExtension(e.name))) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', `member "${e.name}" is named as a program`);
    }
  }
  for (const e of entries) {
    if (!e.isDirectory && isArchiveName(fileExtension(e.name))) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_NESTED', `member "${e.name}" is named as an archive`);
    }
  }
  for (const e of entries) {
    if (e.encrypted) return fail('FERRY_ERR_CONTENT_ENCRYPTED', `member "${e.name}" is encrypted`);
  }
  for (const e of entries) {
    if (e.method !== METHOD_STORED && e.method !== METHOD_DEFLATED) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" uses compression method ${e.method}`);
    }
    if (e.method === METHOD_STORED && e.compressedSize !== e.uncompressedSize) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `stored member "${e.name}" declares two sizes`);
    }
    if (e.isDirectory && e.uncompressedSize !== 0) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `directory member "${e.name}" has content`);
    }
  }
  const sizes = checkDeclaredSizes(buf.length, entries, limits);
  if (!sizes.ok) return sizes;
  for (const e of entries) {
    if (e.isDirectory) continue;
    const real = await memberBytes(buf, e, budget);
    if (!real.ok) return real;
    const content = await checkMemberContent(e, real.value, visit);
    if (!content.ok) return content;
  }
  return OK;
}

/** Declared sizes, before any inflating: per member, total, and compression ratios. */
function checkDeclaredSizes(archiveBytes: number, entries: readonly ZipEntry[], limits: ContentLimits): Verdict<void> {
  const bomb = (detail: string) => fail('FERRY_ERR_CONTENT_ZIP_BOMB', detail);
  let total = 0;
  for (const e of entries) {
    if (e.uncompressedSize > limits.zipMaxEntryBytes) {
      return bomb(`member "${e.name}" declares ${e.uncompressedSize} bytes, over the limit of ${limits.zipMaxEntryBytes}`);
    }
    if (e.uncompressedSize > limits.zipRatioFloorBytes && e.uncompressedSize > limits.zipMaxRatio * Math.max(1, e.compressedSize)) {
      return bomb(`member "${e.name}" declares a compression ratio over ${limits.zipMaxRatio}:1`);
    }
    total += e.uncompressedSize;
  }
  if (total > limits.zipMaxTotalBytes) return bomb(`members declare ${total} bytes in all, over the limit of ${limits.zipMaxTotalBytes}`);
  if (total > limits.zipRatioFloorBytes && total > limits.zipMaxRatio * archiveBytes) {
    return bomb(`the archive declares a compression ratio over ${limits.zipMaxRatio}:1`);
  }
  return OK;
}

/** A member's real bytes, inflated with the declared size as the hard cap, then size and CRC checked. */
async function memberBytes(buf: Buffer, e: ZipEntry, budget: DecodeBudget): Promise<Verdict<Buffer>> {
  const raw = entryData(buf, e);
  let data: Buffer;
  if (e.method === METHOD_STORED) {
    data = raw;
  } else {
    // The declared size must be met exactly, so a declaration above what the budget has left is refused
    // before a byte is inflated.
    if (e.uncompressedSize > budget.inflatedBytesLeft) {
      return fail('FERRY_ERR_CONTENT_BUDGET', `member "${e.name}" declares ${e.uncompressedSize} bytes, more than the request's decode budget has left`);
    }
    const r = await inflateBudgeted(raw, 'raw', e.uncompressedSize, budget);
    if (r.kind === 'budget') return fail('FERRY_ERR_CONTENT_BUDGET', `member "${e.name}" inflates past what is left of the request's decode budget`);
    if (r.kind === 'too-large') {
      return fail('FERRY_ERR_CONTENT_ZIP_BOMB', `member "${e.name}" inflates past its declared ${e.uncompressedSize} bytes`);
    }
    if (r.kind === 'corrupt') return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" does not inflate: ${r.reason}`);
    if (r.consumed !== raw.length) {
      return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" has ${raw.length - r.consumed} bytes after its deflate stream`);
    }
    data = r.data;
  }
  if (data.length !== e.uncompressedSize) {
    return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" holds ${data.length} bytes, not the declared ${e.uncompressedSize}`);
  }
  if (zlib.crc32(data) !== e.crc32) return fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', `member "${e.name}" fails its CRC-32`);
  return { ok: true, value: data };
}

async function checkMemberContent(e: ZipEntry, data: Buffer, visit: MemberVisitor | undefined): Promise<Verdict<void>> {
  const refuse = (code: FerryErrorCode, what: string) => fail(code, `member "${e.name}" is ${what}`);
  const exe = executableMagic(data);
  if (exe !== undefined) return refuse('FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', `an executable (${exe})`);
  const arc = archiveMagic(data);
  if (arc !== undefined) return refuse('FERRY_ERR_CONTENT_ARCHIVE_NESTED', `an archive (${arc})`);
  const sniffed = data.length === 0 ? undefined : await sniff(data);
  if (sniffed !== undefined && EXECUTABLE_FILE_TYPES.has(sniffed.ext)) return refuse('FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', `a program (${sniffed.ext})`);
  if (sniffed !== undefined && ARCHIVE_FILE_TYPES.has(sniffed.ext)) return refuse('FERRY_ERR_CONTENT_ARCHIVE_NESTED', `an archive (${sniffed.ext})`);
  return visit === undefined ? OK : visit(e, data, sniffed);
}
