// The whole check of an applicant's submission, shared by the external gateway's ingress and the
// internal gateway's re-check (which trusts nothing the outside decided): shape, every attachment's
// content from its bytes, then the domain policy's rule. Pure apart from async content sniffing.
import type { Verdict, FerryErrorCode } from '../errors.js';
import { inspectAttachment } from './content/index.js';
import { decide } from './decide.js';
import type { Policy } from './policy-model.js';
import { parseSubmission, type Submission } from './submission-shape.js';

export interface SubmissionVerdictOk { submission: Submission; rule: string; types: string[] }
export type SubmissionCheck = Verdict<SubmissionVerdictOk> & { rule?: string };

export async function checkSubmission(policy: Policy, from: string, to: string, raw: Buffer, kind = 'submission'): Promise<SubmissionCheck> {
  const shape = parseSubmission(raw);
  if (!shape.ok) return shape;
  const sub = shape.value;
  const types: string[] = [];
  for (let i = 0; i < sub.attachments.length; i++) {
    const a = sub.attachments[i]!;
    const v = await inspectAttachment({ fileName: a.fileName, declaredMediaType: a.mediaType, bytes: a.bytes });
    if (!v.ok) return { ok: false, code: v.code, detail: `attachments[${i}] (${JSON.stringify(a.fileName.slice(0, 80))}): ${v.detail}`, rule: 'content' };
    types.push(v.value.type);
  }
  const d = decide(policy, {
    from, to, kind, bytes: raw.length, itemCode: sub.itemCode,
    attachments: sub.attachments.map((a, i) => ({ type: types[i], bytes: a.bytes.length })),
  });
  if (!d.allow) return { ok: false, code: d.code as FerryErrorCode, detail: `rule ${d.rule}: ${d.detail}`, rule: d.rule };
  return { ok: true, value: { submission: sub, rule: d.rule, types } };
}
