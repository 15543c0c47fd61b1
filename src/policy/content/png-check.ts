// PNG structure (ISO/IEC 15948, PNG 3rd ed. §5): signature, chunks with CRC-32, IHDR first, IEND
// last, and nothing after IEND — bytes there are invisible to viewers and are where a zip, script or
// second image hides in a polyglot.

import zlib from 'node:zlib';
import { fail, type Verdict } from '../../errors.js';

const SIGNATURE_BYTES = 8;
const MAX_CHUNK = 0x7fffffff; // §5.3: length is at most 2^31 - 1
const KNOWN_CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

const malformed = (detail: string) => fail('FERRY_ERR_CONTENT_MALFORMED', detail);

export function checkPng(buf: Buffer): Verdict<void> {
  let at = SIGNATURE_BYTES;
  let sawIdat = false;
  for (let n = 0; ; n++) {
    if (at + 12 > buf.length) return malformed(`the PNG ends inside chunk ${n} (no IEND)`);
    const length = buf.readUInt32BE(at);
    if (length > MAX_CHUNK || at + 12 + length > buf.length) return malformed(`PNG chunk ${n} runs past the end of the file`);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) return malformed(`PNG chunk ${n} has an invalid type`);
    const crc = buf.readUInt32BE(at + 8 + length);
    if (zlib.crc32(buf.subarray(at + 4, at + 8 + length)) !== crc) return malformed(`PNG chunk ${n} (${type}) fails its CRC`);
    if (n === 0 && (type !== 'IHDR' || length !== 13)) return malformed('the PNG does not start with a 13-byte IHDR');
    // §5.4: a decoder must refuse an unknown critical chunk (upper-case first letter).
    if (type.charCodeAt(0) < 0x61 && !KNOWN_CRITICAL.has(type)) return malformed(`unknown critical PNG chunk ${type}`);
    if (type === 'IDAT') sawIdat = true;
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (!sawIdat) return malformed('the PNG has no image data (IDAT)');
  if (at < buf.length) return fail('FERRY_ERR_CONTENT_POLYGLOT', `${buf.length - at} bytes follow the PNG's IEND chunk`);
  return { ok: true, value: undefined };
}
