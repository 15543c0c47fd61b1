// A spreadsheet is a zip: the importer refuses one whose parts declare more than it will inflate, or
// that it cannot account for, before exceljs reads a byte of it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCatalogueSheet } from '../../src/catalogue-io/sheet-read.js';
import { MAX_XLSX_INFLATED_BYTES } from '../../src/catalogue-io/zip-limits.js';

/** A real zip (stored deflated) of the given parts. */
function zip(parts: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const body = deflateRawSync(p.data);
    const name = Buffer.from(p.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc32(p.data), 14); h.writeUInt32LE(body.length, 18); h.writeUInt32LE(p.data.length, 22); h.writeUInt16LE(name.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc32(p.data), 16); c.writeUInt32LE(body.length, 20); c.writeUInt32LE(p.data.length, 24); c.writeUInt16LE(name.length, 28); c.writeUInt32LE(offset, 42);
    locals.push(h, name, body);
    centrals.push(c, name);
    offset += h.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(parts.length, 8); end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('a spreadsheet zip is bounded before it is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-zip-'));
  it.each([
    ['a part that inflates past the bound (a zip bomb)', zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(MAX_XLSX_INFLATED_BYTES + 1) }]), /declare more than 67108864 bytes inflated/],
    ['too many parts', zip(Array.from({ length: 501 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.from('x') }))), /501 parts; at most 500/],
    ['not a zip at all', Buffer.from('事项编码,事项名称\n'), /not a zip file/],
  ])('refuses %s', async (_why, bytes, message) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.xlsx`);
    writeFileSync(file, bytes);
    await expect(readCatalogueSheet(file)).rejects.toMatchObject({ code: 'FERRY_ERR_CATALOGUE_SHEET', message: expect.stringMatching(message) });
  });
});
