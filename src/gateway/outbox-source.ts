// Adapts the SQLite outbox to the link's PacketSource. A packet the peer refuses back (it could not
// open or verify it) is held, never deleted: an error line naming packet, case and code, a metric, and
// (through `onHeld`) the applicant's status. Held packets go back in line when a new link session
// comes up (the peer may have restarted with fixed keys) and on `ferry outbox retry`.
//
// A large packet's row names its blob (src/store/outbox.ts): the bytes are read here, asynchronously
// (libuv's threadpool, not the loop), and the link is woken when they are in memory; until then the
// send order stops at that row, so packets still leave in outbox order.
import type { Outbox, OutboxRow } from '../store/outbox.js';
import type { BlobStore } from '../store/blobs.js';
import { OutboxHeld, type HeldRow } from '../store/outbox-held.js';
import type { PacketSource } from '../link/session.js';

export interface HeldHooks {
  /** Inside the hold transaction, per packet: e.g. mark the case delayed. Returns the status it replaced. */
  onHeld?: (row: HeldRow, now: number) => string | null;
  /** Inside the release transaction, per packet: e.g. give the case its status back. */
  onReleased?: (row: HeldRow, now: number) => void;
  /** Counts a refusal (ferry_outbox_refused_total). */
  countRefusal?: (code: string) => void;
}

export interface OutboxSourceLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Reads blob rows' bytes ahead of the send order; `wake` pumps the link once they are in memory. */
export interface SourceBlobs { store: Pick<BlobStore, 'read'>; wake: () => void }

/** How long to wait before reading a blob again after a failed read (a missing or altered file is an
 *  operator's matter: logged each time, never sent, never skipped). */
const BLOB_RETRY_MS = 5_000;

function blobReader(outbox: Outbox, b: SourceBlobs, log?: OutboxSourceLog): PacketSource['after'] {
  const ready = new Map<string, Buffer>();
  const reading = new Set<string>();
  const load = (row: OutboxRow, key: string) => {
    reading.add(key);
    b.store.read(row.blob!).then((bytes) => { reading.delete(key); ready.set(key, bytes); b.wake(); }, (e: unknown) => {
      log?.error({ packet: row.packetId.toString('hex'), case: row.caseId, stage: 'link', code: 'FERRY_ERR_STORE_BLOB', err: (e as Error).message }, 'outbox packet unreadable: not sent');
      setTimeout(() => { reading.delete(key); b.wake(); }, BLOB_RETRY_MS).unref();
    });
  };
  return (seq, limit) => {
    const out: OutboxRow[] = [];
    for (const row of outbox.after(seq, limit)) {
      if (!row.blob) { out.push(row); continue; }
      const key = row.packetId.toString('hex');
      const bytes = ready.get(key);
      if (!bytes) { if (!reading.has(key)) load(row, key); break; }
      // Handed out once: a resend (a new session) reads the file again rather than pinning memory.
      ready.delete(key);
      out.push({ ...row, bytes });
    }
    return out;
  };
}

export function outboxSource(outbox: Outbox, held?: OutboxHeld, log?: OutboxSourceLog, hooks: HeldHooks = {}, now: () => number = Date.now, blobs?: SourceBlobs): PacketSource {
  const base: PacketSource = {
    after: blobs ? blobReader(outbox, blobs, log) : (seq, limit) => outbox.after(seq, limit),
    acknowledge: (ids) => { outbox.acknowledge(ids); },
  };
  if (!held) return base;
  return {
    ...base,
    refuse(refused) {
      const at = now();
      const rows = held.hold(refused, at, hooks.onHeld ? (r) => hooks.onHeld!(r, at) : undefined);
      for (const r of rows) {
        hooks.countRefusal?.(r.code);
        // error, not warn: a case answered 202 is not moving until someone acts (docs/OPERATIONS.md).
        log?.error({ packet: r.packetId.toString('hex'), case: r.caseId, kind: r.kind, stage: 'link', code: r.code, detail: r.detail, refusals: r.refusals },
          'packet refused by the peer: held (fix keys, then ferry outbox retry)');
      }
    },
    sessionStarted() {
      const at = now();
      const rows = held.release(null, hooks.onReleased ? (r) => hooks.onReleased!(r, at) : undefined);
      if (rows.length) log?.info({ stage: 'link', packets: rows.length }, 'held packets put back in line for the new session');
    },
  };
}
