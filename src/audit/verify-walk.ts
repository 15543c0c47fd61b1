// The streaming pass of `ferry audit verify` (verify.ts): it reads the rows once, in order, holding
// only the last good entry and the anchors' digests, and stops at the FIRST entry that is not what was
// appended, naming how it was changed. verify.ts's header says how each tamper kind is told apart; the
// methods below are named for those cases. Tokens are not checked here (they are async and few):
// the pass returns the anchors it bound, for verify.ts to check.
import type { AuditRow } from './chain.js';
import { GENESIS_PREV, readEntryPrefix, type ChainHead } from './canonical.js';
import { inspect, prevOf, type ChainSource } from './verify-rows.js';
import { VERIFY_PROGRESS_EVERY } from './limits.js';
import { anchorBindingProblem, anchorMeta, hexOf, sameBytes, type AnchorMeta } from './anchor-binding.js';
import { AnchorContinuity } from './anchor-continuity.js';

export type TamperKind = 'altered' | 'removed' | 'inserted' | 'reordered' | 'unanchored';

/** A head the chain must contain, known from outside this database (the peer's copy, an export). */
export interface ExpectedHead extends ChainHead {
  /** Where it comes from, for the report ("the peer's copy received 2026-…"). */
  readonly source: string;
}

/** The options of `ferry audit verify` that the pass reads (verify.ts adds the token trust). */
export interface WalkOptions {
  /** Verify a segment: its first seq and the hash that entry must link to (default 1 and genesis). */
  readonly start?: { readonly seq: number; readonly prevHash: Buffer };
  /** A head known from outside the database (a previous export's last hash, a copy kept off-box):
   *  the chain must still contain it, which reveals a cut tail even when the anchors were cut too. */
  readonly expectedHead?: ChainHead;
  /** More heads kept outside the database (the peer's copies): each must be in the chain, same hash. */
  readonly expectedHeads?: readonly ExpectedHead[];
  /** Holds signature anchors to the interval recorded in gateway.start (+ this slack, default
   *  DEFAULT_ANCHOR_SLACK_MS). */
  readonly anchorSlackMs?: number;
  /** Overrides the interval the chain's gateway.start entries record. */
  readonly anchorIntervalMs?: number;
  /** Called every `progressEvery` entries (default VERIFY_PROGRESS_EVERY) and at the end. */
  readonly onProgress?: (checked: number, total: number | undefined) => void;
  readonly progressEvery?: number;
}

/** The first fault found: its seq, its kind, why, and how many entries were good before it. */
export interface WalkFault {
  readonly firstBad: number;
  readonly kind: TamperKind;
  readonly detail: string;
  /** Entries found good before the first bad one. */
  readonly checked: number;
  /** Set when a head kept by the peer gateway is what contradicts the chain. */
  readonly code?: 'FERRY_ERR_AUDIT_PEER_MISMATCH';
}

export interface Walked {
  readonly bad?: WalkFault;
  readonly good: number;
  readonly head: ChainHead | null;
  readonly toCheck: Array<{ anchor: AnchorMeta; at: Date }>;
  /** Expected heads found in the chain with their hash. */
  readonly expectedMatched?: number;
  readonly continuity?: AnchorContinuity;
}

const EXPECTED_HEAD = 'the expected head';

export function walk(src: ChainSource, opts: WalkOptions): Walked {
  const it = src.entries[Symbol.iterator]();
  try {
    return new ChainWalk(it, src, opts).run();
  } finally {
    it.return?.(); // an early verdict must release the SQLite statement, or the connection stays busy
  }
}

type Whole = Extract<ReturnType<typeof inspect>, { ok: true }>;

