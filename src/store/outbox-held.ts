// Sealed packets the peer refused back because it could not open or verify them (PROTOCOL.md §6 rule
// 10): moved out of the outbox's send order, never deleted, until an operator fixes keys and they are
// put back in line (`ferry outbox retry`, a restart, or a new link session). Deleting them on a refusal
// would lose a case that was answered 202 — the loss this table exists to prevent. Rows move between
// `outbox` and here inside one transaction, so a packet is always in exactly one of the two.
import { hasColumn, type Db } from './db.js';

export const OUTBOX_HELD_SQL = `
CREATE TABLE outbox_held (
  packet_id   BLOB PRIMARY KEY,
  kind        TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  bytes       BLOB NOT NULL,
  created_at  INTEGER NOT NULL,   -- when it was first put in the outbox
  code        TEXT NOT NULL,      -- the peer's refusal code (a SEAL code of docs/ERRORS.md)
  detail      TEXT NOT NULL,
  held_at     INTEGER NOT NULL,   -- the latest refusal
  refusals    INTEGER NOT NULL DEFAULT 1, -- since it was last put back in line (the audit chain and log keep the rest)
  prev_status TEXT                -- external: the applicant's status before it read 'delayed'
);`;

export interface HeldRow {
  packetId: Buffer; kind: string; caseId: string; code: string; detail: string; createdAt: number; heldAt: number; refusals: number;
  prevStatus: string | null;
}

const COLUMNS = `packet_id AS packetId, kind, case_id AS caseId, code, detail, created_at AS createdAt, held_at AS heldAt,
  refusals, prev_status AS prevStatus`;

export class OutboxHeld {
  private readonly fromOutbox;
  private readonly upsert;
  private readonly unqueue;
  private readonly getStmt;
  private readonly listStmt;
  private readonly depthStmt;
  private readonly requeue;
  private readonly unhold;

  private readonly withBlob: boolean;

  constructor(private readonly db: Db) {
    // A large packet's row names its blob (outbox.ts): the name moves with the row. A database from
    // before that migration (a unit fixture) has no blob column.
    const b = hasColumn(db, 'outbox_held', 'blob');
    this.withBlob = b;
    this.fromOutbox = db.prepare(`SELECT packet_id AS packetId, kind, case_id AS caseId, bytes, ${b ? 'blob' : 'NULL AS blob'}, created_at AS createdAt FROM outbox WHERE packet_id = ?`);
    this.upsert = db.prepare(`INSERT INTO outbox_held (packet_id, kind, case_id, bytes, ${b ? 'blob, ' : ''}created_at, code, detail, held_at, prev_status)
      VALUES (@packetId, @kind, @caseId, @bytes, ${b ? '@blob, ' : ''}@createdAt, @code, @detail, @heldAt, @prevStatus)
      ON CONFLICT(packet_id) DO UPDATE SET code = excluded.code, detail = excluded.detail, held_at = excluded.held_at, refusals = refusals + 1`);
    this.unqueue = db.prepare('DELETE FROM outbox WHERE packet_id = ?');
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox_held WHERE packet_id = ?`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox_held ORDER BY held_at, packet_id LIMIT ?`);
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, MIN(held_at) AS oldestAt FROM outbox_held');
    // Back at the end of the send order (a new seq), as the packet it always was: same id, same bytes.
    this.requeue = db.prepare(`INSERT INTO outbox (packet_id, kind, case_id, bytes, ${b ? 'blob, ' : ''}created_at) SELECT packet_id, kind, case_id, bytes, ${b ? 'blob, ' : ''}created_at FROM outbox_held WHERE packet_id = ?`);
    this.unhold = db.prepare('DELETE FROM outbox_held WHERE packet_id = ?');
  }

  /**
   * Moves refused packets from the outbox to held, in one transaction with whatever `inside` does for
   * each (the external gateway marks the case delayed). An id no longer in the outbox (acknowledged
   * meanwhile, or never ours) is skipped. Returns the rows now held.
   */
  hold(refused: readonly { packetId: Buffer; code: string; detail: string }[], now: number,
    inside?: (row: HeldRow) => string | null): HeldRow[] {
    return this.db.transaction(() => {
      const out: HeldRow[] = [];
      for (const r of refused) {
        const b = this.withBlob;
        const row = this.fromOutbox.get(r.packetId) as { packetId: Buffer; kind: string; caseId: string; bytes: Buffer; blob: Buffer | null; createdAt: number } | undefined;
        if (!row) continue;
        const before = this.getStmt.get(r.packetId) as HeldRow | undefined;
        const held: HeldRow = {
          packetId: row.packetId, kind: row.kind, caseId: row.caseId, code: r.code, detail: r.detail.slice(0, 500),
          createdAt: row.createdAt, heldAt: now, refusals: (before?.refusals ?? 0) + 1, prevStatus: before?.prevStatus ?? null,
        };
        const prev = inside?.(held) ?? null;
        this.upsert.run({ ...held, bytes: row.bytes, ...(b ? { blob: row.blob } : {}), prevStatus: before ? before.prevStatus : prev });
        this.unqueue.run(r.packetId);
        out.push(held);
      }
      return out;
    })();
  }

  /**
   * Puts held packets back in the outbox (all, or the one named), in one transaction with `inside`
   * for each. Refused again, they come back here with their refusal count carried on by the caller's
   * log; the audit chain and the log keep the history.
   */
  release(packetId: Buffer | null, inside?: (row: HeldRow) => void): HeldRow[] {
    return this.db.transaction(() => {
      const rows = packetId ? [this.getStmt.get(packetId) as HeldRow | undefined].filter((r): r is HeldRow => !!r) : this.list(Number.MAX_SAFE_INTEGER);
      for (const r of rows) {
        this.requeue.run(r.packetId);
        this.unhold.run(r.packetId);
        inside?.(r);
      }
      return rows;
    })();
  }

  get(packetId: Buffer): HeldRow | null {
    return (this.getStmt.get(packetId) as HeldRow | undefined) ?? null;
  }

  list(limit = 1000): HeldRow[] {
    return this.listStmt.all(limit) as HeldRow[];
  }

  /** Depth and the latest refusal time of the oldest held packet: what the alarm watches. */
  depth(): { count: number; oldestAt: number | null } {
    return this.depthStmt.get() as { count: number; oldestAt: number | null };
  }
}
