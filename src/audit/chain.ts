// The audit chain of one gateway: an append-only SQLite table in which every entry carries the hash
// of the one before (see canonical.ts for the exact bytes). Appends run inside the caller's
// transaction, so an entry exists if and only if the state change it records was committed.
import type { Db } from '../store/db.js';
import { FerryError } from '../errors.js';
import { isAuditAction, type AuditAction } from './actions.js';
import { canonicalJson, encodeEntry, GENESIS_PREV, sha256, type ChainHead } from './canonical.js';
import { MAX_ACTOR_CHARS, MAX_DETAIL_BYTES, MAX_SUBJECT_CHARS } from './limits.js';

/**
 * Migration for the audit tables. `canonical` holds the exact hashed bytes; the other columns are the
 * same facts for queries, and verify.ts checks they agree with `canonical`. The triggers stop Ferry's
 * own code (or a mistaken operator) from rewriting history; they do not stop an attacker who owns the
 * file — the hash chain and its anchors are what reveal that.
 */
export const AUDIT_SQL = `
CREATE TABLE audit_entries (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash      BLOB NOT NULL,
  canonical BLOB NOT NULL
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE TABLE audit_anchors (
  entry_seq   INTEGER PRIMARY KEY,
  head_seq    INTEGER NOT NULL,
  head_hash   BLOB NOT NULL,
  kind        TEXT NOT NULL,
  token       BLOB NOT NULL,
  signer_cert BLOB
);
CREATE INDEX audit_anchors_head ON audit_anchors (head_seq);
CREATE TRIGGER audit_entries_append_only_u BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;
CREATE TRIGGER audit_entries_append_only_d BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;
CREATE TRIGGER audit_anchors_append_only_u BEFORE UPDATE ON audit_anchors BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
CREATE TRIGGER audit_anchors_append_only_d BEFORE DELETE ON audit_anchors BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
`;

export type JsonObject = { readonly [key: string]: unknown };

export interface AuditInput {
  /** When it happened, from the gateway's trusted clock. */
  readonly at: Date;
  /** Who did it: "gateway:external", "link", "staff:<id>", … */
  readonly actor: string;
  readonly action: AuditAction;
  /** What it was done to: a packet id, case id, certificate fingerprint; may be empty. */
  readonly subject: string;
  /** Reasons, codes and ids (plain JSON object). Never submission content or personal data. */
  readonly detail?: JsonObject;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: AuditAction;
  readonly subject: string;
  /** The detail as stored: canonical JSON text. */
  readonly detail: string;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
  /** The exact bytes hashed (canonical.ts). */
  readonly canonical: Buffer;
}

/** What an anchorer returned, plus the head it covers (anchor.ts). */
export interface AnchorToken {
  readonly kind: 'signature' | 'rfc3161';
  /** signature: DER ECDSA/RSA signature over the head record; rfc3161: TimeStampToken DER. */
  readonly token: Buffer;
  /** signature: the signer's certificate (DER), kept with the anchor so rotation never orphans it. */
  readonly signerCert?: Buffer;
}

export interface AnchorRow {
  /** seq of the audit.anchor entry that records this anchor in the chain. */
  readonly entrySeq: number;
  readonly headSeq: number;
  readonly headHash: Buffer;
  readonly kind: string;
  readonly token: Buffer;
  readonly signerCert: Buffer | null;
}

export interface AuditRow {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: string;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
  readonly canonical: Buffer;
}

export const ENTRY_COLUMNS = 'seq, at, actor, action, subject, detail, prev_hash AS prevHash, hash, canonical';
export const ANCHOR_COLUMNS = 'entry_seq AS entrySeq, head_seq AS headSeq, head_hash AS headHash, kind, token, signer_cert AS signerCert';

function check(cond: boolean, why: string): void {
  if (!cond) throw new FerryError('FERRY_ERR_AUDIT_ENTRY', why);
}

export class AuditLog {
  private readonly headStmt;
  private readonly insertStmt;
  private readonly insertAnchorStmt;
  private readonly lastAnchorStmt;
  private readonly pendingStmt;
  private readonly appendTx: (input: AuditInput, anchor?: { head: ChainHead; token: AnchorToken }) => AuditEntry;

