// Every decoder that sees bytes from the other network — openPacket, decodeFrame, decodeStatus,
// decodeSubmission — against random bytes, systematic mutations of valid inputs (every bit flip,
// every truncation, every length-prefix corruption) and fast-check mutation sequences (flips, sets,
// truncations, extensions, insertions, deletions, duplications, splices of two valid inputs,
// varint-length corruption). The rules:
//   - no decoder throws; each answers a verdict with a code of its own area;
//   - each call returns (a hang fails the test by its timeout); the slowest call's CPU and wall time are
//     printed, not bounded: a speed limit on a shared machine tests the machine, not the decoder;
//   - openPacket accepts nothing new: a mutant that opens must carry exactly the signed bytes (header and
//     ciphertext) of one of the valid packets and open to the same content. Only unsigned parts of the
//     envelope may differ — the timestamp_token slot (which the internal gateway fills in transit),
//     unknown fields, field order, or a length written as a non-minimal varint;
//   - a frame or body that decodes is well-formed, and encoding it again is a fixed point.
// FERRY_FUZZ_SEED=<n> explores other seeds; the default seed keeps CI deterministic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { openPacket, type OpenContext, type OpenedPacket } from '../../src/seal/open.js';
import type { FerryErrorCode } from '../../src/errors.js';
import { sealPacket } from '../../src/seal/seal.js';
import { withTimestampToken } from '../seal/fixtures.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/link/frame-codec.js';
import {
  decodeStatus, decodeSubmission, encodeStatus, encodeSubmission, type StatusUpdate, type SubmissionEnvelope,
} from '../../src/gateway/bodies.js';
import { KIND_NAMES } from '../../src/seal/packet-kind.js';
import { ctx, externalToInternal, makePki, SEAL_CODES, split, tempDir, type Parts } from '../seal/fixtures.js';
import { applyOps, lengthPrefixes, opsArb, VARINT_EDITS, varintEdit } from './mutate.js';

const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20260601);
const NOW = new Date('2026-06-01T08:00:00Z');

const stats = { inputs: 0, packet: 0, frame: 0, status: 0, submission: 0, reopened: 0, tokenOnly: 0, maxMs: 0, maxWallMs: 0 };
let tmp: ReturnType<typeof tempDir>;
let open: OpenContext;
const originals = new Map<string, { parts: Parts; content: Omit<OpenedPacket, 'timestampToken'> }>();
let packets: Buffer[] = [];
let frames: Buffer[] = [];
let statuses: Buffer[] = [];
let submissions: Buffer[] = [];

