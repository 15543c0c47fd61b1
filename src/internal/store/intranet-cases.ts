// The intranet's record of every case received through the gateway: the submission as the applicant
// sent it (exact bytes) and its receipt time. The approval workflow builds on these rows.
import type { Db } from '../../store/db.js';

export const INTRANET_CASES_SQL = `
CREATE TABLE intranet_cases (
  case_id        TEXT PRIMARY KEY,
  item_code      TEXT NOT NULL,
  status         TEXT NOT NULL,
  received_at    INTEGER NOT NULL,   -- intranet clock when the packet was committed
  submitted_at   INTEGER NOT NULL,   -- external gateway clock at the applicant's POST
  packet_id      BLOB NOT NULL,
  source_address TEXT NOT NULL,
  client_identity TEXT NOT NULL,
  origin_domain  TEXT NOT NULL,      -- the domain the case came from: its answers go back there
  request_body   BLOB NOT NULL,
  request_sha256 BLOB NOT NULL
) WITHOUT ROWID;`;

export interface ReceivedCase {
  caseId: string;
  itemCode: string;
  receivedAt: number;
  submittedAt: number;
  packetId: Buffer;
  sourceAddress: string;
  clientIdentity: string;
  originDomain: string;
  requestBody: Buffer;
  requestSha256: Buffer;
}

export class IntranetCases {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly countStmt;
  constructor(db: Db) {
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO intranet_cases (case_id, item_code, status, received_at, submitted_at,
      packet_id, source_address, client_identity, origin_domain, request_body, request_sha256) VALUES (?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.getStmt = db.prepare(`SELECT case_id AS caseId, item_code AS itemCode, status, received_at AS receivedAt,
      submitted_at AS submittedAt, origin_domain AS originDomain FROM intranet_cases WHERE case_id = ?`);
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM intranet_cases');
  }
  /** False when a case with this id already exists (a second packet for it is refused upstream). */
  receive(c: ReceivedCase): boolean {
    return this.insertStmt.run(c.caseId, c.itemCode, c.receivedAt, c.submittedAt, c.packetId, c.sourceAddress,
      c.clientIdentity, c.originDomain, c.requestBody, c.requestSha256).changes === 1;
  }
  get(caseId: string): { caseId: string; itemCode: string; status: string; receivedAt: number; submittedAt: number; originDomain: string } | null {
    return (this.getStmt.get(caseId) as ReturnType<IntranetCases['get']> | undefined) ?? null;
  }
  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }
}
