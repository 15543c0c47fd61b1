// SQLite persistence for the intranet approval service (src/desk/): cases as the core's serialisable
// CaseState with a version for optimistic concurrency, the append-only transition log, outbound events
// awaiting a packet, supervision cards, evaluations, and staff accounts with their sessions.
//
// Append-only tables (transitions, cards, evaluations) carry triggers that abort UPDATE and DELETE, so
// "a card is never changed" holds even against a hand-written statement, not only against this file
// (which has no UPDATE for them). Personal data (the applicant block) lives in case_submissions only:
// the case state, the transition log and the events name the applicant by a pseudonymous id.
//
// The desk owns these tables. The internal gateway keeps a second record of each case, its delivery
// evidence (intranet_cases, src/internal/store/intranet-cases.ts: packet id, origin domain, the exact
// request bytes), because the two hold different facts for different owners: this one is the workflow,
// changed on every step; that one is evidence, written once. Each fact has one source: the item code
// and the trusted receipt time are decided here (approval_cases), and the gateway's copies of them are
// read from this row when it records the delivery. Ask the gateway, not these tables, where a case's
// answers go (its origin domain).
import type { Db } from '../../store/db.js';

export const APPROVAL_SQL = `
CREATE TABLE approval_cases (
  case_id           TEXT PRIMARY KEY,
  item_code         TEXT NOT NULL,
  lead_department   TEXT NOT NULL,
  status            TEXT NOT NULL,               -- copy of state.state, for queue and board queries
  state             TEXT NOT NULL,               -- JSON: the approval core's CaseState
  version           INTEGER NOT NULL,            -- +1 per committed change (optimistic concurrency)
  inspected_version INTEGER NOT NULL DEFAULT 0,  -- version the supervision monitor last inspected
  received_at       INTEGER NOT NULL,            -- trusted time, ms
  updated_at        INTEGER NOT NULL             -- trusted time of the last change, ms
) WITHOUT ROWID;
CREATE INDEX approval_cases_status ON approval_cases (status);
CREATE INDEX approval_cases_updated ON approval_cases (updated_at);

CREATE TABLE case_submissions (
  case_id      TEXT PRIMARY KEY REFERENCES approval_cases (case_id),
  channel      TEXT NOT NULL CHECK (channel IN ('public', 'township')),
  township     TEXT,
  applicant    TEXT NOT NULL,                    -- JSON: name, id number, phone (personal data)
  received_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE case_attachments (
  case_id      TEXT NOT NULL REFERENCES approval_cases (case_id),
  n            INTEGER NOT NULL,
  seq          INTEGER NOT NULL,                 -- history position that brought it (0 = submission)
  material_id  TEXT,
  file_name    TEXT NOT NULL,
  media_type   TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  PRIMARY KEY (case_id, n)
) WITHOUT ROWID;

CREATE TABLE case_transitions (
  case_id      TEXT NOT NULL REFERENCES approval_cases (case_id),
  seq          INTEGER NOT NULL,
  at           TEXT NOT NULL,                    -- trusted time, ISO-8601 UTC
  actor        TEXT NOT NULL,
  role         TEXT NOT NULL,
  department   TEXT,
  event        TEXT NOT NULL,
  from_status  TEXT,
  to_status    TEXT NOT NULL,
  reason       TEXT,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER case_transitions_no_update BEFORE UPDATE ON case_transitions BEGIN SELECT RAISE(ABORT, 'case_transitions is append-only'); END;
CREATE TRIGGER case_transitions_no_delete BEFORE DELETE ON case_transitions BEGIN SELECT RAISE(ABORT, 'case_transitions is append-only'); END;

CREATE TABLE outbound_events (
  event_id     TEXT PRIMARY KEY,                 -- the core's deterministic id: case/seq/type
  case_id      TEXT NOT NULL,
  type         TEXT NOT NULL,
  payload      TEXT NOT NULL,                    -- JSON: the OutboundEvent
  created_at   INTEGER NOT NULL,
  dispatched   INTEGER NOT NULL DEFAULT 0 CHECK (dispatched IN (0, 1)),
  dispatched_at INTEGER
);
CREATE INDEX outbound_events_pending ON outbound_events (dispatched) WHERE dispatched = 0;

CREATE TABLE supervision_cards (
  card_id      TEXT PRIMARY KEY,                 -- the core's stable id: case/kind/subject
  case_id      TEXT NOT NULL,
  colour       TEXT NOT NULL CHECK (colour IN ('yellow', 'red')),
  kind         TEXT NOT NULL,
  subject      TEXT NOT NULL,
  department   TEXT NOT NULL,
  officer      TEXT,
  at           TEXT NOT NULL,                    -- when the finding became true (ISO)
  detail       TEXT NOT NULL,
  issued_at    INTEGER NOT NULL                  -- when the monitor first recorded it, ms
) WITHOUT ROWID;
CREATE INDEX supervision_cards_department ON supervision_cards (department, at);
CREATE TRIGGER supervision_cards_no_update BEFORE UPDATE ON supervision_cards BEGIN SELECT RAISE(ABORT, 'supervision cards are immutable'); END;
CREATE TRIGGER supervision_cards_no_delete BEFORE DELETE ON supervision_cards BEGIN SELECT RAISE(ABORT, 'supervision cards are immutable'); END;
-- What supervisors read: every card with the item it concerns.
CREATE VIEW supervision_queue AS
  SELECT k.card_id, k.case_id, c.item_code, k.colour, k.kind, k.subject, k.department, k.officer, k.at, k.detail, k.issued_at
  FROM supervision_cards k JOIN approval_cases c ON c.case_id = k.case_id;

CREATE TABLE evaluations (
  case_id      TEXT PRIMARY KEY REFERENCES approval_cases (case_id),   -- one case, one evaluation
  score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment      TEXT NOT NULL,
  at           TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER evaluations_no_update BEFORE UPDATE ON evaluations BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;
CREATE TRIGGER evaluations_no_delete BEFORE DELETE ON evaluations BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;

CREATE TABLE staff (
  id            TEXT PRIMARY KEY,                -- login name; the actor id in case history
  display_name  TEXT NOT NULL,
  department    TEXT NOT NULL,
  roles         TEXT NOT NULL,                   -- JSON array of staff roles
  pw_salt       BLOB NOT NULL,                   -- 16 random bytes per user
  pw_hash       BLOB NOT NULL,                   -- scrypt(password, salt, N, r, p)
  pw_n          INTEGER NOT NULL,
  pw_r          INTEGER NOT NULL,
  pw_p          INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until  INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff_sessions (
  token_sha256  BLOB PRIMARY KEY,                -- SHA-256 of the bearer token; the token is never stored
  staff_id      TEXT NOT NULL REFERENCES staff (id),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
`;

