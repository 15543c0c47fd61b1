// The applicant API (HTTPS). Applicants never see the gateways behind it: a submission is answered
// 202 with its case number and case secret once sealed and durable; status comes from the cache the
// intranet feeds, and only to the holder of the case secret (src/external/case-access.ts). Filing
// routes (a submission, an action) run the one ingress pipeline (src/external/ingress-pipeline.ts);
// every route is declared by its schema (src/external/api-schemas.ts), which also makes the OpenAPI
// document at GET /api/v1/openapi.json.
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { ERRORS, httpStatus, isFerryError, type FerryErrorCode } from '../errors.js';
import { decideSubmission } from '../policy/check-submission.js';
import { echoableKey } from '../policy/submission-shape.js';
import { formatClientIdentity } from '../policy/client-domain.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import type { Policy } from '../policy/policy-model.js';
import type { RateLimiter } from '../policy/rate-limit.js';
import type { CatalogueCache } from './store/catalogue-cache.js';
import { checkForm } from '../published/form.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../gateway/logger.js';
import type { StatusCache } from './store/status-cache.js';
import type { IntakeRequest, IntakeResult } from './intake.js';
import { registerCaseRoutes, type ReceiptCheck } from './case-routes.js';
import { registerPortal } from '../web/portal-routes.js';
import { CASE_ID_PATTERN } from './case-id.js';
import { actionRoute, registerApplicantRoutes, type ApplicantRouteDeps } from './applicant-routes.js';
import { createCaseAccess } from './case-access.js';
import { SecretThrottle } from './secret-throttle.js';
import { HARDENED_TLS_SERVER } from '../net/tls-profile.js';
import { APPLICANT_LIMITS, guardConnections, requestTimeoutFor, tlsServerTimeouts, type ConnectionLimits } from '../net/connection-guard.js';
import { addSecurityHeaders } from '../net/security-headers.js';
import { clientRole } from '../net/client-role.js';
import { declareApi } from '../net/openapi.js';
import { errorBody, sendStorageFault } from './api-error.js';
import type { IntakeClosed } from '../gateway/intake-gate.js';
import { rateRefusal, refusal } from './ingress-steps.js';
import { ingest, runIngress, type Allowed, type IngressRoute, type PipelineDeps } from './ingress-pipeline.js';
import type { IdempotencyStore } from './idempotency.js';
import { CA_SCHEMA, HEALTH_SCHEMA, SUBMIT_SCHEMA } from './api-schemas.js';

export type { ReceiptCheck };

export interface ApiDeps {
  /** Every ingress policy decision, allow or deny, with the rule that made it (audit chain). */
  recordDecision: (allow: boolean, subject: string, detail: Record<string, unknown>) => void;
  catalogue: CatalogueCache;
  sendAction: ApplicantRouteDeps['sendAction'];
  policy: () => Policy;
  limiter: RateLimiter;
  /** Parses and inspects requests off the event loop (src/gateway/inspect-pool.ts). */
  inspect: Pick<InspectPool, 'run'>;
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
  /** Link state and counts: answered on /health only to a client certificate with the operator role. */
  health: () => Record<string, unknown>;
  /** Connection caps and deadlines (default APPLICANT_LIMITS). */
  limits?: ConnectionLimits;
  /** First answers kept for Idempotency-Key repeats (src/external/idempotency.ts). */
  idempotency: IdempotencyStore;
  /** Intake open or not (pause, storage): the pipeline's first step. */
  intakeClosed?: () => IntakeClosed | null;
  /** A request met a storage fault: look at the disk now (src/gateway/storage-watch.ts). */
  onStorageFault?: () => void;
  /** The per-source refusal budget (src/audit/refusal-summary.ts), asked before a refusal is logged or audited. */
  shouldRecordRefusal?: (address: string, code: FerryErrorCode, scope: string) => boolean;
}

