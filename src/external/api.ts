// The applicant API (HTTPS). Applicants never see the gateways behind it: a submission is answered
// 202 with its case number once sealed and durable; status comes from the cache the intranet feeds.
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { decideSubmission } from '../policy/check-submission.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import { beforeParsing, notInspected, rateRefusal, refusal, type Refusal } from './ingress-steps.js';
import type { Policy } from '../policy/policy-model.js';
import type { RateLimiter } from '../policy/rate-limit.js';
import { clientDomain, formatClientIdentity, type ClientCertFacts } from '../policy/client-domain.js';
import type { TLSSocket } from 'node:tls';
import type { CatalogueCache } from '../store/catalogue-cache.js';
import { registerApplicantRoutes, type ApplicantRouteDeps } from './applicant-routes.js';
import { checkForm } from '../approval/form.js';
import type { Item } from '../approval/item.js';
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
  health: () => Record<string, unknown>;
}

function errorBody(code: FerryErrorCode, message: string, rule?: string) {
  return { error: { code, message, ...(rule ? { rule } : {}) } };
}

/** The approval event as the applicant sees it (the intranet already sends no personal data). */
function publicEvent(json: string): unknown {
  try { return JSON.parse(json); } catch { return null; }
}

/** A township centre presents a client certificate from the deployment CA; the public presents none. */
function clientCert(socket: TLSSocket): ClientCertFacts | null {
  const c = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  if (!c || !c.raw || c.raw.length === 0) return null;
  const cn = c.subject?.CN;
  return { authorized: socket.authorized, subjectCN: typeof cn === 'string' ? cn : undefined, sha256: c.fingerprint256 };
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
    // Client certificates are asked for, not required: the public has none, township centres do.
    https: { key: d.tls.key, cert: d.tls.cert, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false, ca: d.caPem },
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
    const policy = d.policy();
    const cert = clientCert(req.raw.socket as TLSSocket);
    const from = clientDomain(policy, cert);
    if (!from.ok) {
      d.log.warn({ stage: 'ingress', code: from.code, detail: from.detail, ip: req.ip }, 'submission refused');
      return reply.code(httpStatus(from.code)).send(errorBody(from.code, from.detail));
    }
    const refuse = (r: Refusal) => {
      if (r.decision) d.recordDecision(false, 'submission', { domain: from.value, code: r.code, rule: r.rule ?? 'shape', detail: r.detail.slice(0, 300) });
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
        const problems = checkForm(item as unknown as Item, sub.fields);
        if (problems.length) return refusal('FERRY_ERR_API_FORM', problems.map((x) => `fields.${x.field}: ${x.problem}`).join('; '), undefined, false);
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
      history: c.history.map((h) => ({ status: h.status, at: iso(h.at), detail: h.detail, ...(h.event ? { event: publicEvent(h.event) } : {}) })),
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

  registerApplicantRoutes(app, {
    policy: d.policy, limiter: d.limiter, catalogue: d.catalogue, status: d.status, clock: d.clock, log: d.log,
    clientCert, sendAction: d.sendAction, afterIntake: d.afterIntake, inspect: d.inspect,
  });

  app.get('/health', async () => d.health());
  return app;
}