/** Supervision at scale (issue 12): the monitor reads only the cases that can have a new card — those
 *  changed since their last inspection (inspected_version < version: a commit bumps the version, so
 *  every change of a case's deadlines lands here), and those whose next time threshold (a yellow or red
 *  instant, computed by the core's nextDeadline at the last inspection) has come. Both sets are indexed,
 *  so a pass costs the cases due, not the cases open. supervision_basis holds the hash of the settings
 *  and calendar the deadlines were computed with: when it changes, every deadline is recomputed. */
export const NEXT_DEADLINE_SQL = `
ALTER TABLE approval_cases ADD COLUMN next_deadline INTEGER;   -- ms; NULL: no time threshold ahead
CREATE INDEX approval_cases_next_deadline ON approval_cases (next_deadline, case_id) WHERE next_deadline IS NOT NULL;
CREATE INDEX approval_cases_changed ON approval_cases (case_id) WHERE inspected_version < version;
-- Open cases inspected under the old scheme have no deadline yet: the first pass inspects them once.
UPDATE approval_cases SET inspected_version = 0 WHERE status NOT IN ('closed', 'withdrawn', 'not-accepted');
CREATE TABLE supervision_basis (id INTEGER PRIMARY KEY CHECK (id = 1), sha256 TEXT NOT NULL);
`;

