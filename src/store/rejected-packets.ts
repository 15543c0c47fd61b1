// Packets that failed opening or checks, never silently dropped — but never kept whole either: a peer
// (or anyone who can reach the link) could otherwise fill the disk with refused packets. Each row keeps
// what an investigation needs: the packet id (when readable), the SHA-256 of the exact bytes that
// arrived (to match a copy the sender or a capture still holds), their size, the code and reason, the
// time, and the first REJECTED_PREFIX_BYTES bytes (the header and envelope, where forgeries show). The
// table is capped by rows: past the cap the oldest rows go, and how many went is counted.
// Since migration REJECTED_RETRY_SQL a row also keeps the whole packet while all kept packets together
// stay under DEFAULT_MAX_REJECTED_KEPT_BYTES, so that after a key fix `ferry rejected retry` can run the
// packet through the inbox again; past the budget only the evidence above is kept. The same bytes
// refused again (the sender retrying) update their row instead of adding one.
import { createHash } from 'node:crypto';
import type { Db } from './db.js';

/** Bytes of each refused packet kept: the outer header and the start of the envelope fit in 4 KiB. */
export const REJECTED_PREFIX_BYTES = 4096;
/** Rows kept by default: months of refusals at any honest rate, at most ~45 MiB with full prefixes. */
export const DEFAULT_MAX_REJECTED = 10_000;
/** Whole refused packets kept for a retry, all rows together: 128 MiB holds a day of submissions of
 *  a rotation mix-up at an ordinary rate, and caps what a misbehaving peer can make us store. */
export const DEFAULT_MAX_REJECTED_KEPT_BYTES = 128 * 1024 * 1024;

/** refused: kept, not delivered; retry: an operator asked for another attempt (the running gateway
 *  feeds it to its inbox); resolved: a retry was taken in (delivered, duplicate or quarantined);
 *  dropped: an operator gave it up (evidence kept, the whole packet deleted). */
export type RejectedState = 'refused' | 'retry' | 'resolved' | 'dropped';
export const REJECTED_STATES: readonly RejectedState[] = ['refused', 'retry', 'resolved', 'dropped'];

/** The first table (migration 1) kept every packet whole. */
export const REJECTED_SQL = `
CREATE TABLE rejected_packets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id   TEXT,                -- hex, when it could be read
  code        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  bytes       BLOB NOT NULL,
  received_at INTEGER NOT NULL
);`;

/** Digest, size and bounded prefix instead of the whole packet; existing rows are converted
 *  (ferry_sha256 is registered by openDb); a one-row counter of rows dropped at the cap. */
export const REJECTED_BOUNDED_SQL = `
CREATE TABLE rejected_packets_bounded (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id   TEXT,                -- hex, when it could be read
  code        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  digest      BLOB NOT NULL,       -- SHA-256 of the packet exactly as received
  size        INTEGER NOT NULL,    -- its length in bytes
  prefix      BLOB NOT NULL,       -- its first ${REJECTED_PREFIX_BYTES} bytes
  received_at INTEGER NOT NULL
);
INSERT INTO rejected_packets_bounded (id, packet_id, code, detail, digest, size, prefix, received_at)
  SELECT id, packet_id, code, detail, ferry_sha256(bytes), length(bytes), substr(bytes, 1, ${REJECTED_PREFIX_BYTES}), received_at FROM rejected_packets;
DROP TABLE rejected_packets;
ALTER TABLE rejected_packets_bounded RENAME TO rejected_packets;
CREATE TABLE rejected_packets_dropped (one INTEGER PRIMARY KEY CHECK (one = 1), dropped INTEGER NOT NULL);
INSERT INTO rejected_packets_dropped (one, dropped) VALUES (1, 0);`;

/** The whole packet for a retry, a state, how often the same bytes were refused. */
export const REJECTED_RETRY_SQL = `
ALTER TABLE rejected_packets ADD COLUMN packet BLOB;
ALTER TABLE rejected_packets ADD COLUMN state TEXT NOT NULL DEFAULT 'refused';
ALTER TABLE rejected_packets ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rejected_packets ADD COLUMN updated_at INTEGER;
CREATE INDEX rejected_packets_digest ON rejected_packets(digest);
CREATE INDEX rejected_packets_state ON rejected_packets(state);`;

export interface RejectedRow {
  id: number; packetId: string | null; code: string; detail: string; digest: Buffer; size: number; receivedAt: number;
  state: RejectedState; attempts: number; updatedAt: number | null; kept: boolean;
}

const COLUMNS = `id, packet_id AS packetId, code, detail, digest, size, received_at AS receivedAt, state, attempts,
  updated_at AS updatedAt, packet IS NOT NULL AS kept`;
type RawRow = Omit<RejectedRow, 'kept'> & { kept: number };
const toRow = (r: RawRow): RejectedRow => ({ ...r, kept: r.kept === 1 });

