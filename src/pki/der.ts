// A strict DER reader and a small DER writer (X.690 §8 and §10), just enough for X.509 (RFC 5280),
// RFC 3161 and RFC 5652; the one ASN.1 layer under the certificate reader (cert-extensions.ts) and the TSA.
// Why our own and not asn1js: asn1js parses BER leniently (indefinite lengths, non-minimal integers),
// so a token could verify in a form other than the one signed; and building objects through pkijs
// costs more than the signature. Every node keeps its exact received bytes (STYLE §7): signatures
// are checked over those, never over a re-encoding.

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag byte: [n] constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive. */
export function ctx(n: number, constructed: boolean): number {
  return (constructed ? 0xa0 : 0x80) | n;
}

export interface DerNode {
  readonly tag: number;
  /** The whole buffer this node was read from. */
  readonly buf: Buffer;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** The exact received bytes of the node, tag and length included. */
export function raw(n: DerNode): Buffer {
  return n.buf.subarray(n.start, n.end);
}

export function content(n: DerNode): Buffer {
  return n.buf.subarray(n.contentStart, n.end);
}

function readNode(buf: Buffer, start: number, limit: number): DerNode {
  if (start + 2 > limit) throw new DerError(`truncated at offset ${start}`);
  const tag = buf[start]!;
  // X.690 §8.1.2.4: tag numbers ≥ 31 use more bytes; nothing in these structures needs them.
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number at offset ${start}`);
  let len = buf[start + 1]!;
  let pos = start + 2;
  if (len === 0x80) throw new DerError(`indefinite length at offset ${start} (BER, not DER)`);
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || pos + n > limit) throw new DerError(`bad length at offset ${start}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    // X.690 §10.1: the length in the fewest octets; long form only from 128 up.
    if (len < 0x80 || buf[pos] === 0) throw new DerError(`non-minimal length at offset ${start}`);
    pos += n;
  }
  if (pos + len > limit) throw new DerError(`length runs past the end at offset ${start}`);
  // INTEGER, OID, BOOLEAN and BIT STRING are never empty (X.690 §8.2, §8.3, §8.6, §8.19).
  if (len === 0 && (tag === TAG.INTEGER || tag === TAG.OID || tag === TAG.BOOLEAN || tag === TAG.BIT_STRING)) {
    throw new DerError(`empty primitive (tag 0x${tag.toString(16)}) at offset ${start}`);
  }
  return { tag, buf, start, contentStart: pos, end: pos + len };
}

/** Parse a buffer holding exactly one DER element; trailing bytes are an error. */
export function parseDer(buf: Buffer, expectTag?: number): DerNode {
  const n = readNode(buf, 0, buf.length);
  if (n.end !== buf.length) throw new DerError(`${buf.length - n.end} trailing bytes`);
  if (expectTag !== undefined) expect(n, expectTag, 'top level');
  return n;
}

