// A bounded pool of worker_threads that parse and inspect applicants' requests, so that no request,
// however hostile, holds a gateway's event loop (the one that answers /health and link heartbeats).
//
// One job is one request: its bytes are transferred (not copied) to one worker, which parses the JSON
// and shape, then waits while the main thread runs the cheap checks that need the parsed request
// (catalogue, form, per-applicant rate: the `gate`), then inspects every attachment in order with one
// decode budget for the whole request, and transfers the bytes and the decoded attachments back.
// Bounded everywhere: `workers` threads, `maxQueue` waiting jobs (beyond that: refused at once, 503),
// and a deadline per job from the moment a worker takes it (the worker is then terminated and
// replaced, and the request refused naming the attachment being inspected). A worker that crashes or
// runs out of heap refuses its job (fail closed) and is replaced. No job is left hanging.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FerryErrorCode } from '../errors.js';
import type { ParsedRequest, RequestKind } from '../policy/check-submission.js';
import { attachmentLabel } from '../policy/check-submission.js';
import type { FromWorker, ToWorker } from './inspect-protocol.js';
import {
  DEFAULT_BUSY_RETRY_AFTER_S, DEFAULT_INSPECT_DEADLINE_MS, DEFAULT_INSPECT_QUEUE, DEFAULT_INSPECT_WORKERS,
  DEFAULT_REQUEST_INFLATE_BUDGET_BYTES, DEFAULT_WORKER_HEAP_MB,
} from './inspect-limits.js';

export interface InspectPoolOptions {
  /** Worker threads (default: the cores but one, at least 1: inspect-limits.ts). */
  workers?: number;
  /** Jobs waiting for a worker before new ones are refused (default DEFAULT_INSPECT_QUEUE). */
  maxQueue?: number;
  /** Wall time a worker may spend on one job (default DEFAULT_INSPECT_DEADLINE_MS). */
  deadlineMs?: number;
  /** Bytes all attachments of one request may inflate together (default DEFAULT_REQUEST_INFLATE_BUDGET_BYTES). */
  inflateBudgetBytes?: number;
  /** Retry-After seconds answered with a refusal for load (default DEFAULT_BUSY_RETRY_AFTER_S). */
  busyRetryAfterSeconds?: number;
  /** V8 heap limit of each worker, MiB (default DEFAULT_WORKER_HEAP_MB). */
  heapMb?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface InspectRequest<G> {
  kind: RequestKind;
  /** The exact request bytes. Moved to the worker when they own their memory: use the `raw` of the
   *  outcome afterwards, not this buffer. */
  raw: Buffer;
  /** Runs on the main thread once the request has parsed (attachment bytes are empty in what it
   *  sees): null lets inspection go on; any other value ends the job without inspecting anything. */
  gate?: (parsed: ParsedRequest) => G | null;
  /** Wait in line however long it is, instead of being refused for load (the internal gateway's
   *  stamp stage: a packet waits in its queue, it is never refused because the pool is busy). */
  waitWhenFull?: boolean;
  /** Parse only and hand the request back (types come back empty): for a packet an operator released
   *  from quarantine, whose inspection verdict was waived. */
  skipInspection?: boolean;
}

export type InspectOutcome<G> =
  | { ok: true; raw: Buffer; parsed: ParsedRequest; types: string[] }
  | { ok: false; stage: 'busy'; code: 'FERRY_ERR_API_BUSY'; detail: string; retryAfterSeconds: number }
  | { ok: false; stage: 'gate'; value: G }
  | { ok: false; stage: 'refused'; code: FerryErrorCode; detail: string; rule?: string };

export interface InspectPoolStats {
  workers: number; busy: number; queued: number;
  /** Jobs that reached attachment inspection (a request stopped by its gate or shape never does). */
  inspected: number;
  refusedBusy: number; deadlines: number; crashes: number;
}

interface Job {
  id: number;
  req: InspectRequest<unknown>;
  resolve: (o: InspectOutcome<unknown>) => void;
  at?: { index: number; fileName: string };
  timer?: NodeJS.Timeout;
}

/** ready: its worker has loaded its modules and takes jobs. broken: its worker could not start; a
 *  new one is tried after a pause, no job meanwhile. */
interface Slot { worker: Worker; job: Job | null; ready: boolean; broken: boolean }

/** Transferred when the buffer owns its whole memory; else copied (a pooled small Buffer shares its
 *  ArrayBuffer with others, and transferring it would detach them). */
function movable(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
}
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Structured clone turns Buffers into plain Uint8Arrays: give the attachments their Buffers back. */
function rehydrate(p: ParsedRequest): ParsedRequest {
  const atts = p.kind === 'submission' ? p.submission.attachments : 'attachments' in p.action ? p.action.attachments : [];
  for (const a of atts) a.bytes = asBuffer(a.bytes);
  return p;
}

/** A compiled worker beside this file (default: the inspection worker); under vitest (sources run as
 *  .ts) the one in dist/, which `npm run build` (npm test's pretest) writes. */
export function workerFile(name = 'inspect-worker.js'): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), name);
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('inspect-pool: no package.json above the sources');
    dir = up;
  }
  return join(dir, 'dist/src/gateway', name);
}

