// Packet bodies by kind (proto/ferry.proto): decoding is a verdict, the body came from a verified
// sender but is still checked field by field.
import { ferry } from '../proto/ferry.js';
import { fail, type Verdict } from '../errors.js';

export interface StatusUpdate { caseId: string; status: string; atMs: number; detail: string; receiptToken: Buffer | null; packetId: Buffer; eventJson?: string }
export interface SubmissionEnvelope {
  caseId: string; receivedAtMs: number; sourceAddress: string; clientIdentity: string; requestBody: Buffer; contentType: string;
}

export function encodeStatus(s: StatusUpdate): Buffer {
  return Buffer.from(ferry.v1.StatusBody.encode({
    caseId: s.caseId, status: s.status, atMs: s.atMs, detail: s.detail, receiptToken: s.receiptToken ?? Buffer.alloc(0), packetId: s.packetId,
    eventJson: s.eventJson ?? '',
  }).finish());
}

export function decodeStatus(body: Uint8Array): Verdict<StatusUpdate> {
  try {
    const m = ferry.v1.StatusBody.decode(body);
    if (!m.caseId || !m.status) return fail('FERRY_ERR_SEAL_MALFORMED', 'status body lacks case id or status');
    const at = Number(m.atMs);
    // A time outside what a Date can hold would break every later read of the case.
    if (!Number.isSafeInteger(at) || at < 0 || at > 8.64e15) return fail('FERRY_ERR_SEAL_MALFORMED', `status time ${String(m.atMs)} is not a time`);
    return { ok: true, value: {
      caseId: m.caseId, status: m.status, atMs: Number(m.atMs), detail: m.detail ?? '',
      receiptToken: m.receiptToken?.length ? Buffer.from(m.receiptToken) : null, packetId: Buffer.from(m.packetId ?? []),
      eventJson: m.eventJson ?? '',
    } };
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `status body does not decode: ${(e as Error).message}`);
  }
}

export function encodeSubmission(s: SubmissionEnvelope): Buffer {
  // A view of the writer's buffer, not a copy: the body can carry a 48 MiB request.
  const u = ferry.v1.SubmissionBody.encode(s).finish();
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
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

export interface CatalogueUpdate { itemsJson: Buffer; sha256: string }

export function encodeCatalogue(c: CatalogueUpdate): Buffer {
  return Buffer.from(ferry.v1.CatalogueBody.encode({ itemsJson: c.itemsJson, sha256: c.sha256 }).finish());
}

export function decodeCatalogue(body: Uint8Array): Verdict<CatalogueUpdate> {
  try {
    const m = ferry.v1.CatalogueBody.decode(body);
    if (!m.itemsJson?.length || !/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) return fail('FERRY_ERR_SEAL_MALFORMED', 'catalogue body lacks items or version');
    return { ok: true, value: { itemsJson: Buffer.from(m.itemsJson), sha256: m.sha256! } };
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `catalogue body does not decode: ${(e as Error).message}`);
  }
}
