// Delivers an opened submission packet to the intranet: re-checks it (the external gateway's checks
// are not trusted), records the case, and queues the 'received' status for the applicant side. Runs
// inside the inbox transaction, so the case and its status packet commit together or not at all.
// The approval workflow takes over from the recorded case.
import { createHash } from 'node:crypto';
import { decodeSubmission, encodeStatus } from '../gateway/bodies.js';
import type { KindHandler } from '../gateway/inbox.js';
import { parseSubmission } from '../policy/submission-shape.js';
import { sealPacket } from '../seal/seal.js';
import type { SealKeys } from '../seal/keyring.js';
import type { InternalStore } from './store.js';

export interface DeliverDeps { store: InternalStore; keys: SealKeys; selfDomain: string; peerDomain: string }

export function deliverSubmission(d: DeliverDeps): KindHandler {
  return (p, now) => {
    const env = decodeSubmission(p.body);
    if (!env.ok) return env;
    const s = env.value;
    if (s.caseId !== p.caseId) return { code: 'FERRY_ERR_POLICY_CASE', detail: `body case ${s.caseId} vs header ${p.caseId}` };
    const sub = parseSubmission(s.requestBody);
    if (!sub.ok) return sub;
    const fresh = d.store.cases.receive({
      caseId: s.caseId, itemCode: sub.value.itemCode, receivedAt: now, submittedAt: s.receivedAtMs, packetId: p.packetId,
      sourceAddress: s.sourceAddress, clientIdentity: s.clientIdentity, requestBody: s.requestBody,
      requestSha256: createHash('sha256').update(s.requestBody).digest(),
    });
    if (!fresh) return { code: 'FERRY_ERR_POLICY_CASE', detail: `case ${s.caseId} already exists` };
    const status = sealPacket({
      kind: 'status', fromDomain: d.selfDomain, toDomain: d.peerDomain, caseId: s.caseId, createdAt: new Date(now),
      body: encodeStatus({ caseId: s.caseId, status: 'received', atMs: now, detail: '', receiptToken: null, packetId: p.packetId }),
    }, d.keys);
    d.store.outbox.add(status.packetId, 'status', s.caseId, status.bytes, now);
    return null;
  };
}
