// The staff API on the internal gateway's intranet listener, and the hall's public board.
//   POST /api/v1/staff/login  {name, password} → {token, expiresAt, staff}     (no token needed)
//   POST /api/v1/staff/logout                                                  → 204
//   GET  /api/v1/staff/me | queue[?department=] | cases/:id (ETag: "<version>")
//   POST /api/v1/staff/cases/:id/actions  body: a core command; If-Match: "<version>" optional
//   GET  /api/v1/staff/supervision/cards[?department&colour&since&limit] | supervision/report?month=YYYY-MM
//   GET|POST /api/v1/staff/accounts, POST /api/v1/staff/accounts/:id/disable   (admin)
//   GET  /api/v1/board                                                          (public, no login)
// Bearer tokens (RFC 6750): a 401 carries WWW-Authenticate; a role that may not act gets 403 with
// FERRY_ERR_DESK_FORBIDDEN — supervisors on every write.
// Every route is declared by its schema (src/desk/staff-api-schemas.ts): the schema checks the
// parameters, headers, query and body shape (FERRY_ERR_DESK_FIELD, naming the field) and makes the
// OpenAPI 3.1 document at GET /api/v1/openapi.json on this listener.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatus, isFerryError, type FerryErrorCode } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import type { ApprovalDesk } from './approval-desk.js';
import { departmentsOf } from './case-record.js';
import { queuesFor } from './staff-queues.js';
import { may, mayReadCase, type Permission, type StaffIdentity } from './roles.js';
import type { StaffAuth } from './staff-auth.js';
import { declareApi } from '../net/openapi.js';
import {
  ACCOUNTS_SCHEMA, BOARD_SCHEMA, CARDS_SCHEMA, CASE_ACTION_SCHEMA, CASE_SCHEMA, CREATE_ACCOUNT_SCHEMA, DISABLE_ACCOUNT_SCHEMA,
  LOGIN_SCHEMA, LOGOUT_SCHEMA, ME_SCHEMA, QUEUE_SCHEMA, REPORT_SCHEMA,
} from './staff-api-schemas.js';

export interface StaffApiDeps {
  readonly desk: ApprovalDesk;
  readonly auth: StaffAuth;
  readonly log: Logger;
  /** Called after a case action that queued outbound events (e.g. to drain them into the outbox now). */
  readonly afterAction?: () => void;
}

type Obj = Record<string, unknown>;
const errorBody = (code: FerryErrorCode, message: string) => ({ error: { code, message } });

function send(reply: FastifyReply, code: FerryErrorCode, message: string): FastifyReply {
  const status = httpStatus(code);
  // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme (and the error, if any).
  if (status === 401) void reply.header('www-authenticate', code === 'FERRY_ERR_DESK_UNAUTHENTICATED' ? 'Bearer realm="ferry-staff"' : 'Bearer realm="ferry-staff", error="invalid_token"');
  return reply.code(status).send(errorBody(code, message));
}

function fastifyCode(e: FastifyError): FerryErrorCode {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'FERRY_ERR_API_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'FERRY_ERR_API_MEDIA_TYPE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': case 'FST_ERR_CTP_INVALID_JSON_BODY': return 'FERRY_ERR_API_JSON';
    default: return (e.statusCode ?? 500) < 500 ? (e.name === 'SyntaxError' ? 'FERRY_ERR_API_JSON' : 'FERRY_ERR_DESK_FIELD') : 'FERRY_ERR_API_INTERNAL';
  }
}

const bearer = (req: FastifyRequest): string => {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(h) : null;
  return m ? m[1]! : '';
};

/** RFC 9110 §13.1.1: If-Match: "<version>" (a strong entity tag; the version is the tag). Its form
 *  was checked by the route's schema. */
function ifMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  return typeof h === 'string' ? Number(h.trim().slice(1, -1)) : undefined;
}

const query = (req: FastifyRequest, k: string): string | undefined => {
  const v = (req.query as Obj | undefined)?.[k];
  return typeof v === 'string' ? v : undefined;
};

