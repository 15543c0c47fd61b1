// Counts and times every request a Fastify listener answers. Labels stay bounded whatever a client
// sends: the route is the template Fastify matched ("/api/v1/cases/:caseId"), or "unmatched"; the
// method is one of the HTTP methods or "other"; the code is a Ferry error code from the registry
// (read from the error body Ferry sends) or "".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../errors.js';
import type { HttpMetrics } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Ferry's error bodies start {"error":{"code":"FERRY_ERR_…"; only the head of a payload is looked at.
const CODE_IN_BODY = /^\{"error":\{"code":"(FERRY_ERR_[A-Z0-9_]{1,60})"/;

const codes = new WeakMap<FastifyRequest, string>();

function errorCode(payload: unknown): string {
  const head = typeof payload === 'string' ? payload.slice(0, 100) : Buffer.isBuffer(payload) ? payload.subarray(0, 100).toString('latin1') : '';
  const m = CODE_IN_BODY.exec(head);
  return m && Object.hasOwn(ERRORS, m[1]!) ? m[1]! : '';
}

/** Call after the routes are declared and before listen(). */
export function observeHttp(app: FastifyInstance, m: HttpMetrics, listener: string): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode >= 400) codes.set(req, errorCode(payload));
    return payload;
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(req.method) ? req.method : 'other';
    m.requests.inc({ listener, method, route, status: String(reply.statusCode), code: codes.get(req) ?? '' });
    m.duration.observe({ listener, method, route }, reply.elapsedTime / 1000);
  });
}
