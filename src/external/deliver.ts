// Delivery of the intranet's packets on the applicant side, inside the link's batch commit (a refusal
// quarantines the packet; see gateway/inbox.ts). Status, notices and decisions all carry a StatusBody;
// its event, if any, is kept for the applicant. The catalogue replaces the published one.
import { decodeCatalogue, decodeStatus } from '../gateway/bodies.js';
import type { KindHandler } from '../gateway/inbox.js';
import type { Logger } from '../gateway/logger.js';
import type { ExternalStore } from './store.js';

export interface ExternalDeliverDeps { store: Pick<ExternalStore, 'status' | 'catalogue'>; log: Logger }

export function applyStatus(d: ExternalDeliverDeps): KindHandler {
  return (p) => {
    const s = decodeStatus(p.body);
    if (!s.ok) return s;
    if (s.value.caseId !== p.caseId) return { code: 'FERRY_ERR_POLICY_CASE', detail: `body case ${s.value.caseId} vs header ${p.caseId}` };
    if (!d.store.status.apply(s.value.caseId, s.value.status, s.value.atMs, s.value.detail, p.packetId, s.value.receiptToken, s.value.eventJson || null)) {
      return { code: 'FERRY_ERR_POLICY_CASE', detail: `status for unknown case ${s.value.caseId}` };
    }
    return null;
  };
}

export function applyCatalogue(d: ExternalDeliverDeps): KindHandler {
  return (p, now) => {
    const c = decodeCatalogue(p.body);
    if (!c.ok) return c;
    try { JSON.parse(c.value.itemsJson.toString('utf8')); } catch { return { code: 'FERRY_ERR_SEAL_MALFORMED', detail: 'catalogue items are not JSON' }; }
    d.store.catalogue.put(c.value.sha256, c.value.itemsJson, now);
    d.log.info({ stage: 'deliver', kind: 'catalogue', sha256: c.value.sha256 }, 'catalogue updated');
    return null;
  };
}
