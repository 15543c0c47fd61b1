// One way out (STYLE 16): every packet that leaves either gateway goes through `send`, which applies,
// in this order, the outbox bound, the domain policy (decide), outbound correlation (where the policy
// asks for it), the trusted clock, sealing, the outbox and the audit entry with its log line. No other
// module seals or adds to an outbox (test/walls.test.ts holds that), so a guard added here holds for
// every sender at once: applicant submissions and actions, statuses, desk events and the catalogue.
//
// A large body (above DEFAULT_OFFLOAD_BYTES) is sealed in a crypto worker, off the event loop. A
// better-sqlite3 transaction cannot span that await, so the same order runs in three steps: `prepare`
// (bound, decide, correlation, the one clock reading: nothing written), `seal` (async, in the worker),
// `commit` (inside the caller's transaction: the bound and the verdict again — cheap, and the outbox
// or the policy may have changed while the worker sealed — then outbox and audit). `send` is the three
// in one transaction, for small packets.
import type { Db } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import type { SealKeys } from '../seal/keyring.js';
import { sealPacket, type SealedPacket } from '../seal/seal.js';
import type { KindName } from '../seal/packet-kind.js';
import type { Policy } from '../policy/policy-model.js';
import { decide } from '../policy/decide.js';
import { checkCorrelation } from '../policy/correlation.js';
import type { Clock } from '../time/clock.js';
import type { FerryErrorCode } from '../errors.js';
import type { Logger } from './logger.js';
import type { CryptoPool } from './crypto-pool.js';
import { DEFAULT_OFFLOAD_BYTES } from './crypto-limits.js';
import type { BlobStore } from '../store/blobs.js';

/** One packet about to leave. */
export interface OutboundDraft {
  kind: KindName;
  from: string;
  to: string;
  /** '' for a packet that belongs to no case (the catalogue). */
  caseId: string;
  body: Uint8Array;
  /** What the rule's maxBytes is held against (DecideInput.bytes): for the applicant kinds the
   *  applicant's request body, as at ingress and at the intranet's re-check; default: the body. */
  policyBytes?: number;
}

/** What the audit chain records of a packet sent: it names the packet, its case and the rule. */
export interface SentPacket { packetId: Buffer; kind: KindName; caseId: string; to: string; bytes: number; rule: string }

export type OutboundResult =
  | { ok: true; packetId: Buffer; at: Date; rule: string }
  | { ok: false; code: FerryErrorCode; rule: string; detail: string };

export interface OutboundDeps {
  db: Db;
  outbox: Outbox;
  keys: SealKeys;
  policy: () => Policy;
  /** The gateway's trusted clock: a packet's createdAt is this clock's reading, never the host's. */
  clock: Clock;
  maxOutbox: number;
  /** Packets the peer refused and this side holds (outbox_held): they count toward maxOutbox, so a
   *  peer that refuses everything cannot grow the held table without end. */
  held?: () => number;
  /** The correlation check's lookup: true when the case came in from outside (checkCorrelation). */
  knownCase: (caseId: string) => boolean;
  /** Appends 'packet.out' to the audit chain; runs inside the same transaction as the outbox row. */
  audit: (p: SentPacket) => void;
  log: Logger;
  /** Seals bodies above `offloadBytes` off the loop; without it every packet is sealed on the loop. */
  crypto?: Pick<CryptoPool, 'seal'>;
  /** Default DEFAULT_OFFLOAD_BYTES. */
  offloadBytes?: number;
  /** Where a large sealed packet is written (fsync'd) before the commit that puts its row in the
   *  outbox; the row then names it (src/store/outbox.ts). */
  blobs?: Pick<BlobStore, 'put' | 'release'>;
}

/** A packet that passed the bound and the rule at one trusted-clock reading, not yet sealed. */
export interface PreparedPacket { draft: OutboundDraft; at: Date; rule: string }

export interface Outbound {
  /** Sends one packet. `build` gets the trusted time the packet is sealed at, so a body that carries
   *  a time (a submission's receipt time, a case id) carries the same one. Runs as a savepoint of the
   *  caller's transaction when there is one: the packet is durable with the state that made it, and
   *  a refusal writes nothing. */
  send(build: (at: Date) => OutboundDraft): OutboundResult;
  /** True when the outbox holds maxOutbox packets (a sender may stop before building anything). */
  full(): boolean;
  /** Would the policy let this packet out (decide, then correlation)? The same check `send` makes,
   *  with nothing written: for a sender that picks its destinations (the catalogue). */
  check(p: OutboundDraft): { ok: true; rule: string } | Extract<OutboundResult, { ok: false }>;
  /** Step 1 of 3 (see the head of this file): the bound, the clock reading, decide and correlation. */
  prepare(build: (at: Date) => OutboundDraft): { ok: true; packet: PreparedPacket } | Extract<OutboundResult, { ok: false }>;
  /** Step 2: seals; in a crypto worker when the body is large, and then writes the packet durably to
   *  the blob store. Rejects FERRY_ERR_API_BUSY when the workers' line is full. */
  seal(p: PreparedPacket): Promise<SealedPacket>;
  /** Step 3, inside the caller's transaction (a savepoint of it): the bound and the rule again, then
   *  the outbox row and the audit entry. A refusal writes nothing. */
  commit(p: PreparedPacket, sealed: SealedPacket): OutboundResult;
}

