// The portal's filing forms: GET/POST /file/:itemId, and the case page's actions POST
// /case/:caseId/{supplement,withdraw,evaluate}. Each POST is read by the multipart adapter
// (src/external/multipart-ingress.ts), made into the API's JSON request (filing-request.ts) and handed
// to the one ingress pipeline through `file` / `act` — the same checks, inspection, audit entries and
// codes as POST /api/v1/submissions and /actions. Answers with a secret in them are `no-store`.
import { createHash, randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { IngressAnswer, IngressInput } from '../external/ingress-pipeline.js';
import { IDEMPOTENCY_KEY_PATTERN, IN_PROGRESS_RETRY_AFTER_S } from '../external/idempotency.js';
import { MULTIPART_LIMITS, readMultipart, type FormRefusal, type ReadForm } from '../external/multipart-ingress.js';
import { ERRORS, type FerryErrorCode } from '../errors.js';
import type { PublishedItem } from '../published/item.js';
import { PAGE_CSP, type Shell } from './layout.js';
import { filedPage, filingPage } from './filing-page.js';
import { placeErrors, type PlacedErrors } from './filing-errors.js';
import { actionRequest, FORM, submissionRequest, type BuiltRequest, type PageAction } from './filing-request.js';
import { casePage, lookupPage, parseEvent, type CaseView } from './case-page.js';
import { evaluationOf } from './filing-actions.js';
import { messagePage } from './portal-pages.js';

type Ingest = (input: IngressInput) => Promise<IngressAnswer>;

export interface FilingDeps {
  catalogue: () => { byCode: ReadonlyMap<string, PublishedItem> } | null;
  cases: {
    get(caseId: string): CaseView | null;
    isCaseId(caseId: string): boolean;
    access(caseId: string, presented: string | null, source: string): { ok: true } | { ok: false; status: number; headers: Record<string, string> };
  };
  /** The pipeline with the submission's steps (POST /api/v1/submissions). */
  file: Ingest;
  /** The pipeline with an action's steps (POST /api/v1/cases/:caseId/actions). */
  act: Ingest;
  /** The JSON request's limit, as for the API. */
  maxRequestBytes: number;
}

/** How long a double-submitted form waits for its first twin to finish before it answers "busy":
 *  the twin is being inspected and sealed; its answer is what this one shows. */
const IN_PROGRESS_WAIT_MS = 30_000;

const PAGE = { schema: { hide: true } } as const;
const ACTIONS: readonly PageAction[] = ['supplement', 'withdraw', 'evaluate'];
const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'medium' });

/** A page answer; every answer to a POST here may hold the case secret, so none is stored anywhere. */
function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store').send(body);
}

const newToken = () => randomBytes(18).toString('base64url');
const tokenOf = (f: ReadForm | null) => {
  const k = f?.fields.get(FORM.idempotency);
  return k !== undefined && IDEMPOTENCY_KEY_PATTERN.test(k) ? k : undefined;
};

function inputOf(req: FastifyRequest, built: BuiltRequest, form: ReadForm, caseId?: string): IngressInput {
  return {
    body: built.body, ip: req.ip, socket: req.raw.socket as TLSSocket, idempotencyKey: tokenOf(form),
    secret: caseId !== undefined ? form.fields.get(FORM.secret) ?? null : null, caseId,
  };
}

/** Runs the pipeline; a twin still in flight (409 in progress) is waited for, then its answer shown. */
async function untilSettled(run: Ingest, input: IngressInput): Promise<IngressAnswer> {
  const until = Date.now() + IN_PROGRESS_WAIT_MS;
  for (;;) {
    const a = await run(input);
    const code = (a.body['error'] as { code?: string } | undefined)?.code;
    if (code !== 'FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS' || Date.now() > until) return a;
    await new Promise((r) => setTimeout(r, IN_PROGRESS_RETRY_AFTER_S * 250));
  }
}

function refusalOf(a: IngressAnswer, files: BuiltRequest['files']): PlacedErrors {
  const e = a.body['error'] as { code?: string; message?: string } | undefined;
  const code: FerryErrorCode = e?.code !== undefined && Object.hasOwn(ERRORS, e.code) ? e.code as FerryErrorCode : 'FERRY_ERR_API_INTERNAL';
  return placeErrors(code, e?.message ?? '', files);
}
const placedRefusal = (r: FormRefusal) => placeErrors(r.code, r.detail, [], { ...(r.field ? { field: r.field } : {}), ...(r.fileName ? { fileName: r.fileName } : {}) });