function timed<T>(what: Exclude<keyof typeof stats, 'maxMs' | 'maxWallMs'>, f: () => T): T {
  const t = performance.now();
  const c = process.cpuUsage();
  let r: T;
  try {
    r = f();
  } catch (e) {
    throw new Error(`${what} threw: ${(e as Error).stack ?? String(e)}`);
  }
  // Figures for the log (CPU time, since this 2-core machine is shared and wall time includes other
  // processes' turns), not a bound.
  const cpu = process.cpuUsage(c);
  const ms = (cpu.user + cpu.system) / 1000;
  const wall = performance.now() - t;
  if (ms > stats.maxMs) stats.maxMs = ms;
  if (wall > stats.maxWallMs) stats.maxWallMs = wall;
  stats.inputs++;
  stats[what]++;
  return r;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function checkPacket(bytes: Uint8Array, mustBe?: FerryErrorCode): void {
  const r = timed('packet', () => openPacket(bytes, open));
  if (mustBe && (r.ok || r.code !== mustBe)) throw new Error(`openPacket answered ${r.ok ? 'ok' : r.code}, not ${mustBe}, for ${hex(bytes)}`);
  if (!r.ok) {
    if (!SEAL_CODES.includes(r.code)) throw new Error(`openPacket answered ${r.code} for ${hex(bytes)}`);
    return;
  }
  const { timestampToken, ...content } = r.packet;
  const orig = originals.get(hex(content.packetId));
  const parts = split(bytes);
  if (!orig || !parts.header.equals(orig.parts.header) || !parts.ciphertext.equals(orig.parts.ciphertext)) {
    throw new Error(`openPacket accepted new signed bytes: ${hex(bytes)}`);
  }
  expect(content).toEqual(orig.content);
  expect(timestampToken ?? Buffer.alloc(0)).toEqual(parts.timestampToken);
  stats.reopened++;
  if (!parts.timestampToken.equals(orig.parts.timestampToken)) stats.tokenOnly++;
}

function checkFrame(bytes: Uint8Array): void {
  const v = timed('frame', () => decodeFrame(bytes));
  if (!v.ok) { if (v.code !== 'FERRY_ERR_LINK_FRAME') expect(v.code).toBe('FERRY_ERR_LINK_FRAME'); return; }
  const f = v.value;
  switch (f.type) {
    case 'hello': expect(f.versions.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)).toBe(true); expect(typeof f.gatewayId).toBe('string'); break;
    case 'packet': expect(f.packet.length).toBeGreaterThan(0); checkPacket(f.packet); break;
    case 'ack': expect(f.packetIds.every((id) => Buffer.isBuffer(id))).toBe(true); break;
    case 'heartbeat': expect(Number.isFinite(f.sentAtMs) && f.sentAtMs >= 0).toBe(true); break;
  }
  // Re-encoding what was decoded gives the same value (safe-integer times only: see the report).
  if (f.type !== 'heartbeat' || Number.isSafeInteger(f.sentAtMs)) {
    const again = decodeFrame(encodeFrame(f));
    if (!again.ok || !sameFrame(again.value, f)) expect(again).toEqual({ ok: true, value: f }); // fails, with a diff
  }
}

// Field-wise comparisons with Buffer.equals: vitest's deep equality walks Buffers element by element,
// which made the body sweeps ten times slower.
const sameBuf = (a: Buffer | null, b: Buffer | null): boolean => (a === null || b === null ? a === b : a.equals(b));
function sameFrame(a: Frame, b: Frame): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'hello': { const y = b as typeof a; return a.gatewayId === y.gatewayId && a.window === y.window && a.versions.join() === y.versions.join()
      && (a.features ?? []).join() === (y.features ?? []).join() && (a.catalogueSha256 ?? '') === (y.catalogueSha256 ?? ''); }
    case 'packet': { const y = b as typeof a; return a.packet.equals(y.packet) && a.packetId.equals(y.packetId) && a.seq === y.seq; }
    case 'ack': { const y = b as typeof a; return a.packetIds.length === y.packetIds.length && a.packetIds.every((id, i) => id.equals(y.packetIds[i]!)); }
    case 'heartbeat': { const y = b as typeof a; return a.sentAtMs === y.sentAtMs && a.reply === y.reply; }
    case 'auditHead': { const y = b as typeof a; return a.record.equals(y.record) && a.signature.equals(y.signature) && a.signerCertificate.equals(y.signerCertificate); }
    case 'refusal': { const y = b as typeof a; return a.packetId.equals(y.packetId) && a.code === y.code && a.detail === y.detail; }
    case 'keyAnnounce': { const y = b as typeof a; return a.encCertificate.equals(y.encCertificate) && a.signerCertificate.equals(y.signerCertificate) && a.atMs === y.atMs && a.signature.equals(y.signature); }
    case 'replayRequest': return a.fromSeq === (b as typeof a).fromSeq;
  }
}
const sameStatus = (a: StatusUpdate, b: StatusUpdate): boolean => a.caseId === b.caseId && a.status === b.status && a.atMs === b.atMs
  && a.detail === b.detail && sameBuf(a.receiptToken, b.receiptToken) && a.packetId.equals(b.packetId);
const sameSubmission = (a: SubmissionEnvelope, b: SubmissionEnvelope): boolean => a.caseId === b.caseId && a.receivedAtMs === b.receivedAtMs
  && a.sourceAddress === b.sourceAddress && a.clientIdentity === b.clientIdentity && a.requestBody.equals(b.requestBody) && a.contentType === b.contentType;