/** Fastify's own errors mapped onto Ferry's registry, so clients see one set of codes. Their messages
 *  quote the request (a Content-Type, a parser's view of the body): neither an answer nor a log line
 *  repeats them; the code's own meaning is said instead. */
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
  const limits = d.limits ?? APPLICANT_LIMITS;
  const app = Fastify({
    // Client certificates are asked for, not required: the public has none, township centres and
    // operators do. TLS 1.2 ECDHE+AEAD / TLS 1.3 only (net/tls-profile.ts).
    https: {
      ...HARDENED_TLS_SERVER, ...tlsServerTimeouts(limits),
      key: d.tls.key, cert: d.tls.cert, requestCert: true, rejectUnauthorized: false, ca: d.caPem,
    },
    bodyLimit: d.maxBodyBytes,
    return503OnClosing: true,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: requestTimeoutFor(limits, d.maxBodyBytes),
  });
  guardConnections(app.server, limits, d.maxBodyBytes);
  addSecurityHeaders(app);
  app.removeAllContentTypeParsers();
  // Keep the exact bytes: the receipt's time-stamp is over them, and JSON is parsed by our checker.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

  await declareApi(app, {
    title: 'Ferry applicant API',
    description: 'File a case, act on it and read its status, receipt and result. Errors answer {"error":{"code","message"}} with a stable FERRY_ERR_* code.',
    fieldCode: 'FERRY_ERR_API_FIELD',
  });
  app.setErrorHandler((e: FastifyError, req, reply) => {
    const path0 = req.url.split('?')[0]!.slice(0, 200);
    const shouldLog = (code: FerryErrorCode) => d.shouldRecordRefusal?.(req.ip, code, 'http') ?? true;
    if (sendStorageFault(reply, e, () => {
      d.onStorageFault?.();
      if (shouldLog('FERRY_ERR_STORE_FULL')) d.log.error({ err: e.message, sqlite: e.code, path: path0 }, 'storage fault on a request: answered 503');
    })) return;
    // A schema refusal is a FerryError whose message names the field (src/net/openapi.ts): say it.
    const own = e.validationContext !== undefined && isFerryError(e);
    const code = own ? (e as unknown as { code: FerryErrorCode }).code : mapFastifyError(e);
    const status = httpStatus(code);
    const path = req.url.split('?')[0]!.slice(0, 200);
    if (status >= 500) d.log.error({ err: e.message, fastify: e.code, path, code }, 'request failed');
    else if (shouldLog(code)) d.log.warn({ path, code, fastify: e.code, ip: req.ip }, 'request refused');
    void reply.code(status).send(errorBody(code, status >= 500 ? 'internal error; nothing was accepted' : own ? e.message : ERRORS[code].meaning));
  });
  app.setNotFoundHandler((req, reply) => {
    // The path is not echoed: it may carry whatever a client put in it.
    void reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `no route ${req.method.slice(0, 10)} for this path`));
  });

  const access = createCaseAccess({ status: d.status, throttle: new SecretThrottle(d.clock), log: d.log, ...(d.shouldRecordRefusal ? { shouldLog: (a: string, c: string) => d.shouldRecordRefusal!(a, c as FerryErrorCode, 'access') } : {}) });
  const pipeline: PipelineDeps = {
    policy: d.policy, limiter: d.limiter, inspect: d.inspect, idempotency: d.idempotency, recordDecision: d.recordDecision,
    access, clock: d.clock, log: d.log, afterIntake: d.afterIntake, ...(d.intakeClosed ? { intakeClosed: d.intakeClosed } : {}),
    ...(d.shouldRecordRefusal ? { shouldRecordRefusal: d.shouldRecordRefusal } : {}),
  };
  const submission = submissionRoute(d);
  app.post('/api/v1/submissions', { schema: SUBMIT_SCHEMA }, (req, reply) => runIngress(pipeline, submission, req, reply));

  // The deployment CA, so that an applicant can check a receipt with openssl alone.
  app.get('/api/v1/trust/ca.pem', { schema: CA_SCHEMA }, async (_req, reply) => reply.header('content-type', 'application/x-pem-file').send(d.caPem));

  const applicant: ApplicantRouteDeps = { catalogue: d.catalogue, sendAction: d.sendAction, pipeline, evaluated: evaluationNote(d.status) };
  const action = actionRoute(applicant);
  // The applicant portal's pages, same origin as the API (src/web/); its forms run the same pipeline.
  registerPortal(app, {
    catalogue: () => d.catalogue.current(),
    cases: { get: (id) => caseView(d.status, id), isCaseId: (id) => CASE_ID_PATTERN.test(id), access },
    filing: { file: (input) => ingest(pipeline, submission, input), act: (input) => ingest(pipeline, action, input), maxRequestBytes: d.maxBodyBytes },
  });
  registerCaseRoutes(app, { status: d.status, access, verifyReceipt: d.verifyReceipt, asResponse: d.asResponse, log: d.log });
  registerApplicantRoutes(app, { ...applicant, route: action });

  // The public learns that the gateway answers, nothing more: link state and queue counts tell an
  // attacker when the intranet is cut off and how loaded the gateway is. Operators present a client
  // certificate from the deployment CA with the operator-client role (ferry certs init makes one).
  app.get('/health', { schema: HEALTH_SCHEMA }, async (req) => {
    const op = clientRole(req.raw.socket as TLSSocket, ['operator-client']);
    return op.ok ? { status: 'ok', ...d.health() } : { status: 'ok' };
  });
  return app;
}

