// Applicant routes beyond the first submission: the published catalogue (what to bring, how long it
// takes, what it costs — before applying) and the applicant's later actions on a case (supplement
// after a one-time notice, withdraw, supply a tolerated material, evaluate once), each only with the
// case secret, then checked, sealed and sent like a submission.
import type { FastifyInstance } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { checkAction } from '../policy/check-submission.js';
import { clientDomain, formatClientIdentity, type ClientCertFacts } from '../policy/client-domain.js';
import type { Policy } from '../policy/policy-model.js';
import type { RateLimiter } from '../policy/rate-limit.js';
import type { CatalogueCache } from '../store/catalogue-cache.js';
import { presentedSecret, type CaseAccess } from './case-access.js';
import type { Logger } from '../gateway/logger.js';
import type { Clock } from '../time/clock.js';
import { CASE_ID_PATTERN } from './case-id.js';
import type { ActionRequest } from './intake.js';

export interface ApplicantRouteDeps {
  policy: () => Policy;
  limiter: RateLimiter;
  catalogue: CatalogueCache;
  access: (caseId: string, presented: string | null, source: string) => CaseAccess;
  clock: Clock;
  log: Logger;
  clientCert: (socket: TLSSocket) => ClientCertFacts | null;
  sendAction: (req: ActionRequest, now: Date) => Promise<{ ok: true } | { ok: false; reason: 'outbox-full' }>;
  afterIntake: () => void;
}

const err = (code: FerryErrorCode, message: string, rule?: string) => ({ error: { code, message, ...(rule ? { rule } : {}) } });

export function registerApplicantRoutes(app: FastifyInstance, d: ApplicantRouteDeps): void {
  app.get('/api/v1/items', async (_req, reply) => {
    const c = d.catalogue.current();
    if (!c) return reply.code(503).header('retry-after', '5').send(err('FERRY_ERR_API_UNAVAILABLE', 'the catalogue has not been published yet'));
    return { version: c.sha256, items: c.items };
  });

  app.get<{ Params: { code: string } }>('/api/v1/items/:code', async (req, reply) => {
    const item = d.catalogue.current()?.byCode.get(req.params.code);
    if (!item) return reply.code(404).send(err('FERRY_ERR_API_NOT_FOUND', `no item ${req.params.code.slice(0, 40)}`));
    return item;
  });

  app.post<{ Params: { caseId: string } }>('/api/v1/cases/:caseId/actions', async (req, reply) => {
    const { caseId } = req.params;
    if (!CASE_ID_PATTERN.test(caseId)) return reply.code(400).send(err('FERRY_ERR_API_FIELD', 'caseId: not a case number'));
    // The case secret comes in a header only: the body's exact bytes are sealed and cross to the
    // intranet, and the secret must not.
    const a = d.access(caseId, presentedSecret(req.headers), req.ip);
    if (!a.ok) return reply.code(a.status).headers(a.headers).send(a.body);
    const raw = req.body as Buffer;
    const policy = d.policy();
    const cert = d.clientCert(req.raw.socket as TLSSocket);
    const from = clientDomain(policy, cert);
    if (!from.ok) return reply.code(httpStatus(from.code)).send(err(from.code, from.detail));
    const v = await checkAction(policy, from.value, 'intranet', raw);
    if (!v.ok) {
      d.log.warn({ stage: 'ingress', case: caseId, domain: from.value, code: v.code, rule: v.rule, detail: v.detail }, 'case action refused');
      return reply.code(httpStatus(v.code)).send(err(v.code, v.detail, v.rule));
    }
    const rule = policy.ruleById.get(v.value.rule);
    const rate = rule ? d.limiter.check(rule, { from: from.value, sourceAddress: req.ip }) : { ok: true as const };
    if (!rate.ok) return reply.code(429).header('retry-after', String(rate.retryAfterSeconds)).send(err(rate.code, rate.detail, rate.rule));
    const now = d.clock.now();
    const r = await d.sendAction({
      caseId, kind: v.value.kind, raw, sourceAddress: req.ip, clientIdentity: formatClientIdentity(cert), fromDomain: from.value,
    }, now);
    if (!r.ok) return reply.code(503).header('retry-after', '30').send(err('FERRY_ERR_API_UNAVAILABLE', 'the gateway is busy; retry later'));
    d.afterIntake();
    d.log.info({ stage: 'ingress', case: caseId, action: v.value.action.type, kind: v.value.kind, rule: v.value.rule }, 'case action sealed');
    return reply.code(202).send({ caseId, action: v.value.action.type, status: 'sent', sentAt: now.toISOString() });
  });
}
