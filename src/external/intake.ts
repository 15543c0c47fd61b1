// Ingress: a checked submission becomes a sealed packet in the outbox and a 'submitted' row in the
// status cache, in one transaction. Only ciphertext reaches the disk.
import { createHash } from 'node:crypto';
import { sealPacket } from '../seal/seal.js';
import type { SealKeys } from '../seal/keyring.js';
import { encodeSubmission } from '../gateway/bodies.js';
import type { ExternalStore } from './store.js';
import { newCaseId } from './case-id.js';

export interface IntakeRequest { raw: Buffer; contentType: string; sourceAddress: string; clientIdentity: string; itemCode: string }
export interface IntakeDeps { store: ExternalStore; keys: SealKeys; selfDomain: string; peerDomain: string; maxOutbox: number }

export type IntakeResult = { ok: true; caseId: string; submittedAt: Date } | { ok: false; reason: 'outbox-full' };

export function createIntake(d: IntakeDeps) {
  const commit = d.store.db.transaction((packetId: Buffer, caseId: string, bytes: Buffer, at: number, sha: Buffer) => {
    d.store.outbox.add(packetId, 'submission', caseId, bytes, at);
    d.store.status.submitted(caseId, at, sha);
  });
  return (req: IntakeRequest, now: Date): IntakeResult => {
    if (d.store.outbox.count() >= d.maxOutbox) return { ok: false, reason: 'outbox-full' };
    const caseId = newCaseId(now);
    const body = encodeSubmission({
      caseId, receivedAtMs: now.getTime(), sourceAddress: req.sourceAddress, clientIdentity: req.clientIdentity,
      requestBody: req.raw, contentType: req.contentType,
    });
    const sealed = sealPacket({
      kind: 'submission', fromDomain: d.selfDomain, toDomain: d.peerDomain, caseId, createdAt: now, body,
    }, d.keys);
    commit(sealed.packetId, caseId, sealed.bytes, now.getTime(), createHash('sha256').update(req.raw).digest());
    return { ok: true, caseId, submittedAt: now };
  };
}
