// Packets that failed opening or checks: kept with the reason, never silently dropped. The
// quarantine workflow (release / reject by an operator) builds on this table.
import type { Db } from './db.js';

export const REJECTED_SQL = `
CREATE TABLE rejected_packets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id   TEXT,                -- hex, when it could be read
  code        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  bytes       BLOB NOT NULL,
  received_at INTEGER NOT NULL
);`;

export interface RejectedRow { id: number; packetId: string | null; code: string; detail: string; receivedAt: number }

export class RejectedPackets {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly countStmt;
  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO rejected_packets (packet_id, code, detail, bytes, received_at) VALUES (?, ?, ?, ?, ?)');
    this.listStmt = db.prepare('SELECT id, packet_id AS packetId, code, detail, received_at AS receivedAt FROM rejected_packets ORDER BY id');
    this.countStmt = db.prepare('SELECT COUNT(*) FROM rejected_packets').pluck();
  }
  add(packetId: string | null, code: string, detail: string, bytes: Buffer, now: number): void {
    this.insertStmt.run(packetId, code, detail, bytes, now);
  }
  count(): number {
    return this.countStmt.get() as number;
  }
  list(): RejectedRow[] {
    return this.listStmt.all() as RejectedRow[];
  }
}