/** What every route group needs: the deps, the session guard, and who the guard let in. */
interface StaffRoutes {
  readonly d: StaffApiDeps;
  /** A preHandler: the request needs a session, and `permission` when given. */
  readonly guard: (permission?: Permission) => (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  /** The staff member the guard admitted for this request. */
  readonly staffOf: (req: FastifyRequest) => StaffIdentity;
}

const refused = (reply: FastifyReply, v: { code: FerryErrorCode; detail: string }) => send(reply, v.code, v.detail);

export async function registerStaffApi(app: FastifyInstance, d: StaffApiDeps): Promise<void> {
  await app.register(async (api) => {
    // JSON only: a text/plain body would reach the command parser as a bare string.
    api.removeContentTypeParser('text/plain');
    await declareApi(api, {
      title: 'Ferry staff API',
      description: 'The approval desk on the intranet listener. Errors answer {"error":{"code","message"}} with a stable FERRY_ERR_* code.',
      fieldCode: 'FERRY_ERR_DESK_FIELD',
    });
    api.setErrorHandler(errorHandler(d.log));
    const r = staffRoutes(d);
    registerSessionRoutes(api, r);
    registerCaseRoutes(api, r);
    registerSupervisionRoutes(api, r);
    registerAccountRoutes(api, r);
    // The hall's board (八公开): every case's real-time status, no personal data, no login.
    api.get('/api/v1/board', { schema: BOARD_SCHEMA }, async () => d.desk.board());
  });
}

/** Answers a thrown error with its registry code; a 5xx is logged and says only that nothing changed. */
function errorHandler(log: Logger) {
  return (e: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const code = isFerryError(e) ? e.code : fastifyCode(e);
    const status = httpStatus(code);
    if (status >= 500) log.error({ stage: 'staff-api', url: req.url.split('?')[0], code, err: e.message }, 'request failed');
    // A JSON parser's message quotes the body around the fault: the answer says only what it is.
    const message = code === 'FERRY_ERR_API_JSON' && !isFerryError(e) ? 'the request body is not valid JSON' : e.message;
    void reply.code(status).send(errorBody(code, status >= 500 ? `internal error (${code}); nothing was changed` : message));
  };
}

function staffRoutes(d: StaffApiDeps): StaffRoutes {
  const who = new WeakMap<FastifyRequest, StaffIdentity>();
  const guard = (permission?: Permission) => async (req: FastifyRequest, reply: FastifyReply) => {
    const v = d.auth.authenticate(bearer(req));
    if (!v.ok) return send(reply, v.code, v.detail);
    if (permission && !may(v.value, permission)) {
      d.log.warn({ stage: 'staff-api', staff: v.value.id, permission, url: req.url.split('?')[0], code: 'FERRY_ERR_DESK_FORBIDDEN' }, 'request forbidden');
      return send(reply, 'FERRY_ERR_DESK_FORBIDDEN', `${v.value.roles.join(', ')} may not ${permission}`);
    }
    who.set(req, v.value);
    return undefined;
  };
  return { d, guard, staffOf: (req) => who.get(req)! };
}

/** login, logout, me. */
function registerSessionRoutes(api: FastifyInstance, { d, guard, staffOf }: StaffRoutes): void {
  api.post('/api/v1/staff/login', { schema: LOGIN_SCHEMA }, async (req, reply) => {
    const b = req.body as { name: string; password: string };
    // req.ip is the socket's peer address (no trustProxy): the lockout and throttle key.
    const v = await d.auth.login(b['name'], b['password'], req.ip);
    if (v.ok) return reply.send(v.value);
    // RFC 6585 §4 / RFC 9110 §10.2.3: a throttled source is told when it may try again.
    if (v.retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(v.retryAfterMs / 1000))));
    return refused(reply, v);
  });

  api.post('/api/v1/staff/logout', { schema: LOGOUT_SCHEMA, preHandler: guard() }, async (req, reply) => {
    d.auth.logout(bearer(req));
    return reply.code(204).send();
  });

  api.get('/api/v1/staff/me', { schema: ME_SCHEMA, preHandler: guard() }, async (req) => staffOf(req));
}

