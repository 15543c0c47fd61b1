// The stamp stage: every packet that entered the intranet gets an RFC 3161 token over the SHA-256 of
// its exact bytes, and a submission also gets the applicant's receipt token over the SHA-256 of the
// bytes they POSTed. Only then is it delivered. While time is not trusted, stamping stops and packets
// wait durably in the stamp queue (or, in a demo configured so, are stamped with a warning).
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { QueuedPacket, StampQueue } from './store/stamp-queue.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { Logger } from '../gateway/logger.js';
import type { FerryErrorCode } from '../errors.js';
import { decodeTstInfo } from '../time/tsa-tstinfo.js';
import { readTokenParts } from '../time/tsa-signed-data.js';
import { withSavepoint } from '../store/savepoint.js';
import type { Prepared } from './recheck.js';
import type { BlobStore } from '../store/blobs.js';
import { DEFAULT_OFFLOAD_BYTES } from '../gateway/crypto-limits.js';

export interface Stamp { token: Buffer; genTime: Date; serial: bigint }

export interface StampSource { stamp(digest: Buffer, hashAlg: 'SHA-256', opts?: { certReq?: boolean }): Promise<Buffer> }

/** Delivers one stamped packet inside the stamper's transaction, with what `prepare` parsed; null =
 *  delivered, else a refusal. */
export type StampedHandler = (q: QueuedPacket, stamp: Stamp, receipt: Stamp | null, parsed: unknown) => { code: FerryErrorCode; detail: string } | null;

export interface StamperOptions {
  db: Db;
  queue: StampQueue;
  tsa: StampSource;
  trust: TimeTrust;
  /** 'hold' (production): no stamping while untrusted. 'warn': stamp anyway, logged (demo only). */
  whenUntrusted: 'hold' | 'warn';
  handlers: Record<string, StampedHandler>;
  /** Parses the packet once and runs the domain policy and content checks (their verdict is applied
   *  after stamping: open → stamp → policy → deliver); says which bytes a receipt is over. */
  prepare: (q: QueuedPacket) => Promise<Prepared>;
  /** Packets the outbox can still take. A delivered submission sends its 'received' status in the
   *  same commit, so at most this many are stamped at once, and none while it is 0: the packets wait
   *  durably in the queue (the inbox's backlog slows the link) and the one-second timer resumes. */
  outboxRoom?: () => number;
  /** Keeps a packet that failed its checks or delivery (quarantine). */
  refuse: (q: QueuedPacket, code: FerryErrorCode, detail: string, rule: string) => void;
  log: Logger;
  afterCommit: () => void;
  batch?: number;
  /** Loads a queued packet kept in the blob store (its bytes, and its body by opening it again off the
   *  loop); absent: every row holds its bytes. */
  hydrate?: (q: QueuedPacket) => Promise<QueuedPacket>;
  /** Where a large receipt body (the applicant's request) is written before the commit that records
   *  the case, so the case row names it (intranet-cases.ts); released after the commit if none does. */
  blobs?: Pick<BlobStore, 'put' | 'release'>;
  /** Receipt bodies above this go to `blobs` (default DEFAULT_OFFLOAD_BYTES). */
  offloadBytes?: number;
}

