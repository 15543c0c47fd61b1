// JPEG structure (ITU-T T.81 Annex B): SOI, marker segments with lengths, entropy-coded data after
// each SOS (where 0xFF is always followed by 0x00 or a restart marker), EOI. After EOI only another
// whole JPEG may follow (phones append MPF secondary images and Ultra HDR gain maps), then zero
// padding; anything else is data no viewer shows and is refused as a polyglot (appended zip, script).

import { fail, type Verdict } from '../../errors.js';

const malformed = (detail: string) => fail('FERRY_ERR_CONTENT_MALFORMED', detail);

/** Parses one JPEG starting at `start`; returns the offset just past its EOI. */
function parseOne(buf: Buffer, start: number): Verdict<number> {
  if (buf[start] !== 0xff || buf[start + 1] !== 0xd8) return malformed(`no JPEG start-of-image at offset ${start}`);
  let p = start + 2;
  let sawFrame = false;
  let sawScan = false;
  while (p < buf.length) {
    if (buf[p] !== 0xff) return malformed(`expected a JPEG marker at offset ${p}`);
    while (buf[p] === 0xff) p++; // B.1.1.2: fill bytes
    const m = buf[p];
    if (m === undefined) break;
    p++;
    if (m === 0xd9) {
      if (!sawFrame || !sawScan) return malformed('the JPEG ends before a frame and a scan');
      return { ok: true, value: p };
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // TEM, RSTn: no length
    if (m === 0x00 || m === 0xd8) return malformed(`unexpected JPEG marker 0x${m.toString(16)} at offset ${p - 1}`);
    if (p + 2 > buf.length) break;
    const length = buf.readUInt16BE(p);
    if (length < 2 || p + length > buf.length) return malformed(`JPEG segment 0xff${m.toString(16)} at offset ${p - 2} runs past the end`);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) sawFrame = true;
    p += length;
    if (m === 0xda) {
      if (!sawFrame) return malformed('a JPEG scan comes before any frame header');
      sawScan = true;
      // B.1.1.5: in entropy-coded data 0xFF is stuffed with 0x00; RSTn may appear; any other marker ends it.
      for (;;) {
        const ff = buf.indexOf(0xff, p);
        if (ff < 0 || ff + 1 >= buf.length) return malformed('the JPEG ends inside entropy-coded data (no EOI)');
        const next = buf[ff + 1]!;
        if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
          p = next === 0xff ? ff + 1 : ff + 2;
          continue;
        }
        p = ff;
        break;
      }
    }
  }
  return malformed('the JPEG has no end-of-image marker');
}

export function checkJpeg(buf: Buffer, maxChained: number): Verdict<void> {
  let end = 0;
  for (let n = 0; n < maxChained; n++) {
    const one = parseOne(buf, end);
    if (!one.ok) return n === 0 ? one : fail('FERRY_ERR_CONTENT_POLYGLOT', `data after the JPEG's end is not a whole JPEG: ${one.detail}`);
    end = one.value;
    if (end === buf.length || !(buf[end] === 0xff && buf[end + 1] === 0xd8)) break;
  }
  for (let i = end; i < buf.length; i++) {
    if (buf[i] !== 0x00) return fail('FERRY_ERR_CONTENT_POLYGLOT', `${buf.length - end} bytes follow the JPEG's end of image`);
  }
  return { ok: true, value: undefined };
}
