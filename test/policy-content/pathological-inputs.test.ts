// Inputs built to make a parser slow (quadratic rescans, unbounded loops, huge counts) get a verdict.
// Each is near the 20 MiB attachment limit or at a count limit. No wall-clock bound is asserted (a
// loaded machine would make it flaky): the times are printed, a quadratic rescan shows as the test's
// own timeout, and in the gateways the pool's per-request deadline bounds the time for real.

import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectAttachment } from '../../src/policy/content/index.js';
import { jpegComment, makeJpeg, makeOfd, makePdf, makePng, noise, ofdMembers, pngChunk, streamBody } from './samples.js';

const MiB = 1024 * 1024;
const b = (s: string) => Buffer.from(s, 'latin1');

async function timed(fileName: string, bytes: Buffer) {
  const t0 = performance.now();
  const verdict = await inspectAttachment({ fileName, bytes });
  const ms = performance.now() - t0;
  console.log(`${fileName}: ${(bytes.length / MiB).toFixed(1)} MiB in ${ms.toFixed(0)} ms -> ${verdict.ok ? 'accepted' : verdict.code}`);
  return verdict;
}

const pdfAround = (body: Buffer) => Buffer.concat([b('%PDF-1.7\n'), body, b('\n%%EOF\n')]);

describe('bounded time on adversarial inputs', () => {
  it('accepts a 19 MiB PDF of noise image data quickly (the common large upload)', async () => {
    const img = streamBody('/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode', noise(19 * MiB, 11));
    expect((await timed('scan.pdf', makePdf({ extra: { 6: img } }))).ok).toBe(true);
  });

  it('refuses nested unclosed strings that would make every object header rescan the file', async () => {
    const n = 200_000;
    const body = Buffer.concat([b('1 0 obj << /A ('.repeat(n)), b(' >> stream\n')]);
    const v = await timed('nested.pdf', pdfAround(body));
    expect(v.ok ? 'accepted' : v.code).toBe('FERRY_ERR_CONTENT_PDF_UNSCANNABLE');
  });

  it('handles a million stream headers with no endstream', async () => {
    const v = await timed('streams.pdf', pdfAround(b('1 0 obj <<>> stream\n'.repeat(1_000_000))));
    expect(v.ok).toBe(true); // nothing risky in it: every "stream" is an empty, harmless object
  });

  it('handles many streams whose /Length lands in one long run of white space', async () => {
    const objs = b('1 0 obj << /Length 9000000 >> stream\n'.repeat(200_000));
    const v = await timed('white.pdf', pdfAround(Buffer.concat([objs, Buffer.alloc(10 * MiB, 0x20), b('endstream endobj')])));
    expect(v.ok).toBe(true);
  });

  it('handles 10 MiB of names', async () => {
    const v = await timed('names.pdf', makePdf({ extra: { 6: `<< /K [${'/a#41'.repeat(2 * MiB)}] >>` } }));
    expect(v.ok).toBe(true);
  });

  it('scans 5,000 object streams of 100 objects each', async () => {
    let header = '';
    let objects = '';
    for (let k = 0; k < 100; k++) {
      header += `${1000 + k} ${objects.length} `;
      objects += `<< /Type /Annot /Subtype /Link /Rect [0 0 ${k} ${k}] >>\n`;
    }
    const stm = streamBody(`/Type /ObjStm /N 100 /First ${header.length} /Filter /FlateDecode`, zlib.deflateSync(b(header + objects)));
    const extra: Record<number, Buffer> = {};
    for (let k = 0; k < 5000; k++) extra[10 + k] = stm;
    expect((await timed('objstm.pdf', makePdf({ extra }))).ok).toBe(true);
  });

  it('handles a PNG whose text chunk is 16 MiB of "PK" and a JPEG of 16 MiB stuffed 0xFF bytes', async () => {
    await timed('pk.png', makePng({ extra: [pngChunk('tEXt', Buffer.concat([b('Comment\0'), Buffer.alloc(16 * MiB, 'PK')]))] }));
    const stuffed = Buffer.alloc(16 * MiB);
    for (let i = 0; i < stuffed.length; i += 2) stuffed[i] = 0xff;
    const jpeg = makeJpeg();
    const sos = jpeg.lastIndexOf(Buffer.from([0xff, 0xda]));
    const withData = Buffer.concat([jpeg.subarray(0, sos + 10), stuffed, jpeg.subarray(sos + 10)]);
    expect((await timed('stuffed.jpg', withData)).ok).toBe(true);
    expect((await timed('comments.jpg', makeJpeg({ segments: Array.from({ length: 200 }, () => jpegComment(noise(65000))) }))).ok).toBe(true);
  });

  it('handles an OFD at the 10,000-entry limit', async () => {
    const members = ofdMembers();
    for (let i = 0; i < 10_000 - members.length; i++) members.push({ name: `Doc_0/Res/r${i}.xml`, data: b(`<r i="${i}"/>`) });
    expect((await timed('many.ofd', makeOfd(members))).ok).toBe(true);
  });

  it('inflates and checks an OFD of 12 members that really inflate to 192 MiB (just under the total limit)', async () => {
    const words = ['<w>营业</w>', '<w>执照</w>', '<x a="1"/>', '<y>2024-03-01</y>', '<z>county</z>', '<w>approval</w>', '<v/>', '<u>case</u>'];
    const rnd = noise(2 * MiB, 5);
    const chunks: string[] = ['<r>'];
    for (let k = 0, size = 3; size < 16 * MiB - 64; k++) {
      const w = words[rnd[k % rnd.length]! & 7]!;
      chunks.push(w);
      size += Buffer.byteLength(w);
    }
    const data = Buffer.from(chunks.join('') + '</r>');
    const payload = zlib.deflateRawSync(data);
    const members = ofdMembers();
    for (let k = 0; k < 12; k++) members.push({ name: `Doc_0/Res/p${k}.xml`, data, payload });
    const ofd = makeOfd(members);
    expect(ofd.length).toBeLessThan(20 * MiB);
    expect((await timed('big.ofd', ofd)).ok).toBe(true);
  });
});
