// Ingress: a checked submission becomes a sealed packet in the outbox and a 'submitted' row in the
// status cache, in one transaction. Only ciphertext reaches the disk. The packet leaves through the
// one way out (src/gateway/outbound.ts): the outbox bound, the rule that carries it, the trusted clock.
import { createHash } from 'node:crypto';
import type { Outbound, OutboundDraft, OutboundResult } from '../gateway/outbound.js';
import { FerryError } from '../errors.js';
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
export interface IntakeDeps { store: ExternalStore; outbound: Outbound; peerDomain: string }

/** `secret` is the applicant's case secret in clear: it exists only in this value and the 202 answer. */
export type IntakeResult = { ok: true; caseId: string; secret: string; submittedAt: Date } | { ok: false; reason: 'outbox-full' };

/** The API checked the rule a moment before, on the same policy object and the same bytes, so only a
 *  full outbox refuses here in practice; a rule refusal at this point is a fault of the caller (a check
 *  skipped), thrown so that the API answers 500 and nothing is accepted. */
function refused(r: Extract<OutboundResult, { ok: false }>): { ok: false; reason: 'outbox-full' } {
  if (r.code === 'FERRY_ERR_STORE_OUTBOX_FULL') return { ok: false, reason: 'outbox-full' };
  throw new FerryError('FERRY_ERR_API_INTERNAL', `outbound refused an applicant packet the API allowed: ${r.code} (rule ${r.rule}): ${r.detail}`);
}

/** Sends through the one way out; the commit joins a group commit (one fsync for many requests), and
 *  `alongside` writes what must be durable with the packet, in the same transaction, only when it was
 *  sent. The seal runs between the checks and the commit, in a crypto worker for a large body
 *  (outbound.ts: prepare → seal → commit), so no transaction waits on it. */
function groupedSender(d: IntakeDeps) {
  const groupCommit = createGroupCommit(d.store.db);
  return async (build: (at: Date) => OutboundDraft, alongside?: (at: Date) => void): Promise<OutboundResult> => {
    const prepared = d.outbound.prepare(build);
    if (!prepared.ok) return prepared;
    const sealed = await d.outbound.seal(prepared.packet);
    let r: OutboundResult | undefined;
    await groupCommit(() => {
      const sent = d.outbound.commit(prepared.packet, sealed);
      if (sent.ok) alongside?.(sent.at);
      r = sent;
    });
    if (!r) throw new FerryError('FERRY_ERR_API_INTERNAL', 'the group commit ran no write');
    return r;
  };
}

/** `_requestedAt` is the API's reading of the same trusted clock; the case id, the receipt time in the
 *  packet, its createdAt and the 'submitted' row all take the one way out's reading instead, so they
 *  agree with each other to the millisecond. */
export function createIntake(d: IntakeDeps) {
  const send = groupedSender(d);
  return async (req: IntakeRequest, _requestedAt: Date): Promise<IntakeResult> => {
    if (d.outbound.full()) return { ok: false, reason: 'outbox-full' };
    // Hashed before the seal: a large body is moved to the crypto worker.
    const sha = createHash('sha256').update(req.raw).digest();
    // The secret is made here: it is in no packet, and only its hash is stored, in the same
    // transaction as the outbox row (a 202 means the case and its credential are both durable).
    const secret = newCaseSecret();
    let caseId = '';
    const r = await send((at) => {
      caseId = newCaseId(at);
      const body = encodeSubmission({
        caseId, receivedAtMs: at.getTime(), sourceAddress: req.sourceAddress, clientIdentity: req.clientIdentity,
        requestBody: req.raw, contentType: req.contentType,
      });
      return { kind: 'submission', from: req.fromDomain, to: d.peerDomain, caseId, body, policyBytes: req.raw.length };
    }, (at) => {
      d.store.status.submitted(caseId, at.getTime(), sha, caseSecretHash(caseId, normalizeCaseSecret(secret)!));
      req.inTransaction?.({ caseId, secret });
    });
    return r.ok ? { ok: true, caseId, secret, submittedAt: r.at } : refused(r);
  };
}

export interface ActionRequest {
  caseId: string; kind: 'supplement' | 'evaluation'; raw: Buffer; sourceAddress: string; clientIdentity: string; fromDomain: string;
  /** Runs inside the transaction that commits the packet (the API's idempotency row). */
  inTransaction?: () => void;
}

/** An applicant's action on an existing case: sealed like a submission (the exact bytes inside). */
export function createActionIntake(d: IntakeDeps) {
  const send = groupedSender(d);
  return async (req: ActionRequest, _requestedAt: Date): Promise<{ ok: true } | { ok: false; reason: 'outbox-full' }> => {
    if (d.outbound.full()) return { ok: false, reason: 'outbox-full' };
    const r = await send((at) => ({
      kind: req.kind, from: req.fromDomain, to: d.peerDomain, caseId: req.caseId, policyBytes: req.raw.length,
      body: encodeSubmission({
        caseId: req.caseId, receivedAtMs: at.getTime(), sourceAddress: req.sourceAddress, clientIdentity: req.clientIdentity,
        requestBody: req.raw, contentType: 'application/json',
      }),
    }), () => req.inTransaction?.());
    return r.ok ? { ok: true } : refused(r);
  };
}
