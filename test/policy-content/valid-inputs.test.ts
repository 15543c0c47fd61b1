// Genuine files pass, with the type and media type found in their bytes. The samples themselves are
// judged by independent tools first, so a passing row is a real PDF/PNG/JPEG/OFD, not a lookalike:
// libmagic (`file`), Info-ZIP `unzip -t`, and where installed `qpdf --check` and `djpeg`.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_TYPES, DEFAULT_CONTENT_LIMITS, inspectAttachment, type ContentType } from '../../src/policy/content/index.js';
import { makeJpeg, makeOfd, makePdf, makePng, noise, ofdMembers, pngChunk, streamBody, withMember } from './samples.js';
import { commentedObjStmHeader } from './hostile-cases.js';
import { buildZip } from './zip-builder.js';

interface ValidCase {
  readonly what: string;
  readonly fileName: string;
  readonly bytes: () => Buffer;
  readonly declared?: string;
  readonly type: ContentType;
}

const b = (s: string) => Buffer.from(s, 'latin1');
const DER_SIGNATURE = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), noise(256, 3)]);

const VALID: readonly ValidCase[] = [
  { what: 'a minimal one-page PDF', fileName: 'a.pdf', bytes: () => makePdf(), type: 'pdf' },
  { what: 'a PDF 1.5 with an object stream and an xref stream', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: {} }), type: 'pdf' },
  { what: 'a PDF with an unfiltered object stream', fileName: 'a.pdf', bytes: () => makePdf({ objectStream: { filter: 'none' } }), type: 'pdf' },
  { what: 'a PDF whose JPEG image data happens to hold "/JS " and "/AA>"', fileName: 'scan.pdf', bytes: () => makePdf({ extra: { 6: streamBody('/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode', Buffer.concat([noise(3000, 5), b('/JS (x)'), noise(100, 6), b('/AA>'), noise(3000, 9)])) } }), type: 'pdf' },
  { what: 'a PDF with a plain web link', fileName: 'a.pdf', bytes: () => makePdf({ extra: { 6: '<< /Type /Action /S /URI /URI (https://www.gov.cn/) >>' } }), type: 'pdf' },
  { what: 'a PDF ending in CRLF and NUL padding', fileName: 'a.pdf', bytes: () => makePdf({ after: b('\r\n\0\0') }), type: 'pdf' },
  { what: 'a PDF with a Chinese name and a space', fileName: '营业执照 副本.pdf', bytes: () => makePdf(), declared: 'application/pdf', type: 'pdf' },
  { what: 'a PNG', fileName: 'a.png', bytes: () => makePng(), declared: 'image/png', type: 'png' },
  { what: 'a PNG with a text chunk', fileName: 'photo (1).PNG', bytes: () => makePng({ extra: [pngChunk('tEXt', b('Software\0Ferry test'))] }), type: 'png' },
  { what: 'a JPEG', fileName: 'a.jpg', bytes: () => makeJpeg(), declared: 'image/jpeg', type: 'jpeg' },
  { what: 'a JPEG named .jpeg declared image/jpg', fileName: 'a.jpeg', bytes: () => makeJpeg(), declared: 'image/jpg', type: 'jpeg' },
  { what: 'a JPEG with a gain-map JPEG appended (Ultra HDR)', fileName: 'a.jpg', bytes: () => makeJpeg({ after: makeJpeg() }), type: 'jpeg' },
  { what: 'a JPEG with zero padding after EOI', fileName: 'a.jpg', bytes: () => makeJpeg({ after: Buffer.alloc(64) }), type: 'jpeg' },
  { what: 'a minimal OFD', fileName: 'a.ofd', bytes: () => makeOfd(), declared: 'application/octet-stream', type: 'ofd' },
  { what: 'an OFD declared as application/zip', fileName: 'licence.OFD', bytes: () => makeOfd(), declared: 'application/zip', type: 'ofd' },
  {
    what: 'an OFD with a PNG resource, a DER signature value and stored members',
    fileName: 'invoice.ofd',
    bytes: () =>
      makeOfd(
        [
          { name: 'Doc_0/Res/image_1.png', data: makePng() },
          { name: 'Doc_0/Signs/Sign_0/SignedValue.dat', data: DER_SIGNATURE, method: 0 },
          { name: 'Doc_0/Signs/', data: Buffer.alloc(0), method: 0 },
        ].reduce(withMember, ofdMembers()),
      ),
    type: 'ofd',
  },
];

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

