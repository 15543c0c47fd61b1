// Packets the policy held back (stale, unsolicited, over a limit, …), kept whole with the rule and
// reason, until an operator releases or rejects each one. A decision is made once: held → released
// or held → rejected, never back and never twice, and it needs the operator's name and a reason.
// The table enforces the same with CHECK constraints and a trigger, so no other code path (or a
// hand-typed UPDATE) can rewrite a decision. Released packets are returned to the caller, which
// re-delivers them; the bytes stay here as evidence either way.
import { fail, type Verdict } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { Db } from './db.js';
import { waiverOf, type Waiver } from './release-waiver.js';

export const QUARANTINE_SQL = `
CREATE TABLE quarantine (
  packet_id   TEXT PRIMARY KEY,       -- hex
  code        TEXT NOT NULL,          -- the policy error code that held it
  rule        TEXT NOT NULL,          -- the rule that held it, or 'default-deny'
  detail      TEXT NOT NULL,
  bytes       BLOB NOT NULL,          -- the packet exactly as received
  received_at INTEGER NOT NULL,       -- ms, receiver's trusted clock
  state       TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'released', 'rejected')),
  decided_by  TEXT,
  decided_at  INTEGER,
  reason      TEXT,
  CHECK ((state = 'held') = (decided_by IS NULL AND decided_at IS NULL AND reason IS NULL)),
  CHECK (state = 'held' OR (length(trim(decided_by)) > 0 AND length(trim(reason)) > 0))
) WITHOUT ROWID;
CREATE INDEX quarantine_state ON quarantine (state, received_at);
CREATE TRIGGER quarantine_decide_once BEFORE UPDATE ON quarantine
WHEN OLD.state <> 'held' OR NEW.packet_id <> OLD.packet_id OR NEW.bytes <> OLD.bytes
  OR NEW.code <> OLD.code OR NEW.rule <> OLD.rule OR NEW.received_at <> OLD.received_at
BEGIN SELECT RAISE(ABORT, 'quarantine: a decision is final and the held packet is evidence'); END;
CREATE TRIGGER quarantine_keep_held BEFORE DELETE ON quarantine WHEN OLD.state = 'held'
BEGIN SELECT RAISE(ABORT, 'quarantine: a held packet is deleted only after a decision'); END;
`;

export type QuarantineState = 'held' | 'released' | 'rejected';

export interface QuarantineEntry {
  packetId: string;
  code: string;
  rule: string;
  detail: string;
  size: number;
  receivedAt: number;
  state: QuarantineState;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
}

export interface HoldInput { packetId: string; code: string; rule: string; detail: string; bytes: Buffer; receivedAt: number }

/** Listing is paged: the table may hold many packets after a long link outage. */
export const QUARANTINE_PAGE_MAX = 1000;
const REASON_MAX = 2000;
const OPERATOR_MAX = 200;
// A reason is shown to the next operator and the supervisor: no control characters that could forge a line.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

const COLUMNS = `packet_id AS packetId, code, rule, detail, length(bytes) AS size, received_at AS receivedAt,
  state, decided_by AS decidedBy, decided_at AS decidedAt, reason`;

