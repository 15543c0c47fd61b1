// Submissions on the intranet side, in three steps. At the inbox (inside the link's commit): the
// envelope names this packet's case, which must be new; queue it for stamping. Before stamping: the
// full re-check (recheck.ts) — the external gateway's checks are not trusted. After stamping (inside
// the stamper's commit): hand the case to the approval desk with the trusted receipt time, record the
// delivery evidence, and queue the 'received' status with the applicant's receipt token for the applicant side.
import { createHash } from 'node:crypto';
import { decodeSubmission, encodeStatus } from '../gateway/bodies.js';
import type { KindHandler } from '../gateway/inbox.js';
import type { Submission } from '../policy/submission-shape.js';
import type { StampedHandler } from './stamper.js';
import type { InternalStore } from './store.js';
import type { QueuedPacket } from './store/stamp-queue.js';
import type { Policy } from '../policy/policy-model.js';
import type { ApprovalDesk } from '../desk/approval-desk.js';
import { incomingFromPacket } from '../desk/submission.js';
import { isTownship } from '../policy/policy-model.js';
import { prepareQueued, type Parsed, type Prepared } from './recheck.js';
import { decideSubmission, type ParsedRequest } from '../policy/check-submission.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import type { Outbound } from '../gateway/outbound.js';

export interface DeliverDeps { store: InternalStore; policy: () => Policy; desk: ApprovalDesk; inspect: Pick<InspectPool, 'run'>; outbound: Pick<Outbound, 'send'> }

/** Parsed and re-checked once before stamping (see recheck.ts); the receipt is over the POSTed bytes. */
export function prepareSubmission(d: DeliverDeps): (q: QueuedPacket) => Promise<Prepared> {
  return prepareQueued<Submission>({
    policy: d.policy, inspect: d.inspect, request: 'submission', receipt: true,
    waiver: (q) => d.store.quarantine.waiverFor(q.packetId.toString('hex')),
    value: (p) => (p as Extract<ParsedRequest, { kind: 'submission' }>).submission,
    decide: (pol, from, to, bytes, p, types, kind) => {
      if (p.kind !== 'submission') return { ok: false, code: 'FERRY_ERR_POLICY_KIND', detail: 'not a submission' };
      const v = decideSubmission(pol, from, to, bytes, p.submission, types, kind);
      return v.ok ? { ok: true, value: v.value.submission } : v;
    },
  });
}

export function queueSubmission(d: DeliverDeps): KindHandler {
  return (p, now, raw) => {
    const env = decodeSubmission(p.body);
    if (!env.ok) return env;
    const s = env.value;
    if (s.caseId !== p.caseId) return { code: 'FERRY_ERR_POLICY_CASE', detail: `body case ${s.caseId} vs header ${p.caseId}` };
    if (d.store.cases.get(s.caseId)) return { code: 'FERRY_ERR_POLICY_CASE', detail: `case ${s.caseId} already exists` };
    d.store.stampQueue.add({
      packetId: p.packetId, kind: p.kind, caseId: p.caseId, fromDomain: p.fromDomain, toDomain: p.toDomain, packet: raw, body: p.body, createdAt: p.createdAt.getTime(), queuedAt: now,
    });
    return null;
  };
}

export function deliverSubmission(d: DeliverDeps): StampedHandler {
  return (q, stamp, receipt, parsed) => {
    const { env: s, value: submission } = parsed as Parsed<Submission>;
    const sub = { value: submission };
    if (d.store.cases.get(s.caseId)) return { code: 'FERRY_ERR_POLICY_CASE', detail: `case ${s.caseId} already exists` };
    // The case enters the approval workflow in this same transaction (a refusal rolls it all back). The
    // desk decides the item code and the trusted receipt time (the token's genTime); the gateway's
    // record of the delivery below copies them from the desk's row (intranet-cases.ts: why two records).
    const via = isTownship(q.fromDomain) ? { channel: 'township' as const, township: q.fromDomain } : { channel: 'public' as const };
    const taken = d.desk.receiveSubmission(incomingFromPacket(s.caseId, sub.value, stamp.genTime, via));
    if (!taken.ok) return taken;
    const recorded = d.store.cases.receive({
      caseId: s.caseId, submittedAt: s.receivedAtMs, packetId: q.packetId, sourceAddress: s.sourceAddress,
      clientIdentity: s.clientIdentity, originDomain: q.fromDomain, requestBody: s.requestBody,
      // A large body was written to the blob store for its receipt (stamper.ts): that is its digest.
      requestSha256: d.store.blobs?.refOf(s.requestBody) ?? createHash('sha256').update(s.requestBody).digest(),
    });
    if (!recorded) return { code: 'FERRY_ERR_POLICY_CASE', detail: `case ${s.caseId} already exists` };
    // The answer goes back to the domain the case came from, through the one way out (outbound rules,
    // correlation: the case was recorded just above, in this transaction).
    const body = encodeStatus({
      caseId: s.caseId, status: 'received', atMs: (receipt ?? stamp).genTime.getTime(), detail: '',
      receiptToken: receipt?.token ?? null, packetId: q.packetId,
    });
    const sent = d.outbound.send(() => ({ kind: 'status', from: q.toDomain, to: q.fromDomain, caseId: s.caseId, body }));
    if (!sent.ok) return { code: sent.code, detail: `outbound status refused by rule ${sent.rule}: ${sent.detail}` };
    return null;
  };
}
