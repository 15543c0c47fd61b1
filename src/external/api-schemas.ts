// The applicant API, declared: every route's parameters, headers, bodies and answers, with the error
// codes each can answer. src/net/openapi.ts turns these into validation and the OpenAPI document.
// Submission and action bodies are checked by Ferry's own parsers (src/policy/submission-shape.ts,
// applicant-action.ts) in the inspection workers, over the exact bytes: the schemas here document
// them with the parsers' own patterns and limits.
import { Type, type TSchema } from 'typebox';
import type { FastifySchema } from 'fastify';
import type { FerryErrorCode } from '../errors.js';
import { BASE64, EMAIL, FIELD_NAME, ID_NUMBER, ITEM_CODE, MEDIA_TYPE, PHONE, SUBMISSION_LIMITS } from '../policy/submission-shape.js';
import { MATERIAL_ID } from '../policy/applicant-action.js';
import { CHECKED_BY, CODE, errorResponses, REFUSAL } from '../net/openapi.js';
import { CASE_ID_PATTERN } from './case-id.js';
import { CASE_SECRET_FIELD, CASE_SECRET_HEADER } from './case-access.js';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';
import { PIPELINE_CODES } from './ingress-pipeline.js';

const pattern = (r: RegExp) => r.source;
const ISO = Type.String({ format: 'date-time' });

/** The one case-number check: every route with :caseId declares it. */
export const CaseIdParams = Type.Object({
  caseId: Type.String({ pattern: pattern(CASE_ID_PATTERN), [REFUSAL]: 'not a case number', description: 'the case number from the 202 answer' }),
});

const secretHeaders = {
  [CASE_SECRET_HEADER]: Type.Optional(Type.String({ description: 'the case secret from the 202 answer (or send Authorization: Bearer <secret>)' })),
  authorization: Type.Optional(Type.String({ description: 'Bearer <case secret>, instead of X-Ferry-Case-Secret' })),
};
const idempotencyHeader = {
  [IDEMPOTENCY_HEADER]: Type.Optional(Type.String({
    pattern: pattern(IDEMPOTENCY_KEY_PATTERN), [REFUSAL]: 'must be 1-128 visible ASCII characters, sent once', [CODE]: 'FERRY_ERR_API_IDEMPOTENCY_KEY',
    description: 'a key the client makes per request (a UUID): a repeat with the same key and the same body within 24 h answers the first answer, and files nothing',
  })),
};

const Attachment = Type.Object({
  fileName: Type.String({ minLength: 1, maxLength: 255 }),
  mediaType: Type.String({ pattern: pattern(MEDIA_TYPE) }),
  materialId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  contentBase64: Type.String({ pattern: pattern(BASE64), minLength: 4, description: `canonical base64, at most ${SUBMISSION_LIMITS.maxAttachmentBytes} bytes decoded` }),
}, { additionalProperties: false });
const Attachments = Type.Array(Attachment, { maxItems: SUBMISSION_LIMITS.maxAttachments });

export const SubmissionBody = Type.Object({
  itemCode: Type.String({ pattern: pattern(ITEM_CODE) }),
  applicant: Type.Object({
    type: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
    name: Type.String({ minLength: 1, maxLength: SUBMISSION_LIMITS.maxNameChars }),
    idNumber: Type.String({ pattern: pattern(ID_NUMBER) }),
    phone: Type.String({ pattern: pattern(PHONE) }),
    email: Type.Optional(Type.Union([Type.String({ pattern: pattern(EMAIL) }), Type.Null()])),
  }, { additionalProperties: false }),
  fields: Type.Optional(Type.Record(Type.String({ pattern: pattern(FIELD_NAME) }), Type.Union([Type.String({ maxLength: SUBMISSION_LIMITS.maxFieldValueChars }), Type.Number(), Type.Boolean()]),
    { maxProperties: SUBMISSION_LIMITS.maxFields, description: "the item's form (GET /api/v1/items/{code})" })),
  attachments: Type.Optional(Attachments),
}, { additionalProperties: false, [CHECKED_BY]: 'src/policy/submission-shape.ts over the exact bytes; errors name the field' });

const materialId = Type.String({ pattern: pattern(MATERIAL_ID) });
export const ActionBody = Type.Union([
  Type.Object({ type: Type.Literal('supplement'), materials: Type.Array(materialId, { minItems: 1, maxItems: 64 }), reason: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])), attachments: Type.Optional(Attachments) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('withdraw'), reason: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('supply-committed'), materialId, attachments: Type.Optional(Attachments) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('evaluate'), score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])) }, { additionalProperties: false }),
], { [CHECKED_BY]: 'src/policy/applicant-action.ts over the exact bytes; errors name the field' });

export const SubmissionAccepted = Type.Object({
  caseId: Type.String({ pattern: pattern(CASE_ID_PATTERN) }),
  secret: Type.String({ description: 'the case secret: shown in this answer (and its idempotent repeats) only; keep it' }),
  status: Type.Literal('submitted'),
  submittedAt: ISO,
}, { description: 'sealed and durable; the case is on its way to the intranet' });