export const OUTBOX_FULL_RULE = 'outbox.maxOutbox';

export function createOutbound(d: OutboundDeps): Outbound {
  const full = () => d.outbox.count() + (d.held?.() ?? 0) >= d.maxOutbox;
  const check = (p: OutboundDraft): { ok: true; rule: string } | Extract<OutboundResult, { ok: false }> => {
    const pol = d.policy();
    const out = { from: p.from, to: p.to, kind: p.kind, caseId: p.caseId };
    const rule = decide(pol, { ...out, bytes: p.policyBytes ?? p.body.length });
    if (!rule.allow) return { ok: false, code: rule.code, rule: rule.rule, detail: rule.detail };
    const corr = checkCorrelation(pol, out, d.knownCase);
    if (!corr.ok) return { ok: false, code: corr.code, rule: 'outbound.requireCorrelation', detail: corr.detail };
    return { ok: true, rule: rule.rule };
  };
  const outboxFull = (): Extract<OutboundResult, { ok: false }> => ({ ok: false, code: 'FERRY_ERR_STORE_OUTBOX_FULL', rule: OUTBOX_FULL_RULE, detail: `the outbox holds ${d.maxOutbox} packets` });
  const prepare = (build: (at: Date) => OutboundDraft): { ok: true; packet: PreparedPacket } | Extract<OutboundResult, { ok: false }> => {
    if (full()) return outboxFull();
    const at = d.clock.now();
    const draft = build(at);
    const verdict = check(draft);
    if (!verdict.ok) return verdict;
    // The size the rule judged is kept: a body sealed in a worker is moved there (detached here).
    return { ok: true, packet: { draft: { ...draft, policyBytes: draft.policyBytes ?? draft.body.length }, at, rule: verdict.rule } };
  };
  const sealNow = (p: PreparedPacket): SealedPacket => sealPacket(draftOf(p), d.keys);
  const record = (p: PreparedPacket, sealed: SealedPacket): OutboundResult => {
    const { draft } = p;
    d.outbox.add(sealed.packetId, draft.kind, draft.caseId, sealed.bytes, p.at.getTime());
    const packet = sealed.packetId.toString('hex');
    d.audit({ packetId: sealed.packetId, kind: draft.kind, caseId: draft.caseId, to: draft.to, bytes: sealed.bytes.length, rule: p.rule });
    d.log.info({ stage: 'outbound', packet, case: draft.caseId, kind: draft.kind, to: draft.to, rule: p.rule }, 'packet sealed');
    return { ok: true, packetId: sealed.packetId, at: p.at, rule: p.rule };
  };
  const send = d.db.transaction((build: (at: Date) => OutboundDraft): OutboundResult => {
    const prepared = prepare(build);
    if (!prepared.ok) return prepared;
    return record(prepared.packet, sealNow(prepared.packet));
  });
  const commit = d.db.transaction((p: PreparedPacket, sealed: SealedPacket): OutboundResult => {
    if (full()) return outboxFull();
    const again = check(p.draft);
    if (!again.ok) return again;
    return record({ ...p, rule: again.rule }, sealed);
  });
  const offload = d.offloadBytes ?? DEFAULT_OFFLOAD_BYTES;
  const blobs = new WeakMap<SealedPacket, Buffer>();
  const seal = async (p: PreparedPacket): Promise<SealedPacket> => {
    if (!d.crypto || p.draft.body.length <= offload) return sealNow(p);
    const { sha256, ...sealed } = await d.crypto.seal(draftOf(p));
    if (d.blobs) blobs.set(sealed, await d.blobs.put(sealed.bytes, sha256));
    return sealed;
  };
  return {
    send: (build) => send(build), full, check, prepare, seal,
    commit: (p, sealed) => {
      let r: OutboundResult;
      try { r = commit(p, sealed); } catch (e) { release(sealed); throw e; }
      if (!r.ok) release(sealed); // refused at the re-check: nothing names the blob
      return r;
    },
  };
  function release(sealed: SealedPacket): void {
    const digest = blobs.get(sealed);
    if (digest) d.blobs?.release(digest);
  }
}

function draftOf(p: PreparedPacket) {
  const { draft } = p;
  return { kind: draft.kind, fromDomain: draft.from, toDomain: draft.to, caseId: draft.caseId, createdAt: p.at, body: draft.body };
}
