// What a gateway checks of every opened, authentic packet before delivery, from its own copy of the
// policy: freshness against its trusted clock, that the packet is addressed to a domain on this side,
// and that a rule connects (from, to, kind). The external side also checks the full rule (size) and
// that an outbound packet answers a case it knows — the guard against data walking out.
import type { Admit } from './inbox.js';
import type { Policy } from '../policy/policy-model.js';
import { firstRule, zoneOf, type Zone } from '../policy/policy-model.js';
import { checkFreshness } from '../policy/freshness.js';
import { checkCorrelation } from '../policy/correlation.js';
import { decide } from '../policy/decide.js';
import { isWaived, type Waiver } from '../store/release-waiver.js';

/** `waive`: on an operator's release from quarantine, the one refusal that held the packet (see
 *  release-waiver.ts); every other check runs as on first arrival. */
export function admitPackets(zone: Zone, policy: () => Policy, knownCase?: (caseId: string) => boolean): (p: Parameters<Admit>[0], now: Date, waive?: Waiver | null) => ReturnType<Admit> {
  return (p, now, waive = null) => {
    const pol = policy();
    const fresh = checkFreshness(pol.freshness, p.createdAt.getTime(), now);
    if (!fresh.ok && !isWaived(waive, { code: fresh.code, rule: 'freshness' })) return { code: fresh.code, detail: fresh.detail, rule: 'freshness' };
    for (const d of [p.fromDomain, p.toDomain]) {
      if (!pol.domains.has(d)) return { code: 'FERRY_ERR_POLICY_DOMAIN', detail: `domain "${d}" is not declared in the policy`, rule: 'default-deny' };
    }
    if (zoneOf(p.toDomain) !== zone || zoneOf(p.fromDomain) === zone) {
      return { code: 'FERRY_ERR_POLICY_DIRECTION', detail: `${p.fromDomain} -> ${p.toDomain} does not enter the ${zone} zone`, rule: 'default-deny' };
    }
    // Same order as decide() (docs/POLICY.md): no rule connecting the two domains is a direction
    // refusal, whatever the kind; only then is a missing kind reported as such.
    if (!pol.rules.some((r) => r.fromDomains.has(p.fromDomain) && r.toDomains.has(p.toDomain))) {
      return { code: 'FERRY_ERR_POLICY_DIRECTION', detail: `no rule carries anything ${p.fromDomain} -> ${p.toDomain}`, rule: 'default-deny' };
    }
    if (!firstRule(pol, p.fromDomain, p.toDomain, p.kind)) {
      return { code: 'FERRY_ERR_POLICY_KIND', detail: `no rule lets ${p.kind} travel ${p.fromDomain} -> ${p.toDomain}`, rule: 'default-deny' };
    }
    if (zone === 'external') {
      const d = decide(pol, { from: p.fromDomain, to: p.toDomain, kind: p.kind, bytes: p.body.length });
      if (!d.allow && !isWaived(waive, d)) return { code: d.code, detail: d.detail, rule: d.rule };
      if (knownCase) {
        const c = checkCorrelation(pol, { from: p.fromDomain, to: p.toDomain, kind: p.kind, caseId: p.caseId }, knownCase);
        if (!c.ok) return { code: c.code, detail: c.detail, rule: 'outbound.requireCorrelation' };
      }
    }
    return null;
  };
}
