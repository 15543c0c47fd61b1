// The full re-check of a queued applicant packet after stamping, from this gateway's own policy: the
// client identity recorded outside must map to the packet's source domain, then the kind's own check
// (shape, every attachment's content, the rule) runs on the exact bytes the applicant sent.
import { decodeSubmission } from '../gateway/bodies.js';
import type { FerryErrorCode, Verdict } from '../errors.js';
import type { Policy } from '../policy/policy-model.js';
import { domainFromIdentity } from '../policy/client-domain.js';
import type { QueuedPacket } from '../store/stamp-queue.js';

export type Recheck = (q: QueuedPacket) => Promise<{ code: FerryErrorCode; detail: string; rule: string } | null>;
type KindCheck = (policy: Policy, from: string, to: string, raw: Buffer, kind: string) => Promise<Verdict<unknown> & { rule?: string }>;

export function recheckQueued(policy: () => Policy, check: KindCheck): Recheck {
  return async (q) => {
    const env = decodeSubmission(q.body);
    if (!env.ok) return { ...env, rule: 'shape' };
    const pol = policy();
    const who = domainFromIdentity(pol, env.value.clientIdentity);
    if (!who.ok) return { code: who.code, detail: who.detail, rule: 'client-identity' };
    if (who.value !== q.fromDomain) {
      return { code: 'FERRY_ERR_POLICY_CLIENT_CERT', detail: `client identity maps to ${who.value}, packet says ${q.fromDomain}`, rule: 'client-identity' };
    }
    const v = await check(pol, q.fromDomain, q.toDomain, env.value.requestBody, q.kind);
    return v.ok ? null : { code: v.code, detail: v.detail, rule: v.rule ?? 'shape' };
  };
}
