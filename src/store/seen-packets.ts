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