const dir = mkdtempSync(join(tmpdir(), 'ferry-content-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const save = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe('independent tools agree the samples are what they claim', () => {
  it('libmagic identifies the PDF, PNG and JPEG samples', () => {
    const mime = (bytes: Buffer, name: string) => execFileSync('file', ['-b', '--mime-type', save(name, bytes)]).toString().trim();
    expect(mime(makePdf(), 's.pdf')).toBe('application/pdf');
    expect(mime(makePdf({ objectStream: {} }), 's2.pdf')).toBe('application/pdf');
    expect(mime(makePng(), 's.png')).toBe('image/png');
    expect(mime(makeJpeg(), 's.jpg')).toBe('image/jpeg');
  });

  it('unzip tests the OFD samples and decrypts the ZipCrypto sample', () => {
    expect(spawnSync('unzip', ['-tq', save('s.ofd', makeOfd())]).status).toBe(0);
    const enc = save('enc.zip', buildZip([{ name: 'secret.txt', data: b('top secret'), password: 'pw' }]));
    expect(spawnSync('unzip', ['-tq', '-P', 'pw', enc]).status).toBe(0);
    expect(execFileSync('unzip', ['-p', '-P', 'pw', enc]).toString()).toBe('top secret');
  });

  it.skipIf(!has('qpdf'))('qpdf finds no syntax errors and reads the object-stream samples (incl. the hidden JS ones)', () => {
    for (const [name, bytes] of [['q1.pdf', makePdf()], ['q2.pdf', makePdf({ objectStream: {} })]] as const) {
      expect(spawnSync('qpdf', ['--check', save(name, bytes)]).status).toBe(0);
    }
    const hidden = save('q3.pdf', makePdf({ catalogExtra: '/OpenAction 8 0 R', objectStream: { members: { 8: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>' } } }));
    expect(spawnSync('qpdf', ['--check', hidden]).status).toBe(0);
    expect(execFileSync('qpdf', ['--show-object=8', hidden]).toString()).toContain('/JavaScript');
    const commented = save('q4.pdf', commentedObjStmHeader({ 8: '<< /S /JavaScript /JS (x) >>' }));
    expect(spawnSync('qpdf', ['--check', commented]).status).toBe(0);
    expect(execFileSync('qpdf', ['--show-object=8', commented]).toString()).toContain('/JavaScript');
  });

  it.skipIf(!has('djpeg'))('libjpeg decodes the JPEG sample to a 1x1 grey image', () => {
    const pnm = execFileSync('djpeg', ['-pnm', save('d.jpg', makeJpeg())]);
    expect(pnm.subarray(0, 10).toString('latin1')).toBe('P5\n1 1\n255');
  });
});

describe('inspectAttachment accepts genuine files', () => {
  it.each(VALID.map((c) => [c.what, c] as const))('accepts %s', async (_what, c) => {
    const verdict = await inspectAttachment(
      { fileName: c.fileName, bytes: c.bytes(), ...(c.declared === undefined ? {} : { declaredMediaType: c.declared }) },
      DEFAULT_CONTENT_LIMITS,
      DEFAULT_ALLOWED_TYPES,
    );
    expect(verdict).toEqual({ ok: true, value: { type: c.type, mediaType: { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png', ofd: 'application/ofd' }[c.type] } });
  });

  it('accepts a Buffer that is a slice of a larger pool (byteOffset ≠ 0)', async () => {
    const pool = Buffer.concat([Buffer.alloc(100, 0x41), makePng(), Buffer.alloc(100, 0x42)]);
    const slice = pool.subarray(100, pool.length - 100);
    expect((await inspectAttachment({ fileName: 'a.png', bytes: slice })).ok).toBe(true);
  });
});
