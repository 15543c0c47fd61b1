// What an operator's release of a quarantined packet waives: the one (code, rule) pair that held it —
// and only if that rule may be waived at all. Everything else runs again on release: open/verify,
// client identity, shape, content inspection, the domain, zone and direction checks (default-deny),
// correlation and delivery. An inspector's refusal is never waived (STYLE 15: inspectors fail closed),
// nor is a default-deny: those change only by a new policy, and a release re-checks under the current one.
import type { QuarantineEntry } from './quarantine.js';

export interface Waiver { readonly code: string; readonly rule: string }

/** Rules a release never waives. Freshness and a named policy rule (its limits) may be waived. */
export const NEVER_WAIVED: ReadonlySet<string> = new Set([
  'default-deny', 'client-identity', 'shape', 'content', 'delivery', 'outbound.requireCorrelation',
]);

export function waiverOf(e: Pick<QuarantineEntry, 'code' | 'rule'>): Waiver | null {
  return NEVER_WAIVED.has(e.rule) ? null : { code: e.code, rule: e.rule };
}

/** Is this refusal exactly the one the release waived? */
export function isWaived(w: Waiver | null, bar: { code: string; rule: string }): boolean {
  return w !== null && w.code === bar.code && w.rule === bar.rule;
}
