// Re-checks a whole audit chain in one streaming pass (O(1) memory in the number of entries; of each
// anchor only its digests are held) and names the FIRST entry that is not what was appended.
//
// How each kind is told apart. Every row carries its canonical bytes, and these carry the entry's own
// seq and its predecessor's hash; `s` is the seq expected next and `P` the hash of the last good entry.
// - altered:   a row is damaged in itself — its hash is not SHA-256 of its canonical bytes, or a column
//              disagrees with them — or a row that is whole links back to a predecessor other than the
//              entry before it. In that second case the break lies between two entries; if the next
//              row links to the current one, the current one is confirmed and the one before it was
//              changed and re-hashed (firstBad = s-1); otherwise the current one was (firstBad = s).
//              Also: an anchor disagrees with a chain that links perfectly. If the anchor row still
//              agrees with its own audit.anchor entry, the chain was rewritten and re-hashed after the
//              last anchor that matches (firstBad = that anchor's head + 1); if not, the anchor row was
//              altered (firstBad = its audit.anchor entry). A token that does not verify, or whose
//              SHA-256 is not the one its entry recorded, is an altered anchor (firstBad = its entry).
// - removed:   the canonical seq of the row at position s is higher than s, and no later row holds
//              any of the skipped entries (whether or not the seq column was renumbered to hide the
//              gap). Or the chain ends before an entry an anchor covers or records: a cut tail keeps
//              every remaining link intact, so only an anchor (or `expectedHead`) can reveal it.
// - reordered: the row at position s holds a later entry, and a later row holds one of the skipped
//              entries (they are all there, in the wrong places).
// - inserted:  a row holds an entry whose seq was already filled: an exact copy (a replay), or a second
//              entry claiming the same predecessor (a fork). Of the two fork branches, the one that the
//              next row continues from is the original; the other was inserted. An inserted entry
//              with a correct hash and link passes until the displaced original shows up after it.
// Anchor rows are checked against the entry at their head seq and against their audit.anchor entry
// (head, kind, SHA-256 of the token); their tokens are then checked cryptographically (anchor-check.ts).
import type { Db } from '../store/db.js';
import { checkAnchorToken, type AnchorTrust } from './anchor-check.js';
import type { AuditRow } from './chain.js';
import { GENESIS_PREV, readEntryPrefix, sha256, type ChainHead } from './canonical.js';
import { dbSource, inspect, isDb, prevOf, type ChainSource } from './verify-rows.js';

export { dbSource, type ChainSource } from './verify-rows.js';
import { ANCHOR_CLOCK_STEP_MS, VERIFY_PROGRESS_EVERY } from './limits.js';
import { anchorBindingProblem, anchorMeta, hexOf, sameBytes, type AnchorMeta } from './anchor-binding.js';
import { AnchorContinuity } from './anchor-continuity.js';

export type TamperKind = 'altered' | 'removed' | 'inserted' | 'reordered' | 'unanchored';

/** A head the chain must contain, known from outside this database (the peer's copy, an export). */
export interface ExpectedHead extends ChainHead {
  /** Where it comes from, for the report ("the peer's copy received 2026-…"). */
  readonly source: string;
}

/** Per anchor kind: how many the chain holds, how many verified against the pins, which failed. For
 *  "peer", the heads the peer gateway kept of this chain, and how many this chain still contains. */
export interface KindTally {
  count: number;
  verified: number;
  unchecked: number;
  failures: string[];
}
export type AnchorKindName = 'signature' | 'rfc3161' | 'peer';
export type KindReport = Record<AnchorKindName, KindTally>;

const tally = (): KindTally => ({ count: 0, verified: 0, unchecked: 0, failures: [] });

export interface VerifyOptions {
  readonly trust?: AnchorTrust;
  /** Verify a segment: its first seq and the hash that entry must link to (default 1 and genesis). */
  readonly start?: { readonly seq: number; readonly prevHash: Buffer };
  /** A head known from outside the database (a previous export's last hash, a copy kept off-box):
   *  the chain must still contain it, which reveals a cut tail even when the anchors were cut too. */
  readonly expectedHead?: ChainHead;
  /** More heads kept outside the database (the peer's copies): each must be in the chain, same hash. */
  readonly expectedHeads?: readonly ExpectedHead[];
  /** Peer copies that could not be used (bad signature, unpinned signer): reported as peer failures. */
  readonly peerFailures?: readonly string[];
  /** Holds signature anchors to the interval recorded in gateway.start (+ this slack, default
   *  DEFAULT_ANCHOR_SLACK_MS). */
  readonly anchorSlackMs?: number;
  /** Overrides the interval the chain's gateway.start entries record. */
  readonly anchorIntervalMs?: number;
  /** Called every `progressEvery` entries (default VERIFY_PROGRESS_EVERY) and at the end. */
  readonly onProgress?: (checked: number, total: number | undefined) => void;
  readonly progressEvery?: number;
}

