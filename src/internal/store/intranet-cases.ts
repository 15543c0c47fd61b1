// The intranet gateway's delivery evidence for every case it received: which packet brought it, from
// which domain (its answers go back there), address and client identity, the exact request bytes the
// applicant POSTed and their SHA-256, and the extranet's time of that POST. The gateway owns this
// table; nothing here changes after the packet's commit.
//
// Why a second record beside the desk's approval_cases / case_submissions (src/desk/store/
// approval-store.ts): they hold different facts for different owners. This one is evidence of
// delivery, written once by the gateway in the stamper's commit and read by the gateway (the origin
// a status goes back to, the inbox's "is this case known" check, correlation). The desk's is the
// workflow: the case state, its version, its history, the applicant's personal data, written on
// every staff step. Merging them would put request bytes and link routing in the desk's rows (which
// staff read and update) and the workflow in the gateway's evidence (which must not change).
//
// One source for each fact: the item code and the trusted receipt time are the desk's (it decides
// them when it takes the case); the columns item_code and received_at below are kept so the on-disk
// format is unchanged, and are copied from the desk's row in the same statement, never decided here.
// status is the delivery state, always 'received'; the case's workflow status is approval_cases.status.
// Read those three from the desk (desk.store.getCase), not from here.
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

/** A large request body is kept in the blob store (src/store/blobs.ts), named by request_blob (its
 *  SHA-256, equal to request_sha256), with request_body empty: one fsync'd file write instead of a
 *  22 MB row through the WAL and its checkpoint on the event loop. */
export const INTRANET_CASES_BLOB_SQL = `
ALTER TABLE intranet_cases ADD COLUMN request_blob BLOB;
CREATE INDEX intranet_cases_blob ON intranet_cases (request_blob) WHERE request_blob IS NOT NULL;`;

/** Which Buffers the blob store holds durably (the stamp stage wrote them before this commit). */
export interface CaseBlobs { refOf(bytes: Uint8Array): Buffer | null; readSync(digest: Buffer): Buffer }

/** The gateway's facts about a delivered case (the desk's facts are in approval_cases). */
export interface ReceivedCase {
  caseId: string;
  submittedAt: number;
  packetId: Buffer;
  sourceAddress: string;
  clientIdentity: string;
  originDomain: string;
  requestBody: Buffer;
  requestSha256: Buffer;
}

export interface DeliveredCase { caseId: string; submittedAt: number; originDomain: string }

export class IntranetCases {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly countStmt;
  private readonly bodyStmt;
  constructor(db: Db, private readonly blobs: CaseBlobs | null = null) {
    // item_code and received_at come from the desk's row for the case (one source for each fact): the
    // desk takes the case first, in the same transaction; with no desk row nothing is inserted.
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO intranet_cases (case_id, item_code, status, received_at, submitted_at,
      packet_id, source_address, client_identity, origin_domain, request_body, request_sha256, request_blob)
      SELECT a.case_id, a.item_code, 'received', a.received_at, ?, ?, ?, ?, ?, ?, ?, ? FROM approval_cases a WHERE a.case_id = ?`);
    this.getStmt = db.prepare(`SELECT case_id AS caseId, submitted_at AS submittedAt, origin_domain AS originDomain
      FROM intranet_cases WHERE case_id = ?`);
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM intranet_cases');
    this.bodyStmt = db.prepare('SELECT request_body AS body, request_blob AS blob FROM intranet_cases WHERE case_id = ?');
  }
  /** Records the delivery of a case the desk has taken. False when this case was already recorded, or
   *  the desk holds no case with this id (the caller hands it to the desk first). */
  receive(c: ReceivedCase): boolean {
    const blob = this.blobs?.refOf(c.requestBody) ?? null;
    return this.insertStmt.run(c.submittedAt, c.packetId, c.sourceAddress, c.clientIdentity, c.originDomain,
      blob ? Buffer.alloc(0) : c.requestBody, c.requestSha256, blob, c.caseId).changes === 1;
  }
  get(caseId: string): DeliveredCase | null {
    return (this.getStmt.get(caseId) as DeliveredCase | undefined) ?? null;
  }
  /** The exact bytes the applicant filed (the workbench serves the original materials from them). */
  requestBody(caseId: string): Buffer | null {
    const r = this.bodyStmt.get(caseId) as { body: Buffer; blob: Buffer | null } | undefined;
    if (!r) return null;
    // A large body lives in the blob store (read back digest-checked); a staff download is rare.
    return r.blob && this.blobs ? this.blobs.readSync(r.blob) : r.body;
  }
  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }
}