function checkBody(bytes: Uint8Array): void {
  const s = timed('status', () => decodeStatus(bytes));
  if (s.ok) {
    expect(s.value.caseId.length > 0 && s.value.status.length > 0 && Number.isFinite(s.value.atMs)).toBe(true);
    if (Number.isSafeInteger(s.value.atMs)) {
      const again = decodeStatus(encodeStatus(s.value));
      if (!again.ok || !sameStatus(again.value, s.value)) expect(again).toEqual(s);
    }
  } else if (s.code !== 'FERRY_ERR_SEAL_MALFORMED') expect(s.code).toBe('FERRY_ERR_SEAL_MALFORMED');
  const m = timed('submission', () => decodeSubmission(bytes));
  if (m.ok) {
    expect(m.value.caseId.length > 0 && m.value.requestBody.length > 0 && Number.isFinite(m.value.receivedAtMs)).toBe(true);
    if (Number.isSafeInteger(m.value.receivedAtMs)) {
      const again = decodeSubmission(encodeSubmission(m.value));
      if (!again.ok || !sameSubmission(again.value, m.value)) expect(again).toEqual(m);
    }
  } else if (m.code !== 'FERRY_ERR_SEAL_MALFORMED') expect(m.code).toBe('FERRY_ERR_SEAL_MALFORMED');
}

beforeAll(async () => {
  tmp = tempDir('fuzz');
  const pki = await makePki(tmp.dir, 'pki', { now: new Date('2026-05-01T00:00:00Z') });
  const pair = externalToInternal(pki);
  open = ctx(pair, NOW);
  const sizes = [0, 1, 33, 300, 2048, 64 * 1024];
  packets = sizes.map((n, i) => {
    const body = Buffer.alloc(n, i + 1);
    const kind = KIND_NAMES[i % KIND_NAMES.length]!;
    const s = sealPacket({ kind, fromDomain: 'public', toDomain: 'intranet', caseId: `F20260601-CASE${i}`, createdAt: NOW, body }, pair.seal);
    return i === 2 ? withTimestampToken(s.bytes, Buffer.from('a token from the TSA')) : s.bytes;
  });
  for (const p of packets) {
    const r = openPacket(p, open);
    if (!r.ok) throw new Error(`corpus packet does not open: ${r.code}`);
    const { timestampToken: _t, ...content } = r.packet;
    originals.set(hex(content.packetId), { parts: split(p), content });
  }
  const f = (x: Frame): Buffer => encodeFrame(x);
  frames = [
    f({ type: 'hello', versions: [1], gatewayId: 'internal', window: 256 }),
    f({ type: 'hello', versions: [1, 2, 300], gatewayId: 'external', window: 1 }),
    ...packets.slice(0, 4).map((p) => f({ type: 'packet', packet: p, packetId: split(p).header.subarray(4, 20) })),
    f({ type: 'ack', packetIds: [...originals.keys()].map((k) => Buffer.from(k, 'hex')) }),
    f({ type: 'ack', packetIds: [] }),
    f({ type: 'heartbeat', sentAtMs: NOW.getTime(), reply: false }),
    f({ type: 'heartbeat', sentAtMs: NOW.getTime(), reply: true }),
    f({ type: 'hello', versions: [1], gatewayId: 'external', window: 256, features: ['refusal'], catalogueSha256: 'ab'.repeat(32) }),
    f({ type: 'refusal', packetId: Buffer.alloc(16, 5), code: 'FERRY_ERR_SEAL_WRONG_RECIPIENT', detail: 'encrypted to sha256:00' }),
  ];
  statuses = [
    encodeStatus({ caseId: 'F20260601-CASE0', status: 'received', atMs: NOW.getTime(), detail: '', receiptToken: null, packetId: Buffer.alloc(16, 7) }),
    encodeStatus({ caseId: 'F20260601-CASE1', status: 'accepted', atMs: NOW.getTime(), detail: 'all materials present', receiptToken: Buffer.alloc(300, 3), packetId: Buffer.alloc(16, 8) }),
  ];
  submissions = [
    encodeSubmission({ caseId: 'F20260601-CASE0', receivedAtMs: NOW.getTime(), sourceAddress: '192.0.2.10', clientIdentity: '', requestBody: Buffer.from('{"itemCode":"A-001"}'), contentType: 'application/json' }),
    encodeSubmission({ caseId: 'F20260601-CASE1', receivedAtMs: NOW.getTime(), sourceAddress: '2001:db8::1', clientIdentity: 'CN=township-7', requestBody: Buffer.alloc(500, 0x41), contentType: 'application/json; charset=utf-8' }),
  ];
});

