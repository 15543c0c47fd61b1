// The shape of an applicant's submission (POST /api/v1/submissions), checked on the external gateway
// at ingress and again on the internal gateway after opening, which trusts no external check.
// Pure: bytes in, verdict out; the message always names the offending field.
import { fail, type Verdict } from '../errors.js';
import { invalidJsonMessage } from './json-error-offset.js';

export const SUBMISSION_LIMITS = {
  /** Attachments per submission: a full business-licence file has ~10 materials. */
  maxAttachments: 32,
  /** Decoded bytes per attachment: a scanned multi-page PDF. */
  maxAttachmentBytes: 16 * 1024 * 1024,
  maxFields: 200,
  maxFieldValueChars: 4000,
  maxNameChars: 200,
} as const;

export interface Attachment { fileName: string; mediaType: string; materialId: string | null; bytes: Buffer }
export interface Submission {
  itemCode: string;
  applicant: { type: 'person' | 'enterprise'; name: string; idNumber: string; phone: string; email: string | null };
  fields: Record<string, string | number | boolean>;
  attachments: Attachment[];
}

export const ITEM_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;
export const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const ID_NUMBER = /^[0-9A-Za-z-]{6,32}$/;
export const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// Control characters in free text would let a log line or a notice be forged.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

type V<T> = Verdict<T>;
const bad = (field: string, why: string) => fail('FERRY_ERR_API_FIELD', `${field}: ${why}`);

export function text(v: unknown, field: string, max: number, required = true): V<string | null> {
  if (v === undefined || v === null) return required ? bad(field, 'is required') : { ok: true, value: null };
  if (typeof v !== 'string') return bad(field, 'must be a string');
  if (required && v.trim().length === 0) return bad(field, 'must not be empty');
  if (v.length > max) return bad(field, `must be at most ${max} characters`);
  if (CONTROL.test(v)) return bad(field, 'contains control characters');
  return { ok: true, value: v };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key the client sent, as a refusal may repeat it: a key is input too, and may be anything (a
 *  name, an id number), so only a short identifier-like key is named; any other is described. */
export function echoableKey(k: string): string {
  return /^[A-Za-z][A-Za-z_]{0,31}$/.test(k) ? k : '(a field whose name is not shown)';
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): V<void> {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return bad(where ? `${where}.${echoableKey(k)}` : echoableKey(k), 'is not a known field');
  return { ok: true, value: undefined };
}

/** JSON from the exact request bytes, or the stable error naming why not. */
export function parseJsonBody(raw: Uint8Array): V<unknown> {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) };
  } catch {
    // Never the parser's message: it quotes the body (personal data) around the fault.
    return fail('FERRY_ERR_API_JSON', invalidJsonMessage(raw));
  }
}

/** Parses and checks a submission from the exact request bytes. */
export function parseSubmission(raw: Uint8Array): V<Submission> {
  const doc = parseJsonBody(raw);
  return doc.ok ? checkSubmission(doc.value) : doc;
}

