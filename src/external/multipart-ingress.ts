// The web forms' way into the one ingress pipeline (src/external/ingress-pipeline.ts). A form posted
// as multipart/form-data is read part by part: text fields into a small bounded map, each file
// streamed chunk by chunk straight into the attachment encoding of the JSON request the pipeline
// takes (the packet format both gateways check, seal and time-stamp), so the upload is held once, as
// that request, and never as a whole multipart body. Limits are checked when they can be known: the
// declared Content-Length before a byte is read, each file and the total as the bytes arrive.
import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import { SUBMISSION_LIMITS } from '../policy/submission-shape.js';

export const MULTIPART_LIMITS = {
  /** Text fields per form: a published form has at most 200 fields (SUBMISSION_LIMITS.maxFields),
   *  plus the applicant's five and the hidden ones. */
  maxFields: SUBMISSION_LIMITS.maxFields + 16,
  /** Bytes per text field: 4,000 characters of CJK text in UTF-8 (the API's field limit). */
  maxFieldBytes: SUBMISSION_LIMITS.maxFieldValueChars * 3,
  maxFieldNameBytes: 100,
  maxFiles: SUBMISSION_LIMITS.maxAttachments,
  maxFileBytes: SUBMISSION_LIMITS.maxAttachmentBytes,
} as const;

/** One uploaded file as the JSON request will carry it: its base64 text, encoded as it streamed in. */
export interface FormFile { field: string; fileName: string; mediaType: string; encoded: Buffer[]; bytes: number }
export interface ReadForm { fields: Map<string, string>; files: FormFile[] }

export interface FormRefusal { status: number; code: FerryErrorCode; detail: string; /** The form field (or file input) at fault. */ field?: string; fileName?: string }
export type ReadResult = { ok: true; value: ReadForm } | { ok: false; refusal: FormRefusal };

const refuse = (code: FerryErrorCode, detail: string, at: { field?: string; fileName?: string } = {}): ReadResult =>
  ({ ok: false, refusal: { status: httpStatus(code), code, detail, ...at } });

/** Base64 as bytes arrive: whole 3-byte groups are encoded at once, the remainder waits for the next chunk. */
class Base64Stream {
  private carry = Buffer.alloc(0);
  readonly out: Buffer[] = [];
  push(chunk: Buffer): void {
    const all = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = all.length - (all.length % 3);
    if (whole > 0) this.out.push(Buffer.from(all.subarray(0, whole).toString('base64'), 'latin1'));
    this.carry = Buffer.from(all.subarray(whole));
  }
  end(): Buffer[] {
    if (this.carry.length) this.out.push(Buffer.from(this.carry.toString('base64'), 'latin1'));
    this.carry = Buffer.alloc(0);
    return this.out;
  }
}

/** A browser's media type when it is one; else octet-stream (inspection judges the bytes, not this). */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
const mediaTypeOf = (m: string) => (MEDIA_TYPE.test(m.toLowerCase()) ? m.toLowerCase() : 'application/octet-stream');

/** What a file name may be in the request: the last path segment a browser sent, at most 255 characters. */
const baseName = (n: string) => [...(n.split(/[\\/]/).pop() ?? '')].slice(0, 255).join('');

function mapPluginError(e: unknown, current: { field?: string; fileName?: string }): ReadResult {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE': return refuse('FERRY_ERR_API_TOO_LARGE', `file exceeds ${MULTIPART_LIMITS.maxFileBytes} bytes`, current);
    case 'FST_FILES_LIMIT': return refuse('FERRY_ERR_API_FIELD', `attachments: at most ${MULTIPART_LIMITS.maxFiles} files`);
    case 'FST_FIELDS_LIMIT': case 'FST_PARTS_LIMIT': return refuse('FERRY_ERR_API_FIELD', `(form): at most ${MULTIPART_LIMITS.maxFields} fields`);
    case 'FST_PROTO_VIOLATION': return refuse('FERRY_ERR_API_FIELD', '(form): a field name is not allowed');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': return refuse('FERRY_ERR_API_MEDIA_TYPE', 'the form must be posted as multipart/form-data');
    default: return refuse('FERRY_ERR_API_FIELD', '(form): the multipart body is malformed or was cut off');
  }
}

export interface ReadOptions {
  /** The JSON request's limit (the API's body limit): base64 makes 4 bytes of every 3 uploaded. */
  maxRequestBytes: number;
  /** Runs once, when the first file starts (or at the end when none is sent), on the text fields read
   *  so far: a cheap check (the case secret) that refuses before any file is read. */
  beforeFiles?: (fields: ReadonlyMap<string, string>) => FormRefusal | null;
}

/** Reads a multipart form: fields, and files encoded as they stream. Empty file inputs are skipped. */
export async function readMultipart(req: FastifyRequest, o: ReadOptions): Promise<ReadResult> {
  if (!req.isMultipart()) return refuse('FERRY_ERR_API_MEDIA_TYPE', 'the form must be posted as multipart/form-data');
  const declared = Number(req.headers['content-length']);
  // Base64 and the JSON around it: the upload can be at most 3/4 of the request it becomes.
  const maxUpload = Math.floor(o.maxRequestBytes * 3 / 4);
  if (Number.isFinite(declared) && declared > maxUpload) return refuse('FERRY_ERR_API_TOO_LARGE', `the form exceeds ${maxUpload} bytes`);
  const fields = new Map<string, string>();
  const files: FormFile[] = [];
  let total = 0;
  let checked = false;
  const early = (): ReadResult | null => {
    if (checked) return null;
    checked = true;
    const r = o.beforeFiles?.(fields) ?? null;
    return r ? { ok: false, refusal: r } : null;
  };
  const current: { field?: string; fileName?: string } = {};
  try {
    const parts: AsyncIterable<Multipart> = req.parts({
      defCharset: 'utf8',
      limits: {
        fields: MULTIPART_LIMITS.maxFields, fieldSize: MULTIPART_LIMITS.maxFieldBytes, fieldNameSize: MULTIPART_LIMITS.maxFieldNameBytes,
        files: MULTIPART_LIMITS.maxFiles, fileSize: MULTIPART_LIMITS.maxFileBytes, parts: MULTIPART_LIMITS.maxFields + MULTIPART_LIMITS.maxFiles,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) return refuse('FERRY_ERR_API_FIELD', `${part.fieldname.slice(0, 64)}: is too long`, { field: part.fieldname });
        if (typeof part.value === 'string' && !fields.has(part.fieldname)) fields.set(part.fieldname, part.value);
        continue;
      }
      const fileName = baseName(part.filename ?? '');
      if (fileName === '') { for await (const _ of part.file) { /* an input left empty: drain it */ } continue; }
      const stop = early();
      if (stop) { part.file.resume(); return stop; }
      current.field = part.fieldname; current.fileName = fileName;
      const enc = new Base64Stream();
      let bytes = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        total += chunk.length;
        if (total > maxUpload) return refuse('FERRY_ERR_API_TOO_LARGE', `the files together exceed ${maxUpload} bytes`, current);
        enc.push(chunk);
      }
      if (bytes === 0) return refuse('FERRY_ERR_API_BAD_ATTACHMENT', 'the file is empty', current);
      files.push({ field: part.fieldname, fileName, mediaType: mediaTypeOf(part.mimetype), encoded: enc.end(), bytes });
    }
  } catch (e) {
    return mapPluginError(e, current);
  }
  return early() ?? { ok: true, value: { fields, files } };
}