afterAll(() => {
  tmp.cleanup();
  // The figures the brief asks for: how many inputs, and the slowest single call.
  console.log(`fuzz seed ${SEED}: ${stats.inputs} decoder inputs (openPacket ${stats.packet}, decodeFrame ${stats.frame}, `
    + `decodeStatus ${stats.status}, decodeSubmission ${stats.submission}); ${stats.reopened} mutants opened to an original's `
    + `signed bytes and content (${stats.tokenOnly} with another timestamp_token); slowest call ${stats.maxMs.toFixed(1)} ms CPU (${stats.maxWallMs.toFixed(1)} ms wall)`);
});

describe('decoders against hostile bytes', () => {
  it('the valid corpus is what the oracles say it is', () => {
    for (const p of packets) checkPacket(p);
    for (const f of frames) checkFrame(f);
    for (const b of [...statuses, ...submissions]) checkBody(b);
    expect(stats.reopened).toBe(packets.length + 4); // four packets ride in frames too
  });

  it('random bytes: every decoder answers a verdict, openPacket never opens', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      checkPacket(b); checkFrame(b); checkBody(b);
    }), { numRuns: 2500, seed: SEED });
  });

  it('every single-bit flip of a small packet, of the frame around it, and of each body is refused or opens to the original', () => {
    // The signer certificate is the costly region (each distinct certificate is a fresh chain check,
    // ~5 ms), so it gets one flip per byte, cycling through the bit positions; every other byte gets all 8.
    // A flip inside the header, ciphertext or signature values must be caught by the signature itself
    // (BAD_SIGNATURE), not later by a field check or by AES-GCM.
    const p = packets[1]!;
    const parts = split(p);
    const at = (b: Buffer): [number, number] => { const i = p.indexOf(b); return [i, i + b.length]; };
    const [certFrom, certTo] = at(parts.signerCertificate);
    const signed = [at(parts.header), at(parts.ciphertext), at(parts.signature)];
    const flip = (b: Buffer, i: number, bit: number): Buffer => { const m = Buffer.from(b); m[i] = m[i]! ^ (1 << bit); return m; };
    for (let i = 0; i < p.length; i++) {
      const inCert = i >= certFrom && i < certTo;
      const inSigned = signed.some(([from, to]) => i >= from && i < to);
      for (let bit = 0; bit < 8; bit++) {
        if (!inCert || bit === i % 8) checkPacket(flip(p, i, bit), inSigned ? 'FERRY_ERR_SEAL_BAD_SIGNATURE' : undefined);
      }
    }
    // The frame: every bit of its own structure and of the packet's envelope and header; the rest is
    // the packet above again.
    const frame = frames[2]!;
    const headerEnd = frame.indexOf(split(packets[0]!).header) + split(packets[0]!).header.length;
    for (let i = 0; i < headerEnd; i++) for (let bit = 0; bit < 8; bit++) checkFrame(flip(frame, i, bit));
    for (const f of [frames[0]!, frames[1]!, frames[6]!, frames[8]!, frames[9]!]) {
      for (let i = 0; i < f.length; i++) for (let bit = 0; bit < 8; bit++) checkFrame(flip(f, i, bit));
    }
    for (const b of [...statuses, ...submissions]) {
      for (let i = 0; i < b.length; i++) for (let bit = 0; bit < 8; bit++) checkBody(flip(b, i, bit));
    }
  });

  it('every truncation and every length-prefix corruption of every valid input is answered', () => {
    const all: Array<[Buffer, (b: Uint8Array) => void]> = [
      ...packets.slice(0, 5).map((p): [Buffer, (b: Uint8Array) => void] => [p, checkPacket]),
      ...frames.map((p): [Buffer, (b: Uint8Array) => void] => [p, checkFrame]),
      ...[...statuses, ...submissions].map((p): [Buffer, (b: Uint8Array) => void] => [p, checkBody]),
    ];
    for (const [input, check] of all) {
      for (let cut = 0; cut < input.length; cut += input.length > 4096 ? 97 : 1) check(input.subarray(0, cut));
      for (const s of lengthPrefixes(input)) {
        for (let how = 0; how < VARINT_EDITS; how++) {
          check(Buffer.concat([input.subarray(0, s.lenAt), varintEdit(s.value, how), input.subarray(s.lenAt + s.lenBytes)]));
        }
      }
    }
  });

  it('fast-check mutation sequences over valid packets (flips, splices, extensions, varint lengths, ...)', () => {
    fc.assert(fc.property(fc.nat(), opsArb, (which, ops) => {
      checkPacket(applyOps(packets[which % packets.length]!, ops, packets));
    }), { numRuns: 14000, seed: SEED });
  });

  it('fast-check mutation sequences over valid frames and bodies', () => {
    fc.assert(fc.property(fc.nat(), opsArb, (which, ops) => {
      checkFrame(applyOps(frames[which % frames.length]!, ops, [...frames, ...packets.slice(0, 3)]));
    }), { numRuns: 5000, seed: SEED });
    const bodies = [...statuses, ...submissions];
    fc.assert(fc.property(fc.nat(), opsArb, (which, ops) => {
      checkBody(applyOps(bodies[which % bodies.length]!, ops, bodies));
    }), { numRuns: 4000, seed: SEED });
  });

  it('the unsigned timestamp_token slot may hold anything up to its limit; the packet still opens, unchanged', () => {
    fc.assert(fc.property(fc.nat(), fc.uint8Array({ maxLength: 4000 }), (which, token) => {
      const p = withTimestampToken(packets[which % 5]!, token);
      const before = stats.reopened;
      checkPacket(p);
      expect(stats.reopened).toBe(before + 1);
    }), { numRuns: 400, seed: SEED });
  });

  it('any well-formed frame survives encode -> decode unchanged (the codec is lossless)', () => {
    const frameArb: fc.Arbitrary<Frame> = fc.oneof(
      fc.record({
        type: fc.constant('hello' as const), versions: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 5 }), gatewayId: fc.string(), window: fc.nat({ max: 0xffffffff }),
        features: fc.array(fc.string({ maxLength: 32 }), { maxLength: 4 }),
        catalogueSha256: fc.oneof(fc.constant(''), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))),
      }),
      fc.record({
        type: fc.constant('refusal' as const), packetId: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b)),
        code: fc.stringMatching(/^FERRY_ERR_[A-Z0-9_]{1,60}$/), detail: fc.string({ maxLength: 500 }),
      }),
      fc.record({ type: fc.constant('packet' as const), packet: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)), packetId: fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)) }),
      fc.record({ type: fc.constant('ack' as const), packetIds: fc.array(fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)), { maxLength: 8 }) }),
      fc.record({ type: fc.constant('heartbeat' as const), sentAtMs: fc.maxSafeNat(), reply: fc.boolean() }),
    );
    fc.assert(fc.property(frameArb, (f) => { expect(decodeFrame(encodeFrame(f))).toEqual({ ok: true, value: f }); }), { numRuns: 1500, seed: SEED });
  });

  it('fed at least 50,000 inputs to the decoders in total', () => {
    expect(stats.inputs).toBeGreaterThanOrEqual(50_000);
  });
});
