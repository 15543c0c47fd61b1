// Evaluation (终端评议): "one case, one evaluation; every case evaluated; handling and evaluating kept
// apart" (一事一评、每事必评、办评分开). Only the case's applicant rates, only once the case has ended,
// and only once — staff can never rate their own work.

import { fail, type Verdict } from '../errors.js';
import { ENDED_STATES, type Actor, type CaseState, type Evaluation } from './case-state.js';

/** Longest comment kept, in characters. */
export const MAX_COMMENT_CHARS = 500;

export interface EvaluationInput {
  readonly score: number;
  readonly comment?: string;
}

/** Record the applicant's rating. `ctx.now` is the trusted time (the month it counts in). */
export function evaluate(
  c: CaseState, input: EvaluationInput, ctx: { readonly now: Date; readonly actor: Actor },
): Verdict<{ next: CaseState; evaluation: Evaluation }> {
  const { actor, now } = ctx;
  if (actor.role !== 'applicant' || actor.id !== c.applicantId) {
    return fail('FERRY_ERR_APPROVAL_ROLE', 'only the applicant of this case may evaluate it');
  }
  if (!ENDED_STATES.includes(c.state)) return fail('FERRY_ERR_APPROVAL_NOT_ENDED', `the case is '${c.state}'; it can be evaluated once it has ended`);
  if (c.evaluation) return fail('FERRY_ERR_APPROVAL_EVALUATED', `the case was evaluated at ${c.evaluation.at}`);
  const { score, comment = '' } = input;
  if (!Number.isInteger(score) || score < 1 || score > 5) return fail('FERRY_ERR_APPROVAL_COMMAND', 'score must be a whole number from 1 to 5');
  if (typeof comment !== 'string' || [...comment].length > MAX_COMMENT_CHARS) {
    return fail('FERRY_ERR_APPROVAL_COMMAND', `comment must be text of at most ${MAX_COMMENT_CHARS} characters`);
  }
  if (Number.isNaN(now.getTime())) return fail('FERRY_ERR_APPROVAL_CLOCK', 'the trusted time is not a valid date');
  const at = now.toISOString();
  const last = c.history.at(-1)?.at;
  if (last !== undefined && at < last) return fail('FERRY_ERR_APPROVAL_CLOCK', `trusted time ${at} is before the case ended at ${last}`);
  const evaluation: Evaluation = { caseId: c.caseId, score: score as Evaluation['score'], comment, at };
  return { ok: true, value: { next: { ...c, evaluation }, evaluation } };
}
