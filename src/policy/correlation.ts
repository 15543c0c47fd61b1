// Outbound correlation: a packet leaving the intranet must answer a case that came in from outside
// (a status, notice or decision about a case the outside filed), unless its kind is listed in
// outbound.allowUnsolicited (the published catalogue belongs to no case). This keeps the intranet
// from pushing data about cases nobody outside asked about — e.g. a compromised intranet host
// exfiltrating records dressed as status packets. Pure: the case lookup is injected.
import type { Policy } from './policy-model.js';
import { zoneOf } from './policy-model.js';

export interface OutboundPacket { from: string; to: string; kind: string; caseId: string }

export type CorrelationVerdict =
  | { ok: true; why: 'inbound' | 'correlation-off' | 'unsolicited-allowed' | 'answers-case' }
  | { ok: false; code: 'FERRY_ERR_POLICY_UNSOLICITED'; detail: string };

/** `knownCase(caseId)`: true when that case came in from outside (the intranet case store has it). */
export function checkCorrelation(policy: Policy, p: OutboundPacket, knownCase: (caseId: string) => boolean): CorrelationVerdict {
  // Only a packet from an external domain into an internal one is exempt. Everything else is checked,
  // names the policy does not declare included: decide() refuses those too, but this check must
  // never be the weaker of the two.
  if (zoneOf(p.to) === 'internal' && zoneOf(p.from) === 'external') return { ok: true, why: 'inbound' };
  if (!policy.outbound.requireCorrelation) return { ok: true, why: 'correlation-off' };
  if ((policy.outbound.allowUnsolicited as readonly string[]).includes(p.kind)) return { ok: true, why: 'unsolicited-allowed' };
  if (p.caseId === '') {
    return { ok: false, code: 'FERRY_ERR_POLICY_UNSOLICITED', detail: `${p.kind} ${p.from} -> ${p.to} names no case, and ${p.kind} is not in outbound.allowUnsolicited` };
  }
  if (!knownCase(p.caseId)) {
    return { ok: false, code: 'FERRY_ERR_POLICY_UNSOLICITED', detail: `${p.kind} ${p.from} -> ${p.to} for case ${p.caseId}, which did not come in from outside` };
  }
  return { ok: true, why: 'answers-case' };
}
