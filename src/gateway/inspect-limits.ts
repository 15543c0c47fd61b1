// Defaults of the inspection pool (src/gateway/inspect-pool.ts); config keys `inspect.*` override them.
import { availableParallelism } from 'node:os';

/** One worker per core but one: inspection is CPU work, so more threads than cores only share the
 *  same cores, and with every core inflating, the event loop that answers /health and the link's
 *  heartbeats waits for the scheduler (on 2 cores, 2 workers put /health at 150-300 ms). The core
 *  left over keeps the loop responsive; requests beyond the workers wait in the bounded queue. */
export const DEFAULT_INSPECT_WORKERS = Math.max(1, availableParallelism() - 1);

/** Requests waiting for a worker, beyond those being inspected. A request holds its whole body
 *  (≤ 48 MiB) while it waits, so 16 waiting bound that memory at ~0.8 GiB; a longer line would only
 *  answer later what it can answer now: 503, retry. */
export const DEFAULT_INSPECT_QUEUE = 16;

/** Wall time one request's inspection may take in its worker (all attachments together), from the
 *  moment a worker takes it, not while it waits. Node 20 has no per-thread CPU clock, so this is
 *  wall time, which is never less than the worker's CPU time: it bounds CPU time from above. The worst
 *  accepted requests measured here (32 attachments at the inflate caps, 16 MiB images) finish in
 *  under 3 s on one core; 15 s leaves room for a loaded two-core host. */
export const DEFAULT_INSPECT_DEADLINE_MS = 15_000;

/** Bytes the inspector may inflate for one request, all attachments together: the content module's
 *  own figure (src/policy/content/limits.ts, with its reasons). */
export { DEFAULT_REQUEST_INFLATE_BYTES as DEFAULT_REQUEST_INFLATE_BUDGET_BYTES } from '../policy/content/limits.js';

/** Retry-After (seconds) on a 503 when the queue is full: a few deadlines of typical work. */
export const DEFAULT_BUSY_RETRY_AFTER_S = 5;

/** V8 heap of one worker. JSON.parse of a 48 MiB body holds the body as a string and the parsed
 *  base64 strings (~100 MiB); a worker that grows past this is stopped by V8 and the request refused
 *  (inflated data lives in Buffers, outside this heap, and is bounded by the decode budget). */
export const DEFAULT_WORKER_HEAP_MB = 512;
