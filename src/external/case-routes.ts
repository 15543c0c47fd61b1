// What the applicant reads about their case: status and history, the RFC 3161 receipt, the signed
// result. Each answers only to the case number with its case secret (src/external/case-access.ts).
// Every route exists twice: GET with the secret in a header (API clients), and POST of the same path
// with the secret as a form field, so a web page can send it from a form without putting it in a URL
// (URLs end up in browser history, proxies' logs and Referer headers).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FerryErrorCode } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import type { StatusCache } from './store/status-cache.js';
import { presentedSecret, type CaseAccess } from './case-access.js';
import { errorBody } from './api-error.js';
import { caseReadSchema } from './api-schemas.js';

export interface ReceiptCheck {
  /** Verifies the token over the imprint against the published CA. */
  (token: Buffer, requestSha256: Buffer): Promise<{ code: FerryErrorCode; detail: string } | { genTime: Date }>;
}

export interface CaseRouteDeps {
  status: StatusCache;
  access: (caseId: string, presented: string | null, source: string) => CaseAccess;
  verifyReceipt: ReceiptCheck;
  /** Wraps a token as a granted TimeStampResp (what `openssl ts -verify -in` reads). */
  asResponse: (token: Buffer) => Buffer;
  log: Logger;
}

/** A form POST carries only the secret: small, and parsed by URLSearchParams (no nesting). */
export const MAX_FORM_BYTES = 1024;

const err = (code: FerryErrorCode, message: string) => errorBody(code, message);

/** The approval event as the applicant sees it (the intranet sends no personal data in it). */
function publicEvent(json: string): unknown {
  try { return JSON.parse(json); } catch { return null; }
}

type Handler = (caseId: string, reply: FastifyReply) => Promise<unknown>;

export function registerCaseRoutes(app: FastifyInstance, d: CaseRouteDeps): void {
  /** The secret (the case number's form was checked by the route's schema); the handler runs only
   *  for the case's holder. */
  const gated = (h: Handler) => async (req: FastifyRequest<{ Params: { caseId: string } }>, reply: FastifyReply) => {
    const { caseId } = req.params;
    const a = d.access(caseId, presentedSecret(req.headers, req.body), req.ip);
    if (!a.ok) return reply.code(a.status).headers(a.headers).send(a.body);
    return h(caseId, reply);
  };

  const status: Handler = async (caseId, reply) => {
    const c = d.status.get(caseId);
    if (!c) return reply.code(404).send(err('FERRY_ERR_API_CASE_ACCESS', 'no case matches this case number and case secret'));
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      caseId: c.caseId, status: c.status, submittedAt: iso(c.submittedAt), receivedAt: iso(c.receivedAt),
      receipt: c.hasReceipt ? `/api/v1/cases/${c.caseId}/receipt` : null,
      updatedAt: iso(c.updatedAt), detail: c.detail,
      history: c.history.map((h) => ({ status: h.status, at: iso(h.at), detail: h.detail, ...(h.event ? { event: publicEvent(h.event) } : {}) })),
    };
  };

  // The applicant's receipt: an RFC 3161 response over SHA-256 of the exact bytes they POSTed, made
  // by the intranet TSA. Verified here before every hand-out (chain, EKU, ESS, imprint).
  const receipt: Handler = async (caseId, reply) => {
    const r = d.status.receipt(caseId);
    if (!r?.token) return reply.code(404).send(err('FERRY_ERR_API_NOT_FOUND', 'no receipt yet (the intranet has not stamped it)'));
    const v = await d.verifyReceipt(r.token, r.requestSha256);
    if ('code' in v) {
      d.log.error({ case: caseId, stage: 'receipt', code: v.code, detail: v.detail }, 'receipt token failed verification; withheld');
      return reply.code(502).send(err('FERRY_ERR_API_RECEIPT', 'the receipt could not be verified; it is withheld'));
    }
    return reply.code(200).header('content-type', 'application/timestamp-reply')
      .header('content-disposition', `attachment; filename="${caseId}.tsr"`).send(d.asResponse(r.token));
  };

  // The signed result document (CMS SignedData, DER), once the window has issued it.
  const result: Handler = async (caseId, reply) => {
    const c = d.status.get(caseId);
    const ev = [...(c?.history ?? [])].reverse()
      .map((h) => { try { return h.event ? JSON.parse(h.event) as { type?: string; resultDocument?: string } : null; } catch { return null; } })
      .find((e) => e?.type === 'result-ready' && typeof e.resultDocument === 'string');
    if (!ev) return reply.code(404).send(err('FERRY_ERR_API_NOT_FOUND', 'no result issued yet'));
    return reply.code(200).header('content-type', 'application/pkcs7-mime; smime-type=signed-data')
      .header('content-disposition', `attachment; filename="${caseId}-result.p7s"`).send(Buffer.from(ev.resultDocument!, 'base64'));
  };

  const routes: [string, 'status' | 'receipt' | 'result', Handler][] = [
    ['/api/v1/cases/:caseId', 'status', status], ['/api/v1/cases/:caseId/receipt', 'receipt', receipt], ['/api/v1/cases/:caseId/result', 'result', result],
  ];
  for (const [path, what, h] of routes) app.get<{ Params: { caseId: string } }>(path, { schema: caseReadSchema(what, false) }, gated(h));
  // The form twins live in their own context, so only they parse form bodies; the submission and
  // action routes keep taking JSON only.
  void app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    for (const [path, what, h] of routes) forms.post<{ Params: { caseId: string } }>(path, { schema: caseReadSchema(what, true) }, gated(h));
  });
}
