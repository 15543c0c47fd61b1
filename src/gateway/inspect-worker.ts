// The inspection worker (a worker_threads entry; see inspect-pool.ts). Everything that decodes or
// parses what an applicant sent runs here, never on a gateway's event loop: JSON, base64, and every
// attachment's format, inflated under one budget for the request.
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from './thread-priority.js';
import { attachmentsOf, inspectAll, parseRequest, type ParsedRequest } from '../policy/check-submission.js';
import type { FromWorker, JobMessage, ToWorker } from './inspect-protocol.js';

const port = parentPort;
if (!port) throw new Error('inspect-worker.ts runs as a worker thread (inspect-pool.ts starts it)');

// Inspection yields the CPU to the event loop (thread-priority.ts): nice 10 for this thread.
lowerThreadPriority(10);

let current: { job: JobMessage; parsed: ParsedRequest } | null = null;

const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** The buffers to move back without copying. A Buffer that shares its memory with others (Node's
 *  small-buffer pool) must not be transferred: that would detach its neighbours too, so it is copied. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

/** The parsed request with empty attachment bytes: what the main thread's cheap checks read. */
function withoutBytes(p: ParsedRequest): ParsedRequest {
  const strip = <T extends { bytes: Buffer }>(a: T): T => ({ ...a, bytes: Buffer.alloc(0) });
  if (p.kind === 'submission') return { kind: p.kind, submission: { ...p.submission, attachments: p.submission.attachments.map(strip) } };
  return 'attachments' in p.action ? { kind: p.kind, action: { ...p.action, attachments: p.action.attachments.map(strip) } } : p;
}

async function inspect(job: JobMessage, parsed: ParsedRequest, skip: boolean): Promise<void> {
  const budget = { inflatedBytesLeft: job.inflateBudgetBytes };
  const atts = attachmentsOf(parsed);
  const v = skip ? { ok: true as const, value: [] } : await inspectAll(atts, budget, (index, fileName) => send({ type: 'progress', id: job.id, index, fileName }));
  const raw = own(job.raw);
  if (!v.ok) {
    send({ type: 'done', id: job.id, raw, parsed: null, types: null, refused: { code: v.code, detail: v.detail, ...(v.rule ? { rule: v.rule } : {}) } }, [raw.buffer as ArrayBuffer]);
    return;
  }
  for (const a of atts) { const o = own(a.bytes); a.bytes = Buffer.from(o.buffer, o.byteOffset, o.byteLength); }
  const transfer = [raw.buffer as ArrayBuffer, ...atts.map((a) => a.bytes.buffer as ArrayBuffer)];
  send({ type: 'done', id: job.id, raw, parsed, types: v.value, refused: null }, [...new Set(transfer)]);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'job') {
    const p = parseRequest(m.kind, m.raw);
    if (!p.ok) { send({ type: 'parsed', id: m.id, parsed: null, refused: { code: p.code, detail: p.detail } }); return; }
    current = { job: m, parsed: p.value };
    send({ type: 'parsed', id: m.id, parsed: withoutBytes(p.value), refused: null });
    return;
  }
  const c = current;
  current = null;
  if (!c || c.job.id !== m.id || m.type === 'drop') return;
  // A throw here is a bug in an inspector (a hostile input is a verdict, not an exception): rethrown
  // as uncaught, it ends the worker; the pool refuses the job (fail closed) and starts a new worker.
  inspect(c.job, c.parsed, m.type === 'return').catch((e: unknown) => process.nextTick(() => { throw e; }));
});

// Modules loaded: from now on a job's deadline measures its work, not this worker's start-up.
send({ type: 'ready' });