export class RejectedPackets {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly trimStmt;
  private readonly countDropped;
  private readonly droppedStmt;
  private readonly countStmt;
  private readonly sameStmt;
  private readonly againStmt;
  private readonly keptBytesStmt;
  private readonly getStmt;
  private readonly stateStmt;
  private readonly retryStmt;
  private readonly packetStmt;
  private readonly trimmedBytesStmt;
  /** Bytes of whole packets kept: summed once, then kept up to date here, so an insert never scans the
   *  table (a flood of 10,000 refusals would otherwise scan it 10,000 times). Another process's drop
   *  only makes this an over-estimate: fewer packets kept, never more than the budget. */
  private keptBytes: number;
  constructor(private readonly db: Db, private readonly maxRows = DEFAULT_MAX_REJECTED, private readonly maxKeptBytes = DEFAULT_MAX_REJECTED_KEPT_BYTES) {
    this.insertStmt = db.prepare('INSERT INTO rejected_packets (packet_id, code, detail, digest, size, prefix, received_at, packet, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM rejected_packets ORDER BY id`);
    this.sameStmt = db.prepare("SELECT id FROM rejected_packets WHERE digest = ? AND state IN ('refused', 'retry') ORDER BY id DESC LIMIT 1").pluck();
    this.againStmt = db.prepare("UPDATE rejected_packets SET code = ?, detail = ?, state = 'refused', attempts = attempts + 1, updated_at = ? WHERE id = ?");
    this.keptBytesStmt = db.prepare('SELECT COALESCE(SUM(length(packet)), 0) FROM rejected_packets').pluck();
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM rejected_packets WHERE id = ?`);
    this.stateStmt = db.prepare('UPDATE rejected_packets SET state = ?, updated_at = ?, packet = CASE WHEN ? THEN NULL ELSE packet END WHERE id = ?');
    this.retryStmt = db.prepare("SELECT id, packet_id AS packetId, packet FROM rejected_packets WHERE state = 'retry' AND packet IS NOT NULL ORDER BY id LIMIT ?");
    this.packetStmt = db.prepare('SELECT packet FROM rejected_packets WHERE id = ?').pluck();
    this.trimmedBytesStmt = db.prepare('SELECT COALESCE(SUM(length(packet)), 0) FROM rejected_packets WHERE id <= (SELECT MAX(id) FROM rejected_packets) - ?').pluck();
    this.keptBytes = this.keptBytesStmt.get() as number;
    // Rows older than the newest maxRows; ids only grow (AUTOINCREMENT), so "oldest" is "lowest id".
    this.trimStmt = db.prepare('DELETE FROM rejected_packets WHERE id <= (SELECT MAX(id) FROM rejected_packets) - ?');
    this.countDropped = db.prepare('UPDATE rejected_packets_dropped SET dropped = dropped + ? WHERE one = 1');
    this.droppedStmt = db.prepare('SELECT dropped FROM rejected_packets_dropped WHERE one = 1').pluck();
    this.countStmt = db.prepare('SELECT COUNT(*) FROM rejected_packets').pluck();
  }

  /** Keeps a refused packet; returns its row id. The same bytes still waiting update their row. */
  add(packetId: string | null, code: string, detail: string, bytes: Buffer, now: number): number {
    const digest = createHash('sha256').update(bytes).digest();
    const same = this.sameStmt.get(digest) as number | undefined;
    if (same !== undefined) { this.againStmt.run(code, detail.slice(0, 2000), now, same); return same; }
    const keep = this.keptBytes + bytes.length <= this.maxKeptBytes;
    const id = Number(this.insertStmt.run(packetId, code, detail.slice(0, 2000), digest, bytes.length, bytes.subarray(0, REJECTED_PREFIX_BYTES), now, keep ? bytes : null, now).lastInsertRowid);
    if (keep) this.keptBytes += bytes.length;
    // Only the rows past the cap are read (usually one), by id range.
    this.keptBytes -= this.trimmedBytesStmt.get(this.maxRows) as number;
    const gone = this.trimStmt.run(this.maxRows).changes;
    if (gone > 0) this.countDropped.run(gone);
    return id;
  }

  /** A row by id, or the newest row of a packet id (hex). */
  find(ref: string): RejectedRow | null {
    if (/^\d+$/.test(ref)) return this.get(Number(ref));
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM rejected_packets WHERE packet_id = ? ORDER BY id DESC LIMIT 1`).get(ref.toLowerCase()) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  get(id: number): RejectedRow | null {
    const r = this.getStmt.get(id) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  /** The whole packet as received, when it was kept. */
  packet(id: number): Buffer | null {
    return (this.packetStmt.get(id) as Buffer | null | undefined) ?? null;
  }

  /** Moves a row to `state`; 'dropped' also deletes the kept packet (the evidence columns stay). */
  setState(id: number, state: RejectedState, now: number): void {
    const freed = state === 'dropped' || state === 'resolved';
    if (freed) this.keptBytes -= this.packet(id)?.length ?? 0;
    this.stateStmt.run(state, now, freed ? 1 : 0, id);
  }

  /** Marks a row for the running gateway to retry; `packetId` is the header's id, read when the CLI opened it. */
  queueRetry(id: number, packetId: string, now: number): void {
    this.db.prepare("UPDATE rejected_packets SET state = 'retry', packet_id = ?, updated_at = ? WHERE id = ?").run(packetId, now, id);
  }

  /** Rows an operator asked to retry, oldest first (the running gateway feeds them to its inbox). */
  retries(limit: number): { id: number; packetId: string | null; packet: Buffer }[] {
    return this.retryStmt.all(limit) as { id: number; packetId: string | null; packet: Buffer }[];
  }

  count(): number {
    return this.countStmt.get() as number;
  }
  list(): RejectedRow[] {
    return (this.listStmt.all() as RawRow[]).map(toRow);
  }

  /** Rows dropped at the cap since the table was created. */
  dropped(): number {
    return this.droppedStmt.get() as number;
  }
}
