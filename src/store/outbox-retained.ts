// Packets the peer has acknowledged, kept for a retention window so that a peer restored from an
// older backup can ask for them again (PROTOCOL.md §6 rule 13). A row moves here from the outbox at the
// ack (one hook in outbox.ts, same transaction as the delete) and leaves by age or by the byte cap;
// the highest seq ever pruned is kept, so a replay request from below it is a known, counted gap.
import { hasColumn, type Db } from './db.js';
import type { OutgoingPacket } from '../link/session.js';

/** Where a retained large packet's bytes are read back from (src/store/blobs.ts). */
export interface RetainedBlobs { readSync(digest: Buffer): Buffer }

export const OUTBOX_RETAINED_SQL = `
CREATE TABLE outbox_retained (
  seq          INTEGER PRIMARY KEY,      -- the outbox seq it was sent with (what a watermark counts)
  packet_id    BLOB NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  case_id      TEXT NOT NULL,
  bytes        BLOB NOT NULL,            -- empty when blob names the packet in the blob store
  blob         BLOB,                     -- the outbox row's blob reference (src/store/blobs.ts), kept alive by this row
  size         INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  acked_at     INTEGER NOT NULL,
  -- 1 when a higher seq had been acknowledged first (a held packet released later): a receiver's
  -- high watermark can pass it without having committed it, so a replay always includes it.
  out_of_order INTEGER NOT NULL
);
CREATE INDEX outbox_retained_acked ON outbox_retained (acked_at);
CREATE INDEX outbox_retained_blob ON outbox_retained (blob) WHERE blob IS NOT NULL;
CREATE TABLE replay_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`;

/** Why 72 h: a nightly backup is at most ~24 h old when it is restored, and a restore may follow a
 *  weekend's outage; three days covers both with room. */
export const DEFAULT_REPLAY_RETENTION_HOURS = 72;
/** Why 2 GiB: three days of a busy centre's submissions (~10k a day, ~50 KiB each sealed) is ~1.5 GiB;
 *  the cap keeps a flood of large packets from filling the disk, at the cost of a (counted) gap. */
export const DEFAULT_REPLAY_RETENTION_MAX_BYTES = 2 * 1024 * 1024 * 1024;

export interface ReplayPlan {
  /** Retained packets a replay from `fromSeq` will send (seq > fromSeq, plus out-of-order ones). */
  readonly packets: number;
  /** Seqs above `fromSeq` already pruned: packets the peer may lack that nobody can send again. */
  readonly gap: number;
  /** The lowest seq still retained (null when none): where the retention window starts. */
  readonly retainedFrom: number | null;
  /** The highest seq ever pruned (0 when none). */
  readonly prunedThrough: number;
}

export interface PruneResult { readonly pruned: number; readonly prunedThrough: number }

const PRUNED_THROUGH = 'pruned_through';

export class OutboxRetained {
  private readonly retainStmt;
  private readonly afterStmt;
  private readonly countStmt;
  private readonly keptBelowStmt;
  private readonly minStmt;
  private readonly stateGet;
  private readonly statePut;
  private readonly ageEdgeStmt;
  private readonly byteEdgeStmt;
  private readonly deleteStmt;
  private readonly depthStmt;

