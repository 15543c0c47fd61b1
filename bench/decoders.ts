// Benchmark (prints figures, asserts nothing): what test/fuzz/decoders.test.ts used to bound per call
// (250 ms CPU, 5 s wall). The decoders that read bytes from the other network, fed a valid input and
// every single-bit flip and truncation of it: median and slowest call, CPU time (the machine is shared).
// The fuzz test keeps its rules (no throw, a verdict with its own code, nothing new accepted) and
// prints its slowest call; this is where the figure is watched.
// Run: npm run build && node dist/bench/decoders.js
import { randomBytes } from 'node:crypto';
import { decodeFrame, encodeFrame } from '../src/link/frame-codec.js';
import { decodeStatus, decodeSubmission, encodeStatus, encodeSubmission } from '../src/gateway/bodies.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Every single-bit flip and every truncation of `valid`. */
function mutants(valid: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < valid.length * 8; i++) { const m = Buffer.from(valid); m[i >> 3]! ^= 1 << (i & 7); out.push(m); }
  for (let n = 0; n < valid.length; n++) out.push(valid.subarray(0, n));
  return out;
}

/** CPU microseconds per call of `decode` on each input: median and slowest. */
function measure(name: string, decode: (b: Uint8Array) => unknown, inputs: Buffer[]): void {
  for (const b of inputs.slice(0, 100)) decode(b); // warm-up
  const us: number[] = [];
  for (const b of inputs) {
    const c = process.cpuUsage();
    decode(b);
    const d = process.cpuUsage(c);
    us.push(d.user + d.system);
  }
  console.log(`${name.padEnd(36)} ${String(inputs.length).padStart(7)} inputs  median ${median(us).toFixed(0).padStart(5)} µs  slowest ${(Math.max(...us) / 1000).toFixed(2).padStart(7)} ms`);
}

const frame = encodeFrame({ type: 'packet', packetId: randomBytes(16), packet: randomBytes(1024) });
const submission = encodeSubmission({
  caseId: 'F20261203-0123456789ABCDEF', receivedAtMs: Date.parse('2026-12-03T08:00:00Z'), sourceAddress: '198.51.100.9',
  clientIdentity: '', requestBody: randomBytes(4096), contentType: 'application/json',
});
const status = encodeStatus({ caseId: 'F20261203-0123456789ABCDEF', status: 'accepted', atMs: 1, detail: 'ok', receiptToken: null, packetId: randomBytes(16) });

measure('decodeFrame (1 KiB packet frame)', decodeFrame, mutants(frame));
measure('decodeSubmission (4 KiB body)', decodeSubmission, mutants(submission));
measure('decodeStatus', decodeStatus, mutants(status));
measure('decodeFrame (random 64 KiB)', decodeFrame, Array.from({ length: 200 }, () => randomBytes(65_536)));
