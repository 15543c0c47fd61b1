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
import { sha256, type ChainHead } from './canonical.js';
import { dbSource, isDb, type ChainSource } from './verify-rows.js';
import { walk, type WalkFault, type WalkOptions } from './verify-walk.js';
import { ANCHOR_CLOCK_STEP_MS } from './limits.js';
import { sameBytes } from './anchor-binding.js';

export { dbSource, type ChainSource } from './verify-rows.js';
export type { ExpectedHead, TamperKind, WalkFault, WalkOptions } from './verify-walk.js';

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

export interface VerifyOptions extends WalkOptions {
  readonly trust?: AnchorTrust;
  /** Peer copies that could not be used (bad signature, unpinned signer): reported as peer failures. */
  readonly peerFailures?: readonly string[];
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

/** The first fault (firstBad, kind, detail, checked: see WalkFault), with its code. */
export interface VerifyBad extends Omit<WalkFault, 'code'> {
  readonly ok: false;
  readonly code: 'FERRY_ERR_AUDIT_BROKEN' | 'FERRY_ERR_AUDIT_ANCHOR_GAP' | 'FERRY_ERR_AUDIT_PEER_MISMATCH';
  readonly kinds?: KindReport;
}

export type VerifyResult = VerifyOk | VerifyBad;


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
  let tokenBad: WalkFault | null = null;
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