  constructor(private readonly db: Db, private readonly blobs?: RetainedBlobs) {
    // Copies the row the outbox is about to delete (same transaction). A large packet's bytes stay in
    // its blob file: the copy takes the reference, and the store's reference check (BLOB_REFS) then
    // keeps the file until this row is pruned. `size` counts inline bytes only: blob rows are bounded
    // by the retention age, not the byte cap (docs/OPERATIONS.md).
    this.retainStmt = db.prepare(`INSERT OR IGNORE INTO outbox_retained (seq, packet_id, kind, case_id, bytes, blob, size, created_at, acked_at, out_of_order)
      SELECT seq, packet_id, kind, case_id, bytes, ${hasColumn(db, 'outbox', 'blob') ? 'blob' : 'NULL'}, length(bytes), created_at, @now,
             seq < (SELECT COALESCE(MAX(seq), 0) FROM outbox_retained) FROM outbox WHERE packet_id = @id`);
    this.afterStmt = db.prepare(`SELECT seq, packet_id AS packetId, bytes, blob FROM outbox_retained
      WHERE seq > @cursor AND (seq > @from OR out_of_order = 1) ORDER BY seq LIMIT @limit`);
    this.countStmt = db.prepare('SELECT COUNT(*) FROM outbox_retained WHERE seq > @from OR out_of_order = 1').pluck();
    this.keptBelowStmt = db.prepare('SELECT COUNT(*) FROM outbox_retained WHERE seq > ? AND seq <= ?').pluck();
    this.minStmt = db.prepare('SELECT MIN(seq) FROM outbox_retained').pluck();
    this.stateGet = db.prepare('SELECT value FROM replay_state WHERE key = ?').pluck();
    this.statePut = db.prepare('INSERT INTO replay_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)');
    this.ageEdgeStmt = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS top FROM outbox_retained WHERE acked_at < ?');
    // The newest rows whose running total (newest first) stays within the cap are kept; the rest go.
    this.byteEdgeStmt = db.prepare(`SELECT COUNT(*) AS n, MAX(seq) AS top FROM (
      SELECT seq, SUM(size) OVER (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS run FROM outbox_retained) WHERE run > ?`);
    this.deleteStmt = db.prepare('DELETE FROM outbox_retained WHERE acked_at < @before OR seq IN (SELECT seq FROM (SELECT seq, SUM(size) OVER (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS run FROM outbox_retained) WHERE run > @cap)');
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes, MIN(acked_at) AS oldestAt FROM outbox_retained');
  }

  /** The outbox's ack hook: call inside the transaction that deletes the acknowledged row. */
  retain(packetId: Buffer, now: number): void {
    this.retainStmt.run({ id: packetId, now });
  }

  /** What a replay from `fromSeq` will send, and what it cannot (the gap below the window). */
  plan(fromSeq: number): ReplayPlan {
    const prunedThrough = (this.stateGet.get(PRUNED_THROUGH) as number | undefined) ?? 0;
    const packets = this.countStmt.get({ from: fromSeq }) as number;
    const retainedFrom = (this.minStmt.get() as number | null) ?? null;
    // Seq numbers are dense (AUTOINCREMENT; a rolled-back insert rolls its number back): each seq in
    // (fromSeq, prunedThrough] that is no longer retained was acknowledged and then pruned.
    const gap = prunedThrough > fromSeq ? (prunedThrough - fromSeq) - (this.keptBelowStmt.get(fromSeq, prunedThrough) as number) : 0;
    return { packets, gap, retainedFrom, prunedThrough };
  }

  /** Retained packets for a replay from `fromSeq`, after the replay's own cursor, oldest first. */
  after(fromSeq: number, cursor: number, limit: number): OutgoingPacket[] {
    const rows = this.afterStmt.all({ from: fromSeq, cursor, limit }) as (OutgoingPacket & { blob: Buffer | null })[];
    return rows.map(({ blob, ...row }) => {
      if (!blob) return row;
      // A replay is rare (after a restore): the blob is read here, digest-checked, rather than ahead.
      if (!this.blobs) throw new Error('outbox_retained: a row names a blob and no blob store was given');
      return { ...row, bytes: this.blobs.readSync(blob) };
    });
  }

  /** Drops rows acknowledged before `now - maxAgeMs`, then the oldest past `maxBytes`; one transaction. */
  prune(now: number, maxAgeMs: number, maxBytes: number): PruneResult {
    return this.db.transaction(() => {
      const before = now - maxAgeMs;
      const age = this.ageEdgeStmt.get(before) as { n: number; top: number | null };
      const cap = this.byteEdgeStmt.get(maxBytes) as { n: number; top: number | null };
      const top = Math.max(age.top ?? 0, cap.top ?? 0);
      const pruned = age.n + cap.n === 0 ? 0 : this.deleteStmt.run({ before, cap: maxBytes }).changes;
      if (top > 0) this.statePut.run(PRUNED_THROUGH, top);
      return { pruned, prunedThrough: (this.stateGet.get(PRUNED_THROUGH) as number | undefined) ?? 0 };
    })();
  }

  /** Rows, bytes and the oldest ack time (ms) retained: what an operator watches. */
  depth(): { count: number; bytes: number; oldestAt: number | null } {
    return this.depthStmt.get() as { count: number; bytes: number; oldestAt: number | null };
  }
}