export const ActionAccepted = Type.Object({
  caseId: Type.String({ pattern: pattern(CASE_ID_PATTERN) }),
  action: Type.String(), status: Type.Literal('sent'), sentAt: ISO,
}, { description: 'sealed and durable; the action is on its way to the intranet' });

const iso = Type.Union([ISO, Type.Null()]);
export const CaseStatus = Type.Object({
  caseId: Type.String(), status: Type.String(), submittedAt: iso, receivedAt: iso,
  receipt: Type.Union([Type.String(), Type.Null()]), updatedAt: iso, detail: Type.String(),
  history: Type.Array(Type.Object({ status: Type.String(), at: iso, detail: Type.String(), event: Type.Optional(Type.Unknown()) })),
}, { description: 'what the intranet last told about the case' });

const binary = (media: string, description: string): TSchema => ({ description, content: { [media]: { schema: { type: 'string', contentEncoding: 'binary' } } } }) as unknown as TSchema;

const CASE_ACCESS: FerryErrorCode[] = ['FERRY_ERR_API_FIELD', 'FERRY_ERR_API_CASE_ACCESS', 'FERRY_ERR_API_THROTTLED', 'FERRY_ERR_API_MEDIA_TYPE', 'FERRY_ERR_API_TOO_LARGE', 'FERRY_ERR_API_INTERNAL'];

export const SUBMIT_SCHEMA: FastifySchema = {
  summary: 'File a case', tags: ['applicant'],
  headers: Type.Object(idempotencyHeader),
  body: SubmissionBody,
  response: { 202: SubmissionAccepted, ...errorResponses([...PIPELINE_CODES, 'FERRY_ERR_API_UNKNOWN_ITEM', 'FERRY_ERR_API_FORM']) },
};

export const ACTION_SCHEMA: FastifySchema = {
  summary: 'Act on a case (supplement, withdraw, supply a committed material, evaluate)', tags: ['applicant'],
  params: CaseIdParams,
  headers: Type.Object({ ...secretHeaders, ...idempotencyHeader }),
  body: ActionBody,
  response: { 202: ActionAccepted, ...errorResponses([...PIPELINE_CODES, ...CASE_ACCESS]) },
};

/** The case routes: GET with the secret in a header, or POST of a form with the secret field. */
export function caseReadSchema(what: 'status' | 'receipt' | 'result', form: boolean): FastifySchema {
  const ok = what === 'status' ? CaseStatus
    : what === 'receipt' ? binary('application/timestamp-reply', 'RFC 3161 TimeStampResp over SHA-256 of the exact submitted bytes')
      : binary('application/pkcs7-mime', 'the signed result document (CMS SignedData, DER)');
  const extra: FerryErrorCode[] = what === 'status' ? [] : what === 'receipt' ? ['FERRY_ERR_API_NOT_FOUND', 'FERRY_ERR_API_RECEIPT'] : ['FERRY_ERR_API_NOT_FOUND'];
  return {
    summary: `The case's ${what}${form ? ' (web form: the secret as a form field, never in the URL)' : ''}`, tags: ['applicant'],
    params: CaseIdParams,
    ...(form
      ? { consumes: ['application/x-www-form-urlencoded'], body: Type.Object({ [CASE_SECRET_FIELD]: Type.Optional(Type.String({ description: 'the case secret' })) }, { [CHECKED_BY]: 'the case-secret check (one answer for every failure)' }) }
      : { headers: Type.Object(secretHeaders) }),
    response: { 200: ok, ...errorResponses([...CASE_ACCESS, ...extra]) },
  };
}

const Item = Type.Object({ code: Type.String({ pattern: pattern(ITEM_CODE) }) }, { additionalProperties: true, description: 'a published item: what to bring, time limits, fees, its form' });
export const ITEMS_SCHEMA: FastifySchema = {
  summary: 'The published catalogue', tags: ['catalogue'],
  response: { 200: Type.Object({ version: Type.String({ description: 'SHA-256 of the catalogue' }), items: Type.Array(Item) }), ...errorResponses(['FERRY_ERR_API_UNAVAILABLE']) },
};
export const ITEM_SCHEMA: FastifySchema = {
  summary: 'One published item', tags: ['catalogue'],
  params: Type.Object({ code: Type.String() }),
  response: { 200: Item, ...errorResponses(['FERRY_ERR_API_NOT_FOUND']) },
};
export const CA_SCHEMA: FastifySchema = {
  summary: 'The deployment CA (to check a receipt with openssl alone)', tags: ['trust'],
  response: { 200: binary('application/x-pem-file', 'PEM certificate') },
};
export const HEALTH_SCHEMA: FastifySchema = {
  summary: 'Liveness; details only to an operator-client certificate', tags: ['operations'],
  response: { 200: Type.Object({ status: Type.Literal('ok') }, { additionalProperties: true }) },
};
/** Codes any route may answer with: no route, an unexpected fault. */
export const NOT_FOUND_CODES: FerryErrorCode[] = ['FERRY_ERR_API_NOT_FOUND'];
