// How current the audit chain's anchors are, read from the chain's own tables for the operator's
// metrics. Only an anchor shows that the tail of the chain was not cut off (limits.ts), so what an
// operator must watch is how long the oldest not-yet-anchored entry has waited, per anchor kind.
import type { Db } from '../store/db.js';
import type { AnchorToken } from './chain.js';

export interface AnchorStatus {
  readonly kind: AnchorToken['kind'];
  /** `at` (ms) of the newest anchor entry of this kind; null when there is none. */
  readonly lastAnchorAt: number | null;
  /** `at` (ms) of the oldest entry (other than an anchor entry) that no anchor of this kind covers
   *  yet; null when every such entry is covered. */
  readonly oldestUnanchoredAt: number | null;
}

export interface ChainStatus {
  /** seq of the newest entry; 0 for an empty chain. */
  readonly headSeq: number;
  readonly anchors: readonly AnchorStatus[];
}

/** Prepares the queries once; each call is three indexed reads per kind. */
export function chainStatusReader(db: Db, kinds: readonly AnchorToken['kind'][]): () => ChainStatus {
  const head = db.prepare('SELECT MAX(seq) FROM audit_entries').pluck();
  const last = db.prepare(`SELECT e.at FROM audit_anchors a JOIN audit_entries e ON e.seq = a.entry_seq
    WHERE a.kind = ? ORDER BY a.entry_seq DESC LIMIT 1`).pluck();
  const covered = db.prepare('SELECT MAX(head_seq) FROM audit_anchors WHERE kind = ?').pluck();
  const oldest = db.prepare("SELECT at FROM audit_entries WHERE seq > ? AND action <> 'audit.anchor' ORDER BY seq LIMIT 1").pluck();
  return () => ({
    headSeq: (head.get() as number | null) ?? 0,
    anchors: kinds.map((kind) => ({
      kind,
      lastAnchorAt: (last.get(kind) as number | undefined) ?? null,
      oldestUnanchoredAt: (oldest.get((covered.get(kind) as number | null) ?? 0) as number | undefined) ?? null,
    })),
  });
}