/** One pass. `s` is the seq expected next, `P` the hash the next entry must link to. */
class ChainWalk {
  private readonly startSeq: number;
  private s: number;
  private P: Buffer;
  private last: { seq: number; hash: Buffer; prev: Buffer } | null = null;
  private good = 0;
  private seen = 0;
  private lastMatchedHead: number;
  private readonly every: number;
  private readonly byHead = new Map<number, AnchorMeta[]>();
  private readonly byEntry = new Map<number, AnchorMeta>();
  private readonly toCheck: Array<{ anchor: AnchorMeta; at: Date }> = [];
  private readonly expected = new Map<number, ExpectedHead[]>();
  private expectedMatched = 0;
  private readonly continuity: AnchorContinuity;
  // An anchor that disagrees with the entry at its head means the chain up to there was rewritten, or
  // the anchor row was altered. Its audit.anchor entry, reached later, tells which; until then the
  // verdict is pending, and it wins over any later fault since it names an earlier seq.
  private rewrite: { bad: WalkFault; entrySeq: number } | null = null;

  constructor(private readonly it: Iterator<AuditRow>, private readonly src: ChainSource, private readonly opts: WalkOptions) {
    this.startSeq = opts.start?.seq ?? 1;
    this.s = this.startSeq;
    this.P = opts.start?.prevHash ?? GENESIS_PREV;
    this.lastMatchedHead = this.startSeq - 1;
    this.every = opts.progressEvery ?? VERIFY_PROGRESS_EVERY;
    for (const row of src.anchors) {
      const a = anchorMeta(row, src.reloadAnchor === undefined);
      this.byEntry.set(a.entrySeq, a);
      if (a.headSeq >= this.startSeq) this.byHead.set(a.headSeq, [...(this.byHead.get(a.headSeq) ?? []), a]);
    }
    for (const e of [...(opts.expectedHead ? [{ ...opts.expectedHead, source: EXPECTED_HEAD }] : []), ...(opts.expectedHeads ?? [])]) {
      this.expected.set(e.seq, [...(this.expected.get(e.seq) ?? []), e]);
    }
    this.continuity = new AnchorContinuity(opts.anchorSlackMs, opts.anchorIntervalMs);
  }

  run(): Walked {
    for (let row = this.pull(); row; row = this.pull()) {
      const stop = this.step(row);
      if (stop) return stop;
    }
    return this.ended();
  }

  private pull(): AuditRow | null {
    const r = this.it.next();
    if (r.done) return null;
    if (++this.seen % this.every === 0) this.opts.onProgress?.(this.seen, this.src.total);
    return r.value;
  }

  private done(firstBad: number, kind: TamperKind, detail: string): Walked {
    const bad = this.rewrite && this.rewrite.bad.firstBad <= firstBad ? this.rewrite.bad : { firstBad, kind, detail, checked: this.good };
    return { bad, good: this.good, head: null, toCheck: this.toCheck, expectedMatched: this.expectedMatched, continuity: this.continuity };
  }

  /** One row: a verdict, or null to read the next. */
  private step(row: AuditRow): Walked | null {
    const { s } = this;
    const v = inspect(row);
    if (!v.ok) {
      if (row.seq > s) return this.done(s, 'removed', `no row holds entry ${s} (the next row is seq ${row.seq}, and ${v.why})`);
      return this.done(row.seq, 'altered', `entry ${row.seq} is damaged: ${v.why}`);
    }
    if (v.seq === s && v.prev.equals(this.P)) {
      if (row.seq !== s) return this.done(s, 'altered', `entry ${s} is stored under seq ${row.seq}: its seq column was changed`);
      return this.accept(row, v.prev);
    }
    if (v.seq === s) return this.unlinked(row, v);
    if (v.seq > s) return this.skipped(row, v);
    return this.taken(row, v);
  }

  // The row holds entry s and links to P: check what anchors and kept heads say about it, then move on.
  private accept(row: AuditRow, prev: Buffer): Walked | null {
    this.checkAnchoredHead(row);
    const stop = this.checkExpectedHead(row) ?? this.checkAnchorEntry(row);
    if (stop) return stop;
    this.last = { seq: this.s, hash: row.hash, prev };
    this.P = row.hash;
    this.s++;
    this.good++;
    return null;
  }

