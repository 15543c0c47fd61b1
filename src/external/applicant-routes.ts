// Applicant routes beyond the first submission: the published catalogue (what to bring, how long it
// takes, what it costs — before applying) and the applicant's later actions on a case (supplement
// after a one-time notice, withdraw, supply a tolerated material, evaluate once), each only with the
// case secret, then checked, sealed and sent like a submission: through the same ingress pipeline.
import type { FastifyInstance } from 'fastify';
import { actionKindCheck, decideAction } from '../policy/check-submission.js';
import { formatClientIdentity } from '../policy/client-domain.js';
import type { CatalogueCache } from './store/catalogue-cache.js';
import type { ActionRequest } from './intake.js';
import { sendError } from './api-error.js';
import { ACTION_SCHEMA, ITEM_SCHEMA, ITEMS_SCHEMA } from './api-schemas.js';
import { beforeParsing, refusal } from './ingress-steps.js';
import { runIngress, type Allowed, type IngressRoute, type PipelineDeps } from './ingress-pipeline.js';

export interface ApplicantRouteDeps {
  catalogue: CatalogueCache;
  sendAction: (req: ActionRequest, now: Date) => Promise<{ ok: true } | { ok: false; reason: 'outbox-full' }>;
  pipeline: PipelineDeps;
  /** Notes in the status cache, in the transaction that seals it, that the case's evaluation was
   *  sent: the case page then shows it and offers no second one (the intranet refuses one anyway). */
  evaluated?: (caseId: string, score: number, at: Date) => void;
}

type ActionAllowed = Allowed & { kind: 'supplement' | 'evaluation'; action: string; score?: number };

/** An action's own steps: its kind (and so its rule, size and rates) is known once parsed, so they
 *  are checked in the gate, after parsing and before any attachment is inspected. */
export function actionRoute(d: ApplicantRouteDeps): IngressRoute<ActionAllowed> {
  return {
    name: 'case action', route: 'POST /api/v1/cases/:caseId/actions', inspectKind: 'action', kindBeforeParsing: null,
    gate: (p, c) => {
      if (p.kind !== 'action') return refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false);
      const k = actionKindCheck(p.action);
      if (!k.ok) return refusal(k.code, k.detail, k.rule);
      const pre = beforeParsing(c.policy, d.pipeline.limiter, { from: c.from, to: 'intranet', kind: k.value, bytes: c.bytes, sourceAddress: c.ip });
      return pre.ok ? null : pre.refusal;
    },
    decide: (p, c, raw, types) => {
      if (p.kind !== 'action') return { ok: false, refusal: refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false) };
      const v = decideAction(c.policy, c.from, 'intranet', raw.length, p.action, types);
      if (!v.ok) return { ok: false, refusal: refusal(v.code, v.detail, v.rule) };
      const action = v.value.action.type;
      const score = v.value.action.type === 'evaluate' ? { score: v.value.action.score } : {};
      return { ok: true, value: { kind: v.value.kind, rule: v.value.rule, action, audit: { action }, log: { action }, ...score } };
    },
    intake: async (v, c, raw, now, inTransaction) => {
      const caseId = c.caseId!;
      const r = await d.sendAction({
        caseId, kind: v.kind, raw, sourceAddress: c.ip, clientIdentity: formatClientIdentity(c.cert), fromDomain: c.from,
        inTransaction: () => {
          inTransaction({ caseId });
          if (v.score !== undefined) d.evaluated?.(caseId, v.score, now);
        },
      }, now);
      return r.ok ? { ok: true, caseId } : { ok: false };
    },
    answer: (r, v, now) => ({ status: 202, headers: {}, body: { caseId: r.caseId, action: v.action, status: 'sent', sentAt: now.toISOString() } }),
  };
}

export function registerApplicantRoutes(app: FastifyInstance, d: ApplicantRouteDeps & { route?: IngressRoute<ActionAllowed> }): void {
  app.get('/api/v1/items', { schema: ITEMS_SCHEMA }, async (_req, reply) => {
    const c = d.catalogue.current();
    if (!c) return sendError(reply, 'FERRY_ERR_API_UNAVAILABLE', 'the catalogue has not been published yet', { retryAfterSeconds: 5 });
    return { version: c.sha256, items: c.items };
  });

  app.get<{ Params: { code: string } }>('/api/v1/items/:code', { schema: ITEM_SCHEMA }, async (req, reply) => {
    const item = d.catalogue.current()?.byCode.get(req.params.code);
    if (!item) return sendError(reply, 'FERRY_ERR_API_NOT_FOUND', `no item ${req.params.code.slice(0, 40)}`);
    return item;
  });

  const action = d.route ?? actionRoute(d);
  app.post<{ Params: { caseId: string } }>('/api/v1/cases/:caseId/actions', { schema: ACTION_SCHEMA },
    (req, reply) => runIngress(d.pipeline, action, req, reply, req.params.caseId));
}
