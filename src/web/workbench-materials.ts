// A case material's bytes for download. The intranet keeps the exact request bytes the applicant
// filed (intranet_cases.request_body, the delivery evidence), so the originals (attachments of
// history entry 0) are read back from there and handed out only if their SHA-256 still matches the
// desk's record of what inspection passed. Supplements are inspected and recorded by metadata only;
// their bytes are not held here, and the page says so rather than offering a link that cannot work.
import { createHash } from 'node:crypto';
import { fail, type Verdict } from '../errors.js';
import { parseSubmission } from '../policy/submission-shape.js';
import type { CaseView } from '../desk/desk-views.js';

type AttachmentRow = CaseView['submission']['attachments'][number];

export interface MaterialFile { readonly fileName: string; readonly mediaType: string; readonly bytes: Buffer }

/** The attachment numbers of a case whose bytes can be served. */
export function heldAttachments(rows: readonly AttachmentRow[], hasRequest: boolean): Set<number> {
  return new Set(hasRequest ? rows.filter((r) => r.seq === 0).map((r) => r.n) : []);
}

export function materialFile(rows: readonly AttachmentRow[], n: number, requestBody: Buffer | null): Verdict<MaterialFile> {
  const none = fail('FERRY_ERR_DESK_NO_MATERIAL', `no material ${n} held for this case`);
  const row = rows.find((r) => r.n === n);
  if (!row || row.seq !== 0 || !requestBody) return none;
  const sub = parseSubmission(requestBody);
  if (!sub.ok) return none;
  // The filed attachments were numbered 0.. in request order when the case was received.
  const a = sub.value.attachments[row.n];
  if (!a || createHash('sha256').update(a.bytes).digest('hex') !== row.sha256) return none;
  // The desk's media type is the one inspection accepted (declared, and matched by content).
  return { ok: true, value: { fileName: row.fileName, mediaType: row.mediaType, bytes: a.bytes } };
}

/** RFC 6266 §4.1 + RFC 8187: an ASCII fallback name and the UTF-8 name, both safe in a header. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_').slice(0, 100) || 'material';
  const utf8 = encodeURIComponent(fileName.slice(0, 200)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
