// What the stamp stage learns of a queued applicant packet, once: the bytes an applicant receipt is
// over, the verdict of the full re-check from this gateway's own policy (the recorded client identity
// must map to the packet's source domain; then shape, every attachment's content and the rule, on the
// exact bytes the applicant sent), and the parsed content the delivery step uses — so the packet path
// decodes and parses each body once.
//
// Parsing and inspection run in the inspection pool (src/gateway/inspect-pool.ts), never on this
// gateway's event loop, which carries the link's heartbeats. A packet waits for a worker as long as it
// takes: it is never refused because the pool is busy; if the pool is stopping, the re-check throws,
// so the stamp stage leaves the packet in its durable queue for the next run.
import { decodeSubmission, type SubmissionEnvelope } from '../gateway/bodies.js';
import type { FerryErrorCode, Verdict } from '../errors.js';
import type { Policy } from '../policy/policy-model.js';
import { domainFromIdentity } from '../policy/client-domain.js';
import type { QueuedPacket } from '../store/stamp-queue.js';
import type { ParsedRequest, RequestKind } from '../policy/check-submission.js';
import type { InspectPool } from '../gateway/inspect-pool.js';

export interface Parsed<T> { env: SubmissionEnvelope; value: T }
export interface Prepared {
  receiptData: Buffer | null;
  bar: { code: FerryErrorCode; detail: string; rule: string } | null;
  parsed: Parsed<unknown> | null;
}

type Bar = NonNullable<Prepared['bar']>;

export interface KindPreparation<T> {
  policy: () => Policy;
  inspect: Pick<InspectPool, 'run'>;
  /** Which request the packet carries (its JSON shape). */
  request: RequestKind;
  /** Whether this kind earns the applicant a receipt over the request bytes. */
  receipt: boolean;
  /** Cheap checks on the parsed request before its attachments are inspected (null: go on). */
  gate?: (parsed: ParsedRequest, packetKind: string) => Bar | null;
  /** The rule and its limits, with the inspected attachment types. */
  decide: (policy: Policy, from: string, to: string, rawBytes: number, parsed: ParsedRequest, types: readonly string[], packetKind: string) => Verdict<T> & { rule?: string };
  /** For a packet an operator released from quarantine: what delivery needs, the check that held it waived. */
  value: (parsed: ParsedRequest) => T;
}

export function prepareQueued<T>(k: KindPreparation<T>): (q: QueuedPacket) => Promise<Prepared> {
  return async (q) => {
    const env = decodeSubmission(q.body);
    if (!env.ok) return { receiptData: null, bar: { ...env, rule: 'shape' }, parsed: null };
    const refuse = (code: FerryErrorCode, detail: string, rule: string): Prepared => ({ receiptData: null, bar: { code, detail, rule }, parsed: null });
    const pol = k.policy();
    if (!q.released) {
      const who = domainFromIdentity(pol, env.value.clientIdentity);
      if (!who.ok) return refuse(who.code, who.detail, 'client-identity');
      if (who.value !== q.fromDomain) return refuse('FERRY_ERR_POLICY_CLIENT_CERT', `client identity maps to ${who.value}, packet says ${q.fromDomain}`, 'client-identity');
    }
    const o = await k.inspect.run<Bar>({
      kind: k.request, raw: env.value.requestBody, waitWhenFull: true, skipInspection: Boolean(q.released),
      ...(k.gate && !q.released ? { gate: (p: ParsedRequest) => k.gate!(p, q.kind) } : {}),
    });
    if (!o.ok) {
      if (o.stage === 'gate') return { receiptData: null, bar: o.value, parsed: null };
      if (o.stage === 'busy' || o.code === 'FERRY_ERR_API_UNAVAILABLE') throw new Error(`re-check of packet ${q.packetId.toString('hex')} not run: ${o.detail}`);
      return refuse(o.code, o.detail, o.rule ?? 'shape');
    }
    // The request bytes went to the worker and came back: the envelope keeps the returned buffer.
    const envelope: SubmissionEnvelope = { ...env.value, requestBody: o.raw };
    const receiptData = k.receipt ? o.raw : null;
    if (q.released) return { receiptData, bar: null, parsed: { env: envelope, value: k.value(o.parsed) } };
    const v = k.decide(pol, q.fromDomain, q.toDomain, o.raw.length, o.parsed, o.types, q.kind);
    return v.ok ? { receiptData, bar: null, parsed: { env: envelope, value: v.value } } : refuse(v.code, v.detail, v.rule ?? 'shape');
  };
}