  /** Anchors over seq s must name this entry's hash; one that does not opens a pending rewrite. */
  private checkAnchoredHead(row: AuditRow): void {
    const { s } = this;
    for (const a of this.byHead.get(s) ?? []) {
      if (sameBytes(a.headHash, row.hash)) {
        this.lastMatchedHead = s;
        continue;
      }
      const from = this.lastMatchedHead + 1;
      this.rewrite ??= {
        entrySeq: a.entrySeq,
        bad: { firstBad: from, kind: 'altered', checked: from - this.startSeq,
          detail: `the anchor recorded by entry ${a.entrySeq} covers seq ${s} with hash ${hexOf(a.headHash)}, but entry ${s} now hashes to `
            + `${row.hash.toString('hex')}: entries ${from}..${s} were rewritten and re-hashed` },
      };
    }
  }

  /** Heads kept outside the database for seq s must hold this entry's hash. */
  private checkExpectedHead(row: AuditRow): Walked | null {
    const { s } = this;
    for (const e of this.expected.get(s) ?? []) {
      if (!e.hash.equals(row.hash)) {
        const detail = `entry ${s} hashes to ${row.hash.toString('hex')}, but ${e.source} holds head seq ${s} with hash ${e.hash.toString('hex')}: the chain was rewritten`;
        const r = this.done(this.lastMatchedHead + 1, 'altered', detail);
        return e.source === EXPECTED_HEAD || r.bad?.detail !== detail ? r : { ...r, bad: { ...r.bad, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH' } };
      }
      this.expectedMatched++;
    }
    return null;
  }

  /** An audit.anchor entry must have its anchor row, bound to it; any other entry must have none. */
  private checkAnchorEntry(row: AuditRow): Walked | null {
    const { s } = this;
    const anchor = this.byEntry.get(s);
    if (row.action !== 'audit.anchor') {
      if (anchor) return this.done(s, 'inserted', `audit_anchors holds an anchor for entry ${s}, but entry ${s} is a ${row.action}, not an audit.anchor: the anchor row was planted`);
      this.continuity.entry(s, row.at, row.action, row.detail);
      return null;
    }
    if (!anchor) return this.done(s, 'removed', `entry ${s} records an anchor that is missing from audit_anchors`);
    const why = anchorBindingProblem(row, anchor);
    if (why) {
      if (this.rewrite?.entrySeq === s) this.rewrite = null; // the anchor row was altered, not the chain
      return this.done(s, 'altered', `the anchor row for entry ${s} differs from what the entry records: ${why}`);
    }
    if (this.rewrite?.entrySeq === s) return { bad: this.rewrite.bad, good: this.good, head: null, toCheck: this.toCheck };
    this.toCheck.push({ anchor, at: new Date(row.at) });
    this.continuity.anchor(s, row.at, anchor.kind, anchor.headSeq);
    return null;
  }

  /** Whole, in its place, but not linked to the entry before it: which of the two was changed? */
  private unlinked(row: AuditRow, v: Whole): Walked {
    const { s, last } = this;
    const next = this.pull();
    const confirmed = next === null || prevOf(next)?.equals(row.hash) === true;
    if (last !== null && confirmed) {
      return this.done(last.seq, 'altered', `entry ${last.seq} no longer hashes to the value entry ${s} recorded for its predecessor (${v.prev.toString('hex')}); it was changed and re-hashed`);
    }
    return this.done(s, 'altered', `entry ${s} records predecessor hash ${v.prev.toString('hex')}, not that of entry ${s - 1}, and no later entry links to it`);
  }

  /** Entries s..v.seq-1 are not here: are they later (reordered) or nowhere (removed)? Prefer
   *  naming where entry s itself went; otherwise any skipped entry found later will do. */
  private skipped(row: AuditRow, v: Whole): Walked {
    const { s } = this;
    let found: { row: number; seq: number } | null = null;
    for (let later = this.pull(); later; later = this.pull()) {
      const q = readEntryPrefix(later.canonical);
      if (q && q.seq >= s && q.seq < v.seq && (found === null || q.seq === s)) found = { row: later.seq, seq: q.seq };
      if (found?.seq === s) break;
    }
    if (found) return this.done(s, 'reordered', `entry ${s} is out of place: row ${row.seq} holds entry ${v.seq}, row ${found.row} holds entry ${found.seq}`);
    const n = v.seq - s;
    return this.done(s, 'removed', `${n === 1 ? `entry ${s} is` : `entries ${s}..${v.seq - 1} are`} missing: row ${row.seq} holds entry ${v.seq}`);
  }

  /** v.seq < s: this row holds an entry whose place is already filled (a replay or a fork). */
  private taken(row: AuditRow, v: Whole): Walked {
    const { last } = this;
    if (last !== null && v.seq === last.seq) {
      if (row.hash.equals(last.hash)) return this.done(row.seq, 'inserted', `row ${row.seq} is a copy of entry ${last.seq}`);
      if (v.prev.equals(last.prev)) return this.fork(row, v, last);
    }
    return this.done(row.seq, 'inserted', `row ${row.seq} holds an entry numbered ${v.seq}, whose place is already taken`);
  }

  /** Which branch is the original: the one an anchor of that seq names; else the one the next row
   *  continues from; with neither, the one whose row was renumbered (the attacker had to move the
   *  original to make room) — a guess, as both bytes and links are equally valid. */
  private fork(row: AuditRow, v: Whole, last: { seq: number; hash: Buffer }): Walked {
    const anchored = this.byHead.get(v.seq)?.map((a) => a.headHash).find((h) => Buffer.isBuffer(h));
    const next = anchored ? null : this.pull();
    const nextPrev = prevOf(next);
    const followsRow = anchored ? anchored.equals(row.hash) : nextPrev?.equals(row.hash) === true;
    const followsLast = anchored ? anchored.equals(last.hash) : nextPrev?.equals(last.hash) === true;
    if (followsRow || (!followsLast && row.seq !== v.seq)) {
      return this.done(last.seq, 'inserted', `entry ${last.seq} was inserted: row ${row.seq} holds the original entry ${v.seq}, from which the chain continues`);
    }
    return this.done(row.seq, 'inserted', `row ${row.seq} holds a second entry ${v.seq} forking from the same predecessor; the chain continues from the first`);
  }

  /** The rows ended. A cut tail breaks no link: compare with what anchors and kept heads covered. */
  private ended(): Walked {
    const end = this.s - 1;
    let covered = end;
    let by = '';
    for (const a of this.byEntry.values()) {
      const reach = Math.max(a.entrySeq, a.headSeq);
      if (reach > covered) [covered, by] = [reach, `the anchor recorded as entry ${a.entrySeq} covers seq ${a.headSeq}`];
    }
    let byPeer = false;
    for (const [seq, es] of this.expected) {
      if (seq > covered) [covered, by, byPeer] = [seq, `${es[0]!.source} is of seq ${seq}`, es[0]!.source !== EXPECTED_HEAD];
    }
    if (covered > end) {
      const cut = this.done(end + 1, 'removed', `the chain ends at seq ${end}, but ${by}: entries ${end + 1}..${covered} (at least) were cut off. `
        + 'A truncated tail leaves every remaining link intact; only an anchor or a head kept elsewhere shows it');
      return byPeer && cut.bad?.firstBad === end + 1 ? { ...cut, bad: { ...cut.bad, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH' } } : cut;
    }
    this.continuity.finish();
    const { good, toCheck, expectedMatched, continuity, last } = this;
    if (this.rewrite) return { bad: this.rewrite.bad, good, head: null, toCheck, expectedMatched, continuity };
    this.opts.onProgress?.(this.seen, this.src.total);
    return { good, head: last === null ? null : { seq: last.seq, hash: last.hash }, toCheck, expectedMatched, continuity };
  }
}
