// The staff API on the intranet listener, declared: each route's parameters, headers, query and body,
// its answer and the error codes it can give. src/net/openapi.ts turns these into validation (with
// FERRY_ERR_DESK_FIELD and a message naming the field) and the OpenAPI document at
// GET /api/v1/openapi.json on the intranet listener.
import { Type } from 'typebox';
import type { FastifySchema } from 'fastify';
import type { FerryErrorCode } from '../errors.js';
import { CHECKED_BY, errorResponses, REFUSAL } from '../net/openapi.js';

const ANY = (description: string) => Type.Object({}, { additionalProperties: true, description });
const BEARER = Type.Object({ authorization: Type.Optional(Type.String({ description: 'Bearer <token> from POST /api/v1/staff/login (RFC 6750)' })) });
const BODY: FerryErrorCode[] = ['FERRY_ERR_API_JSON', 'FERRY_ERR_API_MEDIA_TYPE', 'FERRY_ERR_API_TOO_LARGE'];
const SESSION: FerryErrorCode[] = ['FERRY_ERR_DESK_UNAUTHENTICATED', 'FERRY_ERR_DESK_SESSION_EXPIRED', 'FERRY_ERR_DESK_FORBIDDEN', 'FERRY_ERR_API_INTERNAL'];
const ID = Type.Object({ id: Type.String() });

/** A route that needs a session; `codes` are its own refusals beyond the session's. */
function guarded(summary: string, ok: Record<number, unknown>, codes: FerryErrorCode[], more: FastifySchema = {}): FastifySchema {
  return { summary, tags: ['staff'], headers: BEARER, ...more, response: { ...ok, ...errorResponses([...SESSION, ...codes]) } };
}

export const LOGIN_SCHEMA: FastifySchema = {
  summary: 'Log in: a bearer token for the other staff routes', tags: ['staff'],
  body: Type.Object({ name: Type.String(), password: Type.String() }, { additionalProperties: false, [REFUSAL]: 'must be {"name": "...", "password": "..."}' }),
  response: {
    200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), staff: ANY('the staff member: id, name, department, roles') }),
    ...errorResponses(['FERRY_ERR_DESK_FIELD', 'FERRY_ERR_DESK_LOGIN_FAILED', 'FERRY_ERR_DESK_THROTTLED', ...BODY, 'FERRY_ERR_API_INTERNAL']),
  },
};
export const LOGOUT_SCHEMA = guarded('Log out (ends the session)', { 204: Type.Null({ description: 'no content' }) }, []);
export const ME_SCHEMA = guarded('Who this session is', { 200: ANY('id, name, department, roles') }, []);
export const QUEUE_SCHEMA = guarded('The cases waiting at the window and in review', { 200: ANY('window and review queues, by the roles held') }, [], {
  querystring: Type.Object({ department: Type.Optional(Type.String({ description: 'supervisors: one department' })) }),
});
export const CASE_SCHEMA = guarded('One case, with its version as ETag', { 200: ANY('the case view') }, ['FERRY_ERR_DESK_NO_CASE'], { params: ID });
export const CASE_ACTION_SCHEMA = guarded('Take a step on a case (a core command)', { 200: ANY('caseId, status, version and the events the step made') },
  ['FERRY_ERR_DESK_FIELD', 'FERRY_ERR_DESK_NO_CASE', 'FERRY_ERR_DESK_CONFLICT', 'FERRY_ERR_DESK_STALE', ...BODY], {
    params: ID,
    headers: Type.Object({
      ...BEARER.properties,
      'if-match': Type.Optional(Type.String({ pattern: '^\\s*"\\d{1,15}"\\s*$', [REFUSAL]: 'must be one entity tag "<version>"', description: 'RFC 9110 §13.1.1: the case version the step was decided on' })),
    }),
    body: Type.Object({ type: Type.String({ description: 'accept, notify, supplement, refuse, resume-review, supply-committed, give-opinion, decide, record-payment, issue-result, close, withdraw' }) },
      { additionalProperties: true, [CHECKED_BY]: "the approval core's command parser (src/approval/command.ts); errors name the field" }),
  });
export const CARDS_SCHEMA = guarded('Supervision cards (yellow and red)', { 200: Type.Object({ cards: Type.Array(ANY('a card')) }) }, ['FERRY_ERR_DESK_FIELD'], {
  querystring: Type.Object({
    department: Type.Optional(Type.String()),
    colour: Type.Optional(Type.Union([Type.Literal('yellow'), Type.Literal('red')], { [REFUSAL]: 'yellow or red' })),
    since: Type.Optional(Type.String({ description: 'an ISO-8601 instant' })),
    limit: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,5}$', [REFUSAL]: 'a positive whole number' })),
  }),
});
export const REPORT_SCHEMA = guarded('The monthly supervision report', { 200: Type.Object({ month: Type.String(), departments: Type.Array(ANY('one department')) }) }, ['FERRY_ERR_DESK_FIELD'], {
  querystring: Type.Object({ month: Type.Optional(Type.String({ description: 'YYYY-MM' })) }),
});
export const ACCOUNTS_SCHEMA = guarded('Staff accounts (admin)', { 200: Type.Object({ staff: Type.Array(ANY('an account')) }) }, []);
const ACCOUNT_KEYS = ['id', 'name', 'department', 'roles', 'password'] as const;
export const CREATE_ACCOUNT_SCHEMA = guarded('Create a staff account (admin)', { 201: ANY('the account') },
  ['FERRY_ERR_DESK_FIELD', 'FERRY_ERR_DESK_STAFF', 'FERRY_ERR_DESK_STAFF_EXISTS', ...BODY], {
    body: Type.Object(Object.fromEntries(ACCOUNT_KEYS.map((k) => [k, Type.Optional(Type.Unknown({ description: k === 'roles' ? 'a list of roles' : 'a string' }))])),
      { additionalProperties: false, [REFUSAL]: `an object with ${ACCOUNT_KEYS.join(', ')}` }),
  });
export const DISABLE_ACCOUNT_SCHEMA = guarded('Disable a staff account (admin)', { 200: ANY('the account, disabled') }, ['FERRY_ERR_DESK_NO_STAFF'], { params: ID });
export const BOARD_SCHEMA: FastifySchema = {
  summary: "The hall's public board: every case's status, no personal data, no login", tags: ['public'],
  response: { 200: ANY('the board') },
};
