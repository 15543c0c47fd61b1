// Which sources tell the truth, and is the local clock right? Pure: one round of samples in, one
// verdict out. In the spirit of chrony's source selection (and RFC 5905 §11.2.1):
//  1. a sample that failed, or whose root distance exceeds maxDistanceMs, cannot vote ('?');
//  2. every voting sample gives an interval [θ − λ − tolerance, θ + λ + tolerance] that contains true
//     time if the server is honest (λ = δ/2 + root delay/2 + root dispersion);
//  3. Marzullo's algorithm finds the largest group whose intervals share a point; it must reach the
//     quorum, be a strict majority of the voters (as chrony requires) and be the only such group;
//  4. the agreed offset is the median of the group's offsets, which one liar inside a wide interval
//     cannot drag; sources outside the group are falsetickers ('x').
// The three resulting states, and exactly when each holds, are written on TimeState below.

import type { FerryErrorCode } from '../errors.js';
import { formatDuration, formatOffset } from './format-duration.js';
import type { TimeConfig } from './limits.js';
import type { SntpFailure } from './sntp-client.js';
import { rootDistanceMs, type SntpSample } from './sntp-offset.js';

/** chronyc's markers: '*' selected (the best agreeing source), '+' agreeing (in the median),
 *  'x' falseticker (outside the agreeing group), '-' answered but no group could be selected,
 *  '?' unreachable or refused (the row's note says why). */
export type SourceMarker = '*' | '+' | 'x' | '-' | '?';

/** - trusted: a quorum agrees and the local clock is within maxOffsetMs of it, with a spare source.
 *  - degraded: time is still backed by the quorum (now() is right) but a margin is gone:
 *    'local-offset' — the local clock is off by more than maxOffsetMs (up to hardLimitMs): the host's
 *      own clock discipline has failed and now() is carrying the correction;
 *    'no-spare' — exactly `quorum` sources agree while more are configured: one more source lost or
 *      wrong and time becomes untrusted. (A quorum with sources to spare is trusted even if some of
 *      the rest are unreachable or falsetickers: that is what the spare is for.)
 *  - untrusted: no source answered, no quorum, no strict majority of the answering sources, two
 *    groups tie, or the agreed offset exceeds hardLimitMs. now() is then just the local clock. */
export type TimeState = 'trusted' | 'degraded' | 'untrusted';
export type DegradedBy = 'local-offset' | 'no-spare';

export interface SourceResult {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly result: SntpSample | SntpFailure;
}

export interface SourceRow {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly marker: SourceMarker;
  readonly stratum: number | null;
  readonly offsetMs: number | null;
  readonly delayMs: number | null;
  readonly rootDistanceMs: number | null;
  /** Why a source was refused, or what makes it a falseticker; empty for agreeing sources. */
  readonly note: string;
  /** The refusal code for '?' rows. */
  readonly code: FerryErrorCode | null;
}

export interface SelectionVerdict {
  readonly state: TimeState;
  readonly reason: string;
  /** Set when untrusted: FERRY_ERR_TIME_NO_QUORUM or FERRY_ERR_TIME_OFFSET_LIMIT. */
  readonly code: FerryErrorCode | null;
  /** θ agreed by the quorum: how far true time is ahead of the local clock. Null when no group agreed. */
  readonly offsetMs: number | null;
  readonly degradedBy: readonly DegradedBy[];
  readonly quorum: number;
  readonly configured: number;
  readonly answering: number;
  readonly agreeing: number;
  readonly rows: readonly SourceRow[];
}

export type SelectionPolicy = Pick<TimeConfig, 'quorum' | 'toleranceMs' | 'maxOffsetMs' | 'hardLimitMs' | 'maxDistanceMs'>;

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export interface Intersection {
  /** How many intervals the best point lies in (0 when there are no intervals). */
  readonly count: number;
  /** Indexes of the intervals in the first largest group. */
  readonly members: readonly number[];
  /** The stretch all members share. */
  readonly lo: number;
  readonly hi: number;
  /** More than one disjoint stretch reaches `count`: the groups differ and none can be preferred. */
  readonly ambiguous: boolean;
}

/** Marzullo's algorithm: sweep the sorted endpoints, counting open intervals. Closed intervals: at an
 *  equal value starts sort before ends, so intervals that merely touch still agree. */
