// The applicant API (HTTPS). Applicants never see the gateways behind it: a submission is answered
// 202 with its case number and case secret once sealed and durable; status comes from the cache the
// intranet feeds, and only to the holder of the case secret (src/external/case-access.ts).
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import { ERRORS, httpStatus, type FerryErrorCode } from '../errors.js';
import { checkSubmission } from '../policy/check-submission.js';
import { echoableKey } from '../policy/submission-shape.js';
import type { Policy } from '../policy/policy-model.js';
import type { RateLimiter } from '../policy/rate-limit.js';
import { clientDomain, formatClientIdentity, type ClientCertFacts } from '../policy/client-domain.js';
import type { TLSSocket } from 'node:tls';
import type { CatalogueCache } from '../store/catalogue-cache.js';
import { registerApplicantRoutes, type ApplicantRouteDeps } from './applicant-routes.js';
import { checkForm } from '../published/form.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../gateway/logger.js';
import { withoutQuotedInput } from '../gateway/quoted-input.js';
import type { StatusCache } from '../store/status-cache.js';
import type { IntakeRequest, IntakeResult } from './intake.js';
import { registerCaseRoutes, type ReceiptCheck } from './case-routes.js';
import { createCaseAccess } from './case-access.js';
import { SecretThrottle } from './secret-throttle.js';
import { HARDENED_TLS_SERVER } from '../net/tls-profile.js';
import { APPLICANT_LIMITS, guardConnections, requestTimeoutFor, tlsServerTimeouts, type ConnectionLimits } from '../net/connection-guard.js';
import { addSecurityHeaders } from '../net/security-headers.js';
import { clientRole } from '../net/client-role.js';

export type { ReceiptCheck };

export interface ApiDeps {
  /** Every ingress policy decision, allow or deny, with the rule that made it (audit chain). */
  recordDecision: (allow: boolean, subject: string, detail: Record<string, unknown>) => void;
  catalogue: CatalogueCache;
  sendAction: ApplicantRouteDeps['sendAction'];
  policy: () => Policy;
  limiter: RateLimiter;
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
}

function errorBody(code: FerryErrorCode, message: string, rule?: string) {
  return { error: { code, message, ...(rule ? { rule } : {}) } };
}

