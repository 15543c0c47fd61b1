// Inflate with a hard cap on the output. Declared sizes (zip headers, PDF /Length) are hints only:
// zlib's maxOutputLength stops the inflater the moment the output would pass the cap, so a bomb
// costs at most `maxOutputBytes` of memory and the time to produce them.

import zlib from 'node:zlib';
import type { DecodeBudget } from './limits.js';

export type InflateOutcome =
  | { readonly kind: 'ok'; readonly data: Buffer; readonly consumed: number }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Inflated synchronously when the cap is this small or the input this short (a thread-pool round
 *  trip costs more than the work); at ~1032:1 at most, 64 KiB of input yields ≤ 64 MiB in ~0.1 s. */
const SYNC_OUTPUT_BYTES = 1024 * 1024;
const SYNC_INPUT_BYTES = 64 * 1024;

type Format = 'raw' | 'zlib';

interface InfoResult {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

function classify(err: unknown): InflateOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'too-large' };
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return { kind: 'corrupt', reason: (err as Error).message };
  }
  throw err; // not a property of the input: a broken environment
}

/**
 * Inflates `input` (raw deflate as in zip, or zlib-wrapped as in PDF FlateDecode), producing at most
 * `maxOutputBytes`. `consumed` is how much of the input the deflate stream used, so callers can see
 * bytes hidden after its end.
 */
export async function inflateBounded(input: Uint8Array, format: Format, maxOutputBytes: number): Promise<InflateOutcome> {
  // maxOutputLength must be ≥ 1; a 0-byte cap is enforced below on the result.
  const opts: zlib.ZlibOptions & { info: true } = { maxOutputLength: Math.max(1, maxOutputBytes), info: true };
  let result: InfoResult;
  try {
    if (maxOutputBytes <= SYNC_OUTPUT_BYTES || input.length <= SYNC_INPUT_BYTES) {
      const r = (format === 'raw' ? zlib.inflateRawSync(input, opts) : zlib.inflateSync(input, opts)) as unknown as InfoResult;
      result = r;
    } else {
      result = await new Promise<InfoResult>((resolve, reject) => {
        const cb = (err: Error | null, r: unknown): void => (err ? reject(err) : resolve(r as InfoResult));
        if (format === 'raw') zlib.inflateRaw(input, opts, cb);
        else zlib.inflate(input, opts, cb);
      });
    }
  } catch (err) {
    return classify(err);
  }
  if (result.buffer.length > maxOutputBytes) return { kind: 'too-large' };
  return { kind: 'ok', data: result.buffer, consumed: result.engine.bytesWritten };
}

export type BudgetedOutcome = InflateOutcome | { readonly kind: 'budget' };

/**
 * inflateBounded with the request's shared budget: the cap is the smaller of `ownCap` and what the
 * budget has left, and what was produced is paid from it. 'budget' means the budget, not the
 * inflate's own limit, was what stopped it (so the caller refuses with FERRY_ERR_CONTENT_BUDGET).
 */
export async function inflateBudgeted(input: Uint8Array, format: Format, ownCap: number, budget: DecodeBudget): Promise<BudgetedOutcome> {
  const left = Math.max(0, budget.inflatedBytesLeft);
  const cap = Math.min(ownCap, left);
  const r = await inflateBounded(input, format, cap);
  if (r.kind === 'too-large') return left < ownCap ? { kind: 'budget' } : r;
  if (r.kind === 'ok') budget.inflatedBytesLeft = left - r.data.length;
  return r;
}
