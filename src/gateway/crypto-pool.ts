// A small pool of worker_threads that seal and open LARGE packets (above DEFAULT_OFFLOAD_BYTES), so
// that AES-GCM, SHA-256 and the protobuf copies of a 22 MB packet never hold the event loop that
// answers /health and the link's heartbeats (STYLE 17).
//
// A pool of its own, not a job kind of the inspection pool: its workers hold the gateway's packet
// keys, and the inspection workers, which parse hostile content, must not (key separation); its jobs
// are short and bounded by size (no deadline to kill them by), and a sealed packet is never refused
// for inspection load. Bounded like the inspection pool: `workers` threads, `maxQueue` waiting jobs
// (an applicant's request beyond that: 503 FERRY_ERR_API_BUSY; the link's inbox waits instead, its
// line bounded by the link window). A worker that dies fails its job (an error, never a verdict) and
// is replaced.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { FerryError, type FerryErrorCode } from '../errors.js';
import type { OpenedPacket, OpenResult } from '../seal/open.js';
import type { GatewayKeys } from './keys.js';
import type { Logger } from './logger.js';
import type { CryptoWorkerData, FromCryptoWorker, SealDraft, ToCryptoWorker } from './crypto-protocol.js';
import { DEFAULT_CRYPTO_QUEUE, DEFAULT_CRYPTO_WORKERS } from './crypto-limits.js';
import { workerFile } from './inspect-pool.js';

export interface CryptoPoolOptions { workers?: number; maxQueue?: number; retryAfterSeconds?: number }

export interface OpenJob { now: Date; maxPacketBytes?: number; maxBodyBytes?: number }

type Reply = Extract<FromCryptoWorker, { type: 'sealed' | 'opened' }>;
interface Job { msg: ToCryptoWorker; transfer: ArrayBuffer[]; resolve: (r: Reply) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; job: Job | null; ready: boolean; stale?: boolean }

/** Transferred when the buffer owns its whole memory; else copied (see inspect-pool.ts movable). */
function movable(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
}
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The worker's keys, as cloneable values (KeyObjects and DER). */
export function cryptoWorkerData(keys: Pick<GatewayKeys, 'seal' | 'encCert' | 'openMaterial'>): CryptoWorkerData {
  const m = keys.openMaterial;
  return {
    seal: keys.seal,
    open: {
      encKey: m.encKey, encCertDer: keys.encCert.raw,
      previous: m.previous.map((p) => ({ encKey: p.encKey, encCertDer: p.encCert.raw, until: p.until.getTime() })),
      signer: { rootsDer: m.signerPolicy.roots.map((r) => r.raw), expectedSubjects: [...m.signerPolicy.expectedSubjects], pinnedSha256: [...(m.signerPolicy.pinnedSha256 ?? [])] },
    },
  };
}