/** A township centre presents a client certificate from the deployment CA; the public presents none. */
function clientCert(socket: TLSSocket): ClientCertFacts | null {
  const c = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  if (!c || !c.raw || c.raw.length === 0) return null;
  const cn = c.subject?.CN;
  return { authorized: socket.authorized, subjectCN: typeof cn === 'string' ? cn : undefined, sha256: c.fingerprint256 };
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

  app.setErrorHandler((e: FastifyError, req, reply) => {
    const code = mapFastifyError(e);
    const status = httpStatus(code);
    const path = req.url.split('?')[0]!.slice(0, 200);
    if (status >= 500) d.log.error({ err: e.message, fastify: e.code, path, code }, 'request failed');
    else d.log.warn({ path, code, fastify: e.code }, 'request refused');
    void reply.code(status).send(errorBody(code, status >= 500 ? 'internal error; nothing was accepted' : ERRORS[code].meaning));
  });
  app.setNotFoundHandler((req, reply) => {
    // The path is not echoed: it may carry whatever a client put in it.
    void reply.code(404).send(errorBody('FERRY_ERR_API_NOT_FOUND', `no route ${req.method.slice(0, 10)} for this path`));
  });

  app.post('/api/v1/submissions', async (req, reply) => {
    const raw = req.body as Buffer;
    const policy = d.policy();
    const cert = clientCert(req.raw.socket as TLSSocket);
    const from = clientDomain(policy, cert);
    if (!from.ok) {
      d.log.warn({ stage: 'ingress', code: from.code, detail: from.detail, ip: req.ip }, 'submission refused');
      return reply.code(httpStatus(from.code)).send(errorBody(from.code, from.detail));
    }
    const v = await checkSubmission(policy, from.value, 'intranet', raw);
    if (!v.ok) {
      d.recordDecision(false, 'submission', { domain: from.value, code: v.code, rule: v.rule ?? 'shape', detail: withoutQuotedInput(v.detail) });
      d.log.warn({ stage: 'ingress', domain: from.value, code: v.code, rule: v.rule, detail: v.detail, ip: req.ip }, 'submission refused');
      return reply.code(httpStatus(v.code)).send(errorBody(v.code, v.detail, v.rule));
    }
    // The item must be in the published catalogue and the form must match its field schema.
    const cat = d.catalogue.current();
    if (!cat) return reply.code(503).header('retry-after', '5').send(errorBody('FERRY_ERR_API_UNAVAILABLE', 'the catalogue has not been published yet; retry shortly'));
    const item = cat.byCode.get(v.value.submission.itemCode);
    if (!item) return reply.code(404).send(errorBody('FERRY_ERR_API_UNKNOWN_ITEM', `itemCode: no item ${v.value.submission.itemCode} in the catalogue`));
    const problems = checkForm(item.form, v.value.submission.fields);
    if (problems.length) {
      const detail = problems.map((p) => `fields.${echoableKey(p.field)}: ${p.problem}`).join('; ');
      d.log.warn({ stage: 'ingress', code: 'FERRY_ERR_API_FORM', item: item.code, detail }, 'submission refused');
      return reply.code(400).send(errorBody('FERRY_ERR_API_FORM', detail));
    }
    const rule = policy.ruleById.get(v.value.rule);
    const rate = rule ? d.limiter.check(rule, { from: from.value, applicant: v.value.submission.applicant.idNumber, sourceAddress: req.ip }) : { ok: true as const };
    if (!rate.ok) {
      d.recordDecision(false, 'submission', { domain: from.value, code: rate.code, rule: rate.rule, key: rate.key });
      d.log.warn({ stage: 'ingress', domain: from.value, code: rate.code, rule: rate.rule, key: rate.key, ip: req.ip }, 'submission refused');
      return reply.code(429).header('retry-after', String(rate.retryAfterSeconds)).send(errorBody(rate.code, rate.detail, rate.rule));
    }
    d.log.info({ stage: 'policy', domain: from.value, rule: v.value.rule, decision: 'allow' }, 'submission allowed');
    d.recordDecision(true, 'submission', { domain: from.value, rule: v.value.rule, item: v.value.submission.itemCode });
    const now = d.clock.now();
    const r = await d.intake({
      raw, contentType: 'application/json', sourceAddress: req.ip, clientIdentity: formatClientIdentity(cert),
      itemCode: v.value.submission.itemCode, fromDomain: from.value,
    }, now);
    if (!r.ok) {
      d.log.warn({ stage: 'ingress', code: 'FERRY_ERR_API_UNAVAILABLE' }, 'outbox full: submission refused');
      return reply.code(503).header('retry-after', '30').send(errorBody('FERRY_ERR_API_UNAVAILABLE', 'the gateway is busy; retry later'));
    }
    d.afterIntake();
    d.log.info({ stage: 'ingress', case: r.caseId, item: v.value.submission.itemCode, attachments: v.value.types.join(','), domain: from.value }, 'submission sealed');
    // The case secret is shown here once and never again: only its hash is kept.
    return reply.code(202).header('location', `/api/v1/cases/${r.caseId}`).header('cache-control', 'no-store').send({
      caseId: r.caseId, secret: r.secret, status: 'submitted', submittedAt: r.submittedAt.toISOString(),
    });
  });

  // The deployment CA, so that an applicant can check a receipt with openssl alone.
  app.get('/api/v1/trust/ca.pem', async (_req, reply) => reply.header('content-type', 'application/x-pem-file').send(d.caPem));

  const access = createCaseAccess({ status: d.status, throttle: new SecretThrottle(d.clock), log: d.log });
  registerCaseRoutes(app, { status: d.status, access, verifyReceipt: d.verifyReceipt, asResponse: d.asResponse, log: d.log });
  registerApplicantRoutes(app, {
    policy: d.policy, limiter: d.limiter, catalogue: d.catalogue, clock: d.clock, log: d.log, access,
    clientCert, sendAction: d.sendAction, afterIntake: d.afterIntake,
  });

  // The public learns that the gateway answers, nothing more: link state and queue counts tell an
  // attacker when the intranet is cut off and how loaded the gateway is. Operators present a client
  // certificate from the deployment CA with the operator-client role (ferry certs init makes one).
  app.get('/health', async (req) => {
    const op = clientRole(req.raw.socket as TLSSocket, ['operator-client']);
    return op.ok ? { status: 'ok', ...d.health() } : { status: 'ok' };
  });
  return app;
}
