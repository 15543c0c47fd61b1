// `ferry policy explain <policy file> --from D --to D --kind K [--item CODE] [--bytes N] [--attachment F]`:
// the decision for one hypothetical packet, told step by step as decide() takes it, ending with
// decide()'s own verdict (so the story and the gateway can never disagree: the verdict line is not
// re-derived here). Attachment types come from the content inspector, injected as detectType.
import { decide, DEFAULT_DENY, type DecideInput } from './decide.js';
import { KIND_NAMES, type KindName } from '../seal/packet-kind.js';
import { OUTBOUND_KINDS, firstRule, type Policy, type PolicyDomain } from './policy-model.js';

export interface ExplainQuery {
  from: string;
  to: string;
  kind: string;
  itemCode?: string;
  /** Packet content size; when absent, the attachment's size (or 0) stands in for it. */
  bytes?: number;
  attachmentFile?: { name: string; bytes: Uint8Array };
}

/** From src/policy/content/inspect.ts: the attachment type identified from the bytes, or undefined. */
export type DetectType = (bytes: Uint8Array) => Promise<string | undefined>;

export async function explain(policy: Policy, q: ExplainQuery, detectType: DetectType): Promise<string> {
  const att = q.attachmentFile;
  const type = att ? await detectType(att.bytes) : undefined;
  const bytes = q.bytes ?? att?.bytes.length ?? 0;
  const input: DecideInput = {
    from: q.from, to: q.to, kind: q.kind, bytes,
    ...(q.itemCode !== undefined ? { itemCode: q.itemCode } : {}),
    ...(att ? { attachments: [{ type, bytes: att.bytes.length }] } : {}),
  };
  const out: string[] = [];
  out.push(`policy ${policy.source} (sha256 ${policy.sha256.slice(0, 16)}…): ${policy.domains.size} domains, ${policy.rules.length} rules, deny by default`);
  out.push(`question: may a ${q.kind} packet travel ${q.from} -> ${q.to}${q.itemCode ? ` for item ${q.itemCode}` : ''}` +
    `${q.bytes === undefined ? ` (size not given: taking ${bytes} bytes)` : ` (${bytes} bytes)`}${att ? `, with attachment ${JSON.stringify(att.name)}` : ''}?`);
  out.push(...narrate(policy, input, att?.name));
  const d = decide(policy, input);
  out.push(d.allow ? `verdict: ALLOW by rule ${d.rule}` : `verdict: DENY by ${d.rule === DEFAULT_DENY ? 'default-deny (no rule allows it)' : `rule ${d.rule}`}: ${d.code}: ${d.detail}`);
  return `${out.join('\n')}\n`;
}

function narrate(policy: Policy, p: DecideInput, attName: string | undefined): string[] {
  const lines: string[] = [];
  let n = 0;
  const step = (text: string) => lines.push(`${++n}. ${text}`);
  const domain = (side: string, name: string, d: PolicyDomain | undefined) =>
    d ? `${side} domain "${name}": declared at line ${d.line} (${d.zone} network${d.description ? `: ${d.description}` : ''}) — ok`
      : `${side} domain "${name}": not declared in the policy — FAILS`;
  const f = policy.domains.get(p.from);
  step(domain('source', p.from, f));
  if (!f) return lines;
  const t = policy.domains.get(p.to);
  step(domain('destination', p.to, t));
  if (!t) return lines;
  if (!(KIND_NAMES as readonly string[]).includes(p.kind)) { step(`kind "${p.kind}": not a packet kind (${KIND_NAMES.join(', ')}) — FAILS`); return lines; }
  const connecting = policy.rules.filter((r) => r.fromDomains.has(p.from) && r.toDomains.has(p.to));
  if (connecting.length === 0) { step(`rules connecting ${p.from} -> ${p.to}: none — FAILS (deny by default)`); return lines; }
  step(`rules connecting ${p.from} -> ${p.to}, in file order: ${connecting.map((r) => `${r.id} (line ${r.line}: ${r.kinds.join(', ')})`).join('; ')}`);
  const rule = firstRule(policy, p.from, p.to, p.kind);
  if (!rule) { step(`kind "${p.kind}": none of them carries it — FAILS (deny by default)`); return lines; }
  step(`kind "${p.kind}": the first rule that carries it is ${rule.id} (line ${rule.line}); its limits decide`);
  const sizeOk = p.bytes <= rule.maxBytes;
  step(`size: ${p.bytes} bytes ${sizeOk ? '≤' : '>'} maxBytes ${rule.maxBytes} — ${sizeOk ? 'ok' : 'FAILS'}`);
  if (!sizeOk) return lines;
  const atts = p.attachments ?? [];
  if (atts.length > 0) {
    const a = rule.attachments;
    if (!a) { step(`attachments: rule ${rule.id} carries none — FAILS`); return lines; }
    const countOk = atts.length <= a.maxCount;
    step(`attachments: ${atts.length} ${countOk ? '≤' : '>'} maxCount ${a.maxCount} — ${countOk ? 'ok' : 'FAILS'}`);
    if (!countOk) return lines;
    const perItem = p.itemCode === undefined ? undefined : a.perItem.get(p.itemCode);
    const allowed: readonly string[] = perItem ?? a.types;
    const source = perItem ? `attachments.perItem.${p.itemCode}` : `attachments.types${p.itemCode ? ` (item ${p.itemCode} has no perItem entry)` : ''}`;
    for (const [i, at] of atts.entries()) {
      const label = attName ? JSON.stringify(attName) : `attachments[${i}]`;
      const sOk = at.bytes <= a.maxBytes;
      step(`attachment ${label}: ${at.bytes} bytes ${sOk ? '≤' : '>'} attachments.maxBytes ${a.maxBytes} — ${sOk ? 'ok' : 'FAILS'}`);
      if (!sOk) return lines;
      const tOk = at.type !== undefined && allowed.includes(at.type);
      step(`attachment ${label}: content identified as ${at.type ?? 'nothing allowed (unknown type)'}; ${source} allows ${allowed.join(', ')} — ${tOk ? 'ok' : 'FAILS'}`);
      if (!tOk) return lines;
    }
  }
  const rates = Object.entries(rule.rate).map(([dim, s]) => `${dim} ${s.text}`);
  step(`rate limits (counted by the running gateway, not here): ${rates.length ? rates.join(', ') : 'none on this rule'}`);
  const kind = p.kind as KindName;
  if (OUTBOUND_KINDS.includes(kind) && f.zone === 'internal') {
    const o = policy.outbound;
    step(!o.requireCorrelation ? 'outbound correlation: not required by this policy'
      : o.allowUnsolicited.includes(kind) ? `outbound correlation: ${p.kind} is in outbound.allowUnsolicited, it needs no case`
        : `outbound correlation: the packet must answer a case that came in from outside (checked at run time)`);
  }
  step(`freshness (at the receiver): created no more than ${policy.freshness.maxAgeSeconds} s before and ${policy.freshness.maxFutureSeconds} s after its trusted clock`);
  return lines;
}
