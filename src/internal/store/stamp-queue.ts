// Packets that have entered the intranet (opened, checked, acknowledged to the link) and wait for
// their RFC 3161 token before delivery. While time is not trusted they wait here, durably; the
// queue's length is the inbox backlog that slows the link.
import type { Db } from '../../store/db.js';

export const STAMP_QUEUE_SQL = `
CREATE TABLE stamp_queue (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  packet_id  BLOB NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  from_domain TEXT NOT NULL,
  to_domain  TEXT NOT NULL,
  packet     BLOB NOT NULL,        -- the sealed packet exactly as received (the token's imprint)
  body       BLOB NOT NULL,        -- the opened body (intranet side: plaintext is allowed here)
  created_at INTEGER NOT NULL,     -- sender's signed creation time
  queued_at  INTEGER NOT NULL,
  released   INTEGER NOT NULL DEFAULT 0  -- 1: released from quarantine by an operator (checks not repeated)
);
CREATE TABLE packet_stamps (
  packet_id  BLOB PRIMARY KEY,
  digest     BLOB NOT NULL,        -- SHA-256 of the packet bytes
  token      BLOB NOT NULL,        -- RFC 3161 TimeStampToken (DER)
  gen_time   INTEGER NOT NULL,
  serial     TEXT NOT NULL,
  trusted    INTEGER NOT NULL      -- 0 when stamped under stamp-with-warning (demo only)
) WITHOUT ROWID;`;

export interface QueuedPacket {
  seq: number; packetId: Buffer; kind: string; caseId: string; fromDomain: string; toDomain: string; packet: Buffer; body: Buffer; createdAt: number; queuedAt: number;
  released?: number;
}

export class StampQueue {
  private readonly addStmt;
  private readonly peekStmt;
  private readonly removeStmt;
  private readonly countStmt;
  private readonly depthStmt;
  private readonly stampStmt;
  private readonly tokenStmt;
  constructor(db: Db) {
    this.addStmt = db.prepare('INSERT INTO stamp_queue (packet_id, kind, case_id, from_domain, to_domain, packet, body, created_at, queued_at, released) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.peekStmt = db.prepare(`SELECT seq, packet_id AS packetId, kind, case_id AS caseId, from_domain AS fromDomain, to_domain AS toDomain, packet, body, created_at AS createdAt,
      queued_at AS queuedAt, released FROM stamp_queue ORDER BY seq LIMIT ?`);
    this.removeStmt = db.prepare('DELETE FROM stamp_queue WHERE packet_id = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM stamp_queue');
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, MIN(queued_at) AS oldestAt FROM stamp_queue');
    // OR IGNORE: a packet released from quarantine was stamped when it first entered; that first token
    // (the moment it crossed into the intranet) is the one kept.
    this.stampStmt = db.prepare('INSERT OR IGNORE INTO packet_stamps (packet_id, digest, token, gen_time, serial, trusted) VALUES (?, ?, ?, ?, ?, ?)');
    this.tokenStmt = db.prepare('SELECT token, gen_time AS genTime, trusted FROM packet_stamps WHERE packet_id = ?');
  }
  add(p: Omit<QueuedPacket, 'seq'>): void {
    this.addStmt.run(p.packetId, p.kind, p.caseId, p.fromDomain, p.toDomain, p.packet, p.body, p.createdAt, p.queuedAt, p.released ?? 0);
  }
  peek(limit: number): QueuedPacket[] { return this.peekStmt.all(limit) as QueuedPacket[]; }
  remove(packetId: Buffer): void { this.removeStmt.run(packetId); }
  count(): number { return (this.countStmt.get() as { n: number }).n; }
  /** Depth and the oldest entry's queued_at (ms), in one read. */
  depth(): { count: number; oldestAt: number | null } { return this.depthStmt.get() as { count: number; oldestAt: number | null }; }
  recordStamp(packetId: Buffer, digest: Buffer, token: Buffer, genTime: number, serial: bigint, trusted: boolean): void {
    this.stampStmt.run(packetId, digest, token, genTime, serial.toString(), trusted ? 1 : 0);
  }
  stampOf(packetId: Buffer): { token: Buffer; genTime: number; trusted: number } | null {
    return (this.tokenStmt.get(packetId) as { token: Buffer; genTime: number; trusted: number } | undefined) ?? null;
  }
}
