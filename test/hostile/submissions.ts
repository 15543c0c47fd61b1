// Applicant request bodies for the hostile tables: a valid submission with exactly one thing changed,
// so each row shows what it attacks. Attachment bytes come from the content samples' builders.
import { makePdf } from '../policy-content/samples.js';

export interface FileSpec { fileName: string; mediaType?: string; bytes: Buffer }

export interface SubmissionSpec {
  itemCode?: string;
  idNumber?: string;
  applicant?: Record<string, unknown>;
  fields?: Record<string, unknown>;
  attachments?: FileSpec[];
  /** Extra top-level keys, written after the known ones. */
  extra?: Record<string, unknown>;
}

const MEDIA: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', ofd: 'application/ofd' };

/** Media type a browser would send for the name (the checker compares it with the bytes, never trusts it). */
export function mediaFor(fileName: string): string {
  return MEDIA[fileName.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

export function attachment(f: FileSpec): Record<string, unknown> {
  return { fileName: f.fileName, mediaType: f.mediaType ?? mediaFor(f.fileName), contentBase64: f.bytes.toString('base64') };
}

let serial = 0;
/** A fresh applicant id number for each body, so rate limits only bite where a row wants them to. */
export function freshId(): string {
  return `330100${String(++serial).padStart(8, '0')}`;
}

export function submission(s: SubmissionSpec = {}): string {
  return JSON.stringify({
    itemCode: s.itemCode ?? 'BL-001',
    applicant: { type: 'enterprise', name: 'Qinghe Tea Co.', idNumber: s.idNumber ?? freshId(), phone: '+86 571 8888 0000', ...s.applicant },
    fields: s.fields ?? { capital: 100000, scope: 'tea processing' },
    attachments: (s.attachments ?? [{ fileName: 'charter.pdf', bytes: makePdf() }]).map(attachment),
    ...s.extra,
  });
}

/** A submission carrying one file. */
export const withFile = (fileName: string, bytes: Buffer, mediaType?: string, itemCode?: string): string =>
  submission({ itemCode, attachments: [{ fileName, bytes, ...(mediaType ? { mediaType } : {}) }] });
