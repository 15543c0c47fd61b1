// Hosts the approval desk in the internal gateway: submissions enter the workflow in the same
// transaction that delivers them; the desk's outbound events (acceptance, one-time notice, fee,
// decision, result, closure) leave as sealed packets to the domain the case came from, each checked
// against the outbound rules; the catalogue is published outward whenever it changes.
import { createHash } from 'node:crypto';
import type { Logger } from '../gateway/logger.js';
import type { KindName } from '../seal/packet-kind.js';
import type { Outbound } from '../gateway/outbound.js';
import type { Policy } from '../policy/policy-model.js';
import { GatewayKv, PUBLISHED_CATALOGUE } from '../store/gateway-kv.js';
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
  store: InternalStore; desk: ApprovalDesk; log: Logger; intranetDomain: string;
  /** The one way out: the outbox bound, the outbound rules, correlation, the trusted clock, the seal. */
  outbound: Outbound;
  /** Queues the applicant's SMS for an event (in the same transaction as its packet), at its time. */
  notify?: (e: OutboundEvent, at: Date) => void;
  /** Signs the result document that travels with a result-ready event. */
  resultSigner?: TokenSigner;
}

/** The status body that carries a desk event to the applicant side. */
function eventBody(d: DrainDeps, e: OutboundEvent): Uint8Array {
  const payload = e.type === 'result-ready' && d.resultSigner
    ? { ...e, resultDocument: resultDocument(e, d.desk.store.getCase(e.caseId)?.itemCode ?? '', d.resultSigner).toString('base64') }
    : e;
  return encodeStatus({
    caseId: e.caseId, status: e.status, atMs: Date.parse(e.at), detail: e.type, receiptToken: null,
    packetId: Buffer.alloc(0), eventJson: JSON.stringify(payload),
  });
}

/** Seals pending events into the outbox, in one transaction with marking them dispatched. The
 *  'received' event is skipped: its status left with the applicant's receipt when the case was stamped.
 *  While the outbox is full, events wait in their table; nothing is lost. */
export function createDrain(d: DrainDeps): () => number {
  return d.store.db.transaction(() => {
    if (d.outbound.full()) return 0;
    const done: string[] = [];
    for (const e of d.desk.pendingEvents(256)) {
      if (e.type === 'received') { done.push(e.eventId); continue; }
      const origin = d.store.cases.get(e.caseId)?.originDomain;
      if (!origin) { done.push(e.eventId); d.log.error({ case: e.caseId, event: e.eventId, stage: 'outbound' }, 'event for a case with no origin: not sent'); continue; }
      const sent = d.outbound.send(() => ({ kind: kindForEvent(e), from: d.intranetDomain, to: origin, caseId: e.caseId, body: eventBody(d, e) }));
      // Filled up mid-batch: this event and the rest stay pending for the next drain.
      if (!sent.ok && sent.code === 'FERRY_ERR_STORE_OUTBOX_FULL') break;
      done.push(e.eventId);
      if (sent.ok) { d.notify?.(e, sent.at); continue; }
      // The guard against data walking out: an event no rule lets out stays inside, loudly.
      d.log.error({ case: e.caseId, event: e.eventId, stage: 'outbound', code: sent.code, rule: sent.rule, detail: sent.detail }, 'outbound event refused by policy');
    }
    return d.desk.markDispatched(done);
  });
}

/** Publishes the public catalogue view to every applicant-side domain the policy lets it reach, once
 *  per catalogue version (its SHA-256, kept in gateway_kv), so a restart does not resend it. Call it
 *  again after a refusal for a full outbox: until it has gone out it tries on each call. */
export interface CataloguePublisher {
  /** Publishes unless this version has gone out; true when it went out now. */
  (): boolean;
  /** Forgets that this version went out (a rebuilt peer lost it): the next call publishes again. */
  again(): void;
}

export function createCataloguePublisher(d: DrainDeps & { catalogue: Catalogue; policy: () => Policy }): CataloguePublisher {
  const kv = new GatewayKv(d.store.db);
  // Built per catalogue: `d.catalogue` may be a live view the operator swaps while the gateway runs
  // (ferry catalogue import --apply), and a new catalogue is a new version to publish.
  let built: { items: Catalogue['items']; sha: string; body: Buffer } | undefined;
  let done = false;
  const current = () => {
    if (built?.items !== d.catalogue.items) {
      const itemsJson = Buffer.from(JSON.stringify(d.catalogue.items.map(publicView)));
      const sha = createHash('sha256').update(itemsJson).digest('hex');
      built = { items: d.catalogue.items, sha, body: encodeCatalogue({ itemsJson, sha256: sha }) };
      done = kv.get(PUBLISHED_CATALOGUE) === sha;
    }
    return built;
  };
  const draft = (to: string) => ({ kind: 'catalogue' as const, from: d.intranetDomain, to, caseId: '', body: current().body });
  const publish = d.store.db.transaction((): string[] => {
    // Only the domains a rule lets the catalogue reach (not the internal departments).
    const to = [...d.policy().domains.keys()].filter((domain) => d.outbound.check(draft(domain)).ok);
    for (const domain of to) {
      const sent = d.outbound.send(() => draft(domain));
      // A full outbox (or a policy changed in between) rolls the whole publication back: it is tried again.
      if (!sent.ok) throw new NotPublished(`${domain}: ${sent.code}`);
    }
    kv.put(PUBLISHED_CATALOGUE, current().sha);
    return to;
  });
  const run = () => {
    const { sha, items } = current();
    if (done) return false;
    let to: string[];
    try { to = publish(); } catch (e) { if (e instanceof NotPublished) return false; throw e; }
    done = true;
    d.log.info({ stage: 'outbound', kind: 'catalogue', sha256: sha, items: items.length, to }, 'catalogue published');
    return true;
  };
  return Object.assign(run, { again: () => { kv.delete(PUBLISHED_CATALOGUE); done = false; } });
}

class NotPublished extends Error {}
