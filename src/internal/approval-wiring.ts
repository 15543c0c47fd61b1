// Hosts the approval desk in the internal gateway: submissions enter the workflow in the same
// transaction that delivers them; the desk's outbound events (acceptance, one-time notice, fee,
// decision, result, closure) leave as sealed packets to the domain the case came from, each checked
// against the outbound rules; the catalogue is published outward whenever it changes.
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Logger } from '../gateway/logger.js';
import type { Policy } from '../policy/policy-model.js';
import type { SealKeys } from '../seal/keyring.js';
import type { KindName } from '../seal/packet-kind.js';
import { sealPacket } from '../seal/seal.js';
import { decide } from '../policy/decide.js';
import { checkCorrelation } from '../policy/correlation.js';
import { encodeCatalogue, encodeStatus } from '../gateway/bodies.js';
import { publicView } from '../approval/public-view.js';
import type { Catalogue } from '../approval/catalogue.js';
import type { OutboundEvent } from '../approval/events.js';
import type { ApprovalDesk } from '../desk/approval-desk.js';
import type { InternalStore } from './store.js';
import type { TokenSigner } from '../time/tsa-token.js';
import { resultDocument } from './result-document.js';

/** Which packet kind carries which event to the applicant side. */
export function kindForEvent(e: OutboundEvent): KindName {
  switch (e.type) {
    case 'notice': case 'fee-due': return 'notice';
    case 'decision': case 'result-ready': return 'decision';
    default: return 'status';
  }
}

export interface DrainDeps {
  db: Db; store: InternalStore; desk: ApprovalDesk; keys: SealKeys; policy: () => Policy; log: Logger; maxOutbox: number;
  intranetDomain: string;
  /** Queues the applicant's SMS for an event (in the same transaction as its packet). */
  notify?: (e: OutboundEvent) => void;
  /** Signs the result document that travels with a result-ready event. */
  resultSigner?: TokenSigner;
}

/** Seals pending events into the outbox, in one transaction with marking them dispatched. The
 *  'received' event is skipped: its status left with the applicant's receipt when the case was stamped. */
export function createDrain(d: DrainDeps): () => number {
  return d.db.transaction(() => {
    if (d.store.outbox.count() >= d.maxOutbox) return 0; // events wait in their table; nothing is lost
    const events = d.desk.pendingEvents(256);
    const done: string[] = [];
    for (const e of events) {
      done.push(e.eventId);
      if (e.type === 'received') continue;
      const origin = d.store.cases.get(e.caseId)?.originDomain;
      if (!origin) { d.log.error({ case: e.caseId, event: e.eventId, stage: 'outbound' }, 'event for a case with no origin: not sent'); continue; }
      const kind = kindForEvent(e);
      const payload = e.type === 'result-ready' && d.resultSigner
        ? { ...e, resultDocument: resultDocument(e, d.store.cases.get(e.caseId)?.itemCode ?? '', d.resultSigner).toString('base64') }
        : e;
      const body = encodeStatus({
        caseId: e.caseId, status: e.status, atMs: Date.parse(e.at), detail: e.type, receiptToken: null,
        packetId: Buffer.alloc(0), eventJson: JSON.stringify(payload),
      });
      const out = { from: d.intranetDomain, to: origin, kind, caseId: e.caseId };
      const pol = d.policy();
      const rule = decide(pol, { ...out, bytes: body.length });
      const corr = checkCorrelation(pol, out, (id) => d.store.cases.get(id) !== null);
      if (!rule.allow || !corr.ok) {
        // The guard against data walking out: an event no rule lets out stays inside, loudly.
        d.log.error({ case: e.caseId, event: e.eventId, stage: 'outbound', code: rule.allow ? (corr as { code: string }).code : rule.code, rule: rule.rule }, 'outbound event refused by policy');
        continue;
      }
      const sealed = sealPacket({ kind, fromDomain: out.from, toDomain: out.to, caseId: e.caseId, createdAt: new Date(), body }, d.keys);
      d.store.outbox.add(sealed.packetId, kind, e.caseId, sealed.bytes, Date.now());
      d.notify?.(e);
      d.log.info({ case: e.caseId, event: e.type, kind, packet: sealed.packetId.toString('hex'), stage: 'outbound', rule: rule.rule }, 'event sealed');
    }
    return d.desk.markDispatched(done);
  });
}

/** Publishes the public catalogue view to every applicant-side domain the policy lets it reach,
 *  once per catalogue version (its SHA-256), so a restart does not resend it. */
export function publishCatalogue(d: DrainDeps & { catalogue: Catalogue }): boolean {
  const itemsJson = Buffer.from(JSON.stringify(d.catalogue.items.map(publicView)));
  const sha = createHash('sha256').update(itemsJson).digest('hex');
  const last = d.db.prepare("SELECT value FROM gateway_kv WHERE key = 'catalogue.published'").pluck().get() as string | undefined;
  if (last === sha) return false;
  const body = encodeCatalogue({ itemsJson, sha256: sha });
  const pol = d.policy();
  const targets = [...pol.domains.keys()].filter((to) => decide(pol, { from: d.intranetDomain, to, kind: 'catalogue', bytes: body.length }).allow);
  d.db.transaction(() => {
    for (const to of targets) {
      const sealed = sealPacket({ kind: 'catalogue', fromDomain: d.intranetDomain, toDomain: to, caseId: '', createdAt: new Date(), body }, d.keys);
      d.store.outbox.add(sealed.packetId, 'catalogue', '', sealed.bytes, Date.now());
    }
    d.db.prepare("INSERT INTO gateway_kv (key, value) VALUES ('catalogue.published', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(sha);
  })();
  d.log.info({ stage: 'outbound', kind: 'catalogue', sha256: sha, items: d.catalogue.items.length, to: targets }, 'catalogue published');
  return true;
}
