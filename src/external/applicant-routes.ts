// Applicant routes beyond the first submission: the published catalogue (what to bring, how long it
// takes, what it costs — before applying) and the applicant's later actions on a case (supplement
// after a one-time notice, withdraw, supply a tolerated material, evaluate once), each only with the
// case secret, then checked, sealed and sent like a submission.
import type { FastifyInstance } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { actionKindCheck, decideAction } from '../policy/check-submission.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import { beforeParsing, notInspected, refusal, type Refusal } from './ingress-steps.js';
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
  inspect: Pick<InspectPool, 'run'>;
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
    const policy = d.policy();
    const cert = d.clientCert(req.raw.socket as TLSSocket);
    const from = clientDomain(policy, cert);
    if (!from.ok) return reply.code(httpStatus(from.code)).send(err(from.code, from.detail));
    const refuse = (r: Refusal) => {
      d.log.warn({ stage: 'ingress', case: caseId, domain: from.value, code: r.code, rule: r.rule, detail: r.detail }, 'case action refused');
      if (r.retryAfterSeconds !== undefined) void reply.header('retry-after', String(r.retryAfterSeconds));
      return reply.code(r.status).send(err(r.code, r.detail, r.rule));
    };
    // The packet kind (supplement or evaluation) is known only once parsed, so the rule, its size and
    // every rate limit are checked in the gate: after parsing, before any attachment is inspected.
    // Measured now: the body moves to the worker, and is detached here, before the gate runs.
    const bytes = (req.body as Buffer).length;
    const o = await d.inspect.run<Refusal>({
      kind: 'action', raw: req.body as Buffer,
      gate: (p) => {
        if (p.kind !== 'action') return refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false);
        const k = actionKindCheck(p.action);
        if (!k.ok) return refusal(k.code, k.detail, k.rule);
        const pre = beforeParsing(policy, d.limiter, { from: from.value, to: 'intranet', kind: k.value, bytes, sourceAddress: req.ip });
        return pre.ok ? null : pre.refusal;
      },
    });
    if (!o.ok) return refuse(notInspected(o));
    if (o.parsed.kind !== 'action') return refuse(refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false));
    const raw = o.raw; // the request bytes came back from the worker
    const v = decideAction(policy, from.value, 'intranet', raw.length, o.parsed.action, o.types);
    if (!v.ok) return refuse(refusal(v.code, v.detail, v.rule));
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
