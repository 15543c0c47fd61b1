// Holds the policy in force and swaps it on reload (the integrator calls tryReload on SIGHUP and writes
// the result to the audit log). A new file that does not pass every check is refused whole and the
// old policy stays in force: a typo must never open a path, nor close all of them.
import { formatIssues, loadPolicyFile } from './policy-file.js';
import type { Policy, PolicyDomain, PolicyRule } from './policy-model.js';

export type ReloadResult =
  | { ok: true; sha256: string; changes: readonly string[] }
  | { ok: false; error: string };

export class PolicyHolder {
  private policy: Policy;

  /** `read` is injectable for tests; it defaults to reading the file as UTF-8. */
  constructor(initial: Policy, private readonly read?: (file: string) => string) {
    this.policy = initial;
  }

  current(): Policy {
    return this.policy;
  }

  /** Reads and checks `file` (default: where the current policy came from); swaps only if it is valid. */
  tryReload(file: string = this.policy.source): ReloadResult {
    const r = loadPolicyFile(file, this.read);
    if (!r.ok) return { ok: false, error: formatIssues(r) };
    const changes = diffPolicies(this.policy, r.policy);
    this.policy = r.policy;
    return { ok: true, sha256: r.policy.sha256, changes };
  }
}

/** What changed, one line per domain, rule or setting, for the audit log and the operator. */
export function diffPolicies(a: Policy, b: Policy): string[] {
  const out: string[] = [];
  for (const [name, d] of b.domains) {
    const old = a.domains.get(name);
    if (!old) out.push(`domain added: ${name}`);
    else if (domainKey(old) !== domainKey(d)) out.push(`domain changed: ${name}`);
  }
  for (const name of a.domains.keys()) if (!b.domains.has(name)) out.push(`domain removed: ${name}`);
  for (const r of b.rules) {
    const old = a.ruleById.get(r.id);
    if (!old) { out.push(`rule added: ${r.id}`); continue; }
    const fields = ruleFieldsChanged(old, r);
    if (fields.length > 0) out.push(`rule changed: ${r.id} (${fields.join(', ')})`);
  }
  for (const r of a.rules) if (!b.ruleById.has(r.id)) out.push(`rule removed: ${r.id}`);
  // First match decides, so the order of the rules both versions share is part of the policy.
  const shared = (p: Policy, q: Policy) => p.rules.filter((r) => q.ruleById.has(r.id)).map((r) => r.id).join(',');
  if (shared(a, b) !== shared(b, a)) out.push('rule order changed');
  for (const k of ['maxAgeSeconds', 'maxFutureSeconds'] as const) {
    if (a.freshness[k] !== b.freshness[k]) out.push(`freshness.${k}: ${a.freshness[k]} -> ${b.freshness[k]}`);
  }
  if (a.outbound.requireCorrelation !== b.outbound.requireCorrelation) {
    out.push(`outbound.requireCorrelation: ${a.outbound.requireCorrelation} -> ${b.outbound.requireCorrelation}`);
  }
  if (a.outbound.allowUnsolicited.join(',') !== b.outbound.allowUnsolicited.join(',')) {
    out.push(`outbound.allowUnsolicited: [${a.outbound.allowUnsolicited.join(', ')}] -> [${b.outbound.allowUnsolicited.join(', ')}]`);
  }
  return out;
}

function domainKey(d: PolicyDomain): string {
  return JSON.stringify([d.description, d.clientCert?.subjects ?? null, d.clientCert?.sha256 ?? null]);
}

function ruleFieldsChanged(a: PolicyRule, b: PolicyRule): string[] {
  const view = (r: PolicyRule): Record<string, unknown> => ({
    from: [...r.fromDomains].sort(), to: [...r.toDomains].sort(), kinds: r.kinds, maxBytes: r.maxBytes,
    attachments: r.attachments && { ...r.attachments, perItem: [...r.attachments.perItem] },
    rate: Object.fromEntries(Object.entries(r.rate).map(([k, s]) => [k, s.text])),
  });
  const va = view(a);
  const vb = view(b);
  return Object.keys(va).filter((k) => JSON.stringify(va[k]) !== JSON.stringify(vb[k]));
}
