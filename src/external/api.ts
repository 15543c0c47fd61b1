// The applicant API (HTTPS). Applicants never see the gateways behind it: a submission is answered
// 202 with its case number and case secret once sealed and durable; status comes from the cache the
// intranet feeds, and only to the holder of the case secret (src/external/case-access.ts).
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import { ERRORS, httpStatus, type FerryErrorCode } from '../errors.js';
import { decideSubmission } from '../policy/check-submission.js';
import { echoableKey } from '../policy/submission-shape.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import { beforeParsing, notInspected, rateRefusal, refusal, type Refusal } from './ingress-steps.js';
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
import { registerPortal } from '../web/portal-routes.js';
import { CASE_ID_PATTERN } from './case-id.js';
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
    const policy = d.policy();
    const cert = clientCert(req.raw.socket as TLSSocket);
    const from = clientDomain(policy, cert);
    if (!from.ok) {
      d.log.warn({ stage: 'ingress', code: from.code, detail: from.detail, ip: req.ip }, 'submission refused');
      return reply.code(httpStatus(from.code)).send(errorBody(from.code, from.detail));
    }
    const refuse = (r: Refusal) => {
      if (r.decision) d.recordDecision(false, 'submission', { domain: from.value, code: r.code, rule: r.rule ?? 'shape', detail: withoutQuotedInput(r.detail) });
      d.log.warn({ stage: 'ingress', domain: from.value, code: r.code, rule: r.rule, detail: r.detail, ip: req.ip }, 'submission refused');
      if (r.retryAfterSeconds !== undefined) void reply.header('retry-after', String(r.retryAfterSeconds));
      return reply.code(r.status).send(errorBody(r.code, r.detail, r.rule));
    };
    // Content-Type and Content-Length were checked by the parser; now what needs no parsing.
    const pre = beforeParsing(policy, d.limiter, { from: from.value, to: 'intranet', kind: 'submission', bytes: (req.body as Buffer).length, sourceAddress: req.ip });
    if (!pre.ok) return refuse(pre.refusal);
    // Parsed and inspected in a worker; the gate runs here between the two, on what parsing found.
    const o = await d.inspect.run<Refusal>({
      kind: 'submission', raw: req.body as Buffer,
      gate: (p) => {
        if (p.kind !== 'submission') return refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false);
        const sub = p.submission;
        // The item must be in the published catalogue and the form must match its field schema.
        const cat = d.catalogue.current();
        if (!cat) return { ...refusal('FERRY_ERR_API_UNAVAILABLE', 'the catalogue has not been published yet; retry shortly', undefined, false), retryAfterSeconds: 5 };
        const item = cat.byCode.get(sub.itemCode);
        if (!item) return refusal('FERRY_ERR_API_UNKNOWN_ITEM', `itemCode: no item ${sub.itemCode} in the catalogue`, undefined, false);
        const problems = checkForm(item.form, sub.fields);
        if (problems.length) return refusal('FERRY_ERR_API_FORM', problems.map((x) => `fields.${echoableKey(x.field)}: ${x.problem}`).join('; '), undefined, false);
        const rate = pre.rule ? d.limiter.check(pre.rule, { from: from.value, applicant: sub.applicant.idNumber }, ['perApplicant']) : { ok: true as const };
        return rate.ok ? null : rateRefusal(rate);
      },
    });
    if (!o.ok) return refuse(notInspected(o));
    if (o.parsed.kind !== 'submission') return refuse(refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false));
    const raw = o.raw; // the request bytes came back from the worker
    const v = decideSubmission(policy, from.value, 'intranet', raw.length, o.parsed.submission, o.types);
    if (!v.ok) return refuse(refusal(v.code, v.detail, v.rule));
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
  // The applicant portal's pages, same origin as the API (src/web/).
  registerPortal(app, {
    catalogue: () => d.catalogue.current(),
    cases: { get: (id) => d.status.get(id), isCaseId: (id) => CASE_ID_PATTERN.test(id), access },
  });
  registerCaseRoutes(app, { status: d.status, access, verifyReceipt: d.verifyReceipt, asResponse: d.asResponse, log: d.log });
  registerApplicantRoutes(app, {
    policy: d.policy, limiter: d.limiter, catalogue: d.catalogue, clock: d.clock, log: d.log, access,
    clientCert, sendAction: d.sendAction, afterIntake: d.afterIntake, inspect: d.inspect,
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
