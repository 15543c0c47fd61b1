// Packet ids a receiver has committed: the duplicate filter that makes resends harmless.
import type { Db } from './db.js';

export const SEEN_SQL = `
CREATE TABLE seen_packets (
  packet_id   BLOB PRIMARY KEY,
  kind        TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  outcome     TEXT NOT NULL,       -- 'delivered' or an error code
  received_at INTEGER NOT NULL
) WITHOUT ROWID;`;

export class SeenPackets {
  private readonly insertStmt;
  private readonly hasStmt;
  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO seen_packets (packet_id, kind, case_id, outcome, received_at) VALUES (?, ?, ?, ?, ?)');
    this.hasStmt = db.prepare('SELECT 1 FROM seen_packets WHERE packet_id = ?');
  }
  /** True when the id is new (and now recorded); false for a duplicate. Call inside a transaction. */
  record(packetId: Buffer, kind: string, caseId: string, outcome: string, now: number): boolean {
    return this.insertStmt.run(packetId, kind, caseId, outcome, now).changes === 1;
  }
  has(packetId: Buffer): boolean {
    return this.hasStmt.get(packetId) !== undefined;
  }
}

/** The replay watermark (PROTOCOL.md §6 rule 13): per sending domain, the highest sender outbox seq
 *  this receiver has committed. Advanced in the inbox's batch transaction, so it is exactly as old as
 *  the packets a restored backup holds, and the next session asks the sender to replay from it. */
export const LINK_WATERMARK_SQL = `
CREATE TABLE link_watermark (
  peer       TEXT PRIMARY KEY,     -- the sender's domain, from the authenticated packet header
  high_seq   INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;`;

export class LinkWatermark {
  private readonly advanceStmt;
  private readonly highStmt;
  constructor(db: Db) {
    this.advanceStmt = db.prepare(`INSERT INTO link_watermark (peer, high_seq, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(peer) DO UPDATE SET high_seq = MAX(high_seq, excluded.high_seq), updated_at = excluded.updated_at`);
    this.highStmt = db.prepare('SELECT MAX(high_seq) FROM link_watermark').pluck();
  }
  /** Records a committed packet's sender seq (never lowers the mark). Call inside the batch transaction. */
  advance(peer: string, seq: number, now: number): void {
    this.advanceStmt.run(peer, seq, now);
  }
  /** The highest seq committed from the peer (a gateway has one), 0 when none was ever recorded. */
  high(): number {
    return (this.highStmt.get() as number | null) ?? 0;
  }
}