export function registerFiling(app: FastifyInstance, d: FilingDeps, s: Shell, script: string): void {
  const itemOr404 = (reply: FastifyReply, code: string): PublishedItem | null => {
    const item = d.catalogue()?.byCode.get(code) ?? null;
    if (!item) void send(reply, 404, messagePage(s, s.t('item.notFoundTitle'), s.t('item.notFoundBody', { code: code.slice(0, 64) })));
    return item;
  };
  app.get<{ Params: { itemId: string } }>('/file/:itemId', PAGE, async (req, reply) => {
    const item = itemOr404(reply, req.params.itemId);
    return item ? send(reply, 200, filingPage(s, item, { token: newToken() }, script)) : reply;
  });

  void app.register(async (forms) => {
    await forms.register(multipart, {
      limits: { fields: MULTIPART_LIMITS.maxFields, fieldSize: MULTIPART_LIMITS.maxFieldBytes, files: MULTIPART_LIMITS.maxFiles, fileSize: MULTIPART_LIMITS.maxFileBytes },
    });
    forms.post<{ Params: { itemId: string } }>('/file/:itemId', PAGE, async (req, reply) => {
      const item = itemOr404(reply, req.params.itemId);
      if (!item) return reply;
      const read = await readMultipart(req, { maxRequestBytes: d.maxRequestBytes });
      if (!read.ok) return send(reply, read.refusal.status, filingPage(s, item, { token: newToken(), errors: placedRefusal(read.refusal) }, script));
      const form = read.value;
      const built = submissionRequest(item, form);
      const a = await untilSettled(d.file, inputOf(req, built, form));
      if (a.refused || a.status !== 202) {
        return send(reply, a.status, filingPage(s, item, { token: tokenOf(form) ?? newToken(), values: form.fields, errors: refusalOf(a, built.files) }, script));
      }
      const b = a.body as { caseId: string; secret: string; submittedAt: string };
      return send(reply, 200, filedPage(s, {
        caseId: b.caseId, secret: b.secret, itemName: item.name, submittedAt: TIME.format(new Date(b.submittedAt)),
        imprint: createHash('sha256').update(built.body).digest('hex'),
      }, script));
    });

    forms.post<{ Params: { caseId: string; action: string } }>('/case/:caseId/:action', PAGE, async (req, reply) => {
      const type = req.params.action as PageAction;
      const caseId = req.params.caseId.toUpperCase().slice(0, 40);
      if (!ACTIONS.includes(type)) return send(reply, 404, messagePage(s, s.t('error.notFoundTitle'), s.t('error.notFoundBody')));
      // The case number and secret first, before any file is read (the same gate as the API's). A form
      // that fails before the gate ran (not multipart, cut off) is refused like a wrong secret: no
      // page about the case without its secret.
      let gate: { ok: true } | { ok: false; status: number; headers: Record<string, string> } = { ok: false, status: 404, headers: {} };
      const read = await readMultipart(req, {
        maxRequestBytes: d.maxRequestBytes,
        beforeFiles: (fields) => {
          gate = d.cases.access(d.cases.isCaseId(caseId) ? caseId : '', fields.get(FORM.secret) ?? null, req.ip);
          return gate.ok ? null : { status: gate.status, code: 'FERRY_ERR_API_CASE_ACCESS', detail: 'case access refused' };
        },
      });
      const g = gate as typeof gate;
      if (!g.ok) {
        const msg = g.status === 429 ? s.t('case.throttled', { seconds: g.headers['retry-after'] ?? '60' }) : s.t('case.refused');
        return send(reply.headers(g.headers), g.status, lookupPage(s, caseId, msg));
      }
      const view = d.cases.get(caseId);
      if (!view) return send(reply, 404, lookupPage(s, caseId, s.t('case.refused')));
      const secret = read.ok ? read.value.fields.get(FORM.secret) ?? '' : '';
      const page = (status: number, o: { sent?: string; errors?: PlacedErrors }) => send(reply, status, casePage(s, d.cases.get(caseId) ?? view, secret, {
        token: newToken(), script, ...(o.sent ? { sent: o.sent } : {}), ...(o.errors ? { refused: { form: type, errors: o.errors } } : {}),
      }));
      if (!read.ok) return page(read.refusal.status, { errors: placedRefusal(read.refusal) });
      const form = read.value;
      if (type === 'withdraw' && form.fields.get('confirm') !== 'yes') {
        return page(400, { errors: { code: 'FERRY_ERR_API_FIELD', general: [], byField: new Map([['confirm', s.t('caseAction.confirmMissing')]]) } });
      }
      // One case, one evaluation: the page knows one was sent (its history says so) and refuses here;
      // the approval core refuses a second one inside as well (FERRY_ERR_APPROVAL_EVALUATED).
      if (type === 'evaluate' && evaluationOf(view.history.map((h) => parseEvent(h.event))) !== null) {
        return page(409, { errors: { code: 'FERRY_ERR_API_FIELD', general: [s.t('caseAction.alreadyEvaluated')], byField: new Map() } });
      }
      const built = actionRequest(type, form);
      const a = await untilSettled(d.act, inputOf(req, built, form, caseId));
      if (a.refused || a.status !== 202) return page(a.status, { errors: refusalOf(a, built.files) });
      const sent = type === 'supplement' ? s.t('caseAction.supplementSent') : type === 'withdraw' ? s.t('caseAction.withdrawSent') : s.t('caseAction.evaluateSent');
      return page(200, { sent });
    });
  });
}