export interface CaseRow {
  caseId: string;
  itemCode: string;
  leadDepartment: string;
  status: string;
  state: string;
  version: number;
  inspectedVersion: number;
  receivedAt: number;
  updatedAt: number;
}

export interface TransitionRow {
  caseId: string;
  seq: number;
  at: string;
  actor: string;
  role: string;
  department: string | null;
  event: string;
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
}

export interface AttachmentRow {
  n: number;
  seq: number;
  materialId: string | null;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface SubmissionRow { channel: 'public' | 'township'; township: string | null; applicant: string; receivedAt: number }

export interface CardRow {
  cardId: string;
  caseId: string;
  itemCode: string;
  colour: 'yellow' | 'red';
  kind: string;
  subject: string;
  department: string;
  officer: string | null;
  at: string;
  detail: string;
  issuedAt: number;
}

export interface EventRow { eventId: string; payload: string }

export interface EvaluationRow { caseId: string; score: number; comment: string; at: string }

export interface StaffRow {
  id: string;
  displayName: string;
  department: string;
  roles: string;
  pwSalt: Buffer;
  pwHash: Buffer;
  pwN: number;
  pwR: number;
  pwP: number;
  disabled: number;
  failedLogins: number;
  lockedUntil: number;
  createdAt: number;
}

export interface SessionRow { staffId: string; createdAt: number; expiresAt: number; lastSeenAt: number }

const CASE_COLS = `case_id AS caseId, item_code AS itemCode, lead_department AS leadDepartment, status, state, version,
  inspected_version AS inspectedVersion, received_at AS receivedAt, updated_at AS updatedAt`;
const CARD_COLS = `card_id AS cardId, case_id AS caseId, item_code AS itemCode, colour, kind, subject, department, officer, at,
  detail, issued_at AS issuedAt`;
const STAFF_COLS = `id, display_name AS displayName, department, roles, pw_salt AS pwSalt, pw_hash AS pwHash, pw_n AS pwN,
  pw_r AS pwR, pw_p AS pwP, disabled, failed_logins AS failedLogins, locked_until AS lockedUntil, created_at AS createdAt`;

/** Prepared statements over APPROVAL_SQL's tables. Every method is one statement; the desk groups
 *  them into transactions. */
export class ApprovalStore {
  readonly db: Db;
  private readonly s;