export interface VerifyOk {
  readonly ok: true;
  readonly entries: number;
  readonly anchors: number;
  readonly anchorsVerified: number;
  readonly anchorsUnchecked: number;
  /** Newest entry, or null for an empty chain. */
  readonly head: ChainHead | null;
  /** Highest head seq covered by a verified anchor (0: none). Entries after it rest on the chain alone. */
  readonly anchoredThrough: number;
  /** One line per unchecked anchor, saying why. */
  readonly notes: readonly string[];
  readonly kinds: KindReport;
}

export interface VerifyBad {
  readonly ok: false;
  readonly code: 'FERRY_ERR_AUDIT_BROKEN' | 'FERRY_ERR_AUDIT_ANCHOR_GAP' | 'FERRY_ERR_AUDIT_PEER_MISMATCH';
  readonly firstBad: number;
  readonly kind: TamperKind;
  readonly detail: string;
  /** Entries found good before the first bad one. */
  readonly checked: number;
  readonly kinds?: KindReport;
}

export type VerifyResult = VerifyOk | VerifyBad;

type Bad = Omit<VerifyBad, 'ok' | 'code'> & { readonly code?: VerifyBad['code'] };

interface Walked {
  readonly bad?: Bad;
  readonly good: number;
  readonly head: ChainHead | null;
  readonly toCheck: Array<{ anchor: AnchorMeta; at: Date }>;
  /** Expected heads found in the chain with their hash. */
  readonly expectedMatched?: number;
  readonly continuity?: AnchorContinuity;
}

function walk(src: ChainSource, opts: VerifyOptions): Walked {
  const it = src.entries[Symbol.iterator]();
  try {
    return walkRows(it, src, opts);
  } finally {
    it.return?.(); // an early verdict must release the SQLite statement, or the connection stays busy
  }
}