export class Quarantine {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly bytesStmt;
  private readonly decideStmt;
  private readonly listAll;
  private readonly listByState;
  private readonly countStmt;
  private readonly oldestHeldStmt;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO quarantine (packet_id, code, rule, detail, bytes, received_at)
      VALUES (@packetId, @code, @rule, @detail, @bytes, @receivedAt)`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM quarantine WHERE packet_id = ?`);
    this.bytesStmt = db.prepare('SELECT bytes FROM quarantine WHERE packet_id = ?').pluck();
    this.decideStmt = db.prepare(`UPDATE quarantine SET state = @state, decided_by = @by, decided_at = @at, reason = @reason
      WHERE packet_id = @id AND state = 'held'`);
    this.listAll = db.prepare(`SELECT ${COLUMNS} FROM quarantine WHERE received_at > @after OR (received_at = @after AND packet_id > @afterId)
      ORDER BY received_at, packet_id LIMIT @limit`);
    this.listByState = db.prepare(`SELECT ${COLUMNS} FROM quarantine WHERE state = @state AND (received_at > @after OR (received_at = @after AND packet_id > @afterId))
      ORDER BY received_at, packet_id LIMIT @limit`);
    this.countStmt = db.prepare('SELECT state, COUNT(*) AS n FROM quarantine GROUP BY state');
    this.oldestHeldStmt = db.prepare("SELECT MIN(received_at) FROM quarantine WHERE state = 'held'").pluck();
  }

  /** Keeps a packet. True when newly held; false when this packet id is already in quarantine (a
   *  resend of the same packet changes nothing, whatever was decided about it). */
  /** Called inside the same transaction as each new hold (the audit chain records packet.refused). */
  onHold: ((h: HoldInput) => void) | null = null;

  hold(h: HoldInput): boolean {
    const fresh = this.insertStmt.run(h).changes === 1;
    if (fresh) this.onHold?.(h);
    return fresh;
  }

  get(packetId: string): QuarantineEntry | undefined {
    return this.getStmt.get(packetId) as QuarantineEntry | undefined;
  }

  /** Oldest first. Page on with `after` = the last entry of the previous page. */
  list(o: { state?: QuarantineState; limit?: number; after?: { receivedAt: number; packetId: string } } = {}): QuarantineEntry[] {
    const limit = Math.min(Math.max(1, Math.trunc(o.limit ?? 100)), QUARANTINE_PAGE_MAX);
    const args = { limit, after: o.after?.receivedAt ?? -1, afterId: o.after?.packetId ?? '' };
    return (o.state ? this.listByState.all({ ...args, state: o.state }) : this.listAll.all(args)) as QuarantineEntry[];
  }

  /** For a packet released from quarantine: the refusal its release waives (null: none, or not released). */
  waiverFor(packetId: string): Waiver | null {
    const e = this.get(packetId);
    return e && e.state === 'released' ? waiverOf(e) : null;
  }

  counts(): Record<QuarantineState, number> {
    const out: Record<QuarantineState, number> = { held: 0, released: 0, rejected: 0 };
    for (const r of this.countStmt.all() as { state: QuarantineState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** The packet exactly as received. */
  bytesOf(packetId: string): Buffer | undefined {
    return this.bytesStmt.get(packetId) as Buffer | undefined;
  }

  /** received_at (ms) of the packet that has waited longest for a decision; null when none waits. */
  oldestHeldAt(): number | null {
    return (this.oldestHeldStmt.get() as number | null | undefined) ?? null;
  }

  /** Releases a held packet; returns its exact bytes for the caller to re-deliver. */
  release(packetId: string, operator: string, reason: string): Verdict<{ entry: QuarantineEntry; bytes: Buffer }> {
    const r = this.decide(packetId, 'released', operator, reason);
    if (!r.ok) return r;
    return { ok: true, value: { entry: r.value, bytes: this.bytesStmt.get(packetId) as Buffer } };
  }

  reject(packetId: string, operator: string, reason: string): Verdict<QuarantineEntry> {
    return this.decide(packetId, 'rejected', operator, reason);
  }

  private decide(packetId: string, state: 'released' | 'rejected', operator: string, reason: string): Verdict<QuarantineEntry> {
    const who = operator.trim();
    const why = reason.trim();
    if (!who || !why) return fail('FERRY_ERR_POLICY_QUARANTINE_REASON', `${state === 'released' ? 'release' : 'reject'} needs ${!who ? 'an operator name' : 'a reason'}`);
    if (who.length > OPERATOR_MAX || why.length > REASON_MAX) return fail('FERRY_ERR_POLICY_QUARANTINE_REASON', `operator at most ${OPERATOR_MAX} characters, reason at most ${REASON_MAX}`);
    if (CONTROL.test(who) || CONTROL.test(why)) return fail('FERRY_ERR_POLICY_QUARANTINE_REASON', 'operator or reason contains control characters');
    return this.db.transaction((): Verdict<QuarantineEntry> => {
      const changed = this.decideStmt.run({ id: packetId, state, by: who, at: this.clock.now().getTime(), reason: why }).changes;
      const entry = this.get(packetId);
      if (!entry) return fail('FERRY_ERR_POLICY_QUARANTINE_NOT_FOUND', `no quarantined packet ${packetId}`);
      if (changed !== 1) {
        return fail('FERRY_ERR_POLICY_QUARANTINE_STATE', `packet ${packetId} was already ${entry.state} by ${entry.decidedBy} at ${new Date(entry.decidedAt ?? 0).toISOString()}`);
      }
      return { ok: true, value: entry };
    })();
  }
}
