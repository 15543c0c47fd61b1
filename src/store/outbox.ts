// Sealed packets waiting for the peer's acknowledgement. Rows leave only when acknowledged, so a
// crash or a cut link resends, never loses; the receiver drops the duplicate by packet id.
import { hasColumn, type Db } from './db.js';

export const OUTBOX_SQL = `
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id  BLOB NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  bytes      BLOB NOT NULL,
  created_at INTEGER NOT NULL
);`;

/** A large sealed packet is kept in the blob store (src/store/blobs.ts), named here by its SHA-256
 *  (`blob`, with `bytes` empty), so the row stays small: counted, listed and deleted without walking
 *  22 MB of overflow pages. The indexes answer depth (COUNT, MIN(created_at)) from the index alone:
 *  without them, MIN(created_at), a column after `bytes`, read every row's whole packet. */
export const OUTBOX_BLOB_SQL = `
ALTER TABLE outbox ADD COLUMN blob BLOB;
ALTER TABLE outbox_held ADD COLUMN blob BLOB;
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_blob ON outbox (blob) WHERE blob IS NOT NULL;
CREATE INDEX outbox_held_at ON outbox_held (held_at);
CREATE INDEX outbox_held_blob ON outbox_held (blob) WHERE blob IS NOT NULL;`;

/** `bytes` is empty when `blob` names the packet in the blob store: the reader loads it from there. */
export interface OutboxRow { seq: number; packetId: Buffer; kind: string; caseId: string; bytes: Buffer; blob: Buffer | null }

/** Where large packets' bytes go, and which Buffers are already durable there. */
export interface OutboxBlobs { refOf(bytes: Uint8Array): Buffer | null; release(digest: Buffer): void }

export class Outbox {
  private readonly insertStmt;
  private readonly afterStmt;
  private readonly deleteStmt;
  private readonly blobOfStmt;
  private readonly countStmt;
  private readonly depthStmt;
  /** Runs per acknowledged id inside the ack transaction, before the row is deleted (outbox-retained.ts). */
  private ackHook: ((packetId: Buffer) => void) | null = null;

  constructor(private readonly db: Db, private blobs: OutboxBlobs | null = null) {
    // A database from before OUTBOX_BLOB_SQL (a unit fixture) has no blob column: NULL stands in.
    const blob = hasColumn(db, 'outbox', 'blob') ? 'blob' : 'NULL';
    if (blob === 'NULL') this.blobs = null;
    this.insertStmt = blob === 'blob'
      ? db.prepare('INSERT INTO outbox (packet_id, kind, case_id, bytes, created_at, blob) VALUES (?, ?, ?, ?, ?, ?)')
      : db.prepare('INSERT INTO outbox (packet_id, kind, case_id, bytes, created_at) VALUES (?, ?, ?, ?, ?)');
    this.afterStmt = db.prepare(`SELECT seq, packet_id AS packetId, kind, case_id AS caseId, bytes, ${blob} AS blob FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.deleteStmt = db.prepare(`DELETE FROM outbox WHERE packet_id = ? RETURNING ${blob}`).pluck();
    this.blobOfStmt = db.prepare(`SELECT ${blob} FROM outbox WHERE packet_id = ?`).pluck();
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM outbox');
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, MIN(created_at) AS oldestAt FROM outbox');
  }

  /** Only the outbound module (src/gateway/outbound.ts) calls this, inside the transaction that also
   *  records the audit entry, so the packet is durable with the state that made it. */
  add(packetId: Buffer, kind: string, caseId: string, bytes: Buffer, now: number): void {
    // Bytes the blob store already holds durably (outbound.ts wrote them before this commit): the row
    // names them; anything else is stored inline, as before.
    const blob = this.blobs?.refOf(bytes) ?? null;
    if (!this.blobs) this.insertStmt.run(packetId, kind, caseId, bytes, now);
    else this.insertStmt.run(packetId, kind, caseId, blob ? Buffer.alloc(0) : bytes, now, blob);
  }

  /** Packets after `seq`, oldest first: the link walks the outbox with a cursor. */
  after(seq: number, limit: number): OutboxRow[] {
    return this.afterStmt.all(seq, limit) as OutboxRow[];
  }

  /** Removes acknowledged packets in one transaction. This commit is not fsync'd on its own
   *  (synchronous=NORMAL for it; the next FULL commit makes it durable): losing it in a power cut only
   *  means a resend, which the receiver drops as a duplicate. It saves one fsync per ack frame. */
  acknowledge(ids: readonly Buffer[]): number {
    let n = 0;
    const released: Buffer[] = [];
    // A batch that removes a blob row commits with synchronous=FULL: its blob is unlinked right after,
    // and a power cut must not bring back a row whose file is gone. Others save the fsync (above).
    const durable = this.blobs !== null && ids.some((id) => this.blobOfStmt.get(id) != null);
    if (!durable) this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        for (const id of ids) {
          this.ackHook?.(id);
          const gone = this.deleteStmt.all(id) as (Buffer | null)[];
          n += gone.length;
          for (const b of gone) if (b) released.push(b);
        }
      })();
    } finally {
      if (!durable) this.db.pragma('synchronous = FULL');
    }
    // After the commit: a crash before it keeps the row and its blob; after it, at worst an orphan.
    for (const b of released) this.blobs?.release(b);
    return n;
  }

  /** Sets the one hook the ack runs per packet before deleting it (the replay retention keeps a copy). */
  onAcknowledge(hook: (packetId: Buffer) => void): void {
    this.ackHook = hook;
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  /** Depth and the oldest packet's created_at (ms), in one read: what an operator watches. */
  depth(): { count: number; oldestAt: number | null } {
    return this.depthStmt.get() as { count: number; oldestAt: number | null };
  }
}