function walkRows(it: Iterator<AuditRow>, src: ChainSource, opts: VerifyOptions): Walked {
  const startSeq = opts.start?.seq ?? 1;
  let s = startSeq;
  let P = opts.start?.prevHash ?? GENESIS_PREV;
  // (cast, so that TypeScript does not narrow it to null: accept() assigns it from a closure)
  let last = null as { seq: number; hash: Buffer; prev: Buffer } | null;
  let good = 0;
  let seen = 0;
  let lastMatchedHead = startSeq - 1;
  const every = opts.progressEvery ?? VERIFY_PROGRESS_EVERY;
  const byHead = new Map<number, AnchorMeta[]>();
  const byEntry = new Map<number, AnchorMeta>();
  for (const row of src.anchors) {
    const a = anchorMeta(row, src.reloadAnchor === undefined);
    byEntry.set(a.entrySeq, a);
    if (a.headSeq >= startSeq) byHead.set(a.headSeq, [...(byHead.get(a.headSeq) ?? []), a]);
  }
  const toCheck: Array<{ anchor: AnchorMeta; at: Date }> = [];
  const expected = new Map<number, ExpectedHead[]>();
  for (const e of [...(opts.expectedHead ? [{ ...opts.expectedHead, source: 'the expected head' }] : []), ...(opts.expectedHeads ?? [])]) {
    expected.set(e.seq, [...(expected.get(e.seq) ?? []), e]);
  }
  let expectedMatched = 0;
  const continuity = new AnchorContinuity(opts.anchorSlackMs, opts.anchorIntervalMs);
  const pull = (): AuditRow | null => {
    const r = it.next();
    if (r.done) return null;
    if (++seen % every === 0) opts.onProgress?.(seen, src.total);
    return r.value;
  };
  // An anchor that disagrees with the entry at its head means the chain up to there was rewritten, or
  // the anchor row was altered. Its audit.anchor entry, reached later, tells which; until then the
  // verdict is pending, and it wins over any later fault since it names an earlier seq.
  let rewrite = null as { bad: Omit<VerifyBad, 'ok' | 'code'>; entrySeq: number } | null;
  const done = (firstBad: number, kind: TamperKind, detail: string): Walked => {
    const bad = rewrite && rewrite.bad.firstBad <= firstBad ? rewrite.bad : { firstBad, kind, detail, checked: good };
    return { bad, good, head: null, toCheck, expectedMatched, continuity };
  };

  // The row holds entry s and links to P: check what anchors say about it, then move on.
  const accept = (row: AuditRow, prev: Buffer): Walked | null => {
    for (const a of byHead.get(s) ?? []) {
      if (sameBytes(a.headHash, row.hash)) {
        lastMatchedHead = s;
        continue;
      }
      rewrite ??= {
        entrySeq: a.entrySeq,
        bad: { firstBad: lastMatchedHead + 1, kind: 'altered', checked: lastMatchedHead + 1 - startSeq,
          detail: `the anchor recorded by entry ${a.entrySeq} covers seq ${s} with hash ${hexOf(a.headHash)}, but entry ${s} now hashes to `
            + `${row.hash.toString('hex')}: entries ${lastMatchedHead + 1}..${s} were rewritten and re-hashed` },
      };
    }
    for (const e of expected.get(s) ?? []) {
      if (!e.hash.equals(row.hash)) {
        const detail = `entry ${s} hashes to ${row.hash.toString('hex')}, but ${e.source} holds head seq ${s} with hash ${e.hash.toString('hex')}: the chain was rewritten`;
        const r = done(lastMatchedHead + 1, 'altered', detail);
        return e.source === 'the expected head' || r.bad?.detail !== detail ? r : { ...r, bad: { ...r.bad, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH' } };
      }
      expectedMatched++;
    }
    const anchor = byEntry.get(s);
    if (row.action === 'audit.anchor') {
      if (!anchor) return done(s, 'removed', `entry ${s} records an anchor that is missing from audit_anchors`);
      const why = anchorBindingProblem(row, anchor);
      if (why) {
        if (rewrite?.entrySeq === s) rewrite = null; // the anchor row was altered, not the chain
        return done(s, 'altered', `the anchor row for entry ${s} differs from what the entry records: ${why}`);
      }
      if (rewrite?.entrySeq === s) return { bad: rewrite.bad, good, head: null, toCheck };
      toCheck.push({ anchor, at: new Date(row.at) });
      continuity.anchor(s, row.at, anchor.kind, anchor.headSeq);
    } else if (anchor) {
      return done(s, 'inserted', `audit_anchors holds an anchor for entry ${s}, but entry ${s} is a ${row.action}, not an audit.anchor: the anchor row was planted`);
    } else {
      continuity.entry(s, row.at, row.action, row.detail);
    }
    last = { seq: s, hash: row.hash, prev };
    P = row.hash;
    s++;
    good++;
    return null;
  };

  for (let row = pull(); row; row = pull()) {
    const v = inspect(row);
    if (!v.ok) {
      if (row.seq > s) return done(s, 'removed', `no row holds entry ${s} (the next row is seq ${row.seq}, and ${v.why})`);
      return done(row.seq, 'altered', `entry ${row.seq} is damaged: ${v.why}`);
    }
    if (v.seq === s && v.prev.equals(P)) {
      if (row.seq !== s) return done(s, 'altered', `entry ${s} is stored under seq ${row.seq}: its seq column was changed`);
      const stop = accept(row, v.prev);
      if (stop) return stop;
      continue;
    }
    if (v.seq === s) {
      // Whole, in its place, but not linked to the entry before it.
      const next = pull();
      const confirmed = next === null || prevOf(next)?.equals(row.hash) === true;
      if (last !== null && confirmed) {
        return done(last.seq, 'altered', `entry ${last.seq} no longer hashes to the value entry ${s} recorded for its predecessor (${v.prev.toString('hex')}); it was changed and re-hashed`);
      }
      return done(s, 'altered', `entry ${s} records predecessor hash ${v.prev.toString('hex')}, not that of entry ${s - 1}, and no later entry links to it`);
    }
    if (v.seq > s) {
      // Entries s..v.seq-1 are not here: are they later (reordered) or nowhere (removed)? Prefer
      // naming where entry s itself went; otherwise any skipped entry found later will do.
      let found: { row: number; seq: number } | null = null;
      for (let later = pull(); later; later = pull()) {
        const q = readEntryPrefix(later.canonical);
        if (q && q.seq >= s && q.seq < v.seq && (found === null || q.seq === s)) found = { row: later.seq, seq: q.seq };
        if (found?.seq === s) break;
      }
      if (found) return done(s, 'reordered', `entry ${s} is out of place: row ${row.seq} holds entry ${v.seq}, row ${found.row} holds entry ${found.seq}`);
      const n = v.seq - s;
      return done(s, 'removed', `${n === 1 ? `entry ${s} is` : `entries ${s}..${v.seq - 1} are`} missing: row ${row.seq} holds entry ${v.seq}`);
    }
    // v.seq < s: this row holds an entry whose place is already filled.
    if (last !== null && v.seq === last.seq) {
      if (row.hash.equals(last.hash)) return done(row.seq, 'inserted', `row ${row.seq} is a copy of entry ${last.seq}`);
      if (v.prev.equals(last.prev)) {
        // Which branch is the original: the one an anchor of that seq names; else the one the next
        // row continues from; with neither, the one whose row was renumbered (the attacker had to
        // move the original to make room) — a guess, as both bytes and links are equally valid.
        const anchored = byHead.get(v.seq)?.map((a) => a.headHash).find((h) => Buffer.isBuffer(h));
        const next = anchored ? null : pull();
        const nextPrev = prevOf(next);
        const followsRow = anchored ? anchored.equals(row.hash) : nextPrev?.equals(row.hash) === true;
        const followsLast = anchored ? anchored.equals(last.hash) : nextPrev?.equals(last.hash) === true;
        if (followsRow || (!followsLast && row.seq !== v.seq)) {
          return done(last.seq, 'inserted', `entry ${last.seq} was inserted: row ${row.seq} holds the original entry ${v.seq}, from which the chain continues`);
        }
        return done(row.seq, 'inserted', `row ${row.seq} holds a second entry ${v.seq} forking from the same predecessor; the chain continues from the first`);
      }
    }
    return done(row.seq, 'inserted', `row ${row.seq} holds an entry numbered ${v.seq}, whose place is already taken`);
  }

  // The rows ended. A cut tail breaks no link: compare with what anchors and expectedHead covered.
  const end = s - 1;
  let covered = end;
  let by = '';
  for (const a of byEntry.values()) {
    const reach = Math.max(a.entrySeq, a.headSeq);
    if (reach > covered) [covered, by] = [reach, `the anchor recorded as entry ${a.entrySeq} covers seq ${a.headSeq}`];
  }
  let byPeer = false;
  for (const [seq, es] of expected) {
    if (seq > covered) [covered, by, byPeer] = [seq, `${es[0]!.source} is of seq ${seq}`, es[0]!.source !== 'the expected head'];
  }
  if (covered > end) {
    const cut = done(end + 1, 'removed', `the chain ends at seq ${end}, but ${by}: entries ${end + 1}..${covered} (at least) were cut off. `
      + 'A truncated tail leaves every remaining link intact; only an anchor or a head kept elsewhere shows it');
    return byPeer && cut.bad?.firstBad === end + 1 ? { ...cut, bad: { ...cut.bad, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH' } } : cut;
  }
  continuity.finish();
  if (rewrite) return { bad: rewrite.bad, good, head: null, toCheck, expectedMatched, continuity };
  opts.onProgress?.(seen, src.total);
  return { good, head: last === null ? null : { seq: last.seq, hash: last.hash }, toCheck, expectedMatched, continuity };
}

/**
 * Verifies the chain in `source` (a gateway database, or rows from anywhere) and its anchors.
 * Hostile content is reported as a value; only a broken environment (missing tables) throws.
 */
export async function verifyChain(source: Db | ChainSource, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const src = isDb(source) ? dbSource(source) : source;
  const w = walk(src, opts);
  const limit = w.bad?.firstBad ?? Infinity;
  const kinds: KindReport = { signature: tally(), rfc3161: tally(), peer: tally() };
  kinds.peer.count = (opts.expectedHeads?.length ?? 0) + (opts.peerFailures?.length ?? 0);
  kinds.peer.verified = Math.min(w.expectedMatched ?? 0, opts.expectedHeads?.length ?? 0);
  kinds.peer.failures.push(...(opts.peerFailures ?? []));
  let verified = 0;
  let anchoredThrough = 0;
  const notes: string[] = [];
  let lastGenTime: { at: Date; entry: number } | null = null;
  let tokenBad: Bad | null = null;
  // Tokens are checked after the pass (few, and the TSA verifier is async); an anchor before the first
  // structural fault whose token fails is the earlier fault.
  for (const { anchor, at } of w.toCheck.sort((x, y) => x.anchor.entrySeq - y.anchor.entrySeq)) {
    if (anchor.entrySeq >= limit) break;
    const k = anchor.kind === 'signature' || anchor.kind === 'rfc3161' ? kinds[anchor.kind] : null;
    if (k) k.count++;
    let c: Awaited<ReturnType<typeof checkAnchorToken>>;
    try {
      const row = anchor.row ?? src.reloadAnchor?.(anchor.entrySeq);
      // A row that changed between the pass and now is a different row: check the bytes the pass bound.
      const same = row !== undefined && Buffer.isBuffer(row.token) && sha256(row.token).toString('hex') === anchor.tokenSha256
        && Buffer.isBuffer(anchor.headHash) && sameBytes(row.headHash, anchor.headHash);
      c = same ? await checkAnchorToken(row, at, opts.trust ?? {}) : { status: 'bad', detail: 'the anchor row changed during verification' };
    } catch (e) {
      c = { status: 'bad', detail: `the check failed: ${(e as Error).message}` }; // e.g. a TSA verifier that throws on garbage
    }
    // RFC 3161 tokens of one TSA on one trusted clock are issued in order: a genTime earlier than the
    // previous anchor's is a token made for another moment, or a clock stepped back.
    if (c.status === 'verified' && c.genTime) {
      if (lastGenTime && c.genTime.getTime() < lastGenTime.at.getTime() - ANCHOR_CLOCK_STEP_MS) {
        c = { status: 'bad', detail: `genTime ${c.genTime.toISOString()} is before that of the rfc3161 anchor of entry ${lastGenTime.entry} (${lastGenTime.at.toISOString()})` };
      } else if (!lastGenTime || c.genTime > lastGenTime.at) lastGenTime = { at: c.genTime, entry: anchor.entrySeq };
    }
    if (c.status === 'bad') {
      const detail = `the ${anchor.kind} anchor recorded by entry ${anchor.entrySeq} (over seq ${anchor.headSeq}) does not verify: ${c.detail}`;
      k?.failures.push(detail);
      tokenBad ??= { firstBad: anchor.entrySeq, kind: 'altered', checked: anchor.entrySeq - (opts.start?.seq ?? 1), detail };
      continue;
    }
    if (c.status === 'verified') {
      if (k) k.verified++;
      verified++;
      anchoredThrough = Math.max(anchoredThrough, anchor.headSeq);
    } else {
      if (k) k.unchecked++;
      notes.push(`anchor ${anchor.entrySeq} over seq ${anchor.headSeq}: ${c.note}`);
    }
  }
  const gap = w.continuity?.fault;
  if (gap && gap.seq < limit) kinds.signature.failures.push(gap.detail);
  if (w.bad?.code === 'FERRY_ERR_AUDIT_PEER_MISMATCH') kinds.peer.failures.push(w.bad.detail);
  notes.push(...(w.continuity?.notes ?? []));
  // The earliest fault wins: a bad token before a structural fault, a structural fault, a schedule gap.
  if (tokenBad && tokenBad.firstBad < limit) return { ok: false, code: 'FERRY_ERR_AUDIT_BROKEN', ...tokenBad, kinds };
  if (w.bad) return { ok: false, code: w.bad.code ?? 'FERRY_ERR_AUDIT_BROKEN', ...w.bad, kinds };
  if (gap) return { ok: false, code: 'FERRY_ERR_AUDIT_ANCHOR_GAP', firstBad: gap.seq, kind: 'unanchored', checked: gap.seq - (opts.start?.seq ?? 1), detail: gap.detail, kinds };
  return {
    ok: true,
    entries: w.good,
    anchors: w.toCheck.length,
    anchorsVerified: verified,
    anchorsUnchecked: w.toCheck.length - verified,
    head: w.head,
    anchoredThrough,
    notes,
    kinds,
  };
}
