// Durable queue of applicant notifications (SMS through the configured gateway). Rows are written in
// the same transaction that seals the event's packet, so a notification is never lost and never sent
// for an event that did not happen; the sender works from this table and never blocks the workflow.
import type { Db } from '../../store/db.js';

export const NOTIFICATIONS_SQL = `
CREATE TABLE notifications (
  event_id    TEXT PRIMARY KEY,          -- the approval event's id: the idempotency key the SMS gateway sees
  case_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  message     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX notifications_due ON notifications (state, next_at);`;

export interface Notification { eventId: string; caseId: string; type: string; message: string; attempts: number }

export class Notifications {
  private readonly addStmt;
  private readonly dueStmt;
  private readonly sentStmt;
  private readonly retryStmt;
  private readonly failStmt;
  private readonly countStmt;
  constructor(db: Db) {
    this.addStmt = db.prepare('INSERT OR IGNORE INTO notifications (event_id, case_id, type, message, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.dueStmt = db.prepare(`SELECT event_id AS eventId, case_id AS caseId, type, message, attempts FROM notifications
      WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?`);
    this.sentStmt = db.prepare("UPDATE notifications SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE event_id = ?");
    this.retryStmt = db.prepare('UPDATE notifications SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE event_id = ?');
    this.failStmt = db.prepare("UPDATE notifications SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE event_id = ?");
    this.countStmt = db.prepare('SELECT state, COUNT(*) AS n FROM notifications GROUP BY state');
  }
  add(eventId: string, caseId: string, type: string, message: string, now: number): void { this.addStmt.run(eventId, caseId, type, message, now, now); }
  due(now: number, limit: number): Notification[] { return this.dueStmt.all(now, limit) as Notification[]; }
  sent(eventId: string, now: number): void { this.sentStmt.run(now, eventId); }
  retry(eventId: string, nextAt: number, error: string): void { this.retryStmt.run(nextAt, error.slice(0, 300), eventId); }
  failed(eventId: string, error: string): void { this.failStmt.run(error.slice(0, 300), eventId); }
  counts(): Record<string, number> {
    return Object.fromEntries((this.countStmt.all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
  }
}