/** The work queue, one case, and an action on it. */
function registerCaseRoutes(api: FastifyInstance, { d, guard, staffOf }: StaffRoutes): void {
  api.get('/api/v1/staff/queue', { schema: QUEUE_SCHEMA, preHandler: guard('queue.read') }, async (req) => queuesFor(d.desk, staffOf(req), query(req, 'department')));

  api.get('/api/v1/staff/cases/:id', { schema: CASE_SCHEMA, preHandler: guard('case.read') }, async (req, reply) => {
    const v = d.desk.caseView((req.params as { id: string }).id);
    if (!v.ok) return refused(reply, v);
    if (!mayReadCase(staffOf(req), departmentsOf(v.value.state))) return send(reply, 'FERRY_ERR_DESK_FORBIDDEN', 'the case is not handled by your department');
    return reply.header('etag', `"${v.value.version}"`).send(v.value);
  });

  api.post('/api/v1/staff/cases/:id/actions', { schema: CASE_ACTION_SCHEMA, preHandler: guard('case.act') }, async (req, reply) => {
    const caseId = (req.params as { id: string }).id;
    const version = ifMatch(req);
    const v = d.desk.act(staffOf(req), caseId, req.body, version === undefined ? {} : { expectedVersion: version });
    if (!v.ok) return refused(reply, v);
    if (v.value.length > 0) d.afterAction?.();
    const row = d.desk.store.getCase(caseId)!;
    return reply.header('etag', `"${row.version}"`).send({ caseId, status: row.status, version: row.version, events: v.value });
  });
}

/** The supervision cards and the monthly report. */
function registerSupervisionRoutes(api: FastifyInstance, { d, guard }: StaffRoutes): void {
  api.get('/api/v1/staff/supervision/cards', { schema: CARDS_SCHEMA, preHandler: guard('supervision.read') }, async (req, reply) => {
    const colour = query(req, 'colour') as 'yellow' | 'red' | undefined;
    const since = query(req, 'since');
    if (since !== undefined && Number.isNaN(Date.parse(since))) return send(reply, 'FERRY_ERR_DESK_FIELD', 'since: an ISO-8601 instant');
    const limit = query(req, 'limit');
    const department = query(req, 'department');
    return {
      cards: d.desk.cards({
        ...(department ? { department } : {}), ...(colour ? { colour } : {}),
        ...(since ? { since: new Date(since).toISOString() } : {}), ...(limit ? { limit: Number(limit) } : {}),
      }),
    };
  });

  api.get('/api/v1/staff/supervision/report', { schema: REPORT_SCHEMA, preHandler: guard('report.read') }, async (req, reply) => {
    const month = query(req, 'month') ?? '';
    const v = d.desk.report(month);
    return v.ok ? reply.send({ month, departments: v.value }) : refused(reply, v);
  });
}

/** Staff accounts (admin): list, create, disable. */
function registerAccountRoutes(api: FastifyInstance, { d, guard, staffOf }: StaffRoutes): void {
  api.get('/api/v1/staff/accounts', { schema: ACCOUNTS_SCHEMA, preHandler: guard('staff.manage') }, async () => ({ staff: d.auth.listStaff() }));

  api.post('/api/v1/staff/accounts', { schema: CREATE_ACCOUNT_SCHEMA, preHandler: guard('staff.manage') }, async (req, reply) => {
    const v = await d.auth.createStaff(req.body as never, staffOf(req).id);
    return v.ok ? reply.code(201).send(v.value) : refused(reply, v);
  });

  api.post('/api/v1/staff/accounts/:id/disable', { schema: DISABLE_ACCOUNT_SCHEMA, preHandler: guard('staff.manage') }, async (req, reply) => {
    const v = d.auth.disableStaff((req.params as { id: string }).id, staffOf(req).id);
    return v.ok ? reply.send({ ...v.value, disabled: true }) : refused(reply, v);
  });
}
