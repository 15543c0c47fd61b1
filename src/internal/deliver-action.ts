// The applicant's later actions (supplement, withdraw, supply-committed: kind supplement; evaluate:
// kind evaluation) on the intranet side, in the same two steps as a submission: queue for stamping
// at the inbox, full re-check after stamping, then hand to the approval desk, whose transition table
// decides whether the action is allowed now (one case, one evaluation; no supplement without a notice).
import { decodeSubmission } from '../gateway/bodies.js';
import type { KindHandler } from '../gateway/inbox.js';
import type { Policy } from '../policy/policy-model.js';
import { actionKindCheck, decideAction, type ParsedRequest } from '../policy/check-submission.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import { prepareQueued, type Parsed, type Prepared } from './recheck.js';
import type { QueuedPacket } from './store/stamp-queue.js';
import type { ApplicantAction } from '../policy/applicant-action.js';
import type { ApprovalDesk } from '../desk/approval-desk.js';
import { attachmentMeta } from '../desk/submission.js';
import type { StampedHandler } from './stamper.js';
import type { InternalStore } from './store.js';

export interface ActionDeps { store: InternalStore; policy: () => Policy; desk: ApprovalDesk; inspect: Pick<InspectPool, 'run'> }

export function queueAction(d: ActionDeps): KindHandler {
  return (p, now, raw) => {
    const env = decodeSubmission(p.body);
    if (!env.ok) return env;
    if (env.value.caseId !== p.caseId) return { code: 'FERRY_ERR_POLICY_CASE', detail: `body case ${env.value.caseId} vs header ${p.caseId}` };
    const c = d.store.cases.get(p.caseId);
    if (!c) return { code: 'FERRY_ERR_POLICY_CASE', detail: `no case ${p.caseId}` };
    // Only the domain the case came from may act on it (a township cannot touch a public case).
    if (c.originDomain !== p.fromDomain) return { code: 'FERRY_ERR_POLICY_CASE', detail: `case ${p.caseId} came from ${c.originDomain}, not ${p.fromDomain}` };
    d.store.stampQueue.add({
      packetId: p.packetId, kind: p.kind, caseId: p.caseId, fromDomain: p.fromDomain, toDomain: p.toDomain, packet: raw,
      body: p.body, createdAt: p.createdAt.getTime(), queuedAt: now,
    });
    return null;
  };
}

export function prepareAction(d: ActionDeps): (q: QueuedPacket) => Promise<Prepared> {
  return prepareQueued<ApplicantAction>({
    policy: d.policy, inspect: d.inspect, request: 'action', receipt: false,
    waiver: (q) => d.store.quarantine.waiverFor(q.packetId.toString('hex')),
    value: (p) => (p as Extract<ParsedRequest, { kind: 'action' }>).action,
    // The action must travel as the kind the packet says: checked before any attachment is inspected.
    gate: (p, kind) => {
      if (p.kind !== 'action') return { code: 'FERRY_ERR_POLICY_KIND', detail: 'not an applicant action', rule: 'shape' };
      const k = actionKindCheck(p.action, kind);
      return k.ok ? null : { code: k.code, detail: k.detail, rule: k.rule ?? 'shape' };
    },
    decide: (pol, from, to, bytes, p, types, kind) => {
      if (p.kind !== 'action') return { ok: false, code: 'FERRY_ERR_POLICY_KIND', detail: 'not an applicant action' };
      const v = decideAction(pol, from, to, bytes, p.action, types, kind);
      return v.ok ? { ok: true, value: v.value.action } : v;
    },
  });
}

export function deliverAction(d: ActionDeps): StampedHandler {
  return (q, stamp, _receipt, parsed) => {
    const action = (parsed as Parsed<ApplicantAction>).value;
    const { attachments, ...fields } = { attachments: [], ...action } as { attachments: { fileName: string; mediaType: string; materialId: string | null; bytes: Uint8Array }[] } & Record<string, unknown>;
    // The core's commands leave optional fields out rather than null.
    const command = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
    const r = d.desk.applicantAction(q.caseId, command, { receivedAt: stamp.genTime, attachments: attachments.map(attachmentMeta) });
    return r.ok ? null : { code: r.code, detail: r.detail };
  };
}
