// The applicant's later actions on a case (POST /api/v1/cases/:caseId/actions): supplement the
// materials a one-time notice asked for, withdraw, confirm a tolerated material was supplied, or rate
// the closed case once. Checked at ingress and again inside, like a submission. Pure.
import { fail, type Verdict } from '../errors.js';
import { attachment, echoableKey, isRecord, parseJsonBody, text, SUBMISSION_LIMITS, type Attachment } from './submission-shape.js';

export type ApplicantAction =
  | { type: 'supplement'; materials: string[]; reason: string | null; attachments: Attachment[] }
  | { type: 'withdraw'; reason: string | null }
  // One material per action, as the approval core's command has it (src/approval/command.ts): each
  // tolerated material was accepted against its own commitment date and is supplied on its own.
  | { type: 'supply-committed'; materialId: string; attachments: Attachment[] }
  | { type: 'evaluate'; score: number; comment: string | null };

export const MATERIAL_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const bad = (field: string, why: string) => fail('FERRY_ERR_API_FIELD', `${field}: ${why}`);

/** The packet kind each action travels as (the policy decides per kind). */
export function actionKind(a: ApplicantAction): 'supplement' | 'evaluation' {
  return a.type === 'evaluate' ? 'evaluation' : 'supplement';
}

export function parseApplicantAction(raw: Uint8Array): Verdict<ApplicantAction> {
  const parsed = parseJsonBody(raw);
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  if (!isRecord(doc)) return bad('(body)', 'must be a JSON object');
  const allowed: Record<string, string[]> = {
    supplement: ['type', 'materials', 'reason', 'attachments'],
    withdraw: ['type', 'reason'],
    'supply-committed': ['type', 'materialId', 'attachments'],
    evaluate: ['type', 'score', 'comment'],
  };
  const type = doc.type;
  if (typeof type !== 'string' || !(type in allowed)) return bad('type', `must be one of ${Object.keys(allowed).join(', ')}`);
  for (const k of Object.keys(doc)) if (!allowed[type]!.includes(k)) return bad(echoableKey(k), 'is not a known field for this action');

  if (type === 'evaluate') {
    if (typeof doc.score !== 'number' || !Number.isInteger(doc.score) || doc.score < 1 || doc.score > 5) return bad('score', 'must be an integer 1..5');
    const c = text(doc.comment, 'comment', 1000, false);
    if (!c.ok) return c;
    return { ok: true, value: { type, score: doc.score, comment: c.value } };
  }
  if (type === 'withdraw') {
    const r = text(doc.reason, 'reason', 1000, false);
    if (!r.ok) return r;
    return { ok: true, value: { type, reason: r.value } };
  }
  const committed = type === 'supply-committed';
  const materials: string[] = [];
  if (committed) {
    if (typeof doc.materialId !== 'string' || !MATERIAL_ID.test(doc.materialId)) return bad('materialId', 'must be the id of the material committed at acceptance');
    materials.push(doc.materialId);
  } else {
    if (!Array.isArray(doc.materials) || doc.materials.length === 0 || doc.materials.length > 64) return bad('materials', 'must list 1..64 material ids');
    for (const [i, m] of doc.materials.entries()) {
      if (typeof m !== 'string' || !MATERIAL_ID.test(m)) return bad(`materials[${i}]`, 'is not a material id');
      materials.push(m);
    }
  }
  const attachments: Attachment[] = [];
  if (doc.attachments !== undefined) {
    if (!Array.isArray(doc.attachments) || doc.attachments.length > SUBMISSION_LIMITS.maxAttachments) return bad('attachments', `must be a list of at most ${SUBMISSION_LIMITS.maxAttachments}`);
    for (let i = 0; i < doc.attachments.length; i++) {
      const a = attachment(doc.attachments[i], `attachments[${i}]`);
      if (!a.ok) return a;
      attachments.push(a.value);
    }
  }
  if (committed) {
    // A file sent with a committed material is that material's, or no material's.
    const other = attachments.findIndex((a) => a.materialId !== null && a.materialId !== materials[0]);
    if (other >= 0) return bad(`attachments[${other}].materialId`, 'must be the materialId of this action');
    return { ok: true, value: { type: 'supply-committed', materialId: materials[0]!, attachments } };
  }
  const r = text(doc.reason, 'reason', 1000, false);
  if (!r.ok) return r;
  return { ok: true, value: { type: 'supplement', materials, reason: r.value, attachments } };
}