export function checkSubmission(doc: unknown): V<Submission> {
  if (!isRecord(doc)) return bad('(body)', 'must be a JSON object');
  const keys = onlyKeys(doc, ['itemCode', 'applicant', 'fields', 'attachments'], '');
  if (!keys.ok) return keys;
  if (typeof doc.itemCode !== 'string' || !ITEM_CODE.test(doc.itemCode)) return bad('itemCode', 'must be an item code like BL-001');

  const a = doc.applicant;
  if (!isRecord(a)) return bad('applicant', 'is required and must be an object');
  const ak = onlyKeys(a, ['type', 'name', 'idNumber', 'phone', 'email'], 'applicant');
  if (!ak.ok) return ak;
  if (a.type !== 'person' && a.type !== 'enterprise') return bad('applicant.type', 'must be "person" or "enterprise"');
  const name = text(a.name, 'applicant.name', SUBMISSION_LIMITS.maxNameChars);
  if (!name.ok) return name;
  if (typeof a.idNumber !== 'string' || !ID_NUMBER.test(a.idNumber)) return bad('applicant.idNumber', 'must be 6-32 letters, digits or dashes');
  if (typeof a.phone !== 'string' || !PHONE.test(a.phone)) return bad('applicant.phone', 'must be a phone number');
  if (a.email !== undefined && a.email !== null && (typeof a.email !== 'string' || !EMAIL.test(a.email))) return bad('applicant.email', 'must be an e-mail address');

  const fields: Record<string, string | number | boolean> = {};
  if (doc.fields !== undefined) {
    if (!isRecord(doc.fields)) return bad('fields', 'must be an object');
    const entries = Object.entries(doc.fields);
    if (entries.length > SUBMISSION_LIMITS.maxFields) return bad('fields', `at most ${SUBMISSION_LIMITS.maxFields} fields`);
    for (const [k, v] of entries) {
      if (!FIELD_NAME.test(k)) return bad(`fields.${echoableKey(k)}`, 'is not a valid field name');
      if (typeof v === 'string') {
        const t = text(v, `fields.${k}`, SUBMISSION_LIMITS.maxFieldValueChars, false);
        if (!t.ok) return t;
      } else if (typeof v === 'number') {
        if (!Number.isFinite(v)) return bad(`fields.${k}`, 'must be a finite number');
      } else if (typeof v !== 'boolean') return bad(`fields.${k}`, 'must be a string, number or boolean');
      fields[k] = v;
    }
  }

  const attachments: Attachment[] = [];
  if (doc.attachments !== undefined) {
    if (!Array.isArray(doc.attachments)) return bad('attachments', 'must be a list');
    if (doc.attachments.length > SUBMISSION_LIMITS.maxAttachments) return bad('attachments', `at most ${SUBMISSION_LIMITS.maxAttachments} attachments`);
    for (let i = 0; i < doc.attachments.length; i++) {
      const at = attachment(doc.attachments[i], `attachments[${i}]`);
      if (!at.ok) return at;
      attachments.push(at.value);
    }
  }
  return {
    ok: true,
    value: {
      itemCode: doc.itemCode,
      applicant: { type: a.type, name: name.value!, idNumber: a.idNumber, phone: a.phone, email: (a.email as string | undefined) ?? null },
      fields, attachments,
    },
  };
}

export function attachment(v: unknown, where: string): V<Attachment> {
  if (!isRecord(v)) return bad(where, 'must be an object');
  const k = onlyKeys(v, ['fileName', 'mediaType', 'materialId', 'contentBase64'], where);
  if (!k.ok) return k;
  const fileName = text(v.fileName, `${where}.fileName`, 255);
  if (!fileName.ok) return fileName;
  if (typeof v.mediaType !== 'string' || !MEDIA_TYPE.test(v.mediaType)) return bad(`${where}.mediaType`, 'must be a media type like application/pdf');
  const materialId = text(v.materialId, `${where}.materialId`, 64, false);
  if (!materialId.ok) return materialId;
  const b64 = v.contentBase64;
  if (typeof b64 !== 'string' || b64.length === 0) return bad(`${where}.contentBase64`, 'is required');
  // Checked from the encoded length before decoding a byte.
  if (Math.floor(b64.length / 4) * 3 > SUBMISSION_LIMITS.maxAttachmentBytes + 3) {
    return fail('FERRY_ERR_API_TOO_LARGE', `${where}.contentBase64: attachment exceeds ${SUBMISSION_LIMITS.maxAttachmentBytes} bytes`);
  }
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return fail('FERRY_ERR_API_BAD_ATTACHMENT', `${where}.contentBase64: not canonical base64`);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0) return fail('FERRY_ERR_API_BAD_ATTACHMENT', `${where}.contentBase64: empty attachment`);
  return { ok: true, value: { fileName: fileName.value!, mediaType: v.mediaType, materialId: materialId.value, bytes } };
}