export function readStamp(token: Buffer): Stamp {
  const info = decodeTstInfo(readTokenParts(token).eContent);
  return { token, genTime: info.genTime, serial: info.serial };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

export class Stamper {
  private running = false;
  private again = false;
  private stopped = false;
  private holding = false;
  private full = false;
  private readonly timer: NodeJS.Timeout;
  private readonly step: (f: () => { code: FerryErrorCode; detail: string } | null) => { code: FerryErrorCode; detail: string } | null;

  constructor(private readonly o: StamperOptions) {
    this.step = withSavepoint(o.db);
    o.trust.onChange(() => this.kick());
    // A safety net: the queue is also kicked after each inbox commit and on every trust change.
    this.timer = setInterval(() => this.kick(), 1000);
  }

  get waiting(): number { return this.o.queue.count(); }

  stop(): void { this.stopped = true; clearInterval(this.timer); }

  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    this.drain().catch((e) => this.o.log.error({ stage: 'stamp', err: (e as Error).message }, 'stamping failed; will retry'))
      .finally(() => {
        this.running = false;
        if (this.again) { this.again = false; this.kick(); }
      });
  }

  /** SHA-256 of a receipt's bytes; a large body is first written to the blob store (fsync'd), whose
   *  digest it is, so the case row can name it. */
  private async receiptDigest(bytes: Buffer, written: Buffer[]): Promise<Buffer> {
    if (!this.o.blobs || bytes.length <= (this.o.offloadBytes ?? DEFAULT_OFFLOAD_BYTES)) return sha256(bytes);
    const d = await this.o.blobs.put(bytes);
    written.push(d);
    return d;
  }

  /** How many packets to stamp now: the batch, bounded by the outbox's room. Logs changes of state only. */
  private batchSize(): number {
    const room = Math.max(0, this.o.outboxRoom?.() ?? Infinity);
    const full = room === 0;
    if (full !== this.full) {
      this.full = full;
      if (full) this.o.log.warn({ stage: 'stamp', code: 'FERRY_ERR_STORE_OUTBOX_FULL', waiting: this.o.queue.count() }, 'outbox full: stamping waits');
      else this.o.log.info({ stage: 'stamp', waiting: this.o.queue.count() }, 'outbox has room: stamping resumed');
    }
    return Math.min(this.o.batch ?? 64, room);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const state = this.o.trust.state();
      // 'degraded' still has a quorum of agreeing sources (the host clock is off or no source is
      // spare): the agreed time is known, so tokens carry it; the state is logged with each change.
      const trusted = state !== 'untrusted';
      if (!trusted && this.o.whenUntrusted === 'hold') {
        if (!this.holding && this.o.queue.count() > 0) {
          this.holding = true;
          this.o.log.error({ stage: 'stamp', code: 'FERRY_ERR_TIME_UNTRUSTED', state, reason: this.o.trust.reason(), waiting: this.o.queue.count() },
            'time not trusted: stamping stopped, packets wait');
        }
        return;
      }
      if (this.holding) { this.holding = false; this.o.log.info({ stage: 'stamp', waiting: this.o.queue.count() }, 'time trusted again: stamping resumed'); }
      const n = this.batchSize();
      if (n === 0) return;
      const rows = this.o.queue.peek(n);
      if (rows.length === 0) return;
      if (!trusted) this.o.log.warn({ stage: 'stamp', state, reason: this.o.trust.reason(), n: rows.length }, 'stamping with untrusted time (demo setting whenUntrusted: warn)');
      const stamped: { q: QueuedPacket; digest: Buffer; stamp: Stamp; receipt: Stamp | null; prep: Prepared; delivered: boolean }[] = [];
      const written: Buffer[] = [];
      const removed: Buffer[] = [];
      for (const row of rows) {
        const q = row.packetBlob && this.o.hydrate ? await this.o.hydrate(row) : row;
        const prep = await this.o.prepare(q);
        // Every packet that entered the intranet gets its token, whether or not it is then delivered.
        // A packet from the blob store was read with its digest verified: that digest is the imprint.
        const digest = q.packetBlob ?? sha256(q.packet);
        const stamp = readStamp(await this.o.tsa.stamp(digest, 'SHA-256'));
        // The applicant's receipt carries the TSA certificate, so `openssl ts -verify` needs only the CA.
        const receipt = prep.receiptData && !prep.bar ? readStamp(await this.o.tsa.stamp(await this.receiptDigest(prep.receiptData, written), 'SHA-256', { certReq: true })) : null;
        stamped.push({ q, digest, stamp, receipt, prep, delivered: false });
      }
      let outboxFilled = false;
      this.o.db.transaction(() => {
        for (const s of stamped) {
          this.o.queue.recordStamp(s.q.packetId, s.digest, s.stamp.token, s.stamp.genTime.getTime(), s.stamp.serial, trusted);
          const bar = s.prep.bar;
          if (bar) { this.o.refuse(s.q, bar.code, bar.detail, bar.rule); this.o.queue.remove(s.q.packetId); continue; }
          const handler = this.o.handlers[s.q.kind];
          const refusal = handler ? this.step(() => handler(s.q, s.stamp, s.receipt, s.prep.parsed)) : { code: 'FERRY_ERR_POLICY_KIND' as const, detail: `no delivery for ${s.q.kind}` };
          // The outbox filled under us (the drain ran while this batch was being stamped): not the
          // packet's fault, so it stays queued, its first token kept (recordStamp keeps the first).
          if (refusal?.code === 'FERRY_ERR_STORE_OUTBOX_FULL') { outboxFilled = true; continue; }
          if (refusal) this.o.refuse(s.q, refusal.code, refusal.detail, 'delivery');
          s.delivered = !refusal;
          this.o.queue.remove(s.q.packetId);
          if (s.q.packetBlob) removed.push(s.q.packetBlob);
        }
      })();
      // After the commit: blobs no row names any more (delivered packets; receipt bodies of refusals).
      for (const d of [...removed, ...written]) this.o.blobs?.release(d);
      for (const s of stamped) {
        if (!s.delivered) continue;
        this.o.log.info({ packet: s.q.packetId.toString('hex'), case: s.q.caseId, stage: 'stamp', serial: s.stamp.serial.toString(), genTime: s.stamp.genTime.toISOString() }, 'packet stamped and delivered');
      }
      this.o.afterCommit();
      if (outboxFilled) return; // the timer or the next inbox commit tries again
    }
  }
}
