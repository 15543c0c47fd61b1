// Where verify.ts reads a chain from (a gateway database, or rows from anywhere), and the checks of a
// single row against its own canonical bytes. verify-walk.ts walks the rows; this file knows one row.
import type { Db } from '../store/db.js';
import { FerryError } from '../errors.js';
import { ANCHOR_COLUMNS, ENTRY_COLUMNS, type AnchorRow, type AuditRow } from './chain.js';
import { canonicalJson, encodeEntry, readEntryPrefix, sha256 } from './canonical.js';

export interface ChainSource {
  /** Rows in ascending order of their seq column. Consumed once. */
  readonly entries: Iterable<AuditRow>;
  readonly anchors: Iterable<AnchorRow>;
  /** Re-reads one anchor in full after the pass. When given, the token bytes of `anchors` are hashed
   *  and dropped during the pass rather than held (a year of anchors is ~50k tokens). */
  readonly reloadAnchor?: (entrySeq: number) => AnchorRow | undefined;
  /** Highest seq, for progress reports. */
  readonly total?: number;
}

export function isDb(x: Db | ChainSource): x is Db {
  return typeof (x as Db).prepare === 'function';
}

/** The chain of a gateway database. Throws FERRY_ERR_AUDIT_STORE when the tables are missing. */
export function dbSource(db: Db): ChainSource {
  const n = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('audit_entries', 'audit_anchors')").get() as { n: number }).n;
  if (n !== 2) throw new FerryError('FERRY_ERR_AUDIT_STORE', 'the database has no audit_entries / audit_anchors tables (not a Ferry gateway store, or not migrated)');
  const total = (db.prepare('SELECT MAX(seq) AS m FROM audit_entries').get() as { m: number | null }).m ?? 0;
  const anchorStmt = db.prepare(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors ORDER BY entry_seq`);
  const entryStmt = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries ORDER BY seq`);
  const oneAnchor = db.prepare(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors WHERE entry_seq = ?`);
  // Lazy iterables, consumed one after the other: while an iterate() is open the connection can run
  // no other statement.
  return {
    anchors: { [Symbol.iterator]: () => anchorStmt.iterate() as IterableIterator<AnchorRow> },
    entries: { [Symbol.iterator]: () => entryStmt.iterate() as IterableIterator<AuditRow> },
    reloadAnchor: (entrySeq) => oneAnchor.get(entrySeq) as AnchorRow | undefined,
    total,
  };
}

export type Inspected = { ok: true; seq: number; prev: Buffer } | { ok: false; why: string };

/** Is the row whole: its hash over its canonical bytes, its columns equal to what those bytes say? */
export function inspect(row: AuditRow): Inspected {
  const p = readEntryPrefix(row.canonical);
  if (!p) return { ok: false, why: Buffer.isBuffer(row.canonical) ? 'its canonical bytes are not a ferry-audit/1 entry' : 'its canonical column is not a BLOB' };
  if (!Buffer.isBuffer(row.hash) || !sha256(row.canonical).equals(row.hash)) {
    return { ok: false, why: 'its stored hash is not the SHA-256 of its canonical bytes (content changed)' };
  }
  let same = false;
  try {
    same = encodeEntry({ ...row, seq: p.seq }).equals(row.canonical);
  } catch {
    same = false;
  }
  return same ? { ok: true, seq: p.seq, prev: p.prev } : { ok: false, why: `its ${differingColumns(row)} column(s) disagree with its canonical bytes` };
}

/** Names the columns that differ from the canonical bytes (failure path only, so JSON.parse is fine). */
function differingColumns(row: AuditRow): string {
  try {
    const a = JSON.parse(row.canonical.toString('utf8')) as unknown[];
    const diff: string[] = [];
    if (a[1] !== (Buffer.isBuffer(row.prevHash) ? row.prevHash.toString('hex') : '')) diff.push('prev_hash');
    if (a[3] !== (Number.isInteger(row.at) ? new Date(row.at).toISOString() : '')) diff.push('at');
    if (a[4] !== row.actor) diff.push('actor');
    if (a[5] !== row.action) diff.push('action');
    if (a[6] !== row.subject) diff.push('subject');
    if (canonicalJson(a[7]) !== row.detail) diff.push('detail');
    return diff.length > 0 ? diff.join(', ') : 'encoding';
  } catch {
    return 'encoding';
  }
}

export function prevOf(row: AuditRow | null): Buffer | undefined {
  return row ? readEntryPrefix(row.canonical)?.prev : undefined;
}

