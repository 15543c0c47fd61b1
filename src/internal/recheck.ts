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
import type { QueuedPacket } from './store/stamp-queue.js';
import { isWaived, type Waiver } from '../store/release-waiver.js';
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
    /** For a packet an operator released from quarantine: the one refusal the release waives (or null). */
    waiver?: (q: QueuedPacket) => Waiver | null;
}

export function prepareQueued<T>(k: KindPreparation<T>): (q: QueuedPacket) => Promise<Prepared> {
  return async (q) => {
    const env = decodeSubmission(q.body);
    if (!env.ok) return { receiptData: null, bar: { ...env, rule: 'shape' }, parsed: null };
    const receiptData0 = k.receipt ? env.value.requestBody : null;
    const refuse = (code: FerryErrorCode, detail: string, rule: string): Prepared => ({ receiptData: receiptData0, bar: { code, detail, rule }, parsed: null });
    // A released packet runs the same checks as any other (identity, shape, every attachment's content,
    // the rule); only the exact refusal that held it is waived (release-waiver.ts).
    const waive = q.released ? k.waiver?.(q) ?? null : null;
    const waived = (code: FerryErrorCode, rule: string | undefined) => isWaived(waive, { code, rule: rule ?? 'shape' });
    const pol = k.policy();
    const who = domainFromIdentity(pol, env.value.clientIdentity);
    if (!who.ok) return refuse(who.code, who.detail, 'client-identity');
    if (who.value !== q.fromDomain) return refuse('FERRY_ERR_POLICY_CLIENT_CERT', `client identity maps to ${who.value}, packet says ${q.fromDomain}`, 'client-identity');
    const gate = k.gate;
    const o = await k.inspect.run<Bar>({
      kind: k.request, raw: env.value.requestBody, waitWhenFull: true,
      ...(gate ? { gate: (p: ParsedRequest) => { const bar = gate(p, q.kind); return bar && !waived(bar.code, bar.rule) ? bar : null; } } : {}),
    });
    if (!o.ok) {
      if (o.stage === 'gate') return { receiptData: receiptData0, bar: o.value, parsed: null };
      if (o.stage === 'busy' || o.code === 'FERRY_ERR_API_UNAVAILABLE') throw new Error(`re-check of packet ${q.packetId.toString('hex')} not run: ${o.detail}`);
      return refuse(o.code, o.detail, o.rule ?? 'shape'); // shape and content are never waived
    }
    // The request bytes went to the worker and came back: the envelope keeps the returned buffer.
    const envelope: SubmissionEnvelope = { ...env.value, requestBody: o.raw };
    const receiptData = k.receipt ? o.raw : null;
    const v = k.decide(pol, q.fromDomain, q.toDomain, o.raw.length, o.parsed, o.types, q.kind);
    if (v.ok) return { receiptData, bar: null, parsed: { env: envelope, value: v.value } };
    if (waived(v.code, v.rule)) return { receiptData, bar: null, parsed: { env: envelope, value: k.value(o.parsed) } };
    return { receiptData, bar: { code: v.code, detail: v.detail, rule: v.rule ?? 'shape' }, parsed: null };
  };
}
