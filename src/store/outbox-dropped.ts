// Held packets an operator gave up (`ferry outbox drop <packet> --reason ...`): a case answered 202
// whose packet the peer cannot open, after every key fix was tried. Never a silent delete: the row
// moves from outbox_held to here whole (bytes kept as evidence, and for a later `sqlite3` export), in
// one transaction with the audit entry and, on the external gateway, the applicant's status; the
// depth of this table is an alarm metric (ferry_outbox_dropped_packets).
import { hasColumn, type Db } from './db.js';
import type { HeldRow } from './outbox-held.js';

export const OUTBOX_DROPPED_SQL = `
CREATE TABLE IF NOT EXISTS outbox_dropped (
  packet_id   BLOB PRIMARY KEY,
  kind        TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  bytes       BLOB NOT NULL,      -- empty when blob names the packet in the blob store
  blob        BLOB,               -- kept alive by this row (src/store/blobs.ts BLOB_COLUMNS)
  created_at  INTEGER NOT NULL,
  code        TEXT NOT NULL,      -- the peer's last refusal code
  detail      TEXT NOT NULL,
  dropped_at  INTEGER NOT NULL,
  operator    TEXT NOT NULL,
  reason      TEXT NOT NULL
);`;

export interface DroppedRow extends HeldRow { bytesSha256: string }

export class OutboxDropped {
  private readonly move;
  private readonly unhold;
  private readonly getHeld;
  private readonly countStmt;
  private readonly byCase;

  constructor(private readonly db: Db) {
    // A large packet's bytes are its blob (named by their SHA-256): the row keeps the reference, so the
    // file stays, and the audited digest is the blob's.
    const heldBlob = hasColumn(db, 'outbox_held', 'blob') ? 'blob' : 'NULL';
    this.getHeld = db.prepare(`SELECT packet_id AS packetId, kind, case_id AS caseId, code, detail, created_at AS createdAt, held_at AS heldAt,
      refusals, prev_status AS prevStatus, lower(hex(COALESCE(${heldBlob}, ferry_sha256(bytes)))) AS bytesSha256 FROM outbox_held WHERE packet_id = ?`);
    this.move = db.prepare(`INSERT INTO outbox_dropped (packet_id, kind, case_id, bytes, blob, created_at, code, detail, dropped_at, operator, reason)
      SELECT packet_id, kind, case_id, bytes, ${heldBlob}, created_at, code, detail, @at, @operator, @reason FROM outbox_held WHERE packet_id = @packetId`);
    this.unhold = db.prepare('DELETE FROM outbox_held WHERE packet_id = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) FROM outbox_dropped').pluck();
    this.byCase = db.prepare('SELECT lower(hex(packet_id)) AS packetId, kind, code, dropped_at AS droppedAt, operator, reason FROM outbox_dropped WHERE case_id = ? ORDER BY dropped_at');
  }

  /** Moves one held packet here, with `inside` in the same transaction; null when it is not held. */
  drop(packetId: Buffer, by: { at: number; operator: string; reason: string }, inside?: (row: DroppedRow) => void): DroppedRow | null {
    return this.db.transaction(() => {
      const row = this.getHeld.get(packetId) as DroppedRow | undefined;
      if (!row) return null;
      this.move.run({ packetId, ...by });
      this.unhold.run(packetId);
      inside?.(row);
      return row;
    }).immediate();
  }

  count(): number { return this.countStmt.get() as number; }

  forCase(caseId: string): { packetId: string; kind: string; code: string; droppedAt: number; operator: string; reason: string }[] {
    return this.byCase.all(caseId) as never;
  }
}
