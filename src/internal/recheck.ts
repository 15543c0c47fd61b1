// What the stamp stage learns of a queued applicant packet, once: the bytes an applicant receipt is
// over, the verdict of the full re-check from this gateway's own policy (the recorded client identity
// must map to the packet's source domain; then shape, every attachment's content and the rule, on the
// exact bytes the applicant sent), and the parsed content the delivery step uses — so the packet path
// decodes and parses each body once.
import { decodeSubmission, type SubmissionEnvelope } from '../gateway/bodies.js';
import type { FerryErrorCode, Verdict } from '../errors.js';
import type { Policy } from '../policy/policy-model.js';
import { domainFromIdentity } from '../policy/client-domain.js';
import type { QueuedPacket } from '../store/stamp-queue.js';
import { isWaived, type Waiver } from '../store/release-waiver.js';

export interface Parsed<T> { env: SubmissionEnvelope; value: T }
export interface Prepared {
  receiptData: Buffer | null;
  bar: { code: FerryErrorCode; detail: string; rule: string } | null;
  parsed: Parsed<unknown> | null;
}

export interface KindPreparation<T> {
  policy: () => Policy;
  /** Whether this kind earns the applicant a receipt over the request bytes. */
  receipt: boolean;
  check: (policy: Policy, from: string, to: string, raw: Buffer, kind: string) => Promise<Verdict<T> & { rule?: string }>;
  /** Parses a released packet whose only refusal was the waived one (check gave no value). */
  parse: (raw: Buffer) => Verdict<T>;
  /** For a packet an operator released from quarantine: the one refusal the release waives (or null). */
  waiver?: (q: QueuedPacket) => Waiver | null;
}

export function prepareQueued<T>(k: KindPreparation<T>): (q: QueuedPacket) => Promise<Prepared> {
  return async (q) => {
    const env = decodeSubmission(q.body);
    if (!env.ok) return { receiptData: null, bar: { ...env, rule: 'shape' }, parsed: null };
    const receiptData = k.receipt ? env.value.requestBody : null;
    const refuse = (code: FerryErrorCode, detail: string, rule: string): Prepared => ({ receiptData, bar: { code, detail, rule }, parsed: null });
    // A released packet runs the same checks as any other (identity, shape, every attachment's content,
    // the rule); only the exact refusal that held it is waived (release-waiver.ts).
    const waive = q.released ? k.waiver?.(q) ?? null : null;
    const pol = k.policy();
    const who = domainFromIdentity(pol, env.value.clientIdentity);
    if (!who.ok) return refuse(who.code, who.detail, 'client-identity');
    if (who.value !== q.fromDomain) return refuse('FERRY_ERR_POLICY_CLIENT_CERT', `client identity maps to ${who.value}, packet says ${q.fromDomain}`, 'client-identity');
    const v = await k.check(pol, q.fromDomain, q.toDomain, env.value.requestBody, q.kind);
    if (v.ok) return { receiptData, bar: null, parsed: { env: env.value, value: v.value } };
    if (isWaived(waive, { code: v.code, rule: v.rule ?? 'shape' })) {
      const p = k.parse(env.value.requestBody);
      return p.ok ? { receiptData, bar: null, parsed: { env: env.value, value: p.value } } : refuse(p.code, p.detail, 'shape');
    }
    return refuse(v.code, v.detail, v.rule ?? 'shape');
  };
}
