// Fuzzing with fast-check: random bytes, random bytes behind a real magic number, and random
// mutations of the valid samples. For every input: no exception (a hang fails by the test's timeout;
// the slowest inspection is printed, not bounded), and an accepted
// verdict only when an independent oracle (file-type plus naive marker searches written separately
// from the implementation) agrees the bytes still are that type and carry no hostile marker.
// FERRY_FUZZ_RUNS and FERRY_FUZZ_SEED widen or vary the search; the defaults keep CI deterministic.

import zlib from 'node:zlib';
import fc from 'fast-check';
import { fileTypeFromBuffer } from 'file-type';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFileName, inspectAttachment, type ContentType } from '../../src/policy/content/index.js';
import { makeJpeg, makeOfd, makePdf, makePng } from './samples.js';

const RUNS = Number(process.env.FERRY_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20261125);
/** The slowest inspection seen, printed after the run: a figure for the log, not a bound. */
let slowestMs = 0;

const RISKY = new Set(['JavaScript', 'JS', 'XFA', 'OpenAction', 'AA', 'Launch', 'EmbeddedFile', 'EmbeddedFiles', 'Encrypt']);
const DELIM = String.raw`[\s()<>\[\]{}/%]`;

/** Risky PDF names an independent, regex-based reading finds live (see pdf-structure.ts for the rule). */
function oraclePdfNames(text: string): string | undefined {
  const segments: [number, number][] = [];
  // Stream data starts after the keyword (readers skip to the next EOL; either way it is not parsed).
  for (const m of text.matchAll(new RegExp(`(?<!end)stream(?=${DELIM})`, 'g'))) {
    const end = text.indexOf('endstream', m.index + m[0].length);
    segments.push([m.index + m[0].length, end < 0 ? text.length : end]);
  }
  const evidence = [...text.matchAll(new RegExp(`(?:obj|trailer|xref)(?=${DELIM}|$)`, 'g'))].map((m) => m.index);
  for (const m of text.matchAll(/\/((?:[^\s()<>\[\]{}/%])+)/g)) {
    const name = m[1]!.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (!RISKY.has(name) && !name.startsWith('RichMedia')) continue;
    // The nearest "stream" keyword before the name is the one a reader would be in.
    const seg = segments.filter(([s, e]) => m.index >= s && m.index < e).at(-1);
    if (seg === undefined || evidence.some((e) => e >= seg[0] && e < m.index)) return `live /${name} at ${m.index}`;
  }
  // Object streams: every name counts once inflated.
  for (const m of text.matchAll(/\/(?:ObjStm|First)[\s\S]{0,200}?stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    try {
      const inner = zlib.inflateSync(Buffer.from(text.slice(start, end < 0 ? undefined : end), 'latin1')).toString('latin1');
      for (const n of inner.matchAll(/\/((?:[^\s()<>\[\]{}/%])+)/g)) {
        const name = n[1]!.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
        if (RISKY.has(name) || name.startsWith('RichMedia')) return `/${name} in an object stream`;
      }
    } catch {
      // not inflatable: the implementation must have refused it, which the property does not need to know
    }
  }
  return undefined;
}

/** Why `bytes` should NOT have been accepted as `type`, or undefined if the oracle agrees. */
async function oracle(bytes: Uint8Array, type: ContentType): Promise<string | undefined> {
  const buf = Buffer.from(bytes);
  const text = buf.toString('latin1');
  const lower = text.toLowerCase();
  let ft: { ext: string } | undefined;
  try {
    ft = await fileTypeFromBuffer(buf);
  } catch {
    ft = undefined;
  }
  const expected = { pdf: 'pdf', jpeg: 'jpg', png: 'png', ofd: 'zip' }[type];
  if (ft?.ext !== expected) return `file-type says ${ft?.ext}, not ${expected}`;
  if (type === 'ofd' && !text.includes('OFD.xml')) return 'no OFD.xml in the zip';
  if (/^(?:MZ|\x7fELF|#!)/.test(text)) return 'executable magic';
  if (/<script[\s/>]|javascript:|<html[\s/>]/.test(lower)) return 'markup';
  if (type !== 'pdf' && lower.includes('%pdf-')) return 'a PDF header';
  if (type !== 'ofd' && /PK\x03\x04|PK\x01\x02|PK\x05\x06/.test(text)) return 'a zip signature';
  if (type === 'png' && text.lastIndexOf('IEND') !== text.length - 8) return 'data after IEND';
  if (type === 'jpeg' && !/\xff\xd9\x00*$/.test(text)) return 'data after EOI';
  if (type === 'pdf') {
    const eof = text.lastIndexOf('%%EOF');
    if (eof < 0 || /[^\s\x00]/.test(text.slice(eof + 5))) return 'data after %%EOF';
    return oraclePdfNames(text);
  }
  return undefined;
}

async function inspectTimed(fileName: string, bytes: Uint8Array) {
  const t0 = performance.now();
  const verdict = await inspectAttachment({ fileName, bytes });
  slowestMs = Math.max(slowestMs, performance.now() - t0);
  return verdict;
}

const SAMPLES: readonly { name: string; bytes: Buffer }[] = [
  { name: 'a.pdf', bytes: makePdf() },
  { name: 'b.pdf', bytes: makePdf({ objectStream: {} }) },
  { name: 'a.png', bytes: makePng() },
  { name: 'a.jpg', bytes: makeJpeg({ after: makeJpeg() }) },
  { name: 'a.ofd', bytes: makeOfd() },
];

const TOKENS = ['/JavaScript', '/J#53 ', '/OpenAction ', '/AA ', '/Encrypt ', '<script>', '%PDF-1.7', ' 9 0 obj ', 'endstream',
  'stream\n', '%%EOF', 'IEND', '\xff\xd9', '\xff\xd8', '<<', '>>', '(', ')', '\\', '#'];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number }
  | { op: 'truncate'; at: number }
  | { op: 'token'; at: number; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('token' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
);

function mutate(input: Buffer, ms: readonly Mutation[]): Buffer {
  let buf = Buffer.from(input);
  for (const m of ms) {
    const at = buf.length === 0 ? 0 : m.at % buf.length;
    switch (m.op) {
      case 'flip': if (buf.length > 0) buf[at] = buf[at]! ^ (1 << m.bit); break;
      case 'set': if (buf.length > 0) buf[at] = m.byte; break;
      case 'insert': buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]); break;
      case 'delete': buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]); break;
      case 'duplicate': buf = Buffer.concat([buf.subarray(0, at + m.len), buf.subarray(at)]); break;
      case 'truncate': buf = buf.subarray(0, at); break;
      case 'token': buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.token, 'latin1'), buf.subarray(at)]); break;
    }
  }
  return buf;
}