  constructor(db: Db) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertCase: p(`INSERT INTO approval_cases (case_id, item_code, lead_department, status, state, version, received_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 1, ?, ?)`),
      updateCase: p('UPDATE approval_cases SET status = ?, state = ?, version = version + 1, updated_at = ? WHERE case_id = ? AND version = ?'),
      getCase: p(`SELECT ${CASE_COLS} FROM approval_cases WHERE case_id = ?`),
      casesByStatus: p(`SELECT ${CASE_COLS} FROM approval_cases WHERE status IN (SELECT value FROM json_each(?)) ORDER BY received_at, case_id`),
      casesUpdatedSince: p(`SELECT ${CASE_COLS} FROM approval_cases WHERE updated_at >= ? ORDER BY received_at, case_id`),
      recentCases: p(`SELECT ${CASE_COLS} FROM approval_cases ORDER BY updated_at DESC, case_id LIMIT ?`),
      changedPage: p(`SELECT ${CASE_COLS} FROM approval_cases
        WHERE inspected_version < version AND case_id > ? ORDER BY case_id LIMIT ?`),
      duePage: p(`SELECT ${CASE_COLS}, next_deadline AS nextDeadline FROM approval_cases
        WHERE next_deadline IS NOT NULL AND next_deadline <= @now AND (next_deadline, case_id) > (@afterDeadline, @afterCase)
        ORDER BY next_deadline, case_id LIMIT @limit`),
      markInspected: p('UPDATE approval_cases SET inspected_version = MAX(inspected_version, ?), next_deadline = ? WHERE case_id = ?'),
      basis: p('SELECT sha256 FROM supervision_basis WHERE id = 1').pluck(),
      setBasis: p('INSERT INTO supervision_basis (id, sha256) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256'),
      allDueNow: p(`UPDATE approval_cases SET next_deadline = 0 WHERE next_deadline IS NOT NULL OR
        (status NOT IN ('closed', 'withdrawn', 'not-accepted') AND inspected_version = version)`),
      insertSubmission: p('INSERT INTO case_submissions (case_id, channel, township, applicant, received_at) VALUES (?, ?, ?, ?, ?)'),
      getSubmission: p('SELECT channel, township, applicant, received_at AS receivedAt FROM case_submissions WHERE case_id = ?'),
      nextAttachment: p('SELECT COALESCE(MAX(n), -1) + 1 AS n FROM case_attachments WHERE case_id = ?'),
      insertAttachment: p(`INSERT INTO case_attachments (case_id, n, seq, material_id, file_name, media_type, size, sha256)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      attachments: p(`SELECT n, seq, material_id AS materialId, file_name AS fileName, media_type AS mediaType, size, sha256
        FROM case_attachments WHERE case_id = ? ORDER BY n`),
      insertTransition: p(`INSERT INTO case_transitions (case_id, seq, at, actor, role, department, event, from_status, to_status, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      transitions: p(`SELECT case_id AS caseId, seq, at, actor, role, department, event, from_status AS fromStatus,
        to_status AS toStatus, reason FROM case_transitions WHERE case_id = ? ORDER BY seq`),
      insertEvent: p('INSERT INTO outbound_events (event_id, case_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)'),
      pendingEvents: p('SELECT event_id AS eventId, payload FROM outbound_events WHERE dispatched = 0 ORDER BY rowid LIMIT ?'),
      markDispatched: p('UPDATE outbound_events SET dispatched = 1, dispatched_at = ? WHERE event_id = ? AND dispatched = 0'),
      insertCard: p(`INSERT INTO supervision_cards (card_id, case_id, colour, kind, subject, department, officer, at, detail, issued_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (card_id) DO NOTHING`),
      cards: p(`SELECT ${CARD_COLS} FROM supervision_queue
        WHERE (@department IS NULL OR department = @department) AND (@colour IS NULL OR colour = @colour) AND (@since IS NULL OR at >= @since)
        ORDER BY at DESC, card_id LIMIT @limit`),
      cardsOfCase: p(`SELECT ${CARD_COLS} FROM supervision_queue WHERE case_id = ? ORDER BY at, card_id`),
      cardsBetween: p(`SELECT ${CARD_COLS} FROM supervision_queue WHERE at >= ? AND at < ? ORDER BY at, card_id`),
      insertEvaluation: p('INSERT INTO evaluations (case_id, score, comment, at) VALUES (?, ?, ?, ?)'),
      evaluationsBetween: p('SELECT case_id AS caseId, score, comment, at FROM evaluations WHERE at >= ? AND at < ? ORDER BY at, case_id'),
      insertStaff: p(`INSERT INTO staff (id, display_name, department, roles, pw_salt, pw_hash, pw_n, pw_r, pw_p, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getStaff: p(`SELECT ${STAFF_COLS} FROM staff WHERE id = ?`),
      listStaff: p(`SELECT ${STAFF_COLS} FROM staff ORDER BY department, id`),
      setPassword: p('UPDATE staff SET pw_salt = ?, pw_hash = ?, pw_n = ?, pw_r = ?, pw_p = ? WHERE id = ?'),
      disableStaff: p('UPDATE staff SET disabled = 1 WHERE id = ? AND disabled = 0'),
      setLoginFailures: p('UPDATE staff SET failed_logins = ?, locked_until = ? WHERE id = ?'),
      insertSession: p('INSERT INTO staff_sessions (token_sha256, staff_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)'),
      getSession: p('SELECT staff_id AS staffId, created_at AS createdAt, expires_at AS expiresAt, last_seen_at AS lastSeenAt FROM staff_sessions WHERE token_sha256 = ?'),
      touchSession: p('UPDATE staff_sessions SET last_seen_at = ? WHERE token_sha256 = ?'),
      deleteSession: p('DELETE FROM staff_sessions WHERE token_sha256 = ?'),
      deleteSessionsOf: p('DELETE FROM staff_sessions WHERE staff_id = ?'),
      purgeSessions: p('DELETE FROM staff_sessions WHERE expires_at <= ? OR last_seen_at <= ?'),
      keepNewestSessions: p(`DELETE FROM staff_sessions WHERE staff_id = @staff AND token_sha256 != @keep AND token_sha256 NOT IN
        (SELECT token_sha256 FROM staff_sessions WHERE staff_id = @staff AND token_sha256 != @keep ORDER BY created_at DESC, token_sha256 LIMIT @others)`),
    };
  }

  // --- cases ---
  insertCase(r: Omit<CaseRow, 'version' | 'inspectedVersion'>): void {
    this.s.insertCase.run(r.caseId, r.itemCode, r.leadDepartment, r.status, r.state, r.receivedAt, r.updatedAt);
  }
  /** False when the case is not at `version` any more (someone else committed first). */
  updateCase(caseId: string, version: number, status: string, state: string, updatedAt: number): boolean {
    return this.s.updateCase.run(status, state, updatedAt, caseId, version).changes === 1;
  }
  getCase(caseId: string): CaseRow | undefined { return this.s.getCase.get(caseId) as CaseRow | undefined; }
  casesByStatus(statuses: readonly string[]): CaseRow[] { return this.s.casesByStatus.all(JSON.stringify(statuses)) as CaseRow[]; }
  casesUpdatedSince(ms: number): CaseRow[] { return this.s.casesUpdatedSince.all(ms) as CaseRow[]; }
  recentCases(limit: number): CaseRow[] { return this.s.recentCases.all(limit) as CaseRow[]; }
  /** Cases changed since their last inspection, by case id after `afterCase` (keyset paging). */
  changedPage(afterCase: string, limit: number): CaseRow[] { return this.s.changedPage.all(afterCase, limit) as CaseRow[]; }
  /** Cases whose next deadline is at or before `now`, in (deadline, case id) order after the cursor. */
  duePage(now: number, after: { deadline: number; caseId: string }, limit: number): (CaseRow & { nextDeadline: number })[] {
    return this.s.duePage.all({ now, afterDeadline: after.deadline, afterCase: after.caseId, limit }) as (CaseRow & { nextDeadline: number })[];
  }
  /** Inspected at `version`; the next time threshold (ms) or null for none. */
  markInspected(caseId: string, version: number, nextDeadline: number | null): void { this.s.markInspected.run(version, nextDeadline, caseId); }
  /** The settings-and-calendar hash the stored deadlines were computed with (null before the first pass). */
  supervisionBasis(): string | null { return (this.s.basis.get() as string | undefined) ?? null; }
  /** A new basis: every stored deadline may be wrong, so every case with one (and every open case) is due now. */
  resetSupervisionBasis(sha256: string): void { this.s.allDueNow.run(); this.s.setBasis.run(sha256); }

  insertSubmission(caseId: string, r: SubmissionRow): void {
    this.s.insertSubmission.run(caseId, r.channel, r.township, r.applicant, r.receivedAt);
  }
  getSubmission(caseId: string): SubmissionRow | undefined { return this.s.getSubmission.get(caseId) as SubmissionRow | undefined; }
  addAttachments(caseId: string, seq: number, list: readonly Omit<AttachmentRow, 'n' | 'seq'>[]): void {
    let n = (this.s.nextAttachment.get(caseId) as { n: number }).n;
    for (const a of list) this.s.insertAttachment.run(caseId, n++, seq, a.materialId, a.fileName, a.mediaType, a.size, a.sha256);
  }
  attachments(caseId: string): AttachmentRow[] { return this.s.attachments.all(caseId) as AttachmentRow[]; }

  insertTransition(t: TransitionRow): void {
    this.s.insertTransition.run(t.caseId, t.seq, t.at, t.actor, t.role, t.department, t.event, t.fromStatus, t.toStatus, t.reason);
  }
  transitions(caseId: string): TransitionRow[] { return this.s.transitions.all(caseId) as TransitionRow[]; }

  // --- outbound events ---
  insertEvent(eventId: string, caseId: string, type: string, payload: string, createdAt: number): void {
    this.s.insertEvent.run(eventId, caseId, type, payload, createdAt);
  }
  pendingEvents(limit: number): EventRow[] { return this.s.pendingEvents.all(limit) as EventRow[]; }
  markDispatched(eventId: string, at: number): boolean { return this.s.markDispatched.run(at, eventId).changes === 1; }

  // --- supervision ---
  /** True when the card is new; an existing card id is left exactly as it was. */
  insertCard(k: Omit<CardRow, 'itemCode'>): boolean {
    return this.s.insertCard.run(k.cardId, k.caseId, k.colour, k.kind, k.subject, k.department, k.officer, k.at, k.detail, k.issuedAt).changes === 1;
  }
  cards(f: { department?: string | undefined; colour?: string | undefined; since?: string | undefined; limit: number }): CardRow[] {
    return this.s.cards.all({ department: f.department ?? null, colour: f.colour ?? null, since: f.since ?? null, limit: f.limit }) as CardRow[];
  }
  cardsOfCase(caseId: string): CardRow[] { return this.s.cardsOfCase.all(caseId) as CardRow[]; }
  cardsBetween(fromIso: string, toIso: string): CardRow[] { return this.s.cardsBetween.all(fromIso, toIso) as CardRow[]; }

  insertEvaluation(e: EvaluationRow): void { this.s.insertEvaluation.run(e.caseId, e.score, e.comment, e.at); }
  evaluationsBetween(fromIso: string, toIso: string): EvaluationRow[] { return this.s.evaluationsBetween.all(fromIso, toIso) as EvaluationRow[]; }

  // --- staff and sessions ---
  insertStaff(r: Omit<StaffRow, 'disabled' | 'failedLogins' | 'lockedUntil'>): void {
    this.s.insertStaff.run(r.id, r.displayName, r.department, r.roles, r.pwSalt, r.pwHash, r.pwN, r.pwR, r.pwP, r.createdAt);
  }
  getStaff(id: string): StaffRow | undefined { return this.s.getStaff.get(id) as StaffRow | undefined; }
  listStaff(): StaffRow[] { return this.s.listStaff.all() as StaffRow[]; }
  setPassword(id: string, salt: Buffer, hash: Buffer, n: number, r: number, p: number): void { this.s.setPassword.run(salt, hash, n, r, p, id); }
  disableStaff(id: string): boolean { return this.s.disableStaff.run(id).changes === 1; }
  /** Failed-login count and lock (0 = not locked); a good login sets both back to 0. */
  setLoginFailures(id: string, count: number, lockedUntil: number): void { this.s.setLoginFailures.run(count, lockedUntil, id); }
  insertSession(tokenSha256: Buffer, staffId: string, createdAt: number, expiresAt: number): void {
    this.s.insertSession.run(tokenSha256, staffId, createdAt, expiresAt, createdAt);
  }
  getSession(tokenSha256: Buffer): SessionRow | undefined { return this.s.getSession.get(tokenSha256) as SessionRow | undefined; }
  touchSession(tokenSha256: Buffer, at: number): void { this.s.touchSession.run(at, tokenSha256); }
  deleteSession(tokenSha256: Buffer): boolean { return this.s.deleteSession.run(tokenSha256).changes === 1; }
  deleteSessionsOf(staffId: string): number { return this.s.deleteSessionsOf.run(staffId).changes; }
  /** Keep session `keep` and the staff member's newest others, `n` in all (a new login ends the oldest). */
  keepNewestSessions(staffId: string, keep: Buffer, n: number): number {
    return this.s.keepNewestSessions.run({ staff: staffId, keep, others: n - 1 }).changes;
  }
  /** Drop sessions past their lifetime or idle since before `idleBefore`. */
  purgeSessions(now: number, idleBefore: number): number { return this.s.purgeSessions.run(now, idleBefore).changes; }
}
