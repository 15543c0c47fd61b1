// The applicant API's one error shape and the one way to send it: {"error":{"code","message","rule"?}},
// the status from the registry (src/errors.ts), Retry-After when the client should come back.
import type { FastifyReply } from 'fastify';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { storageFault, STORAGE_RETRY_AFTER_S } from '../gateway/storage-fault.js';

export interface ErrorBody { error: { code: FerryErrorCode; message: string; rule?: string } }

export function errorBody(code: FerryErrorCode, message: string, rule?: string): ErrorBody {
  return { error: { code, message, ...(rule ? { rule } : {}) } };
}

export interface ErrorOptions { rule?: string | undefined; retryAfterSeconds?: number | undefined; status?: number | undefined }

/** `status` only where a load refusal answers other than the code's own status (none today). */
export function sendError(reply: FastifyReply, code: FerryErrorCode, message: string, o: ErrorOptions = {}): FastifyReply {
  if (o.retryAfterSeconds !== undefined) void reply.header('retry-after', String(o.retryAfterSeconds));
  return reply.code(o.status ?? httpStatus(code)).send(errorBody(code, message, o.rule));
}

/** An error a route threw that is a storage fault (disk full, I/O error, locked): answered 503 with
 *  Retry-After and its own code, never 500; the transaction it broke rolled back, so nothing was
 *  accepted. `onFault` lets the storage watch look at the disk now. Null when `e` is not one. */
export function sendStorageFault(reply: FastifyReply, e: unknown, onFault?: () => void): FastifyReply | null {
  const code = storageFault(e);
  if (!code) return null;
  onFault?.();
  return sendError(reply, code, code === 'FERRY_ERR_STORE_FULL'
    ? 'the gateway is out of storage; nothing was accepted; retry later'
    : 'the gateway\'s storage is unavailable; nothing was accepted; retry later', { retryAfterSeconds: STORAGE_RETRY_AFTER_S });
}
