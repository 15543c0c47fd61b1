// The gate in front of everything the applicant API tells or does about one case: the case number
// and the case secret together, or nothing. An unknown case, a wrong secret, a malformed secret and
// no secret at all get the same answer (status, code, body) after the same work (one lookup, one
// hash, one constant-time comparison), so the API cannot be used to learn which case numbers exist.
// Failures are counted per source address and per case; past the limit the request is refused with
// 429 before the lookup.
import type { IncomingHttpHeaders } from 'node:http';
import { errorBody, type ErrorBody } from './api-error.js';
import type { Logger } from '../gateway/logger.js';
import type { StatusCache } from './store/status-cache.js';
import { caseSecretMatches, MAX_PRESENTED_SECRET_CHARS } from './case-secret.js';
import type { SecretThrottle } from './secret-throttle.js';

/** The header an API client sends the secret in (or `Authorization: Bearer <secret>`). */
export const CASE_SECRET_HEADER = 'x-ferry-case-secret';
/** The field a web form POSTs the secret in (application/x-www-form-urlencoded), never a URL. */
export const CASE_SECRET_FIELD = 'secret';

export type CaseAccess =
  | { ok: true }
  | { ok: false; status: number; headers: Record<string, string>; body: ErrorBody };

const REFUSED: CaseAccess = Object.freeze({
  ok: false, status: 404, headers: {},
  body: errorBody('FERRY_ERR_API_CASE_ACCESS', 'no case matches this case number and case secret'),
});

/** The secret as presented: the header, a bearer token, or a form field; null when none is. */
export function presentedSecret(headers: IncomingHttpHeaders, formBody?: unknown): string | null {
  const h = headers[CASE_SECRET_HEADER];
  if (typeof h === 'string') return h.slice(0, MAX_PRESENTED_SECRET_CHARS + 1);
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim().slice(0, MAX_PRESENTED_SECRET_CHARS + 1);
  if (formBody !== null && typeof formBody === 'object' && !Buffer.isBuffer(formBody)) {
    const f = (formBody as Record<string, unknown>)[CASE_SECRET_FIELD];
    if (typeof f === 'string') return f.slice(0, MAX_PRESENTED_SECRET_CHARS + 1);
  }
  return null;
}

export interface CaseAccessDeps {
  status: StatusCache; throttle: SecretThrottle; log: Logger;
  /** The refusal budget (src/audit/refusal-summary.ts): false = counted, not logged again. */
  shouldLog?: (source: string, code: string) => boolean;
}

export function createCaseAccess(d: CaseAccessDeps) {
  return (caseId: string, presented: string | null, source: string): CaseAccess => {
    const wait = d.throttle.blocked(source, caseId);
    if (wait !== null) {
      if (d.shouldLog?.(source, 'FERRY_ERR_API_THROTTLED') ?? true) d.log.warn({ stage: 'access', case: caseId, ip: source, code: 'FERRY_ERR_API_THROTTLED' }, 'case access throttled');
      return {
        ok: false, status: 429, headers: { 'retry-after': String(wait) },
        body: errorBody('FERRY_ERR_API_THROTTLED', `too many wrong case secrets; retry after ${wait} s`),
      };
    }
    if (caseSecretMatches(caseId, presented, d.status.secretHash(caseId))) return { ok: true };
    d.throttle.failed(source, caseId);
    if (d.shouldLog?.(source, 'FERRY_ERR_API_CASE_ACCESS') ?? true) d.log.warn({ stage: 'access', case: caseId, ip: source, code: 'FERRY_ERR_API_CASE_ACCESS', presented: presented !== null }, 'case access refused');
    return REFUSED;
  };
}
