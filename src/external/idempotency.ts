// Idempotency keys (issue 13: "a retry never makes a second case"). A client that did not see the
// answer to a POST (a timeout, a reset, a gateway killed between commit and answer) sends it again
// with the same Idempotency-Key header and gets the first answer back, not a second case.
//
// - Scope: a key belongs to one client. Submissions: the TLS client certificate when one is presented
//   (a township centre keeps its identity across addresses), else the source address. Actions: the
//   case (the caller has proved the case secret). The same key from another client is another key.
// - Only a 202 is remembered: a refusal changes nothing, so a retry is simply judged again.
// - The row is written in the same SQLite transaction as the outbox row (intake's inTransaction),
//   so a 202 that was committed is found after a kill -9 even if the answer never left.
// - Nothing in the table reads back to a client or a request without the key: the row is found by
//   SHA-256 over scope and key, the request is kept as a SHA-256, and the case secret of a
//   submission's 202 is sealed under the key and the request bytes (idempotency-seal.ts).
// - Rows live DEFAULT_IDEMPOTENCY_RETENTION_MS and are pruned in bounded batches.
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import { openSecret, sealSecret } from './idempotency-seal.js';

/** The request header (RFC draft-ietf-httpapi-idempotency-key-header); lower case as Node gives it. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** 1-128 visible ASCII characters: a UUID fits twice over; a space or a second header (Node joins
 *  repeated headers with ", ") does not. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** How long a first answer is kept for retries: a day covers a client's retry loop and an overnight
 *  outage of the applicant's side, and keeps the table at one day's submissions at most. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60_000;
/** Expired rows are deleted at most this often, and at most PRUNE_BATCH rows at a time, so pruning
 *  never holds the event loop for long. */
export const IDEMPOTENCY_PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 1000;
/** Seconds a concurrent duplicate is told to wait (the first request is inspected and sealed by then). */
export const IN_PROGRESS_RETRY_AFTER_S = 1;

export const IDEMPOTENCY_SQL = `
CREATE TABLE idempotency_keys (
  key_sha256     BLOB NOT NULL UNIQUE,  -- SHA-256 over scope and key: neither is stored
  request_sha256 BLOB NOT NULL,         -- SHA-256 over route and exact body: a repeat must match it
  case_id        TEXT NOT NULL,
  status         INTEGER NOT NULL,
  headers        TEXT NOT NULL,
  body           TEXT NOT NULL,         -- the first answer; a case secret in it is null here ...
  sealed_secret  BLOB,                  -- ... and sealed here (idempotency-seal.ts)
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);`;

/** A first answer as the route sends it. A `secret` in the body is sealed, never stored in clear. */
export interface FirstAnswer { status: number; headers: Record<string, string>; body: Record<string, unknown> }

export type Claim =
  | { kind: 'new'; remember: (caseId: string, answer: FirstAnswer, raw: Buffer) => void; release: () => void }
  | { kind: 'repeat'; answer: FirstAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

interface Row { request_sha256: Buffer; status: number; headers: string; body: string; sealed_secret: Buffer | null }

const digest = (...parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest();
};

export class IdempotencyStore {
  private readonly inFlight = new Set<string>();
  private readonly getStmt;
  private readonly putStmt;
  private readonly pruneStmt;
  private readonly countStmt;
  private nextPruneAt = 0;

  constructor(db: Db, private readonly retentionMs = DEFAULT_IDEMPOTENCY_RETENTION_MS) {
    this.getStmt = db.prepare(`SELECT request_sha256, status, headers, body, sealed_secret FROM idempotency_keys
      WHERE key_sha256 = ? AND expires_at > ?`);
    // REPLACE: an expired row not yet pruned gives way; a live one cannot be here (claim() found none,
    // and the in-flight set keeps a second request with the key out until this one has answered).
    this.putStmt = db.prepare(`INSERT OR REPLACE INTO idempotency_keys
      (key_sha256, request_sha256, case_id, status, headers, body, sealed_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.pruneStmt = db.prepare(`DELETE FROM idempotency_keys WHERE rowid IN
      (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT ${PRUNE_BATCH})`);
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM idempotency_keys');
  }

  /** Looks the key up for this client and request. `new` holds the key until release(): call it in a
   *  finally, and call remember() inside the transaction that commits the case. */
  claim(p: { scope: string; key: string; route: string; raw: Buffer; nowMs: number }): Claim {
    this.prune(p.nowMs);
    const keySha = digest('ferry-idempotency-key/1', p.scope, p.key);
    const requestSha = digest('ferry-idempotency-request/1', p.route, p.raw);
    const row = this.getStmt.get(keySha, p.nowMs) as Row | undefined;
    if (row) {
      if (!row.request_sha256.equals(requestSha)) return { kind: 'mismatch' };
      const body = JSON.parse(row.body) as Record<string, unknown>;
      if (row.sealed_secret) {
        const secret = openSecret(row.sealed_secret, p.key, p.raw, keySha);
        if (secret === null) return { kind: 'mismatch' };
        body['secret'] = secret;
      }
      return { kind: 'repeat', answer: { status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body } };
    }
    const slot = keySha.toString('hex');
    if (this.inFlight.has(slot)) return { kind: 'in-progress' };
    this.inFlight.add(slot);
    return {
      kind: 'new',
      release: () => { this.inFlight.delete(slot); },
      // `raw` again: the request's buffer was moved to an inspection worker since; this is the copy it gave back.
      remember: (caseId, answer, raw) => {
        const secret = answer.body['secret'];
        const sealed = typeof secret === 'string' ? sealSecret(secret, p.key, raw, keySha) : null;
        const body = sealed ? { ...answer.body, secret: null } : answer.body;
        this.putStmt.run(keySha, requestSha, caseId, answer.status, JSON.stringify(answer.headers), JSON.stringify(body),
          sealed, p.nowMs, p.nowMs + this.retentionMs);
      },
    };
  }

  /** Rows held (expired ones until pruned): for tests and health. */
  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  /** Deletes expired rows, a bounded batch at most once per interval. */
  prune(nowMs: number, force = false): number {
    if (!force && nowMs < this.nextPruneAt) return 0;
    this.nextPruneAt = nowMs + IDEMPOTENCY_PRUNE_INTERVAL_MS;
    return this.pruneStmt.run(nowMs).changes;
  }
}
