// The steps an applicant's POST goes through on the external gateway, cheapest first, so that what
// can be refused without parsing is refused without parsing, and what can be refused without
// inspecting attachments costs no inspection:
//   client domain → rule, size and per-address / per-township rate (before a byte is parsed)
//   → parse in a worker → catalogue, form, per-applicant rate (the pool's gate, on the main thread)
//   → attachment inspection in the worker → the rule's attachment limits → intake.
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { decide } from '../policy/decide.js';
import type { Policy, PolicyRule } from '../policy/policy-model.js';
import type { RateLimiter, RateVerdict } from '../policy/rate-limit.js';
import type { InspectOutcome } from '../gateway/inspect-pool.js';

export interface Refusal {
  status: number;
  code: FerryErrorCode;
  detail: string;
  rule?: string;
  retryAfterSeconds?: number;
  /** Whether the refusal is a policy decision for the audit chain (load and plumbing are not). */
  decision: boolean;
}

export const refusal = (code: FerryErrorCode, detail: string, rule?: string, decision = true): Refusal =>
  ({ status: httpStatus(code), code, detail, ...(rule ? { rule } : {}), decision });

export function rateRefusal(r: Extract<RateVerdict, { ok: false }>): Refusal {
  return { status: 429, code: r.code, detail: r.detail, rule: r.rule, retryAfterSeconds: r.retryAfterSeconds, decision: true };
}

/** Before parsing: the rule that carries (from, to, kind) — domains, direction, kind and the rule's
 *  maxBytes against the body length — and the limits keyed by what is known without parsing. */
export function beforeParsing(
  policy: Policy, limiter: RateLimiter, p: { from: string; to: string; kind: string; bytes: number; sourceAddress: string },
): { ok: true; rule: PolicyRule | undefined } | { ok: false; refusal: Refusal } {
  const d = decide(policy, { from: p.from, to: p.to, kind: p.kind, bytes: p.bytes });
  if (!d.allow) return { ok: false, refusal: refusal(d.code, `rule ${d.rule}: ${d.detail}`, d.rule) };
  const rule = policy.ruleById.get(d.rule);
  if (!rule) return { ok: true, rule };
  const r = limiter.check(rule, { from: p.from, sourceAddress: p.sourceAddress }, ['perSourceAddress', 'perTownship']);
  return r.ok ? { ok: true, rule } : { ok: false, refusal: rateRefusal(r) };
}

/** A pool outcome that is not a verdict on the request's content: load (503) or its own gate. */
export function notInspected(o: Exclude<InspectOutcome<Refusal>, { ok: true }>): Refusal {
  if (o.stage === 'gate') return o.value;
  if (o.stage === 'busy') return { status: 503, code: o.code, detail: o.detail, retryAfterSeconds: o.retryAfterSeconds, decision: false };
  return refusal(o.code, o.detail, o.rule, o.code !== 'FERRY_ERR_API_UNAVAILABLE');
}
