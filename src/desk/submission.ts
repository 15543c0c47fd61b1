// What the internal gateway hands the desk for a new case, and its translation into the core's
// Submission. The personal data (the applicant block) is split off here: the case state, history,
// log lines and outbound events name the applicant only by a pseudonymous id.

import { createHash } from 'node:crypto';
import type { Submission as CoreSubmission } from '../approval/index.js';
import { fail, type Verdict } from '../errors.js';
import { SUBMISSION_LIMITS } from '../policy/submission-shape.js';

export interface ApplicantData {
  readonly type: 'person' | 'enterprise';
  readonly name: string;
  readonly idNumber: string;
  readonly phone: string;
  readonly email: string | null;
}

/** What the desk keeps of an attachment: the bytes stay with the packet the gateway stored. */
export interface AttachmentMeta {
  readonly fileName: string;
  readonly mediaType: string;
  readonly materialId: string | null;
  readonly size: number;
  /** Hex SHA-256 of the decoded bytes. */
  readonly sha256: string;
}

export interface IncomingSubmission {
  /** Assigned by the external gateway (F<yyyymmdd>-<16 base32>); unique. */
  readonly caseId: string;
  readonly itemCode: string;
  readonly submission: {
    readonly applicant: ApplicantData;
    readonly fields: Readonly<Record<string, string | number | boolean>>;
    readonly attachments: readonly AttachmentMeta[];
    /** A designated major project asks for the green channel (绿色通道). */
    readonly greenChannel?: boolean;
  };
  /** The trusted time the intranet committed the packet (the case's receipt time). */
  readonly receivedAt: Date;
  /** 'township': filed at a township service centre for the applicant (延伸式). */
  readonly channel: 'public' | 'township';
  readonly township?: string;
}

/** The metadata of a decoded attachment (src/policy/submission-shape.ts Attachment). */
export function attachmentMeta(a: { fileName: string; mediaType: string; materialId: string | null; bytes: Uint8Array }): AttachmentMeta {
  return {
    fileName: a.fileName, mediaType: a.mediaType, materialId: a.materialId, size: a.bytes.byteLength,
    sha256: createHash('sha256').update(a.bytes).digest('hex'),
  };
}

/** The hand-over for a submission packet the gateway has opened and re-checked with
 *  src/policy/submission-shape.ts (whose Attachment carries the decoded bytes). */
export function incomingFromPacket(
  caseId: string,
  sub: { itemCode: string; applicant: ApplicantData; fields: Readonly<Record<string, string | number | boolean>>; attachments: readonly { fileName: string; mediaType: string; materialId: string | null; bytes: Uint8Array }[] },
  receivedAt: Date,
  via: { channel: 'public' } | { channel: 'township'; township: string } = { channel: 'public' },
): IncomingSubmission {
  return {
    caseId, itemCode: sub.itemCode, receivedAt, ...via,
    submission: { applicant: sub.applicant, fields: sub.fields, attachments: sub.attachments.map(attachmentMeta) },
  };
}

/** A stable pseudonym for the applicant: the same person or enterprise always gets the same id, and
 *  the id reveals neither name nor id number. Salted by type so a person and a company never collide. */
export function applicantId(a: Pick<ApplicantData, 'type' | 'idNumber'>): string {
  return `app-${createHash('sha256').update(`ferry-applicant\0${a.type}\0${a.idNumber.toUpperCase()}`).digest('hex').slice(0, 20)}`;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_TOWNSHIP = 100;

const text = (v: unknown, max: number) => typeof v === 'string' && v !== '' && v.length <= max;

/** Check attachment metadata; the limits are the ingress limits (src/policy/submission-shape.ts). */
export function checkAttachments(list: unknown, where: string): Verdict<AttachmentMeta[]> {
  if (!Array.isArray(list)) return fail('FERRY_ERR_DESK_SUBMISSION', `${where}: must be a list`);
  if (list.length > SUBMISSION_LIMITS.maxAttachments) return fail('FERRY_ERR_DESK_SUBMISSION', `${where}: at most ${SUBMISSION_LIMITS.maxAttachments} attachments`);
  for (const [i, a] of list.entries()) {
    const w = `${where}[${i}]`;
    if (typeof a !== 'object' || a === null) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}: must be an object`);
    const m = a as Record<string, unknown>;
    if (!text(m['fileName'], 255)) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}.fileName: 1–255 characters`);
    if (!text(m['mediaType'], 128)) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}.mediaType: 1–128 characters`);
    if (m['materialId'] !== null && !text(m['materialId'], 64)) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}.materialId: a material id or null`);
    if (typeof m['size'] !== 'number' || !Number.isSafeInteger(m['size']) || m['size'] < 0) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}.size: must be a byte count`);
    if (typeof m['sha256'] !== 'string' || !SHA256_HEX.test(m['sha256'])) return fail('FERRY_ERR_DESK_SUBMISSION', `${w}.sha256: must be 64 lower-case hex digits`);
  }
  return { ok: true, value: list as AttachmentMeta[] };
}

/** Material ids the attachments provide, each once, in first-seen order (a material may span files). */
export function materialsOf(list: readonly AttachmentMeta[]): string[] {
  return [...new Set(list.flatMap((a) => (a.materialId ? [a.materialId] : [])))];
}

/** Check the gateway's hand-over and build the core's submission. */
export function toCoreSubmission(s: IncomingSubmission): Verdict<{ core: CoreSubmission; attachments: AttachmentMeta[] }> {
  if (s.channel !== 'public' && s.channel !== 'township') return fail('FERRY_ERR_DESK_SUBMISSION', 'channel: must be public or township');
  if (s.channel === 'township') {
    if (typeof s.township !== 'string' || s.township.trim() === '' || [...s.township].length > MAX_TOWNSHIP) {
      return fail('FERRY_ERR_DESK_SUBMISSION', `township: a township-channel case names its service centre (1–${MAX_TOWNSHIP} characters)`);
    }
  } else if (s.township !== undefined) {
    return fail('FERRY_ERR_DESK_SUBMISSION', 'township: only a township-channel case names a service centre');
  }
  if (!(s.receivedAt instanceof Date) || Number.isNaN(s.receivedAt.getTime())) return fail('FERRY_ERR_DESK_SUBMISSION', 'receivedAt: must be a valid time');
  const a = s.submission?.applicant;
  if (!a || (a.type !== 'person' && a.type !== 'enterprise') || typeof a.idNumber !== 'string' || a.idNumber === '') {
    return fail('FERRY_ERR_DESK_SUBMISSION', 'submission.applicant: type and idNumber are required');
  }
  const att = checkAttachments(s.submission.attachments, 'submission.attachments');
  if (!att.ok) return att;
  return {
    ok: true,
    value: {
      core: {
        caseId: s.caseId,
        applicantId: applicantId(a),
        form: s.submission.fields,
        materials: materialsOf(att.value),
        ...(s.submission.greenChannel === true ? { greenChannel: true } : {}),
      },
      attachments: att.value,
    },
  };
}
