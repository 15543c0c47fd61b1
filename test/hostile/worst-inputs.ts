// The most expensive inputs of each format that the inspector accepts, and the bombs it refuses,
// built at test time: what an attacker sends to make inspection cost the most per request byte.
// Each sits at a limit of src/policy/content/limits.ts (object streams inflating to the per-PDF cap,
// a zip at the total-size and ratio caps) or at the per-attachment size (16 MiB images).
import zlib from 'node:zlib';
import { makeJpeg, makeOfd, makePdf, makePng, noise, ofdMembers, pageXml, pngChunk, streamBody } from '../policy-content/samples.js';
import type { ZipMember } from '../policy-content/zip-builder.js';

const MiB = 1024 * 1024;
const b = (s: string) => Buffer.from(s, 'latin1');

export interface WorstInput { name: string; fileName: string; bytes: Buffer; accepted: boolean }

/** A FlateDecode object stream of one small object padded with white space to `inflated` bytes:
 *  ~1000:1, so the PDF is small and the inflate work is all at the inspector's caps. */
function paddedObjectStream(inflated: number): Buffer {
  const header = '1000 0 ';
  const body = b(`${header}<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] >>\n`);
  const data = Buffer.concat([body, Buffer.alloc(inflated - body.length, 0x20)]);
  return streamBody(`/Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode`, zlib.deflateSync(data, { level: 9 }));
}

function pdfWithObjectStreams(count: number, each: number): Buffer {
  const stm = paddedObjectStream(each);
  const extra: Record<number, Buffer> = {};
  for (let k = 0; k < count; k++) extra[10 + k] = stm;
  return makePdf({ extra });
}

/** An OFD page (XML) of `size` bytes that deflates at about `ratio`:1: hex text from noise for a
 *  share of it, spaces for the rest; the inspector inflates it and scans it as XML. */
function ratioXml(size: number, ratio: number, seed: number): Buffer {
  const head = b(pageXml().replace('</ofd:Page>', '<ofd:Annot>'));
  const tail = b('</ofd:Annot></ofd:Page>');
  const hex = b(noise(Math.ceil(size / ratio), seed).toString('hex'));
  return Buffer.concat([head, hex, Buffer.alloc(size - head.length - hex.length - tail.length, 0x20), tail]);
}

/** A JPEG whose entropy-coded segment is `size` bytes (stuffed 0xFF 0x00 pairs and noise without
 *  markers): the marker walk visits every byte. */
function longEntropyJpeg(size: number): Buffer {
  const base = makeJpeg();
  const eoi = base.length - 2;
  const scan = noise(size, 7);
  for (let i = 0; i < scan.length; i++) if (scan[i] === 0xff) scan[i] = 0xfe; // no markers inside
  for (let i = 0; i < scan.length - 1; i += 64) { scan[i] = 0xff; scan[i + 1] = 0x00; } // byte stuffing
  return Buffer.concat([base.subarray(0, eoi), scan, base.subarray(eoi)]);
}

/** A valid PNG of `size` bytes: IDAT chunks of noise, every one CRC-checked by the inspector. */
function hugePng(size: number): Buffer {
  const chunkBytes = 1 * MiB;
  const idats: Buffer[] = [];
  for (let left = size; left > 0; left -= chunkBytes) idats.push(pngChunk('IDAT', noise(Math.min(chunkBytes, left), left)));
  return makePng({ extra: idats });
}

/** Accepted images this large are sealed and opened in the crypto worker and kept in the blob store
 *  (before that, sealing and 22 MB SQLite rows held the loops 0.3–1.6 s). `imageBytes` picks the size. */
export function worstInputs(imageBytes = 16 * MiB - 4096): WorstInput[] {
  const members = (extra: ZipMember[]) => [...ofdMembers(), ...extra];
  return [
    // PDF: 12 object streams of 16 MiB (the per-stream cap) = 192 MiB, just under the 200 MiB per-PDF cap.
    { name: 'PDF inflating 192 MiB of object streams', fileName: 'objstm.pdf', bytes: pdfWithObjectStreams(12, 16 * MiB - 64), accepted: true },
    // ... and one stream more: past the per-PDF cap, refused after inflating up to it.
    { name: 'PDF object-stream bomb past the 200 MiB cap', fileName: 'bomb.pdf', bytes: pdfWithObjectStreams(13, 16 * MiB - 64), accepted: false },
    // OFD: three 60 MiB resources at ~90:1 = 180 MiB, under the 200 MiB total and the 100:1 ratio caps.
    { name: 'OFD inflating 180 MiB near the ratio cap', fileName: 'big.ofd', accepted: true,
      bytes: makeOfd(members([1, 2, 3].map((i) => ({ name: `Doc_0/Pages/Page_${i}/Content.xml`, data: ratioXml(60 * MiB, 90, 3 + i) })))) },
    // OFD bomb: a member that declares 60 MiB but inflates to more; refused at its declared size.
    { name: 'OFD whose member inflates past its declared size', fileName: 'lying.ofd', accepted: false,
      bytes: makeOfd(members([{ name: 'Doc_0/Pages/Page_1/Content.xml', data: ratioXml(64 * MiB, 90, 9), declaredSize: 60 * MiB }])) },
    // OFD at ~1000:1: refused from the declared sizes, before inflating.
    { name: 'OFD zip bomb at 1000:1', fileName: 'ratio.ofd', accepted: false,
      bytes: makeOfd(members([{ name: 'Doc_0/Pages/Page_1/Content.xml', data: ratioXml(64 * MiB, 1000, 11) }])) },
    { name: `PNG of ${(imageBytes / MiB).toFixed(0)} MiB of IDAT`, fileName: 'huge.png', bytes: hugePng(imageBytes), accepted: true },
    { name: 'PNG with 16 MiB after IEND', fileName: 'tail.png', bytes: makePng({ after: noise(16 * MiB - 4096, 5) }), accepted: false },
    { name: `JPEG with ${(imageBytes / MiB).toFixed(0)} MiB of entropy-coded data`, fileName: 'long.jpg', bytes: longEntropyJpeg(imageBytes), accepted: true },
    { name: 'JPEG without end of image after 16 MiB of scan', fileName: 'noeoi.jpg', bytes: longEntropyJpeg(16 * MiB - 4096).subarray(0, 16 * MiB - 4096), accepted: false },
  ];
}
