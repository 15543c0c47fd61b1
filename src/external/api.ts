// The applicant API (HTTPS). Applicants never see the gateways behind it: a submission is answered
// 202 with its case number once sealed and durable; status comes from the cache the intranet feeds.
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { parseSubmission } from '../policy/submission-shape.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../gateway/logger.js';
import type { StatusCache } from '../store/status-cache.js';
import type { IntakeRequest, IntakeResult } from './intake.js';
import { CASE_ID_PATTERN } from './case-id.js';

export interface ReceiptCheck {
  /** Verifies the token over the imprint against the published CA; null when it holds. */
  (token: Buffer, requestSha256: Buffer): Promise<{ code: FerryErrorCode; detail: string } | { genTime: Date } >;
}

export interface ApiDeps {
  caPem: Buffer;
  verifyReceipt: ReceiptCheck;
  /** Wraps a token as a granted TimeStampResp (what `openssl ts -verify -in` reads). */
  asResponse: (token: Buffer) => Buffer;
  tls: { key: Buffer | string; cert: Buffer | string };
  maxBodyBytes: number;
  clock: Clock;
  log: Logger;
  status: StatusCache;
  intake: (req: IntakeRequest, now: Date) => Promise<IntakeResult>;
  afterIntake: () => void;
  health: () => Record<string, unknown>;
}

function errorBody(code: FerryErrorCode, message: string) {
  return { error: { code, message } };
}

/** Fastify's own errors mapped onto Ferry's registry, so clients see one set of codes. */
function mapFastifyError(e: FastifyError): FerryErrorCode {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'FERRY_ERR_API_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'FERRY_ERR_API_MEDIA_TYPE';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return 'FERRY_ERR_API_FIELD';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'FERRY_ERR_API_JSON';
    default: return (e.statusCode ?? 500) < 500 ? 'FERRY_ERR_API_FIELD' : 'FERRY_ERR_API_INTERNAL';
  }
}

export async function buildApi(d: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    https: { key: d.tls.key, cert: d.tls.cert, minVersion: 'TLSv1.2' },
    bodyLimit: d.maxBodyBytes,
    return503OnClosing: true,
    connectionTimeout: 120_000,
    requestTimeout: 120_000,
  });
  app.removeAllContentTypeParsers();
  // Keep the exact bytes: the receipt's time-stamp is over them, and JSON is parsed by our checker.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((e: FastifyError, req, reply) => {
    const code = mapFastifyError(e);
    const status = httpStatus(code);
    if (status >= 500) d.log.error({ err: e.message, url: req.url, code }, 'request failed');
    else d.log.warn({ url: req.url, code, detail: e.message }, 'request refused');
    void reply.code(status).send(errorBody(code, status >= 500 ? 'internal error; nothing was accepted' : e.message));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.post('/api/v1/submissions', async (req, reply) => {
    const raw = req.body as Buffer;
    const v = parseSubmission(raw);
    if (!v.ok) {
      d.log.warn({ stage: 'ingress', code: v.code, detail: v.detail, ip: req.ip }, 'submission refused');
      return reply.code(httpStatus(v.code)).send(errorBody(v.code, v.detail));
    }
    const now = d.clock.now();
    const r = await d.intake({
      raw, contentType: 'application/json', sourceAddress: req.ip, clientIdentity: '', itemCode: v.value.itemCode,
    }, now);
    if (!r.ok) {
      d.log.warn({ stage: 'ingress', code: 'FERRY_ERR_API_UNAVAILABLE' }, 'outbox full: submission refused');
      return reply.code(503).header('retry-after', '30').send(errorBody('FERRY_ERR_API_UNAVAILABLE', 'the gateway is busy; retry later'));
    }
    d.afterIntake();
    d.log.info({ stage: 'ingress', case: r.caseId, item: v.value.itemCode, attachments: v.value.attachments.length }, 'submission sealed');
    return reply.code(202).header('location', `/api/v1/cases/${r.caseId}`).send({
      caseId: r.caseId, status: 'submitted', submittedAt: r.submittedAt.toISOString(),
    });
  });

  app.get<{ Params: { caseId: string } }>('/api/v1/cases/:caseId', async (req, reply) => {
    const { caseId } = req.params;
    if (!CASE_ID_PATTERN.test(caseId)) return reply.code(400).send(errorBody('FERRY_ERR_API_FIELD', 'caseId: not a case number'));
    const c = d.status.get(caseId);
    if (!c) return reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `case ${caseId} not found`));
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      caseId: c.caseId, status: c.status, submittedAt: iso(c.submittedAt), receivedAt: iso(c.receivedAt),
      receipt: c.hasReceipt ? `/api/v1/cases/${c.caseId}/receipt` : null,
      updatedAt: iso(c.updatedAt), detail: c.detail,
      history: c.history.map((h) => ({ status: h.status, at: iso(h.at), detail: h.detail })),
    };
  });

  // The applicant's receipt: an RFC 3161 response over SHA-256 of the exact bytes they POSTed, made
  // by the intranet TSA. Verified here before every hand-out (chain, EKU, ESS, imprint).
  app.get<{ Params: { caseId: string } }>('/api/v1/cases/:caseId/receipt', async (req, reply) => {
    const { caseId } = req.params;
    if (!CASE_ID_PATTERN.test(caseId)) return reply.code(400).send(errorBody('FERRY_ERR_API_FIELD', 'caseId: not a case number'));
    const r = d.status.receipt(caseId);
    if (!r) return reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `case ${caseId} not found`));
    if (!r.token) return reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `case ${caseId}: no receipt yet (the intranet has not stamped it)`));
    const v = await d.verifyReceipt(r.token, r.requestSha256);
    if ('code' in v) {
      d.log.error({ case: caseId, stage: 'receipt', code: v.code, detail: v.detail }, 'receipt token failed verification; withheld');
      return reply.code(502).send(errorBody('FERRY_ERR_API_RECEIPT', 'the receipt could not be verified; it is withheld'));
    }
    return reply.code(200).header('content-type', 'application/timestamp-reply')
      .header('content-disposition', `attachment; filename="${caseId}.tsr"`).send(d.asResponse(r.token));
  });

  // The deployment CA, so that an applicant can check a receipt with openssl alone.
  app.get('/api/v1/trust/ca.pem', async (_req, reply) => reply.header('content-type', 'application/x-pem-file').send(d.caPem));

  app.get('/health', async () => d.health());
  return app;
}
