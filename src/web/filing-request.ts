// A web form, read by src/external/multipart-ingress.ts, becomes the very JSON request a machine client
// would POST (the API's shape: src/policy/submission-shape.ts, src/policy/applicant-action.ts), so
// the pipeline checks, seals and time-stamps one format whichever way it came. The text parts are
// JSON-encoded here; each file's base64 was made as it streamed in and is spliced in place, so the
// request is assembled with one copy. Built the same way from the same form, the bytes are the same:
// a double-submitted form repeats its Idempotency-Key over identical bytes and gets the first answer.
import type { FormFile, ReadForm } from '../external/multipart-ingress.js';
import type { FormField, PublishedItem } from '../published/item.js';

/** Input names the pages use (and read back here). */
export const FORM = {
  applicant: ['type', 'name', 'idNumber', 'phone', 'email'] as const,
  field: (name: string) => `fields.${name}`,
  material: (id: string) => `material.${id}`,
  idempotency: 'idem',
  secret: 'secret',
} as const;

/** Which file each `attachments[i]` of the request is: a refusal naming attachments[2] is shown next
 *  to that file's input, with its name. */
export interface BuiltRequest { body: Buffer; files: readonly { field: string; fileName: string }[] }

const MATERIAL_FIELD = /^material\.([a-z0-9][a-z0-9-]{0,63})$/;

/** A form's text as the API's JSON value for its field type. A number that does not read as one stays
 *  text, so the API's own check names it ("must be a number"); an empty input is left out ("is required"). */
function valueFor(f: FormField, raw: string): string | number | undefined {
  if (raw === '') return undefined;
  if (f.type === 'number') {
    const t = raw.trim();
    return /^-?\d+(\.\d+)?$/.test(t) && t.length <= 20 ? Number(t) : raw;
  }
  return raw;
}

function assemble(head: Record<string, unknown>, files: readonly FormFile[], materialOf: (f: FormFile) => string | null): BuiltRequest {
  const pieces: Buffer[] = [Buffer.from(JSON.stringify(head).slice(0, -1), 'utf8')];
  if (files.length) {
    pieces.push(Buffer.from(`${Object.keys(head).length ? ',' : ''}"attachments":[`, 'latin1'));
    files.forEach((f, i) => {
      const meta = JSON.stringify({ fileName: f.fileName, mediaType: f.mediaType, materialId: materialOf(f) });
      pieces.push(Buffer.from(`${i ? ',' : ''}${meta.slice(0, -1)},"contentBase64":"`, 'utf8'), ...f.encoded, Buffer.from('"}', 'latin1'));
    });
    pieces.push(Buffer.from(']', 'latin1'));
  }
  pieces.push(Buffer.from('}', 'latin1'));
  return { body: Buffer.concat(pieces), files: files.map((f) => ({ field: f.field, fileName: f.fileName })) };
}

const materialId = (f: FormFile) => MATERIAL_FIELD.exec(f.field)?.[1] ?? null;

/** POST /file/:itemId → the body of POST /api/v1/submissions. */
export function submissionRequest(item: PublishedItem, form: ReadForm): BuiltRequest {
  const get = (k: string) => form.fields.get(k) ?? '';
  const applicant: Record<string, unknown> = {};
  for (const k of FORM.applicant) {
    const v = get(`applicant.${k}`);
    if (v !== '') applicant[k] = v;
  }
  const fields: Record<string, unknown> = {};
  for (const f of item.form) {
    const v = valueFor(f, get(FORM.field(f.name)));
    if (v !== undefined) fields[f.name] = v;
  }
  // Only files for the item's materials travel; an input the page did not render is not a material.
  const known = new Set(item.materials.map((m) => m.id));
  const files = form.files.filter((f) => known.has(materialId(f) ?? ''));
  return assemble({ itemCode: item.code, applicant, fields }, files, materialId);
}

export type PageAction = 'supplement' | 'withdraw' | 'evaluate';

/** The case page's forms → the body of POST /api/v1/cases/:caseId/actions. */
export function actionRequest(type: PageAction, form: ReadForm): BuiltRequest {
  const get = (k: string) => form.fields.get(k) ?? '';
  const reason = get('reason').trim();
  if (type === 'withdraw') return assemble({ type, ...(reason ? { reason } : {}) }, [], materialId);
  if (type === 'evaluate') {
    const n = get('score');
    const comment = get('comment').trim();
    return assemble({ type, score: /^[0-9]$/.test(n) ? Number(n) : n, ...(comment ? { comment } : {}) }, [], materialId);
  }
  const files = form.files.filter((f) => materialId(f) !== null);
  const materials = [...new Set(files.map((f) => materialId(f)!))];
  return assemble({ type, materials, ...(reason ? { reason } : {}) }, files, materialId);
}
