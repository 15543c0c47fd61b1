// A small, bounded, strict reader of a zip's central directory (PKWARE APPNOTE 6.3.10), for OFD
// packages. It reads only what it can check: one disk, no zip64, stored or deflated members, and a
// file that is exactly [local entries][central directory][end record] with no byte unaccounted for.
// Anything else is reported, never guessed at, because zip readers disagree on the odd cases and an
// attacker picks the case where Ferry's reading differs from the viewer's.

import { fail, type Verdict } from '../../errors.js';
import { matchAt } from './byte-view.js';

const SIG_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const SIG_CENTRAL = [0x50, 0x4b, 0x01, 0x02];
const SIG_EOCD = [0x50, 0x4b, 0x05, 0x06];
const SIG_ZIP64_LOCATOR = [0x50, 0x4b, 0x06, 0x07];
const SIG_DESCRIPTOR = [0x50, 0x4b, 0x07, 0x08];

const EOCD_BYTES = 22; // APPNOTE §4.3.16
const CENTRAL_BYTES = 46; // §4.3.12
const LOCAL_BYTES = 30; // §4.3.7
const MAX_COMMENT = 0xffff;

// General purpose flag bits, APPNOTE §4.4.4.
const FLAG_ENCRYPTED = 1 << 0;
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_STRONG_ENCRYPTION = 1 << 6;
const FLAG_UTF8 = 1 << 11;
const FLAG_MASKED_HEADERS = 1 << 13;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
const METHOD_AES = 99; // WinZip AE-x, APPNOTE §4.4.5 / extra field 0x9901

export interface ZipEntry {
  readonly index: number;
  /** The name as written (UTF-8 when flagged, else each byte as latin1). */
  readonly name: string;
  readonly nameBytes: Buffer;
  /** Info-ZIP Unicode Path (0x7075) name, which some extractors use instead of `name`. */
  readonly unicodePath: string | undefined;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  readonly dataOffset: number;
  readonly encrypted: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  readonly centralDirectoryOffset: number;
  readonly endRecordOffset: number;
}

const malformed = (detail: string) => fail('FERRY_ERR_CONTENT_ARCHIVE_MALFORMED', detail);

/** Offset of the end-of-central-directory record whose comment ends exactly at the end, or -1. */
function findEndRecord(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - EOCD_BYTES - MAX_COMMENT);
  for (let at = buf.length - EOCD_BYTES; at >= lowest; at--) {
    if (matchAt(buf, at, SIG_EOCD) && at + EOCD_BYTES + buf.readUInt16LE(at + 20) === buf.length) return at;
  }
  return -1;
}

interface Extra {
  unicodePath: string | undefined;
  aes: boolean;
  zip64: boolean;
}

