// The external gateway's view of each case: what the intranet last told it. Status queries are
// answered from here and never reach into the intranet. Holds no submission content.
import type { Db } from '../../store/db.js';

export const STATUS_CACHE_SQL = `
CREATE TABLE case_status (
  case_id        TEXT PRIMARY KEY,
  status         TEXT NOT NULL,
  submitted_at   INTEGER NOT NULL,   -- external gateway clock when the 202 was given
  received_at    INTEGER,            -- intranet receipt time, from its status packet
  updated_at     INTEGER NOT NULL,
  detail         TEXT NOT NULL DEFAULT '',
  request_sha256 BLOB NOT NULL,      -- imprint for the applicant's receipt; not the content
  receipt_token  BLOB
) WITHOUT ROWID;
CREATE TABLE case_history (
  case_id  TEXT NOT NULL REFERENCES case_status(case_id),
  status   TEXT NOT NULL,
  at       INTEGER NOT NULL,
  detail   TEXT NOT NULL DEFAULT '',
  packet_id BLOB
);
CREATE INDEX case_history_case ON case_history(case_id);`;

/** The applicant's case secret, as a hash only (src/external/case-secret.ts). Cases filed before this
 *  column existed have none, and so answer like an unknown case: there is no secret to check. */
export const CASE_SECRET_SQL = 'ALTER TABLE case_status ADD COLUMN secret_sha256 BLOB;';

export interface CaseStatusView {
  caseId: string;
  status: string;
  submittedAt: number;
  receivedAt: number | null;
  updatedAt: number;
  detail: string;
  hasReceipt: boolean;
  history: { status: string; at: number; detail: string; event: string | null }[];
}

export class StatusCache {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly historyStmt;
  private readonly getStmt;
  private readonly historyGetStmt;
  private readonly receiptStmt;
  private readonly secretStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO case_status (case_id, status, submitted_at, updated_at, request_sha256, secret_sha256)
      VALUES (?, 'submitted', ?, ?, ?, ?)`);
    this.secretStmt = db.prepare('SELECT secret_sha256 AS h FROM case_status WHERE case_id = ?');
    this.updateStmt = db.prepare(`UPDATE case_status SET status = ?, updated_at = ?, detail = ?,
      received_at = COALESCE(received_at, ?), receipt_token = COALESCE(?, receipt_token) WHERE case_id = ?`);
    this.historyStmt = db.prepare('INSERT INTO case_history (case_id, status, at, detail, packet_id, event_json) VALUES (?, ?, ?, ?, ?, ?)');
    this.getStmt = db.prepare(`SELECT case_id AS caseId, status, submitted_at AS submittedAt, received_at AS receivedAt,
      updated_at AS updatedAt, detail, receipt_token IS NOT NULL AS hasReceipt FROM case_status WHERE case_id = ?`);
    this.receiptStmt = db.prepare('SELECT receipt_token AS token, request_sha256 AS requestSha256 FROM case_status WHERE case_id = ?');
    this.historyGetStmt = db.prepare('SELECT status, at, detail, event_json AS event FROM case_history WHERE case_id = ? ORDER BY rowid');
  }

  /** Inside the same transaction as the outbox insert: a 202 means both are durable. */
  submitted(caseId: string, at: number, requestSha256: Buffer, secretSha256: Buffer): void {
    this.insertStmt.run(caseId, at, at, requestSha256, secretSha256);
    this.historyStmt.run(caseId, 'submitted', at, '', null, null);
  }

  /** Applies a status the intranet sent. Returns false for an unknown case (the caller rejects it). */
  apply(caseId: string, status: string, at: number, detail: string, packetId: Buffer, receiptToken: Buffer | null, eventJson: string | null = null): boolean {
    const receivedAt = status === 'received' ? at : null;
    const changed = this.updateStmt.run(status, at, detail, receivedAt, receiptToken, caseId).changes === 1;
    if (changed) this.historyStmt.run(caseId, status, at, detail, packetId, eventJson);
    return changed;
  }

  /** The applicant's receipt token and the imprint it must carry (SHA-256 of the POSTed bytes). */
  receipt(caseId: string): { token: Buffer | null; requestSha256: Buffer } | null {
    const r = this.receiptStmt.get(caseId) as { token: Buffer | null; requestSha256: Buffer } | undefined;
    return r ?? null;
  }

  /** The stored hash of the case's secret; null for an unknown case or one filed without a secret. */
  secretHash(caseId: string): Buffer | null {
    const r = this.secretStmt.get(caseId) as { h: Buffer | null } | undefined;
    return r?.h ?? null;
  }

  get(caseId: string): CaseStatusView | null {
    const row = this.getStmt.get(caseId) as (Omit<CaseStatusView, 'history' | 'hasReceipt'> & { hasReceipt: number }) | undefined;
    if (!row) return null;
    return { ...row, hasReceipt: row.hasReceipt === 1, history: this.historyGetStmt.all(caseId) as CaseStatusView['history'] };
  }
}
