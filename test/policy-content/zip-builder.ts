// Builds zip files byte by byte for the tests, including the broken and hostile shapes no zip tool
// will produce (lying sizes, overlapping entries, gaps). Valid output is checked by `unzip -t`.

import zlib from 'node:zlib';

export interface ZipMember {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (default), anything else is written as given. */
  method?: number;
  flags?: number;
  /** Overrides of what the headers say (to make them lie). */
  declaredSize?: number;
  declaredCrc?: number;
  /** Use these bytes as the member's stored data instead of compressing `data`. */
  payload?: Buffer;
  /** Name written in the local header, when it should differ from the central one. */
  localName?: string;
  centralExtra?: Buffer;
  /** Unix mode for the external attributes (made-by host Unix). */
  unixMode?: number;
  /** ZipCrypto password (APPNOTE §6.1): encrypts the member for real. */
  password?: string;
  /** Local header offset to write in the central directory instead of the real one. */
  offsetOverride?: number;
}

export interface ZipOptions {
  comment?: Buffer;
  /** Bytes inserted between the last member and the central directory. */
  gap?: Buffer;
  /** Bytes before the first member (offsets are NOT adjusted, as with naive concatenation). */
  prefix?: Buffer;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Traditional PKWARE encryption (APPNOTE §6.1.3–6.1.6), so `unzip -P` can decrypt what we write. */
function zipCrypto(password: string, plain: Buffer, crc: number): Buffer {
  const keys = [0x12345678, 0x23456789, 0x34567890];
  const crcByte = (c: number, b: number) => (CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)) >>> 0;
  const update = (b: number) => {
    keys[0] = crcByte(keys[0]!, b);
    keys[1] = (Math.imul((keys[1]! + (keys[0]! & 0xff)) >>> 0, 134775813) + 1) >>> 0;
    keys[2] = crcByte(keys[2]!, keys[1]! >>> 24);
  };
  for (const b of Buffer.from(password, 'latin1')) update(b);
  const header = Buffer.alloc(12, 0x5a);
  header[11] = crc >>> 24; // §6.1.6: last header byte is the CRC's high byte (no data descriptor)
  const input = Buffer.concat([header, plain]);
  const out = Buffer.alloc(input.length);
  for (let i = 0; i < input.length; i++) {
    const temp = (keys[2]! | 2) & 0xffff;
    const k = (Math.imul(temp, temp ^ 1) >>> 8) & 0xff;
    out[i] = input[i]! ^ k;
    update(input[i]!);
  }
  return out;
}

export function buildZip(members: readonly ZipMember[], opts: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const prefix = opts.prefix ?? Buffer.alloc(0);
  for (const m of members) {
    const method = m.method ?? 8;
    const crc = m.declaredCrc ?? zlib.crc32(m.data);
    let payload = m.payload ?? (method === 8 ? zlib.deflateRawSync(m.data) : m.data);
    let flags = m.flags ?? 0;
    if (m.password !== undefined) {
      payload = zipCrypto(m.password, payload, crc);
      flags |= 1;
    }
    const name = Buffer.from(m.name, 'utf8');
    const localName = Buffer.from(m.localName ?? m.name, 'utf8');
    const size = m.declaredSize ?? m.data.length;
    if (/[^\x00-\x7f]/.test(m.name)) flags |= 1 << 11;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    const extra = m.centralExtra ?? Buffer.alloc(0);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(m.unixMode === undefined ? 0 : (m.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(m.offsetOverride ?? offset, 42);
    const localBytes = Buffer.concat([local, localName, payload]);
    locals.push(localBytes);
    centrals.push(Buffer.concat([central, name, extra]));
    offset += localBytes.length;
  }
  const gap = opts.gap ?? Buffer.alloc(0);
  const cd = Buffer.concat(centrals);
  const comment = opts.comment ?? Buffer.alloc(0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset + gap.length, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([prefix, ...locals, gap, cd, eocd, comment]);
}

/**
 * Fifield's overlapping-entry construction in miniature: member "a" is stored, and its data is the
 * whole of member "b" (local header and all), so "b" lies inside "a".
 */
export function overlappingZip(): Buffer {
  const inner = buildZip([{ name: 'b.txt', data: Buffer.from('hello'), method: 0 }]);
  const bLocal = inner.subarray(0, 30 + 5 + 5);
  const local = (name: string, data: Buffer) => {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt32LE(zlib.crc32(data), 14);
    h.writeUInt32LE(data.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(name.length, 26);
    return Buffer.concat([h, Buffer.from(name)]);
  };
  const aHeader = local('a.txt', bLocal);
  const central = (name: string, data: Buffer, at: number) => {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(zlib.crc32(data), 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(at, 42);
    return Buffer.concat([c, Buffer.from(name)]);
  };
  const body = Buffer.concat([aHeader, bLocal]);
  const cd = Buffer.concat([central('a.txt', bLocal, 0), central('b.txt', Buffer.from('hello'), aHeader.length)]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(2, 8);
  eocd.writeUInt16LE(2, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, cd, eocd]);
}
