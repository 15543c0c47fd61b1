// The applicant's case secret in tests: it comes once, in the 202 answer to a submission, and every
// later read or action on the case must carry it. Tests that follow cases by number keep them here.
import type { HttpResult } from './https-client.js';

export const CASE_SECRET_HEADER = 'x-ferry-case-secret';

export function secretHeader(secret: string): Record<string, string> {
  return { [CASE_SECRET_HEADER]: secret };
}

/** Case number → secret, filled from 202 answers. */
export class CaseSecrets {
  private readonly byCase = new Map<string, string>();

  /** Records the secret of an accepted submission; returns the answer for chaining. */
  keep(r: HttpResult): HttpResult {
    if (r.status === 202 && typeof r.json?.caseId === 'string' && typeof r.json?.secret === 'string') this.byCase.set(r.json.caseId, r.json.secret);
    return r;
  }

  secret(caseId: string): string {
    const s = this.byCase.get(caseId);
    if (s === undefined) throw new Error(`no secret kept for ${caseId}`);
    return s;
  }

  header(caseId: string): Record<string, string> {
    return secretHeader(this.secret(caseId));
  }
}