describe('inspectAttachment under fuzzing', () => {
  afterAll(() => console.log(`[inspect fuzz] slowest inspection ${slowestMs.toFixed(1)} ms (wall, this machine)`));

  it('never throws, stays in time and accepts nothing for random bytes the oracle would not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('a.pdf', 'a.png', 'a.jpg', 'a.ofd'),
        fc.constantFrom('', '%PDF-1.7\n', '\x89PNG\r\n\x1a\n', '\xff\xd8\xff\xe0', 'PK\x03\x04', '<?xml version="1.0"?>'),
        fc.uint8Array({ maxLength: 4096 }),
        async (name, magic, tail) => {
          const bytes = Buffer.concat([Buffer.from(magic, 'latin1'), tail]);
          const v = await inspectTimed(name, bytes);
          if (v.ok) expect(await oracle(bytes, v.value.type)).toBeUndefined();
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('never throws, stays in time and accepts a mutated sample only when the oracle agrees', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAMPLES), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (sample, ms) => {
        const bytes = mutate(sample.bytes, ms);
        const v = await inspectTimed(sample.name, bytes);
        if (v.ok) {
          accepted++;
          expect(await oracle(bytes, v.value.type)).toBeUndefined();
        } else {
          refused++;
        }
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
    // The property is not vacuous: some mutations leave a valid file, most break it.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(accepted);
  });

  it('the oracle itself accepts every unmutated sample', async () => {
    const types: ContentType[] = ['pdf', 'pdf', 'png', 'jpeg', 'ofd'];
    for (const [i, s] of SAMPLES.entries()) expect(await oracle(s.bytes, types[i]!)).toBeUndefined();
  });

  it('checkFileName never throws and never accepts a separator, control character or reserved name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const v = checkFileName(name);
        if (v.ok) {
          expect(name).not.toMatch(/[\/\\\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069<>:"|?*]/);
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
          expect(name.split('.')[0]!.trimEnd().toUpperCase()).not.toMatch(/^(CON|PRN|AUX|NUL|COM\d|LPT\d)$/);
        }
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
  });
});
