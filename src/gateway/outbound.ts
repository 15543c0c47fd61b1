// One way out (STYLE 16): every packet that leaves either gateway goes through `send`, which applies,
// in this order, the outbox bound, the domain policy (decide), outbound correlation (where the policy
// asks for it), the trusted clock, sealing, the outbox and the audit entry with its log line. No other
// module seals or adds to an outbox (test/walls.test.ts holds that), so a guard added here holds for
// every sender at once: applicant submissions and actions, statuses, desk events and the catalogue.
import type { Db } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import type { SealKeys } from '../seal/keyring.js';
import { sealPacket } from '../seal/seal.js';
import type { KindName } from '../seal/packet-kind.js';
import type { Policy } from '../policy/policy-model.js';
import { decide } from '../policy/decide.js';
import { checkCorrelation } from '../policy/correlation.js';
import type { Clock } from '../time/clock.js';
import type { FerryErrorCode } from '../errors.js';
import type { Logger } from './logger.js';

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
}

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
  const send = d.db.transaction((build: (at: Date) => OutboundDraft): OutboundResult => {
    if (full()) return { ok: false, code: 'FERRY_ERR_STORE_OUTBOX_FULL', rule: OUTBOX_FULL_RULE, detail: `the outbox holds ${d.maxOutbox} packets` };
    const at = d.clock.now();
    const p = build(at);
    const verdict = check(p);
    if (!verdict.ok) return verdict;
    const sealed = sealPacket({ kind: p.kind, fromDomain: p.from, toDomain: p.to, caseId: p.caseId, createdAt: at, body: p.body }, d.keys);
    d.outbox.add(sealed.packetId, p.kind, p.caseId, sealed.bytes, at.getTime());
    const packet = sealed.packetId.toString('hex');
    d.audit({ packetId: sealed.packetId, kind: p.kind, caseId: p.caseId, to: p.to, bytes: sealed.bytes.length, rule: verdict.rule });
    d.log.info({ stage: 'outbound', packet, case: p.caseId, kind: p.kind, to: p.to, rule: verdict.rule }, 'packet sealed');
    return { ok: true, packetId: sealed.packetId, at, rule: verdict.rule };
  });
  return { send: (build) => send(build), full, check };
}