export class CryptoPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private readonly file = workerFile('crypto-worker.js');
  private readonly maxQueue: number;
  private readonly retryAfter: number;
  private nextId = 1;
  private closed = false;
  private readonly readyWaiters: (() => void)[] = [];
  readonly counts = { sealed: 0, opened: 0, refusedBusy: 0, crashes: 0 };

  private data: CryptoWorkerData;
  private stamp: readonly unknown[];

  constructor(data: CryptoWorkerData, opts: CryptoPoolOptions = {}, private readonly live?: LiveKeys) {
    this.data = data;
    this.stamp = live?.stamp() ?? [];
    const n = opts.workers ?? DEFAULT_CRYPTO_WORKERS;
    this.maxQueue = opts.maxQueue ?? DEFAULT_CRYPTO_QUEUE;
    this.retryAfter = opts.retryAfterSeconds ?? 5;
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('crypto pool: workers must be an integer ≥ 1');
    if (!existsSync(this.file)) throw new Error(`crypto pool: worker ${this.file} is missing (run npm run build)`);
    for (let i = 0; i < n; i++) this.slots.push(this.attach({ worker: null as unknown as Worker, job: null, ready: false }));
  }

  /** Resolves once every worker has loaded its keys. */
  ready(): Promise<void> {
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Seals in a worker. Rejects with FERRY_ERR_API_BUSY when the line is full (unless waitWhenFull). */
  async seal(draft: SealDraft, o: { waitWhenFull?: boolean } = {}): Promise<{ packetId: Buffer; bytes: Buffer; sha256: Buffer }> {
    const body = movable(draft.body);
    const r = await this.run({ type: 'seal', id: 0, draft: { ...draft, body } }, [body.buffer as ArrayBuffer], o.waitWhenFull ?? false);
    if (r.type !== 'sealed') throw new Error('crypto pool: unexpected reply');
    this.counts.sealed++;
    return { packetId: asBuffer(r.packetId), bytes: asBuffer(r.bytes), sha256: asBuffer(r.sha256) };
  }

  /** Opens in a worker; `bytes` moves there and comes back as `bytes` of the answer (use that one),
   *  with their SHA-256. Always waits for a worker (the link's window bounds the line). */
  async open(bytes: Buffer, job: OpenJob): Promise<{ result: OpenResult; bytes: Buffer; sha256: Buffer }> {
    const b = movable(bytes);
    const msg: ToCryptoWorker = {
      type: 'open', id: 0, bytes: b, nowMs: job.now.getTime(),
      ...(job.maxPacketBytes !== undefined ? { maxPacketBytes: job.maxPacketBytes } : {}),
      ...(job.maxBodyBytes !== undefined ? { maxBodyBytes: job.maxBodyBytes } : {}),
    };
    const r = await this.run(msg, [b.buffer as ArrayBuffer], true);
    if (r.type !== 'opened') throw new Error('crypto pool: unexpected reply');
    this.counts.opened++;
    const result = r.result;
    if (result.ok) {
      const p = result.packet;
      result.packet = { ...p, body: asBuffer(p.body), packetId: asBuffer(p.packetId), ...(p.timestampToken ? { timestampToken: asBuffer(p.timestampToken) } : {}),
        ...(p.signerCertificate ? { signerCertificate: asBuffer(p.signerCertificate) } : {}) };
      const judged = this.rejudge(result.packet, job.now);
      if (!judged.ok) return { result: { ok: false, code: judged.code, detail: judged.detail, packetId: result.packet.packetId.toString('hex') }, bytes: asBuffer(r.bytes), sha256: asBuffer(r.sha256) };
    }
    return { result, bytes: asBuffer(r.bytes), sha256: asBuffer(r.sha256) };
  }

  stats() {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job).length, queued: this.waiting.length, ...this.counts };
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopping = new Error('crypto pool: the gateway is stopping');
    for (const j of this.waiting.splice(0)) j.reject(stopping);
    await Promise.all(this.slots.map((s) => {
      const j = s.job;
      s.job = null;
      j?.reject(stopping);
      return s.worker.terminate();
    }));
  }

  /** The main thread's trust has the last word (revocation): a signer revoked since is refused. */
  private rejudge(p: OpenedPacket, now: Date): { ok: true } | { ok: false; code: FerryErrorCode; detail: string } {
    if (!this.live) return { ok: true };
    if (!p.signerCertificate) return { ok: false, code: 'FERRY_ERR_SEAL_MALFORMED', detail: 'crypto worker returned no signer certificate' };
    return this.live.recheck(p.signerCertificate, p.createdAt, now);
  }

  /** Workers started with keys that have since been reloaded or re-announced are replaced: an idle one
   *  now, a busy one when its job ends (its job ran with the keys in force when it started). */
  private followKeys(): void {
    if (!this.live) return;
    const now = this.live.stamp();
    if (now.length === this.stamp.length && now.every((v, i) => v === this.stamp[i])) return;
    this.stamp = now;
    this.data = this.live.data();
    for (const slot of this.slots) {
      if (slot.job) { slot.stale = true; continue; }
      this.respawn(slot);
    }
  }

  private respawn(slot: Slot): void {
    const old = slot.worker;
    slot.stale = false;
    this.attach(slot);
    void old.terminate();
  }

  private run(msg: ToCryptoWorker, transfer: ArrayBuffer[], waitWhenFull: boolean): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('crypto pool: the gateway is stopping'));
    this.followKeys();
    const free = this.slots.find((s) => !s.job && s.ready);
    if (!free && this.waiting.length >= this.maxQueue && !waitWhenFull) {
      this.counts.refusedBusy++;
      return Promise.reject(new FerryError('FERRY_ERR_API_BUSY', `all ${this.slots.length} crypto workers are busy and ${this.waiting.length} packets wait; retry after ${this.retryAfter} s`));
    }
    return new Promise<Reply>((resolve, reject) => {
      const job: Job = { msg: { ...msg, id: this.nextId++ }, transfer, resolve, reject };
      if (free) this.start(free, job);
      else this.waiting.push(job);
    });
  }

  private attach(slot: Slot): Slot {
    const worker = new Worker(this.file, { workerData: this.data });
    slot.worker = worker;
    slot.ready = false;
    worker.unref();
    worker.on('message', (m: FromCryptoWorker) => { if (slot.worker === worker) this.onMessage(slot, m); });
    worker.on('error', (e) => this.lost(slot, worker, e.message));
    worker.on('exit', (code) => this.lost(slot, worker, `exited with code ${code}`));
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.postMessage(job.msg, job.transfer);
  }

  private onMessage(slot: Slot, m: FromCryptoWorker): void {
    if (m.type === 'ready') {
      slot.ready = true;
      if (this.slots.every((s) => s.ready)) for (const w of this.readyWaiters.splice(0)) w();
      this.next(slot);
      return;
    }
    const job = slot.job;
    if (!job || job.msg.id !== m.id) return;
    slot.job = null;
    if (m.type === 'failed') job.reject(Object.assign(new Error(`crypto worker: ${m.message}`), { bytes: m.bytes ? asBuffer(m.bytes) : undefined }));
    else job.resolve(m);
    if (slot.stale) { this.respawn(slot); return; }
    this.next(slot);
  }

  private lost(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker || this.closed) return;
    this.counts.crashes++;
    const job = slot.job;
    slot.job = null;
    this.attach(slot);
    job?.reject(new Error(`crypto worker lost (${why})`));
  }

  private next(slot: Slot): void {
    if (slot.job || !slot.ready || this.closed) return;
    const job = this.waiting.shift();
    if (job) this.start(slot, job);
  }
}