function readExtra(buf: Buffer, start: number, end: number): Extra | undefined {
  const out: Extra = { unicodePath: undefined, aes: false, zip64: false };
  let at = start;
  while (at < end) {
    if (at + 4 > end) return undefined;
    const id = buf.readUInt16LE(at);
    const size = buf.readUInt16LE(at + 2);
    const body = at + 4;
    if (body + size > end) return undefined;
    if (id === 0x0001) out.zip64 = true;
    if (id === 0x9901) out.aes = true;
    // Info-ZIP Unicode Path: version(1) crc32-of-name(4) utf8-name.
    if (id === 0x7075 && size >= 5) out.unicodePath = buf.toString('utf8', body + 5, body + size);
    at = body + size;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(bytes: Buffer, flagged: boolean): string | undefined {
  if (!flagged) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads and cross-checks the central directory and every local header. Codes: ARCHIVE_MALFORMED for
 * anything unreadable or inconsistent, ZIP_BOMB for too many entries or overlapping entries (the
 * overlapping-file construction of Fifield's non-recursive zip bomb).
 */
export function readZipDirectory(buf: Buffer, maxEntries: number): Verdict<ZipDirectory> {
  const eocd = findEndRecord(buf);
  if (eocd < 0) return malformed('no end-of-central-directory record ending the file');
  if (eocd >= 20 && matchAt(buf, eocd - 20, SIG_ZIP64_LOCATOR)) return malformed('zip64 is not supported');
  const disk = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const entriesOnDisk = buf.readUInt16LE(eocd + 8);
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) return malformed('zip64 is not supported');
  if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== entries) return malformed('multi-disk archives are not supported');
  // Checked from the end record, before a single central header is parsed.
  if (entries > maxEntries) return fail('FERRY_ERR_CONTENT_ZIP_BOMB', `${entries} entries exceed the limit of ${maxEntries}`);
  if (cdOffset + cdSize !== eocd) return malformed('the central directory does not end where the end record starts');
  if (entries * CENTRAL_BYTES > cdSize) return malformed('the central directory is too short for its entry count');

  const out: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < entries; i++) {
    if (at + CENTRAL_BYTES > eocd || !matchAt(buf, at, SIG_CENTRAL)) return malformed(`central header ${i} is missing`);
    const madeBy = buf.readUInt16LE(at + 4);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc32 = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const uncompressedSize = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const diskStart = buf.readUInt16LE(at + 34);
    const externalAttrs = buf.readUInt32LE(at + 38);
    const localHeaderOffset = buf.readUInt32LE(at + 42);
    const nameStart = at + CENTRAL_BYTES;
    const next = nameStart + nameLen + extraLen + commentLen;
    if (next > eocd) return malformed(`central header ${i} runs past the central directory`);
    if (diskStart !== 0) return malformed(`entry ${i} starts on another disk`);
    const extra = readExtra(buf, nameStart + nameLen, nameStart + nameLen + extraLen);
    if (extra === undefined) return malformed(`entry ${i} has a broken extra field`);
    if (extra.zip64) return malformed(`entry ${i} uses zip64`);
    if (flags & FLAG_MASKED_HEADERS) return malformed(`entry ${i} has an encrypted central directory`);
    const nameBytes = buf.subarray(nameStart, nameStart + nameLen);
    const name = decodeName(nameBytes, (flags & FLAG_UTF8) !== 0);
    if (name === undefined) return malformed(`entry ${i} is flagged UTF-8 but its name is not`);
    const encrypted = (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || method === METHOD_AES || extra.aes;
    const unixMode = (madeBy >>> 8) === 3 ? externalAttrs >>> 16 : 0; // host 3 = Unix, APPNOTE §4.4.2
    out.push({
      index: i,
      name,
      nameBytes,
      unicodePath: extra.unicodePath,
      flags,
      method,
      crc32,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      dataOffset: -1,
      encrypted,
      isDirectory: name.endsWith('/'),
      isSymlink: (unixMode & 0o170000) === 0o120000,
    });
    at = next;
  }
  if (at !== eocd) return malformed(`${eocd - at} bytes in the central directory belong to no entry`);

  const located: ZipEntry[] = [];
  for (const e of out) {
    const r = locate(buf, e, cdOffset);
    if (!r.ok) return r;
    located.push(r.value);
  }
  const tiled = checkTiling(buf, located, cdOffset);
  if (!tiled.ok) return tiled;
  return { ok: true, value: { entries: located, centralDirectoryOffset: cdOffset, endRecordOffset: eocd } };
}

/** Checks the local header against the central one and finds where the member's data starts. */
function locate(buf: Buffer, e: ZipEntry, cdOffset: number): Verdict<ZipEntry> {
  const at = e.localHeaderOffset;
  if (at + LOCAL_BYTES > cdOffset || !matchAt(buf, at, SIG_LOCAL)) return malformed(`entry ${e.index}: no local header at ${at}`);
  const flags = buf.readUInt16LE(at + 6);
  const method = buf.readUInt16LE(at + 8);
  const nameLen = buf.readUInt16LE(at + 26);
  const extraLen = buf.readUInt16LE(at + 28);
  const dataOffset = at + LOCAL_BYTES + nameLen + extraLen;
  if (dataOffset + e.compressedSize > cdOffset) return malformed(`entry ${e.index}: data runs into the central directory`);
  // Readers that stream from the front use the local header: it must name the same file, the same way.
  if (!buf.subarray(at + LOCAL_BYTES, at + LOCAL_BYTES + nameLen).equals(e.nameBytes)) {
    return malformed(`entry ${e.index}: local and central names differ`);
  }
  if (method !== e.method) return malformed(`entry ${e.index}: local and central compression methods differ`);
  const sameBits = FLAG_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_STRONG_ENCRYPTION;
  if ((flags & sameBits) !== (e.flags & sameBits)) return malformed(`entry ${e.index}: local and central flags differ`);
  if (readExtra(buf, at + LOCAL_BYTES + nameLen, dataOffset)?.zip64 !== false) {
    return malformed(`entry ${e.index}: broken or zip64 local extra field`);
  }
  if ((flags & FLAG_DESCRIPTOR) === 0) {
    const crc = buf.readUInt32LE(at + 14);
    const cs = buf.readUInt32LE(at + 18);
    const us = buf.readUInt32LE(at + 22);
    if (crc !== e.crc32 || cs !== e.compressedSize || us !== e.uncompressedSize) {
      return malformed(`entry ${e.index}: local and central sizes or CRC differ`);
    }
  }
  return { ok: true, value: { ...e, dataOffset } };
}

/** Length of the data descriptor after an entry's data (APPNOTE §4.3.9), 0 when it has none. */
function descriptorLength(buf: Buffer, e: ZipEntry, end: number, limit: number): number | undefined {
  if ((e.flags & FLAG_DESCRIPTOR) === 0) return 0;
  const fits = (at: number) =>
    at + 12 <= limit &&
    buf.readUInt32LE(at) === e.crc32 &&
    buf.readUInt32LE(at + 4) === e.compressedSize &&
    buf.readUInt32LE(at + 8) === e.uncompressedSize;
  if (matchAt(buf, end, SIG_DESCRIPTOR) && fits(end + 4)) return 16;
  if (fits(end)) return 12;
  return undefined;
}

/** Entries must cover [0, central directory) exactly: no overlap (bomb), no gap (hidden payload). */
function checkTiling(buf: Buffer, entries: readonly ZipEntry[], cdOffset: number): Verdict<void> {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let cursor = 0;
  for (const e of sorted) {
    if (e.localHeaderOffset < cursor) {
      return fail('FERRY_ERR_CONTENT_ZIP_BOMB', `entry ${e.index} overlaps the previous entry (overlapping-file zip bomb)`);
    }
    if (e.localHeaderOffset > cursor) {
      return malformed(`${e.localHeaderOffset - cursor} bytes at offset ${cursor} belong to no entry`);
    }
    const dataEnd = e.dataOffset + e.compressedSize;
    const desc = descriptorLength(buf, e, dataEnd, cdOffset);
    if (desc === undefined) return malformed(`entry ${e.index}: data descriptor missing or disagreeing`);
    cursor = dataEnd + desc;
  }
  if (cursor !== cdOffset) return malformed(`${cdOffset - cursor} bytes before the central directory belong to no entry`);
  return { ok: true, value: undefined };
}

/** The stored or compressed bytes of an entry. */
export function entryData(buf: Buffer, e: ZipEntry): Buffer {
  return buf.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
}

/** More candidate signatures than this is itself evidence: no image or PDF holds 4,096 of them by chance. */
const MAX_SIGNATURE_CANDIDATES = 4096;

const plausibleMethod = (m: number) => m === 0 || m === 8 || m === 9 || m === 12 || m === 14 || m === 93 || m === 95 || m === 98 || m === 99;

function plausibleAt(buf: Buffer, at: number, sig: readonly number[]): boolean {
  if (sig === SIG_EOCD) {
    if (at + EOCD_BYTES > buf.length) return false;
    const cdSize = buf.readUInt32LE(at + 12);
    const entries = buf.readUInt16LE(at + 10);
    return entries > 0 && cdSize <= at && cdSize >= entries * CENTRAL_BYTES && matchAt(buf, at - cdSize, SIG_CENTRAL);
  }
  if (sig === SIG_CENTRAL) {
    if (at + CENTRAL_BYTES > buf.length) return false;
    const nameLen = buf.readUInt16LE(at + 28);
    return plausibleMethod(buf.readUInt16LE(at + 10)) && nameLen > 0 && nameLen <= 1024 && buf[at + 6]! <= 63 && buf[at + 7] === 0;
  }
  if (at + LOCAL_BYTES > buf.length) return false;
  const nameLen = buf.readUInt16LE(at + 26);
  return plausibleMethod(buf.readUInt16LE(at + 8)) && nameLen > 0 && nameLen <= 1024 && buf[at + 4]! <= 63 && buf[at + 5] === 0;
}

/**
 * A zip structure (end record, central header or local header) whose fields are plausible, at any
 * offset ≥ `from`: evidence that a non-zip file is also a zip. Each signature is 4 bytes, so a hit in
 * random image data happens about once in 4 GiB; the field checks make a false hit negligible.
 * Returns the lowest such offset, or -1.
 */
export function findZipStructure(buf: Buffer, from: number): number {
  let found = -1;
  for (const sig of [SIG_EOCD, SIG_CENTRAL, SIG_LOCAL]) {
    const needle = Buffer.from(sig);
    let candidates = 0;
    for (let at = buf.indexOf(needle, from); at >= 0; at = buf.indexOf(needle, at + 1)) {
      if (++candidates > MAX_SIGNATURE_CANDIDATES || plausibleAt(buf, at, sig)) {
        if (found < 0 || at < found) found = at;
        break;
      }
    }
  }
  return found;
}
