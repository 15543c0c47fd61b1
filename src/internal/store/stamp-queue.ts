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

/** A large packet is kept ONCE, in the blob store (src/store/blobs.ts), named by `packet_blob`
 *  (its SHA-256, the token's imprint), with `packet` and `body` empty: the body is what opening the
 *  packet gives, so the stamp stage opens it again (off the loop, at queued_at, the instant it was
 *  judged at) rather than storing it twice. The index on queued_at answers depth from the index:
 *  without it, MIN(queued_at), a column after both blobs, read every row's 44 MB. */
export const STAMP_QUEUE_BLOB_SQL = `
ALTER TABLE stamp_queue ADD COLUMN packet_blob BLOB;
CREATE INDEX stamp_queue_queued ON stamp_queue (queued_at);
CREATE INDEX stamp_queue_blob ON stamp_queue (packet_blob) WHERE packet_blob IS NOT NULL;`;

export interface QueuedPacket {
  seq: number; packetId: Buffer; kind: string; caseId: string; fromDomain: string; toDomain: string; packet: Buffer; body: Buffer; createdAt: number; queuedAt: number;
  released?: number;
  /** SHA-256 of the packet when it is in the blob store (`packet` and `body` then empty until loaded). */
  packetBlob?: Buffer | null;
}

/** Which Buffers the blob store holds durably (the inbox wrote them before this commit). */
export interface QueueBlobs { refOf(bytes: Uint8Array): Buffer | null }

export class StampQueue {
  private readonly addStmt;
  private readonly peekStmt;
  private readonly removeStmt;
  private readonly countStmt;
  private readonly depthStmt;
  private readonly stampStmt;
  private readonly tokenStmt;
  constructor(db: Db, private readonly blobs: QueueBlobs | null = null) {
    this.addStmt = db.prepare('INSERT INTO stamp_queue (packet_id, kind, case_id, from_domain, to_domain, packet, body, created_at, queued_at, released, packet_blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.peekStmt = db.prepare(`SELECT seq, packet_id AS packetId, kind, case_id AS caseId, from_domain AS fromDomain, to_domain AS toDomain, packet, body, created_at AS createdAt,
      queued_at AS queuedAt, released, packet_blob AS packetBlob FROM stamp_queue ORDER BY seq LIMIT ?`);
    this.removeStmt = db.prepare('DELETE FROM stamp_queue WHERE packet_id = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM stamp_queue');
    this.depthStmt = db.prepare('SELECT COUNT(*) AS count, MIN(queued_at) AS oldestAt FROM stamp_queue');
    // OR IGNORE: a packet released from quarantine was stamped when it first entered; that first token
    // (the moment it crossed into the intranet) is the one kept.
    this.stampStmt = db.prepare('INSERT OR IGNORE INTO packet_stamps (packet_id, digest, token, gen_time, serial, trusted) VALUES (?, ?, ?, ?, ?, ?)');
    this.tokenStmt = db.prepare('SELECT token, gen_time AS genTime, trusted FROM packet_stamps WHERE packet_id = ?');
  }
  add(p: Omit<QueuedPacket, 'seq'>): void {
    const blob = this.blobs?.refOf(p.packet) ?? null;
    const empty = Buffer.alloc(0);
    this.addStmt.run(p.packetId, p.kind, p.caseId, p.fromDomain, p.toDomain, blob ? empty : p.packet, blob ? empty : p.body, p.createdAt, p.queuedAt, p.released ?? 0, blob);
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
