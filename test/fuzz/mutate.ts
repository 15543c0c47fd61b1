// Mutation operators over valid protobuf inputs, as fast-check arbitraries (so a failing case shrinks to
// the fewest, smallest operations) plus a protobuf walker that finds every length prefix, for the
// varint-length corruptions a hand-written decoder most often gets wrong.
import fc from 'fast-check';

export type Op =
  | { t: 'flip'; at: number; bit: number }
  | { t: 'set'; at: number; v: number }
  | { t: 'truncate'; at: number }
  | { t: 'append'; bytes: Uint8Array }
  | { t: 'insert'; at: number; bytes: Uint8Array }
  | { t: 'delete'; at: number; n: number }
  | { t: 'dup'; at: number; n: number }
  | { t: 'splice'; other: number; at: number; otherAt: number }
  | { t: 'varint'; which: number; how: number };

/** How many kinds of length-prefix corruption varintEdit knows. */
export const VARINT_EDITS = 9;
const pos = fc.nat({ max: 1 << 20 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('flip' as const), at: pos, bit: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set' as const), at: pos, v: fc.nat({ max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('truncate' as const), at: pos }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('insert' as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), at: pos, n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dup' as const), at: pos, n: fc.integer({ min: 1, max: 80 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('splice' as const), other: fc.nat(), at: pos, otherAt: pos }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('varint' as const), which: fc.nat(), how: fc.nat({ max: VARINT_EDITS - 1 }) }) },
);
export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 4 });

/** Varint encoding, optionally padded with continuation bytes to `minBytes` (a non-minimal encoding). */
export function varint(n: bigint, minBytes = 1): Buffer {
  const out: number[] = [];
  do {
    out.push(Number(n & 0x7fn));
    n >>= 7n;
  } while (n > 0n || out.length < minBytes);
  for (let i = 0; i < out.length - 1; i++) out[i]! |= 0x80;
  return Buffer.from(out);
}

export interface Span { lenAt: number; lenBytes: number; value: number }

/** Every length prefix in a protobuf message, recursing into length-delimited fields that themselves
 *  parse as messages (depth ≤ 4). Stops quietly at the first thing that does not parse. */
export function lengthPrefixes(buf: Uint8Array, base = 0, depth = 0, out: Span[] = []): Span[] {
  let i = 0;
  const readVarint = (): [bigint, number] | null => {
    let v = 0n; let shift = 0n; const start = i;
    while (i < buf.length && i - start < 10) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift; shift += 7n;
      if (b < 0x80) return [v, i - start];
    }
    return null;
  };
  while (i < buf.length) {
    const tag = readVarint();
    if (!tag || tag[0] >> 3n === 0n) return out;
    const wire = Number(tag[0] & 7n);
    if (wire === 0) { if (!readVarint()) return out; continue; }
    if (wire === 1) { i += 8; continue; }
    if (wire === 5) { i += 4; continue; }
    if (wire !== 2) return out;
    const lenAt = i;
    const len = readVarint();
    if (!len || i + Number(len[0]) > buf.length) return out;
    out.push({ lenAt: base + lenAt, lenBytes: len[1], value: Number(len[0]) });
    if (depth < 4) {
      const inner = buf.subarray(i, i + Number(len[0]));
      const before = out.length;
      const nested = lengthPrefixes(inner, base + i, depth + 1, []);
      if (nested.length) out.splice(before, 0, ...nested);
    }
    i += Number(len[0]);
  }
  return out;
}

/** The nine ways a length prefix is corrupted: off by one either way, zero, much larger, the largest
 *  uint32, 2^32 and 2^63 (past what a 32-bit length can hold), the same value non-minimally encoded,
 *  and an 11-byte varint (longer than any valid varint). */
export function varintEdit(value: number, how: number): Buffer {
  switch (how % VARINT_EDITS) {
    case 0: return varint(BigInt(value + 1));
    case 1: return varint(BigInt(Math.max(0, value - 1)));
    case 2: return varint(0n);
    case 3: return varint(BigInt(value * 2 + 1000));
    case 4: return varint(0xffffffffn);
    case 5: return varint(1n << 32n);
    case 6: return varint(1n << 63n);
    case 7: return varint(BigInt(value), 5);
    default: return Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  }
}

export function applyOp(input: Buffer, op: Op, corpus: readonly Buffer[]): Buffer {
  const len = input.length;
  const at = (n: number): number => (len === 0 ? 0 : n % (len + 1));
  switch (op.t) {
    case 'flip': {
      if (len === 0) return input;
      const out = Buffer.from(input); const i = op.at % len;
      out[i] = out[i]! ^ (1 << op.bit); return out;
    }
    case 'set': {
      if (len === 0) return input;
      const out = Buffer.from(input); out[op.at % len] = op.v; return out;
    }
    case 'truncate': return input.subarray(0, at(op.at) === len ? Math.max(0, len - 1) : at(op.at));
    case 'append': return Buffer.concat([input, op.bytes]);
    case 'insert': { const i = at(op.at); return Buffer.concat([input.subarray(0, i), op.bytes, input.subarray(i)]); }
    case 'delete': { const i = at(op.at); return Buffer.concat([input.subarray(0, i), input.subarray(i + op.n)]); }
    case 'dup': { const i = at(op.at); return Buffer.concat([input.subarray(0, i + op.n), input.subarray(i)]); }
    case 'splice': {
      const other = corpus[op.other % corpus.length] ?? input;
      return Buffer.concat([input.subarray(0, at(op.at)), other.subarray(other.length ? op.otherAt % (other.length + 1) : 0)]);
    }
    case 'varint': {
      const spans = lengthPrefixes(input);
      const s = spans[op.which % Math.max(1, spans.length)];
      if (!s) return input;
      return Buffer.concat([input.subarray(0, s.lenAt), varintEdit(s.value, op.how), input.subarray(s.lenAt + s.lenBytes)]);
    }
  }
}

export function applyOps(input: Buffer, ops: readonly Op[], corpus: readonly Buffer[]): Buffer {
  return ops.reduce((b, op) => applyOp(b, op, corpus), input);
}