  constructor(readonly db: Db) {
    this.headStmt = db.prepare('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare(
      'INSERT INTO audit_entries (seq, at, actor, action, subject, detail, prev_hash, hash, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertAnchorStmt = db.prepare(
      'INSERT INTO audit_anchors (entry_seq, head_seq, head_hash, kind, token, signer_cert) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.lastAnchorStmt = db.prepare('SELECT MAX(head_seq) AS s FROM audit_anchors WHERE kind = ?');
    this.pendingStmt = db.prepare("SELECT 1 FROM audit_entries WHERE seq > ? AND action <> 'audit.anchor' LIMIT 1");
    // db.transaction() turns into a SAVEPOINT when the caller is already in a transaction, so the
    // head read and the insert are atomic either way, and the caller's rollback removes the entry.
    this.appendTx = db.transaction((input: AuditInput, anchor?: { head: ChainHead; token: AnchorToken }) => {
      const prev = this.head();
      const seq = (prev?.seq ?? 0) + 1;
      const prevHash = prev?.hash ?? GENESIS_PREV;
      const at = input.at.getTime();
      const detail = canonicalJson(input.detail ?? {});
      check(Buffer.byteLength(detail) <= MAX_DETAIL_BYTES, `detail is ${Buffer.byteLength(detail)} bytes; at most ${MAX_DETAIL_BYTES}`);
      const canonical = encodeEntry({ seq, prevHash, at, actor: input.actor, action: input.action, subject: input.subject, detail });
      const hash = sha256(canonical);
      this.insertStmt.run(seq, at, input.actor, input.action, input.subject, detail, prevHash, hash, canonical);
      if (anchor) {
        const t = anchor.token;
        this.insertAnchorStmt.run(seq, anchor.head.seq, anchor.head.hash, t.kind, t.token, t.signerCert ?? null);
      }
      return { seq, at: new Date(at), actor: input.actor, action: input.action, subject: input.subject, detail, prevHash, hash, canonical };
    });
  }

  /**
   * Appends one entry and returns it. Call it inside the transaction that makes the change it records.
   * Throws FERRY_ERR_AUDIT_ENTRY for an invalid entry (a programming fault, never hostile input:
   * callers put ids and codes in the entry, not raw peer data).
   */
  append(input: AuditInput): AuditEntry {
    validate(input);
    check(input.action !== 'audit.anchor', 'audit.anchor entries are written by recordAnchor, with their token');
    return this.appendTx(input);
  }

  /**
   * Records an anchor of `head`: the token goes to audit_anchors and an audit.anchor entry, whose
   * detail binds the head and the token's SHA-256, goes into the chain — one transaction.
   */
  recordAnchor(head: ChainHead, token: AnchorToken, at: Date, actor: string): AuditEntry {
    const detail: Record<string, unknown> = {
      headSeq: head.seq,
      headHash: head.hash.toString('hex'),
      kind: token.kind,
      tokenSha256: sha256(token.token).toString('hex'),
    };
    if (token.signerCert) detail.signerSha256 = sha256(token.signerCert).toString('hex');
    const input: AuditInput = { at, actor, action: 'audit.anchor', subject: `seq:${head.seq}`, detail };
    validate(input);
    return this.appendTx(input, { head, token });
  }

  /** The newest entry's seq and hash; null for an empty chain. */
  head(): ChainHead | null {
    const row = this.headStmt.get() as { seq: number; hash: Buffer } | undefined;
    return row ? { seq: row.seq, hash: row.hash } : null;
  }

  /** The highest head seq an anchor of `kind` covers; 0 when there is none yet. */
  lastAnchoredSeq(kind: AnchorToken['kind']): number {
    return (this.lastAnchorStmt.get(kind) as { s: number | null }).s ?? 0;
  }

  /** The head to anchor with `kind`, or null when nothing but audit.anchor entries was appended since
   *  the last anchor of that kind (anchoring an anchor entry alone would add an entry per interval
   *  forever on an idle gateway). */
  headToAnchor(kind: AnchorToken['kind']): ChainHead | null {
    const head = this.head();
    if (!head) return null;
    return this.pendingStmt.get(this.lastAnchoredSeq(kind)) ? head : null;
  }
}

function validate(input: AuditInput): void {
  check(input.at instanceof Date && !Number.isNaN(input.at.getTime()), 'at is not a valid Date');
  check(typeof input.actor === 'string' && input.actor.length > 0 && input.actor.length <= MAX_ACTOR_CHARS, `actor must be 1..${MAX_ACTOR_CHARS} characters`);
  check(typeof input.subject === 'string' && input.subject.length <= MAX_SUBJECT_CHARS, `subject must be at most ${MAX_SUBJECT_CHARS} characters`);
  check(isAuditAction(input.action), `unknown audit action ${JSON.stringify(input.action)}`);
  const d = input.detail;
  check(d === undefined || (typeof d === 'object' && d !== null && !Array.isArray(d)), 'detail must be a plain JSON object');
}
