// The whole check of an applicant's request (a submission, or a later action on a case), shared by the
// external gateway's ingress and the internal gateway's re-check (which trusts nothing the outside
// decided). It comes in three steps so that callers can run the heavy ones off the event loop
// (src/gateway/inspect-pool.ts) and the cheap ones first:
//   1. parseRequest   — JSON, shape, base64 (bytes in, parsed request out);
//   2. inspectAll     — every attachment's content from its bytes, one decode budget for the request;
//   3. decideRequest  — the domain policy's rule and its limits, with the types step 2 found.
// checkSubmission / checkAction run all three in the calling thread (tools, fuzz tests, the worker).
import type { Verdict, FerryErrorCode } from '../errors.js';
import { inspectAttachment, DEFAULT_CONTENT_LIMITS, DEFAULT_ALLOWED_TYPES, type DecodeBudget } from './content/index.js';
import { decide } from './decide.js';
import type { Policy } from './policy-model.js';
import { parseSubmission, type Attachment, type Submission } from './submission-shape.js';
import { actionKind, parseApplicantAction, type ApplicantAction } from './applicant-action.js';

export interface SubmissionVerdictOk { submission: Submission; rule: string; types: string[] }
export type SubmissionCheck = Verdict<SubmissionVerdictOk> & { rule?: string };

/** Bytes the inspector may still inflate for the whole request, shared by all its attachments (the
 *  inspector subtracts what it inflates and refuses past zero with FERRY_ERR_CONTENT_BUDGET). */
export type RequestDecodeBudget = DecodeBudget;

export type RequestKind = 'submission' | 'action';
export type ParsedRequest =
  | { kind: 'submission'; submission: Submission }
  | { kind: 'action'; action: ApplicantAction };

type Refusal = { ok: false; code: FerryErrorCode; detail: string; rule?: string };

/** Step 1: the request's JSON and shape, attachments decoded from base64. */
export function parseRequest(kind: RequestKind, raw: Uint8Array): Verdict<ParsedRequest> {
  if (kind === 'submission') {
    const s = parseSubmission(raw);
    return s.ok ? { ok: true, value: { kind, submission: s.value } } : s;
  }
  const a = parseApplicantAction(raw);
  return a.ok ? { ok: true, value: { kind, action: a.value } } : a;
}

export function attachmentsOf(p: ParsedRequest): Attachment[] {
  if (p.kind === 'submission') return p.submission.attachments;
  return 'attachments' in p.action ? p.action.attachments : [];
}


/** Step 2: every attachment's type from its bytes, in order, sharing one budget; the first refusal
 *  names the attachment. `before(i)` is told which attachment is about to be inspected. */
export async function inspectAll(
  attachments: readonly Attachment[], budget?: RequestDecodeBudget, before?: (index: number, fileName: string) => void,
): Promise<Verdict<string[]> & { rule?: string }> {
  const types: string[] = [];
  for (let i = 0; i < attachments.length; i++) {
    const a = attachments[i]!;
    before?.(i, a.fileName);
    const v = await inspectAttachment({ fileName: a.fileName, declaredMediaType: a.mediaType, bytes: a.bytes }, DEFAULT_CONTENT_LIMITS, DEFAULT_ALLOWED_TYPES, budget);
    if (!v.ok) return { ok: false, code: v.code, detail: `${attachmentLabel(i)}: ${v.detail}`, rule: 'content' };
    types.push(v.value.type);
  }
  return { ok: true, value: types };
}

/** How a refusal names an attachment: by position, not by file name — a file name is the applicant's
 *  data (e.g. 王清河身份证.pdf) and refusals reach logs and the audit chain. */
export function attachmentLabel(index: number): string {
  return `attachments[${index}]`;
}

export type ActionCheckOk = { action: ApplicantAction; kind: 'supplement' | 'evaluation'; rule: string };
export type ActionCheck = (Verdict<ActionCheckOk>) & { rule?: string };

/** The action's packet kind, and — inside, where the packet says which kind it travels as — that the
 *  two agree. Cheap: run it before inspection. */
export function actionKindCheck(a: ApplicantAction, kind?: string): Verdict<'supplement' | 'evaluation'> & { rule?: string } {
  const k = actionKind(a);
  if (kind !== undefined && kind !== k) return { ok: false, code: 'FERRY_ERR_POLICY_KIND', detail: `a ${a.type} travels as ${k}, not ${kind}`, rule: 'shape' };
  return { ok: true, value: k };
}

/** Step 3 for a submission: the rule, its size and attachment limits, with the inspected types. */
export function decideSubmission(policy: Policy, from: string, to: string, rawBytes: number, sub: Submission, types: readonly string[], kind = 'submission'): SubmissionCheck {
  const d = decide(policy, {
    from, to, kind, bytes: rawBytes, itemCode: sub.itemCode,
    attachments: sub.attachments.map((a, i) => ({ type: types[i], bytes: a.bytes.length })),
  });
  if (!d.allow) return { ok: false, code: d.code, detail: `rule ${d.rule}: ${d.detail}`, rule: d.rule };
  return { ok: true, value: { submission: sub, rule: d.rule, types: [...types] } };
}

/** Step 3 for an action. */
export function decideAction(policy: Policy, from: string, to: string, rawBytes: number, a: ApplicantAction, types: readonly string[], kind?: string): ActionCheck {
  const k = actionKindCheck(a, kind);
  if (!k.ok) return k;
  const files = 'attachments' in a ? a.attachments : [];
  const d = decide(policy, { from, to, kind: k.value, bytes: rawBytes, attachments: files.map((f, i) => ({ type: types[i], bytes: f.bytes.length })) });
  if (!d.allow) return { ok: false, code: d.code, detail: `rule ${d.rule}: ${d.detail}`, rule: d.rule };
  return { ok: true, value: { action: a, kind: k.value, rule: d.rule } };
}

/** All three steps in this thread. */
export async function checkSubmission(policy: Policy, from: string, to: string, raw: Buffer, kind = 'submission', budget?: RequestDecodeBudget): Promise<SubmissionCheck> {
  const shape = parseSubmission(raw);
  if (!shape.ok) return shape;
  const inspected = await inspectAll(shape.value.attachments, budget);
  if (!inspected.ok) return inspected;
  return decideSubmission(policy, from, to, raw.length, shape.value, inspected.value, kind);
}

/** An applicant's later action on a case: shape, kind, attachments, and the rule for its kind. */
export async function checkAction(policy: Policy, from: string, to: string, raw: Buffer, kind?: string, budget?: RequestDecodeBudget): Promise<ActionCheck> {
  const shape = parseApplicantAction(raw);
  if (!shape.ok) return shape;
  const k = actionKindCheck(shape.value, kind);
  if (!k.ok) return k;
  const inspected = await inspectAll('attachments' in shape.value ? shape.value.attachments : [], budget);
  if (!inspected.ok) return inspected as Refusal;
  return decideAction(policy, from, to, raw.length, shape.value, inspected.value, kind);
}
