// The whole check of an applicant's submission, shared by the external gateway's ingress and the
// internal gateway's re-check (which trusts nothing the outside decided): shape, every attachment's
// content from its bytes, then the domain policy's rule. Pure apart from async content sniffing.
import type { Verdict, FerryErrorCode } from '../errors.js';
import { inspectAttachment } from './content/index.js';
import { decide } from './decide.js';
import type { Policy } from './policy-model.js';
import { parseSubmission, type Attachment, type Submission } from './submission-shape.js';
import { actionKind, parseApplicantAction, type ApplicantAction } from './applicant-action.js';

export interface SubmissionVerdictOk { submission: Submission; rule: string; types: string[] }
export type SubmissionCheck = Verdict<SubmissionVerdictOk> & { rule?: string };

export async function checkSubmission(policy: Policy, from: string, to: string, raw: Buffer, kind = 'submission'): Promise<SubmissionCheck> {
  const shape = parseSubmission(raw);
  if (!shape.ok) return shape;
  const sub = shape.value;
  const inspected = await inspectAll(sub.attachments);
  if (!inspected.ok) return inspected;
  const types = inspected.value;
  const d = decide(policy, {
    from, to, kind, bytes: raw.length, itemCode: sub.itemCode,
    attachments: sub.attachments.map((a, i) => ({ type: types[i], bytes: a.bytes.length })),
  });
  if (!d.allow) return { ok: false, code: d.code as FerryErrorCode, detail: `rule ${d.rule}: ${d.detail}`, rule: d.rule };
  return { ok: true, value: { submission: sub, rule: d.rule, types } };
}

/** Every attachment's type from its bytes; the first refusal names the attachment. */
async function inspectAll(attachments: readonly Attachment[]): Promise<Verdict<string[]> & { rule?: string }> {
  const types: string[] = [];
  for (let i = 0; i < attachments.length; i++) {
    const a = attachments[i]!;
    const v = await inspectAttachment({ fileName: a.fileName, declaredMediaType: a.mediaType, bytes: a.bytes });
    // Named by position, not by file name: a file name is the applicant's data (e.g. 王清河身份证.pdf).
    if (!v.ok) return { ok: false, code: v.code, detail: `attachments[${i}]: ${v.detail}`, rule: 'content' };
    types.push(v.value.type);
  }
  return { ok: true, value: types };
}

export type ActionCheck = (Verdict<{ action: ApplicantAction; kind: 'supplement' | 'evaluation'; rule: string }>) & { rule?: string };

/** An applicant's later action on a case: shape, attachments, and the rule for its kind. */
export async function checkAction(policy: Policy, from: string, to: string, raw: Buffer, kind?: string): Promise<ActionCheck> {
  const shape = parseApplicantAction(raw);
  if (!shape.ok) return shape;
  const a = shape.value;
  const k = actionKind(a);
  if (kind !== undefined && kind !== k) return { ok: false, code: 'FERRY_ERR_POLICY_KIND', detail: `a ${a.type} travels as ${k}, not ${kind}`, rule: 'shape' };
  const files = 'attachments' in a ? a.attachments : [];
  const inspected = await inspectAll(files);
  if (!inspected.ok) return inspected;
  const d = decide(policy, { from, to, kind: k, bytes: raw.length, attachments: files.map((f, i) => ({ type: inspected.value[i], bytes: f.bytes.length })) });
  if (!d.allow) return { ok: false, code: d.code as FerryErrorCode, detail: `rule ${d.rule}: ${d.detail}`, rule: d.rule };
  return { ok: true, value: { action: a, kind: k, rule: d.rule } };
}