/** The `inspect:` section of either gateway's config, as validated (src/config/gateway-config.ts). */
export interface InspectSection { workers: number; maxQueue: number; deadlineMs: number; requestInflateBytes: number; busyRetryAfterSeconds: number }

/** The pool a gateway runs, from its config section (both gateways build it the same way). */
export function inspectPoolFor(c: InspectSection, log: InspectPoolOptions['log']): InspectPool {
  return new InspectPool({
    workers: c.workers, maxQueue: c.maxQueue, deadlineMs: c.deadlineMs,
    inflateBudgetBytes: c.requestInflateBytes, busyRetryAfterSeconds: c.busyRetryAfterSeconds, log,
  });
}

export class InspectPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private readonly file: string;
  private readonly o: Required<Omit<InspectPoolOptions, 'log'>> & Pick<InspectPoolOptions, 'log'>;
  private nextId = 1;
  private closed = false;
  private readonly counts = { inspected: 0, refusedBusy: 0, deadlines: 0, crashes: 0 };
  private readonly readyWaiters: (() => void)[] = [];

  constructor(opts: InspectPoolOptions = {}) {
    this.o = {
      workers: opts.workers ?? DEFAULT_INSPECT_WORKERS,
      maxQueue: opts.maxQueue ?? DEFAULT_INSPECT_QUEUE,
      deadlineMs: opts.deadlineMs ?? DEFAULT_INSPECT_DEADLINE_MS,
      inflateBudgetBytes: opts.inflateBudgetBytes ?? DEFAULT_REQUEST_INFLATE_BUDGET_BYTES,
      busyRetryAfterSeconds: opts.busyRetryAfterSeconds ?? DEFAULT_BUSY_RETRY_AFTER_S,
      heapMb: opts.heapMb ?? DEFAULT_WORKER_HEAP_MB,
      log: opts.log,
    };
    if (!Number.isSafeInteger(this.o.workers) || this.o.workers < 1) throw new RangeError('inspect pool: workers must be an integer ≥ 1');
    if (!Number.isSafeInteger(this.o.maxQueue) || this.o.maxQueue < 0) throw new RangeError('inspect pool: maxQueue must be an integer ≥ 0');
    this.file = workerFile();
    if (!existsSync(this.file)) throw new Error(`inspect pool: worker ${this.file} is missing (run npm run build)`);
    for (let i = 0; i < this.o.workers; i++) this.slots.push(this.newSlot());
  }

  /** Resolves once every worker has loaded its modules (a gateway waits for it before it listens). */
  ready(): Promise<void> {
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  stats(): InspectPoolStats {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job).length, queued: this.waiting.length, ...this.counts };
  }

  /** Parses, gates and inspects one request. Never rejects; every outcome is a value. */
  run<G>(req: InspectRequest<G>): Promise<InspectOutcome<G>> {
    if (this.closed) return Promise.resolve({ ok: false, stage: 'refused', code: 'FERRY_ERR_API_UNAVAILABLE', detail: 'the gateway is stopping' });
    const free = this.slots.find((s) => !s.job && s.ready && !s.broken);
    if (!free && this.waiting.length >= this.o.maxQueue && !req.waitWhenFull) {
      this.counts.refusedBusy++;
      return Promise.resolve({
        ok: false, stage: 'busy', code: 'FERRY_ERR_API_BUSY', retryAfterSeconds: this.o.busyRetryAfterSeconds,
        detail: `all ${this.slots.length} inspection workers are busy and ${this.waiting.length} requests wait; retry after ${this.o.busyRetryAfterSeconds} s`,
      });
    }
    return new Promise<InspectOutcome<G>>((resolve) => {
      const job: Job = { id: this.nextId++, req: req as InspectRequest<unknown>, resolve: resolve as Job['resolve'] };
      if (free) this.start(free, job);
      else this.waiting.push(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) j.resolve({ ok: false, stage: 'refused', code: 'FERRY_ERR_API_UNAVAILABLE', detail: 'the gateway is stopping' });
    await Promise.all(this.slots.map((s) => {
      if (s.job) this.finish(s, { ok: false, stage: 'refused', code: 'FERRY_ERR_API_UNAVAILABLE', detail: 'the gateway is stopping' });
      return s.worker.terminate();
    }));
  }

  private newSlot(): Slot {
    const slot: Slot = { worker: null as unknown as Worker, job: null, ready: false, broken: false };
    this.attach(slot);
    return slot;
  }

  /** Gives the slot a fresh worker; events of any earlier worker of the slot are ignored from now. */
  private attach(slot: Slot): void {
    const worker = new Worker(this.file, { resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb } });
    slot.worker = worker;
    slot.ready = false;
    worker.unref(); // the gateway's own handles decide when the process may exit, not idle workers
    worker.on('message', (m: FromWorker) => { if (slot.worker === worker) this.onMessage(slot, m); });
    worker.on('error', (e) => this.lost(slot, worker, e.message));
    worker.on('exit', (code) => this.lost(slot, worker, `exited with code ${code}`));
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    job.timer = setTimeout(() => this.deadline(slot, job), this.o.deadlineMs);
    const raw = movable(job.req.raw);
    const msg: ToWorker = { type: 'job', id: job.id, kind: job.req.kind, raw, inflateBudgetBytes: this.o.inflateBudgetBytes };
    slot.worker.postMessage(msg, [raw.buffer as ArrayBuffer]);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.job;
    if (m.type === 'ready') {
      slot.ready = true;
      if (this.slots.every((s) => s.ready)) for (const w of this.readyWaiters.splice(0)) w();
      this.next(slot);
      return;
    }
    if (!job || job.id !== m.id) return; // a message from a job already ended
    if (m.type === 'progress') { job.at = { index: m.index, fileName: m.fileName }; return; }
    if (m.type === 'parsed') {
      if (!m.parsed) { this.finish(slot, { ok: false, stage: 'refused', code: m.refused!.code, detail: m.refused!.detail }); return; }
      const stop = job.req.gate ? job.req.gate(rehydrate(m.parsed)) : null;
      if (stop !== null) {
        slot.worker.postMessage({ type: 'drop', id: job.id } satisfies ToWorker);
        this.finish(slot, { ok: false, stage: 'gate', value: stop });
        return;
      }
      if (job.req.skipInspection) { slot.worker.postMessage({ type: 'return', id: job.id } satisfies ToWorker); return; }
      this.counts.inspected++;
      slot.worker.postMessage({ type: 'inspect', id: job.id } satisfies ToWorker);
      return;
    }
    if (m.refused) {
      this.finish(slot, { ok: false, stage: 'refused', code: m.refused.code, detail: m.refused.detail, ...(m.refused.rule ? { rule: m.refused.rule } : {}) });
      return;
    }
    this.finish(slot, { ok: true, raw: asBuffer(m.raw), parsed: rehydrate(m.parsed!), types: m.types! });
  }

  private where(job: Job): string {
    return job.at ? `while inspecting ${attachmentLabel(job.at.index)}` : 'while parsing the request';
  }

  private deadline(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.counts.deadlines++;
    const detail = `inspection passed its deadline of ${this.o.deadlineMs} ms ${this.where(job)}; the request is refused`;
    this.o.log?.warn({ stage: 'inspect', code: 'FERRY_ERR_CONTENT_DEADLINE', attachment: job.at?.index ?? null }, 'inspection deadline passed: worker replaced');
    this.replace(slot);
    this.finish(slot, { ok: false, stage: 'refused', code: 'FERRY_ERR_CONTENT_DEADLINE', detail, rule: 'content' });
  }

  /** A worker ended on its own (crash, heap limit, exit): refuse its job, start another worker. */
  private lost(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker || this.closed) return;
    this.counts.crashes++;
    const job = slot.job;
    this.o.log?.error({ stage: 'inspect', code: 'FERRY_ERR_CONTENT_INSPECT_FAILED', why, job: job ? job.id : null }, 'inspection worker lost: replaced');
    // A worker that never became ready cannot start (a broken install): wait before the next try
    // rather than spin; a job on it is refused meanwhile.
    this.replace(slot, slot.ready ? 0 : 1000);
    if (job) this.finish(slot, { ok: false, stage: 'refused', code: 'FERRY_ERR_CONTENT_INSPECT_FAILED', detail: `the inspector failed ${this.where(job)} (${why}); the request is refused`, rule: 'content' });
  }

  private replace(slot: Slot, delayMs = 0): void {
    const old = slot.worker;
    if (delayMs === 0) this.attach(slot);
    else {
      slot.broken = true;
      setTimeout(() => {
        if (this.closed) return;
        this.attach(slot);
        slot.broken = false;
        this.next(slot);
      }, delayMs).unref();
    }
    void old.terminate();
  }

  private finish(slot: Slot, outcome: InspectOutcome<unknown>): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    job.resolve(outcome);
    this.next(slot);
  }

  private next(slot: Slot): void {
    if (slot.job || !slot.ready || slot.broken || this.closed) return;
    const job = this.waiting.shift();
    if (job) this.start(slot, job);
  }
}