/** The pool a gateway runs, built from its loaded keys. */
export function cryptoPoolFor(keys: Pick<GatewayKeys, 'seal' | 'encCert' | 'openMaterial' | 'signers'>, opts: CryptoPoolOptions = {}): CryptoPool {
  return new CryptoPool(cryptoWorkerData(keys), opts, {
    // A SIGHUP reload replaces openMaterial; an adopted peer announcement changes the recipient: either
    // way the workers' copies are stale and are replaced before the next job.
    stamp: () => [keys.openMaterial, keys.seal.recipientCertSha256.toString('hex'), keys.encCert.fingerprint256],
    data: () => cryptoWorkerData(keys),
    // The workers judge signers with the roots and pins they were given; revocation lives on the main
    // thread (CRLs refresh there), so every verdict a worker gives is judged again against it.
    recheck: (der, at, now) => keys.signers.check(der, at, now),
  });
}

/** The pool a gateway starts with, after the blobs a crash left between a blob and its row are gone
 *  (before anything writes). Not awaited: a job waits in the pool's line until its worker has loaded. */
export function startCryptoPool(keys: Parameters<typeof cryptoPoolFor>[0], blobs: { collectOrphans(): number }, log: Logger): CryptoPool {
  const orphans = blobs.collectOrphans();
  if (orphans) log.info({ stage: 'store', orphans }, 'orphan blobs removed');
  return cryptoPoolFor(keys);
}

/** What keeps a pool's workers in step with the gateway's live keys (src/gateway/reload.ts swaps them in place). */
export interface LiveKeys {
  /** Values that change when the keys do (compared by identity). */
  stamp(): readonly unknown[];
  data(): CryptoWorkerData;
  recheck(signerDer: Buffer, at: Date, now: Date): { ok: true } | { ok: false; code: FerryErrorCode; detail: string };
}
