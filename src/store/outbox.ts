// Sealed packets waiting for the peer's acknowledgement. Rows leave only when acknowledged, so a
// crash or a cut link resends, never loses; the receiver drops the duplicate by packet id.
import type { Db } from './db.js';

export const OUTBOX_SQL = `
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id  BLOB NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  bytes      BLOB NOT NULL,
  created_at INTEGER NOT NULL
);`;

export interface OutboxRow { seq: number; packetId: Buffer; kind: string; caseId: string; bytes: Buffer }

export class Outbox {
  private readonly insertStmt;
  private readonly afterStmt;
  private readonly deleteStmt;
  private readonly countStmt;
  private readonly depthStmt;
  /** Runs per acknowledged id inside the ack transaction, before the row is deleted (outbox-retained.ts). */
  private ackHook: ((packetId: Buffer) => void) | null = null;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO outbox (packet_id, kind, case_id, bytes, created_at) VALUES (?, ?, ?, ?, ?)');
    this.afterStmt = db.prepare('SELECT seq, packet_id AS packetId, kind, case_id AS caseId, bytes FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.deleteStmt = db.prepare('DELETE FROM outbox WHERE packet_id = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM outbox');
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, MIN(created_at) AS oldestAt FROM outbox');
  }

  /** Only the outbound module (src/gateway/outbound.ts) calls this, inside the transaction that also
   *  records the audit entry, so the packet is durable with the state that made it. */
  add(packetId: Buffer, kind: string, caseId: string, bytes: Buffer, now: number): void {
    this.insertStmt.run(packetId, kind, caseId, bytes, now);
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
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => { for (const id of ids) { this.ackHook?.(id); n += this.deleteStmt.run(id).changes; } })();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
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
