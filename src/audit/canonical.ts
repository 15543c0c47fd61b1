// The canonical byte encoding of audit entries and chain heads. These bytes, not any re-encoding,
// are what is hashed, stored, signed, time-stamped and exported; a verifier with only openssl and
// coreutils reproduces every check from them (see export-script.ts).
//
// Entry (format "ferry-audit/1"): one line of UTF-8 JSON, a fixed-order array, ending in "\n":
//   ["ferry-audit/1","<prev_hash: 64 lowercase hex>",<seq>,"<at: ISO-8601 UTC, ms>",<actor>,<action>,<subject>,<detail>]\n
// - hash(entry) = SHA-256(these bytes). prev_hash is the hash of entry seq-1, or 32 zero bytes for
//   seq 1 (the genesis). Putting prev_hash *inside* the line makes each link a plain text comparison.
// - The first three fields have fixed byte positions: prev_hash is bytes 18..81 (`cut -c19-82`), seq
//   starts at byte 84 (`cut -c85- | cut -d, -f1`). Strings are JSON.stringify'd, so no raw newline
//   can occur inside a line and `split -l 1` recovers each entry's exact bytes.
// - detail is a JSON object with keys sorted (UTF-16 code-unit order, as Array.prototype.sort), no
//   whitespace, finite numbers only. Because the bytes are stored, verification never re-serialises
//   JSON to hash it: the canonical form only makes appends deterministic.
// Head record (format "ferry-audit-head/1"), the bytes an anchor signs or time-stamps:
//   ferry-audit-head/1 seq=<seq> hash=<64 lowercase hex>\n
import { createHash } from 'node:crypto';
import { FerryError } from '../errors.js';
import { MAX_DETAIL_DEPTH } from './limits.js';

export const ENTRY_FORMAT = 'ferry-audit/1';
export const HEAD_FORMAT = 'ferry-audit-head/1';
/** prev_hash of entry 1. */
export const GENESIS_PREV: Buffer = Buffer.alloc(32);
export const HASH_BYTES = 32;

const ENTRY_PREFIX = Buffer.from(`["${ENTRY_FORMAT}","`, 'latin1');
/** Byte offset of prev_hash's hex in an entry line (0-based; `cut -c19-82` in 1-based columns). */
export const PREV_HEX_OFFSET = ENTRY_PREFIX.length;
/** Byte offset where the seq digits start (`cut -c85-`). */
export const SEQ_OFFSET = PREV_HEX_OFFSET + 64 + 2;
/** Largest seq the encoding accepts: integers stay exact in JSON and in JavaScript. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
/** toISOString yields the fixed 24-character form only for years 0000..9999; Ferry needs 1970 on. */
const MAX_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export interface EntryFields {
  readonly seq: number;
  readonly prevHash: Buffer;
  /** Milliseconds since the epoch (the `at` column). */
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** The detail as canonical JSON text (the `detail` column), inserted verbatim. */
  readonly detail: string;
}

export function validSeq(seq: number): boolean {
  return Number.isSafeInteger(seq) && seq >= 1 && seq <= MAX_SEQ;
}

export function validAtMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_AT_MS;
}

/** The canonical bytes of an entry. Throws on values the format cannot hold (a programming fault). */
export function encodeEntry(f: EntryFields): Buffer {
  if (!validSeq(f.seq)) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `seq ${f.seq} is not a positive safe integer`);
  if (f.prevHash.length !== HASH_BYTES) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `prev_hash has ${f.prevHash.length} bytes, not ${HASH_BYTES}`);
  if (!validAtMs(f.at)) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `at ${f.at} is outside 1970..9999`);
  const line =
    `["${ENTRY_FORMAT}","${f.prevHash.toString('hex')}",${f.seq},"${new Date(f.at).toISOString()}",` +
    `${JSON.stringify(f.actor)},${JSON.stringify(f.action)},${JSON.stringify(f.subject)},${f.detail}]\n`;
  return Buffer.from(line, 'utf8');
}

/** seq and prev_hash read from their fixed positions, without parsing the JSON; null when the line
 *  does not start like an entry of this format. */
export function readEntryPrefix(line: unknown): { seq: number; prev: Buffer } | null {
  if (!Buffer.isBuffer(line)) return null; // a column an attacker retyped (SQLite lets any cell hold any type)
  if (line.length < SEQ_OFFSET + 2 || !line.subarray(0, PREV_HEX_OFFSET).equals(ENTRY_PREFIX)) return null;
  const hex = line.toString('latin1', PREV_HEX_OFFSET, PREV_HEX_OFFSET + 64);
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  if (line[PREV_HEX_OFFSET + 64] !== 0x22 || line[PREV_HEX_OFFSET + 65] !== 0x2c) return null; // `",`
  let end = SEQ_OFFSET;
  while (end < line.length && end - SEQ_OFFSET <= 16 && line[end]! >= 0x30 && line[end]! <= 0x39) end++;
  if (line[end] !== 0x2c || end === SEQ_OFFSET) return null;
  const digits = line.toString('latin1', SEQ_OFFSET, end);
  if (digits.length > 1 && digits.startsWith('0')) return null;
  const seq = Number(digits);
  if (!validSeq(seq)) return null;
  return { seq, prev: Buffer.from(hex, 'hex') };
}

/**
 * Canonical JSON of a detail value: object keys sorted, no whitespace, only plain JSON types.
 * Throws FERRY_ERR_AUDIT_ENTRY naming the path of anything else (undefined, functions, bigint,
 * non-finite numbers, class instances such as Date or Buffer — convert those before appending).
 */
export function canonicalJson(value: unknown, path = 'detail', depth = 0): string {
  if (depth > MAX_DETAIL_DEPTH) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `${path}: nested deeper than ${MAX_DETAIL_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `${path}: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `${path}: a ${(value as object).constructor?.name ?? 'non-plain'} object is not plain JSON`);
      }
      const keys = Object.keys(value).sort();
      const parts = keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)}`);
      return `{${parts.join(',')}}`;
    }
    default:
      throw new FerryError('FERRY_ERR_AUDIT_ENTRY', `${path}: a ${typeof value} is not JSON`);
  }
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: Buffer;
}

/** The exact bytes an anchor signs or time-stamps for a chain head. */
export function headRecord(head: ChainHead): Buffer {
  if (!validSeq(head.seq) || head.hash.length !== HASH_BYTES) throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `not a chain head: seq ${head.seq}`);
  return Buffer.from(`${HEAD_FORMAT} seq=${head.seq} hash=${head.hash.toString('hex')}\n`, 'latin1');
}
