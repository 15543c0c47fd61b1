// Packet bodies by kind (proto/ferry.proto): decoding is a verdict, the body came from a verified
// sender but is still checked field by field.
import { ferry } from '../proto/ferry.js';
import { fail, type Verdict } from '../errors.js';

export interface StatusUpdate { caseId: string; status: string; atMs: number; detail: string; receiptToken: Buffer | null; packetId: Buffer }
export interface SubmissionEnvelope {
  caseId: string; receivedAtMs: number; sourceAddress: string; clientIdentity: string; requestBody: Buffer; contentType: string;
}

export function encodeStatus(s: StatusUpdate): Buffer {
  return Buffer.from(ferry.v1.StatusBody.encode({
    caseId: s.caseId, status: s.status, atMs: s.atMs, detail: s.detail, receiptToken: s.receiptToken ?? Buffer.alloc(0), packetId: s.packetId,
  }).finish());
}

export function decodeStatus(body: Uint8Array): Verdict<StatusUpdate> {
  try {
    const m = ferry.v1.StatusBody.decode(body);
    if (!m.caseId || !m.status) return fail('FERRY_ERR_SEAL_MALFORMED', 'status body lacks case id or status');
    return { ok: true, value: {
      caseId: m.caseId, status: m.status, atMs: Number(m.atMs), detail: m.detail ?? '',
      receiptToken: m.receiptToken?.length ? Buffer.from(m.receiptToken) : null, packetId: Buffer.from(m.packetId ?? []),
    } };
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `status body does not decode: ${(e as Error).message}`);
  }
}

export function encodeSubmission(s: SubmissionEnvelope): Buffer {
  return Buffer.from(ferry.v1.SubmissionBody.encode(s).finish());
}

export function decodeSubmission(body: Uint8Array): Verdict<SubmissionEnvelope> {
  try {
    const m = ferry.v1.SubmissionBody.decode(body);
    if (!m.caseId || !m.requestBody?.length) return fail('FERRY_ERR_SEAL_MALFORMED', 'submission body lacks case id or request');
    return { ok: true, value: {
      caseId: m.caseId, receivedAtMs: Number(m.receivedAtMs), sourceAddress: m.sourceAddress ?? '', clientIdentity: m.clientIdentity ?? '',
      requestBody: Buffer.from(m.requestBody), contentType: m.contentType ?? '',
    } };
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `submission body does not decode: ${(e as Error).message}`);
  }
}
