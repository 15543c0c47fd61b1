// The policy decision for one packet (or one request about to become a packet). Pure: policy and
// facts in, decision out. Every decision names the rule that made it — the rule that allowed, the
// rule whose limit failed, or 'default-deny' when no rule carries the packet at all.
import type { FerryErrorCode } from '../errors.js';
import { KIND_NAMES } from '../seal/packet-kind.js';
import { firstRule, type AttachmentType, type Policy, type PolicyRule } from './policy-model.js';

export interface DecideInput {
  from: string;
  to: string;
  kind: string;
  /** Size of what the packet carries. For applicant kinds, the applicant's request body (at ingress
   *  the HTTP body; after opening, SubmissionBody.request_body — not the whole decrypted body, which
   *  is ~100 bytes more and would refuse inside what was allowed outside); otherwise the body. */
  bytes: number;
  /** The case's item code (submissions), for per-item attachment types. */
  itemCode?: string;
  /** Each attachment's type as identified from its bytes (undefined: not identified) and decoded size. */
  attachments?: readonly { type: AttachmentType | string | undefined; bytes: number }[];
}

export const DEFAULT_DENY = 'default-deny';

export type Decision =
  | { allow: true; rule: string }
  | { allow: false; rule: string; code: FerryErrorCode; detail: string };

const deny = (rule: string, code: FerryErrorCode, detail: string): Decision => ({ allow: false, rule, code, detail });

export function decide(policy: Policy, p: DecideInput): Decision {
  for (const [side, d] of [['from', p.from], ['to', p.to]] as const) {
    if (!policy.domains.has(d)) return deny(DEFAULT_DENY, 'FERRY_ERR_POLICY_DOMAIN', `${side} domain "${d}" is not declared in the policy`);
  }
  if (!(KIND_NAMES as readonly string[]).includes(p.kind)) return deny(DEFAULT_DENY, 'FERRY_ERR_POLICY_KIND', `unknown packet kind "${p.kind}"`);
  const connecting = policy.rules.filter((r) => r.fromDomains.has(p.from) && r.toDomains.has(p.to));
  if (connecting.length === 0) return deny(DEFAULT_DENY, 'FERRY_ERR_POLICY_DIRECTION', `no rule carries anything ${p.from} -> ${p.to}`);
  const rule = firstRule(policy, p.from, p.to, p.kind);
  if (!rule) {
    const kinds = [...new Set(connecting.flatMap((r) => r.kinds))].join(', ');
    return deny(DEFAULT_DENY, 'FERRY_ERR_POLICY_KIND', `no rule carries kind ${p.kind} ${p.from} -> ${p.to} (rules ${connecting.map((r) => r.id).join(', ')} carry ${kinds})`);
  }
  return checkLimits(rule, p);
}

/** The matched rule's limits, in the order a reader checks them: size, attachment count, each attachment. */
export function checkLimits(rule: PolicyRule, p: DecideInput): Decision {
  if (!Number.isSafeInteger(p.bytes) || p.bytes < 0 || p.bytes > rule.maxBytes) {
    return deny(rule.id, 'FERRY_ERR_POLICY_TOO_LARGE', `${p.bytes} bytes exceeds maxBytes ${rule.maxBytes} of rule ${rule.id}`);
  }
  const atts = p.attachments ?? [];
  if (atts.length === 0) return { allow: true, rule: rule.id };
  const a = rule.attachments;
  if (!a) return deny(rule.id, 'FERRY_ERR_POLICY_ATTACHMENT_COUNT', `rule ${rule.id} carries no attachments; got ${atts.length}`);
  if (atts.length > a.maxCount) {
    return deny(rule.id, 'FERRY_ERR_POLICY_ATTACHMENT_COUNT', `${atts.length} attachments exceed maxCount ${a.maxCount} of rule ${rule.id}`);
  }
  const perItem = p.itemCode === undefined ? undefined : a.perItem.get(p.itemCode);
  const allowed: readonly string[] = perItem ?? a.types;
  const scope = perItem ? `item ${p.itemCode}` : `rule ${rule.id}`;
  for (let i = 0; i < atts.length; i++) {
    const at = atts[i]!;
    if (!Number.isSafeInteger(at.bytes) || at.bytes < 0 || at.bytes > a.maxBytes) {
      return deny(rule.id, 'FERRY_ERR_POLICY_ATTACHMENT_SIZE', `attachments[${i}]: ${at.bytes} bytes exceeds attachments.maxBytes ${a.maxBytes} of rule ${rule.id}`);
    }
    // Allow-list only: a type that was not positively identified is refused, never guessed.
    if (at.type === undefined) {
      return deny(rule.id, 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', `attachments[${i}]: type not identified from its content (allowed for ${scope}: ${allowed.join(', ')})`);
    }
    if (!allowed.includes(at.type)) {
      return deny(rule.id, 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', `attachments[${i}]: ${at.type} is not allowed for ${scope} (allowed: ${allowed.join(', ')})`);
    }
  }
  return { allow: true, rule: rule.id };
}
