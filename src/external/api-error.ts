// The applicant API's one error shape and the one way to send it: {"error":{"code","message","rule"?}},
// the status from the registry (src/errors.ts), Retry-After when the client should come back.
import type { FastifyReply } from 'fastify';
import { httpStatus, type FerryErrorCode } from '../errors.js';

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