export function marzullo(intervals: readonly Interval[]): Intersection {
  const edges = intervals.flatMap((iv) => [
    { at: iv.lo, step: +1 },
    { at: iv.hi, step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || b.step - a.step);
  let open = 0;
  let best = 0;
  const stretches: { lo: number; hi: number }[] = [];
  for (const edge of edges) {
    if (edge.step > 0) {
      open += 1;
      if (open > best) {
        best = open;
        stretches.length = 0;
        stretches.push({ lo: edge.at, hi: edge.at });
      } else if (open === best) {
        stretches.push({ lo: edge.at, hi: edge.at });
      }
    } else {
      // An end while `best` intervals are open closes the stretch the last start opened.
      const last = stretches[stretches.length - 1];
      if (open === best && last !== undefined) last.hi = edge.at;
      open -= 1;
    }
  }
  const first = stretches[0];
  if (first === undefined) return { count: 0, members: [], lo: NaN, hi: NaN, ambiguous: false };
  const members = intervals.flatMap((iv, i) => (iv.lo <= first.lo && iv.hi >= first.hi ? [i] : []));
  return { count: best, members, lo: first.lo, hi: first.hi, ambiguous: stretches.length > 1 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Voter {
  readonly index: number;
  readonly sample: SntpSample;
  readonly distance: number;
  readonly interval: Interval;
}

type Note = { marker: SourceMarker; note: string; code: FerryErrorCode | null };

/** One round being judged: the per-source notes fill in as the verdict is reached; rows are built
 *  from them at the end. */
interface Round {
  readonly sources: readonly SourceResult[];
  readonly policy: SelectionPolicy;
  readonly notes: Map<number, Note>;
  readonly voters: readonly Voter[];
  readonly base: { readonly quorum: number; readonly configured: number; readonly answering: number };
}

export function selectTime(sources: readonly SourceResult[], policy: SelectionPolicy): SelectionVerdict {
  const { notes, voters } = admitVoters(sources, policy);
  const round: Round = { sources, policy, notes, voters, base: { quorum: policy.quorum, configured: sources.length, answering: voters.length } };
  if (voters.length === 0) {
    return untrusted(round, 'FERRY_ERR_TIME_NO_QUORUM', `no source answered usefully (${sources.length} configured, quorum ${policy.quorum})`, 0);
  }
  const best = marzullo(voters.map((v) => v.interval));
  const refusal = groupRefusal(round, best);
  if (refusal) return refusal;
  const group = best.members.map((m) => voters[m] as Voter);
  const offsetMs = median(group.map((v) => v.sample.offsetMs));
  markGroup(round, group, offsetMs);
  return offsetVerdict(round, group.length, offsetMs);
}

/** Steps 1–2: a failed sample or one too far from its root cannot vote; the rest give an interval. */
function admitVoters(sources: readonly SourceResult[], policy: SelectionPolicy): { notes: Map<number, Note>; voters: Voter[] } {
  const notes = new Map<number, Note>();
  const voters: Voter[] = [];
  sources.forEach((src, index) => {
    const r = src.result;
    if (!r.ok) {
      notes.set(index, { marker: '?', note: r.detail, code: r.code });
      return;
    }
    const distance = rootDistanceMs(r);
    if (distance > policy.maxDistanceMs) {
      notes.set(index, {
        marker: '?',
        note: `root distance ${formatDuration(distance)} exceeds maxDistanceMs ${policy.maxDistanceMs}`,
        code: 'FERRY_ERR_TIME_ROOT_DISTANCE',
      });
      return;
    }
    const half = distance + policy.toleranceMs;
    voters.push({ index, sample: r, distance, interval: { lo: r.offsetMs - half, hi: r.offsetMs + half } });
  });
  return { notes, voters };
}

const rowsOf = (round: Round): SourceRow[] =>
  round.sources.map((src, i) => buildRow(src, round.notes.get(i), round.voters.find((v) => v.index === i)));

function untrusted(round: Round, code: FerryErrorCode, reason: string, agreeing: number, offsetMs: number | null = null): SelectionVerdict {
  return { ...round.base, state: 'untrusted', reason, code, offsetMs, degradedBy: [], agreeing, rows: rowsOf(round) };
}

/** Step 3: the largest agreeing group must reach the quorum, be a strict majority and be the only one. */
function groupRefusal(round: Round, best: Intersection): SelectionVerdict | null {
  const { policy, base: { answering, configured } } = round;
  const markAll = (note: string): void => round.voters.forEach((v) => round.notes.set(v.index, { marker: '-', note, code: null }));
  if (best.count < policy.quorum) {
    markAll(`no quorum: largest agreeing group is ${best.count}`);
    return untrusted(
      round,
      'FERRY_ERR_TIME_NO_QUORUM',
      `no quorum: the largest group of agreeing sources has ${best.count}, quorum is ${policy.quorum} ` +
        `(${answering} answered, ${configured - answering} unreachable or refused, of ${configured} configured)`,
      best.count,
    );
  }
  if (best.count * 2 <= answering) {
    markAll(`no majority: largest agreeing group is ${best.count} of ${answering}`);
    return untrusted(
      round,
      'FERRY_ERR_TIME_NO_QUORUM',
      `no majority: only ${best.count} of the ${answering} answering sources agree; a group that is not a ` +
        `strict majority could be the liars`,
      best.count,
    );
  }
  if (best.ambiguous) {
    markAll('two groups of sources disagree');
    return untrusted(round, 'FERRY_ERR_TIME_NO_QUORUM', `ambiguous: two different groups of ${best.count} sources agree among themselves`, best.count);
  }
  return null;
}

/** Step 4's markers: '*' the group's source nearest its root, '+' the rest of the group, 'x' outside it. */
function markGroup(round: Round, group: readonly Voter[], offsetMs: number): void {
  const selected = group.reduce((a, b) => (b.distance < a.distance ? b : a));
  for (const v of round.voters) {
    if (v === selected) round.notes.set(v.index, { marker: '*', note: '', code: null });
    else if (group.includes(v)) round.notes.set(v.index, { marker: '+', note: '', code: null });
    else {
      round.notes.set(v.index, {
        marker: 'x',
        note: `falseticker: ${formatOffset(v.sample.offsetMs)} ± ${formatDuration(v.interval.hi - v.sample.offsetMs)} misses the agreed ${formatOffset(offsetMs)}`,
        code: null,
      });
    }
  }
}

/** The agreed offset against hardLimitMs (untrusted), maxOffsetMs and the spare source (degraded). */
function offsetVerdict(round: Round, agreeing: number, offsetMs: number): SelectionVerdict {
  const { policy, base } = round;
  const { answering, configured } = base;
  const refused = configured - answering;
  const agreement = `${agreeing} of ${configured} sources agree (quorum ${policy.quorum}; ${answering - agreeing} falseticker(s), ${refused} unreachable or refused)`;
  const abs = Math.abs(offsetMs);
  const side = offsetMs >= 0 ? 'slow' : 'fast';
  if (abs > policy.hardLimitMs) {
    return untrusted(
      round,
      'FERRY_ERR_TIME_OFFSET_LIMIT',
      `${agreement}, but they put the local clock ${formatDuration(abs)} ${side}, beyond hardLimitMs ` +
        `${policy.hardLimitMs}: a correction this large is not believed without a human`,
      agreeing,
      offsetMs,
    );
  }
  const degradedBy: DegradedBy[] = [];
  const problems: string[] = [];
  if (abs > policy.maxOffsetMs) {
    degradedBy.push('local-offset');
    problems.push(
      `the local clock is ${formatDuration(abs)} ${side} (more than maxOffsetMs ${policy.maxOffsetMs}, within hardLimitMs ` +
        `${policy.hardLimitMs}): now() corrects it, but the host's clock discipline needs attention`,
    );
  }
  if (agreeing === policy.quorum && agreeing < configured) {
    degradedBy.push('no-spare');
    problems.push(`no spare: exactly the quorum agrees, so one more source lost or wrong makes time untrusted`);
  }
  if (degradedBy.length > 0) {
    return { ...base, state: 'degraded', reason: `${agreement}; ${problems.join('; ')}`, code: null, offsetMs, degradedBy, agreeing, rows: rowsOf(round) };
  }
  return {
    ...base,
    state: 'trusted',
    reason: `${agreement}; the local clock is ${formatDuration(abs)} ${side}, within maxOffsetMs ${policy.maxOffsetMs}`,
    code: null,
    offsetMs,
    degradedBy,
    agreeing,
    rows: rowsOf(round),
  };
}

function buildRow(src: SourceResult, note: Note | undefined, voter: Voter | undefined): SourceRow {
  const r = src.result;
  const sample = r.ok ? r : null;
  return {
    name: src.name,
    host: src.host,
    port: src.port,
    marker: note?.marker ?? '?',
    stratum: sample?.stratum ?? null,
    offsetMs: sample?.offsetMs ?? null,
    delayMs: sample?.delayMs ?? null,
    rootDistanceMs: voter?.distance ?? (sample ? rootDistanceMs(sample) : null),
    note: note?.note ?? '',
    code: note?.code ?? null,
  };
}
