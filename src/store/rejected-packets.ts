// Packets that failed opening or checks, never silently dropped — but never kept whole either: a peer
// (or anyone who can reach the link) could otherwise fill the disk with refused packets. Each row keeps
// what an investigation needs: the packet id (when readable), the SHA-256 of the exact bytes that
// arrived (to match a copy the sender or a capture still holds), their size, the code and reason, the
// time, and the first REJECTED_PREFIX_BYTES bytes (the header and envelope, where forgeries show). The
// table is capped by rows: past the cap the oldest rows go, and how many went is counted.
import { createHash } from 'node:crypto';
import type { Db } from './db.js';

/** Bytes of each refused packet kept: the outer header and the start of the envelope fit in 4 KiB. */
export const REJECTED_PREFIX_BYTES = 4096;
/** Rows kept by default: months of refusals at any honest rate, at most ~45 MiB with full prefixes. */
export const DEFAULT_MAX_REJECTED = 10_000;

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

export interface RejectedRow {
  id: number; packetId: string | null; code: string; detail: string; digest: Buffer; size: number; receivedAt: number;
}

export class RejectedPackets {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly trimStmt;
  private readonly countDropped;
  private readonly droppedStmt;
  private readonly countStmt;
  constructor(db: Db, private readonly maxRows = DEFAULT_MAX_REJECTED) {
    this.insertStmt = db.prepare('INSERT INTO rejected_packets (packet_id, code, detail, digest, size, prefix, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.listStmt = db.prepare('SELECT id, packet_id AS packetId, code, detail, digest, size, received_at AS receivedAt FROM rejected_packets ORDER BY id');
    // Rows older than the newest maxRows; ids only grow (AUTOINCREMENT), so "oldest" is "lowest id".
    this.trimStmt = db.prepare('DELETE FROM rejected_packets WHERE id <= (SELECT MAX(id) FROM rejected_packets) - ?');
    this.countDropped = db.prepare('UPDATE rejected_packets_dropped SET dropped = dropped + ? WHERE one = 1');
    this.droppedStmt = db.prepare('SELECT dropped FROM rejected_packets_dropped WHERE one = 1').pluck();
    this.countStmt = db.prepare('SELECT COUNT(*) FROM rejected_packets').pluck();
  }

  add(packetId: string | null, code: string, detail: string, bytes: Buffer, now: number): void {
    const digest = createHash('sha256').update(bytes).digest();
    this.insertStmt.run(packetId, code, detail.slice(0, 2000), digest, bytes.length, bytes.subarray(0, REJECTED_PREFIX_BYTES), now);
    const gone = this.trimStmt.run(this.maxRows).changes;
    if (gone > 0) this.countDropped.run(gone);
  }

  count(): number {
    return this.countStmt.get() as number;
  }
  list(): RejectedRow[] {
    return this.listStmt.all() as RejectedRow[];
  }

  /** Rows dropped at the cap since the table was created. */
  dropped(): number {
    return this.droppedStmt.get() as number;
  }
}
