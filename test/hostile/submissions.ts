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

/** Form values that satisfy each sample item's field schema (config/items), so that only the hostile
 *  part of a row is what the gateway refuses. */
export const VALID_FIELDS: Record<string, Record<string, unknown>> = {
  'SCJG-001': {
    companyName: '清河茶业有限公司', companyType: '有限责任公司', registeredCapital: 100, legalRepresentative: '王清河',
    legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
  },
  'FGW-002': { projectName: '清河茶厂扩建项目', site: '清河镇', scale: '新增厂房2000平方米', totalInvestment: 500, industry: '制造业', plannedStart: '2027-03-01' },
};

export function submission(s: SubmissionSpec = {}): string {
  const itemCode = s.itemCode ?? 'SCJG-001';
  return JSON.stringify({
    itemCode,
    applicant: { type: 'enterprise', name: 'Qinghe Tea Co.', idNumber: s.idNumber ?? freshId(), phone: '+86 571 8888 0000', ...s.applicant },
    fields: s.fields ?? VALID_FIELDS[itemCode] ?? {},
    attachments: (s.attachments ?? [{ fileName: 'charter.pdf', bytes: makePdf() }]).map(attachment),
    ...s.extra,
  });
}

/** A submission carrying one file. */
export const withFile = (fileName: string, bytes: Buffer, mediaType?: string, itemCode?: string): string =>
  submission({ itemCode, attachments: [{ fileName, bytes, ...(mediaType ? { mediaType } : {}) }] });