export function expect(n: DerNode, tag: number, what: string): DerNode {
  if (n.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${n.tag.toString(16)}`);
  return n;
}

export function children(n: DerNode): DerNode[] {
  if ((n.tag & 0x20) === 0) throw new DerError('primitive node has no children');
  const out: DerNode[] = [];
  let pos = n.contentStart;
  while (pos < n.end) {
    const c = readNode(n.buf, pos, n.end);
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** Walks the elements of a SEQUENCE in order, with optional fields identified by tag. */
export class SeqReader {
  private readonly items: DerNode[];
  private i = 0;
  constructor(n: DerNode, private readonly what: string) {
    this.items = children(n);
  }
  next(tag: number, field: string): DerNode {
    const n = this.items[this.i];
    if (!n) throw new DerError(`${this.what}: ${field} missing`);
    this.i++;
    return expect(n, tag, `${this.what}.${field}`);
  }
  optional(tag: number): DerNode | undefined {
    const n = this.items[this.i];
    if (n && n.tag === tag) {
      this.i++;
      return n;
    }
    return undefined;
  }
  /** The next element whatever its tag (ANY and CHOICE fields), or undefined at the end. */
  any(): DerNode | undefined {
    const n = this.items[this.i];
    if (n) this.i++;
    return n;
  }
  end(): void {
    if (this.i !== this.items.length) throw new DerError(`${this.what}: unexpected element (tag 0x${this.items[this.i]!.tag.toString(16)})`);
  }
}

// --- value decoders -------------------------------------------------------------------------------

/** INTEGER content, minimal two's complement (X.690 §8.3.2). */
export function readInteger(n: DerNode, what: string): bigint {
  expect(n, TAG.INTEGER, what);
  const c = content(n);
  if (c.length > 1 && ((c[0] === 0x00 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) {
    throw new DerError(`${what}: non-minimal INTEGER`);
  }
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  if ((c[0]! & 0x80) !== 0) v -= 1n << BigInt(c.length * 8);
  return v;
}

/** A small INTEGER as a JS number (versions, accuracy fields). */
export function readSmallInt(n: DerNode, what: string): number {
  const v = readInteger(n, what);
  if (v < -(2n ** 31n) || v >= 2n ** 31n) throw new DerError(`${what}: out of range`);
  return Number(v);
}

export function readBoolean(n: DerNode, what: string): boolean {
  expect(n, TAG.BOOLEAN, what);
  const c = content(n);
  // X.690 §11.1: TRUE is 0xFF in DER.
  if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) throw new DerError(`${what}: bad BOOLEAN`);
  return c[0] === 0xff;
}

export function readOctets(n: DerNode, what: string): Buffer {
  return content(expect(n, TAG.OCTET_STRING, what));
}

export function readNull(n: DerNode, what: string): void {
  if (expect(n, TAG.NULL, what).end !== n.contentStart) throw new DerError(`${what}: NULL with content`);
}

export function readOid(n: DerNode, what: string): string {
  expect(n, TAG.OID, what);
  const c = content(n);
  // BigInt arcs: 2.25.<UUID> policy OIDs (X.667) have 128-bit arcs.
  const arcs: bigint[] = [];
  let v = 0n;
  let len = 0;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (len === 0 && b === 0x80) throw new DerError(`${what}: non-minimal OID arc`);
    v = v * 128n + BigInt(b & 0x7f);
    if (++len > 20) throw new DerError(`${what}: OID arc too large`); // 140 bits: a UUID arc fits
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 40n ? 0n : v < 80n ? 1n : 2n;
        arcs.push(first, v - first * 40n);
      } else arcs.push(v);
      v = 0n;
      len = 0;
    } else if (i === c.length - 1) throw new DerError(`${what}: truncated OID`);
  }
  return arcs.join('.');
}

/** BIT STRING as the set of bit numbers that are 1 (bit 0 = most significant bit of the first byte). */
export function readNamedBits(n: DerNode, what: string): Set<number> {
  expect(n, TAG.BIT_STRING, what);
  const c = content(n);
  const unused = c[0]!;
  if (unused > 7 || (c.length === 1 && unused !== 0)) throw new DerError(`${what}: bad BIT STRING`);
  const bits = new Set<number>();
  for (let i = 1; i < c.length; i++) {
    for (let b = 0; b < 8; b++) if (c[i]! & (0x80 >> b)) bits.add((i - 1) * 8 + b);
  }
  return bits;
}

const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;
const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

function toDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, what: string): Date {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const dt = new Date(t);
  // Reject 20260231 and the like: Date.UTC rolls them over silently.
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new DerError(`${what}: impossible date`);
  }
  return dt;
}

/** GeneralizedTime in the RFC 3161 §2.4.2 / RFC 5280 form: UTC ("Z"), fraction without trailing zeros.
 *  Fractions below a millisecond are truncated in the Date; `text` keeps them. */
export function readGeneralizedTime(n: DerNode, what: string): { date: Date; text: string } {
  expect(n, TAG.GENERALIZED_TIME, what);
  const text = content(n).toString('latin1');
  const m = GENERALIZED.exec(text);
  if (!m) throw new DerError(`${what}: not a DER GeneralizedTime: ${JSON.stringify(text.slice(0, 40))}`);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return { date: toDate(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms, what), text };
}

/** Certificate validity time: UTCTime (years 1950–2049) or GeneralizedTime (RFC 5280 §4.1.2.5). */
export function readTime(n: DerNode, what: string): Date {
  if (n.tag === TAG.GENERALIZED_TIME) return readGeneralizedTime(n, what).date;
  expect(n, TAG.UTC_TIME, what);
  const m = UTC.exec(content(n).toString('latin1'));
  if (!m) throw new DerError(`${what}: not a DER UTCTime`);
  const yy = +m[1]!;
  return toDate(yy < 50 ? 2000 + yy : 1900 + yy, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, 0, what);
}

// --- writer ---------------------------------------------------------------------------------------

/** One TLV in one allocation: the header and every part copied once (this runs ~25 times a token). */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  // X.690 §8.1.3: short form below 128, else 0x80|n followed by n length octets, fewest possible.
  const n = len < 0x80 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
  const out = Buffer.allocUnsafe(2 + n + len);
  out[0] = tag;
  if (n === 0) out[1] = len;
  else {
    out[1] = 0x80 | n;
    for (let i = n, v = len; i >= 1; i--, v = Math.floor(v / 256)) out[1 + i] = v & 0xff;
  }
  let pos = 2 + n;
  for (const p of parts) pos += p.copy(out, pos);
  return out;
}

export function seq(...parts: Buffer[]): Buffer {
  return tlv(TAG.SEQUENCE, ...parts);
}

/** SET OF: X.690 §11.6 wants the elements in ascending order of their encodings. */
export function setOf(...parts: Buffer[]): Buffer {
  return tlv(TAG.SET, ...[...parts].sort(Buffer.compare));
}

export function integer(v: bigint): Buffer {
  const bytes: number[] = [];
  let x = v;
  // Two's complement, fewest octets.
  for (;;) {
    const b = Number(x & 0xffn);
    bytes.unshift(b);
    x >>= 8n;
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break;
  }
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

export function octets(b: Buffer): Buffer {
  return tlv(TAG.OCTET_STRING, b);
}

export function boolean(v: boolean): Buffer {
  return Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0x00]);
}

export const NULL_DER = Buffer.from([TAG.NULL, 0]);

const oidCache = new Map<string, Buffer>();
const OID_TEXT = /^[0-2](\.(0|[1-9]\d{0,41}))+$/; // arcs as BigInt: up to 2^139, enough for 2.25.<UUID>

export function isOidText(s: string): boolean {
  return OID_TEXT.test(s) && (s.startsWith('2') || Number(s.split('.')[1]) < 40);
}

export function oid(s: string): Buffer {
  const hit = oidCache.get(s);
  if (hit) return hit;
  if (!isOidText(s)) throw new DerError(`not an OID: ${s}`);
  const arcs = s.split('.').map(BigInt);
  const vals = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const v of vals) {
    const chunk: number[] = [Number(v % 128n)];
    for (let x = v / 128n; x > 0n; x /= 128n) chunk.unshift(Number(x % 128n) | 0x80);
    bytes.push(...chunk);
  }
  const out = tlv(TAG.OID, Buffer.from(bytes));
  if (oidCache.size < 256) oidCache.set(s, out);
  return out;
}

/** BIT STRING for a NamedBitList (X.690 §11.2.2: trailing zero bits removed). */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return Buffer.from([TAG.BIT_STRING, 1, 0]);
  const top = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return tlv(TAG.BIT_STRING, Buffer.from([7 - (top & 7)]), bytes);
}
