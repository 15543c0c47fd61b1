// Ingress: a checked submission becomes a sealed packet in the outbox and a 'submitted' row in the
// status cache, in one transaction. Only ciphertext reaches the disk.
import { createHash } from 'node:crypto';
import { sealPacket } from '../seal/seal.js';
import type { SealKeys } from '../seal/keyring.js';
import { encodeSubmission } from '../gateway/bodies.js';
import type { ExternalStore } from './store.js';
import { newCaseId } from './case-id.js';
import { caseSecretHash, newCaseSecret, normalizeCaseSecret } from './case-secret.js';
import { createGroupCommit } from '../store/group-commit.js';

export interface IntakeRequest {
  raw: Buffer; contentType: string; sourceAddress: string; clientIdentity: string; itemCode: string; fromDomain: string;
  /** Runs inside the transaction that commits the case (the API's idempotency row). */
  inTransaction?: (r: { caseId: string; secret: string }) => void;
}
export interface IntakeDeps { store: ExternalStore; keys: SealKeys; peerDomain: string; maxOutbox: number }

/** `secret` is the applicant's case secret in clear: it exists only in this value and the 202 answer. */
export type IntakeResult = { ok: true; caseId: string; secret: string; submittedAt: Date } | { ok: false; reason: 'outbox-full' };

export function createIntake(d: IntakeDeps) {
  const groupCommit = createGroupCommit(d.store.db);
  return async (req: IntakeRequest, now: Date): Promise<IntakeResult> => {
    if (d.store.outbox.count() >= d.maxOutbox) return { ok: false, reason: 'outbox-full' };
    const caseId = newCaseId(now);
    const body = encodeSubmission({
      caseId, receivedAtMs: now.getTime(), sourceAddress: req.sourceAddress, clientIdentity: req.clientIdentity,
      requestBody: req.raw, contentType: req.contentType,
    });
    const sealed = sealPacket({
      kind: 'submission', fromDomain: req.fromDomain, toDomain: d.peerDomain, caseId, createdAt: now, body,
    }, d.keys);
    const sha = createHash('sha256').update(req.raw).digest();
    // The secret is made here, after sealing: it is in no packet, and only its hash is stored, in the
    // same transaction as the outbox row (a 202 means the case and its credential are both durable).
    const secret = newCaseSecret();
    const secretSha = caseSecretHash(caseId, normalizeCaseSecret(secret)!);
    await groupCommit(() => {
      d.store.outbox.add(sealed.packetId, 'submission', caseId, sealed.bytes, now.getTime());
      d.store.status.submitted(caseId, now.getTime(), sha, secretSha);
      req.inTransaction?.({ caseId, secret });
    });
    return { ok: true, caseId, secret, submittedAt: now };
  };
}

export interface ActionRequest {
  caseId: string; kind: 'supplement' | 'evaluation'; raw: Buffer; sourceAddress: string; clientIdentity: string; fromDomain: string;
  /** Runs inside the transaction that commits the packet (the API's idempotency row). */
  inTransaction?: () => void;
}

/** An applicant's action on an existing case: sealed like a submission (the exact bytes inside). */
export function createActionIntake(d: IntakeDeps) {
  const groupCommit = createGroupCommit(d.store.db);
  return async (req: ActionRequest, now: Date): Promise<{ ok: true } | { ok: false; reason: 'outbox-full' }> => {
    if (d.store.outbox.count() >= d.maxOutbox) return { ok: false, reason: 'outbox-full' };
    const body = encodeSubmission({
      caseId: req.caseId, receivedAtMs: now.getTime(), sourceAddress: req.sourceAddress, clientIdentity: req.clientIdentity,
      requestBody: req.raw, contentType: 'application/json',
    });
    const sealed = sealPacket({ kind: req.kind, fromDomain: req.fromDomain, toDomain: d.peerDomain, caseId: req.caseId, createdAt: now, body }, d.keys);
    await groupCommit(() => { d.store.outbox.add(sealed.packetId, req.kind, req.caseId, sealed.bytes, now.getTime()); req.inTransaction?.(); });
    return { ok: true };
  };
}