/** The case as its page shows it: the status cache's view and the receipt's imprint. */
function caseView(status: StatusCache, caseId: string) {
  const v = status.get(caseId);
  if (!v) return null;
  const r = status.receipt(caseId);
  return { ...v, ...(r ? { imprint: r.requestSha256.toString('hex') } : {}) };
}

/** The evaluation, noted in the case's history in the status cache (not sent by the intranet: it
 *  answers an evaluation with no event), so the page knows one was sent. */
function evaluationNote(status: StatusCache) {
  return (caseId: string, score: number, at: Date) => {
    const now = status.get(caseId)?.status;
    if (now) status.apply(caseId, now, at.getTime(), 'evaluated', Buffer.alloc(0), null, JSON.stringify({ type: 'evaluation-sent', score }));
  };
}

/** The submission's own steps in the pipeline: catalogue and form in the gate, then the policy. */
function submissionRoute(d: ApiDeps): IngressRoute<Allowed & { itemCode: string }> {
  return {
    name: 'submission', route: 'POST /api/v1/submissions', inspectKind: 'submission', kindBeforeParsing: 'submission',
    gate: (p, c) => {
      if (p.kind !== 'submission') return refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false);
      const sub = p.submission;
      // The item must be in the published catalogue and the form must match its field schema.
      const cat = d.catalogue.current();
      if (!cat) return { ...refusal('FERRY_ERR_API_UNAVAILABLE', 'the catalogue has not been published yet; retry shortly', undefined, false), retryAfterSeconds: 5 };
      const item = cat.byCode.get(sub.itemCode);
      if (!item) return refusal('FERRY_ERR_API_UNKNOWN_ITEM', `itemCode: no item ${sub.itemCode} in the catalogue`, undefined, false);
      const problems = checkForm(item.form, sub.fields);
      if (problems.length) return refusal('FERRY_ERR_API_FORM', problems.map((x) => `fields.${echoableKey(x.field)}: ${x.problem}`).join('; '), undefined, false);
      const rate = c.rule ? d.limiter.check(c.rule, { from: c.from, applicant: sub.applicant.idNumber }, ['perApplicant']) : { ok: true as const };
      return rate.ok ? null : rateRefusal(rate);
    },
    decide: (p, c, raw, types) => {
      if (p.kind !== 'submission') return { ok: false, refusal: refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false) };
      const v = decideSubmission(c.policy, c.from, 'intranet', raw.length, p.submission, types);
      if (!v.ok) return { ok: false, refusal: refusal(v.code, v.detail, v.rule) };
      const itemCode = v.value.submission.itemCode;
      return { ok: true, value: { kind: 'submission', rule: v.value.rule, itemCode, audit: { item: itemCode }, log: { item: itemCode, attachments: v.value.types.join(',') } } };
    },
    intake: (v, c, raw, now, inTransaction) => d.intake({
      raw, contentType: 'application/json', sourceAddress: c.ip, clientIdentity: formatClientIdentity(c.cert),
      itemCode: v.itemCode, fromDomain: c.from, inTransaction,
    }, now),
    // The case secret is shown here once (and to an idempotent repeat) and never again: only its hash
    // is kept, and the repeat's copy is sealed under the client's key and bytes.
    answer: (r, _v, now) => ({
      status: 202, headers: { location: `/api/v1/cases/${r.caseId}`, 'cache-control': 'no-store' },
      body: { caseId: r.caseId, secret: r.secret, status: 'submitted', submittedAt: now.toISOString() },
    }),
  };
}
