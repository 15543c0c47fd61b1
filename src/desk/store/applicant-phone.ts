// The desk's one read of an applicant's personal data for the gateway: the phone number an SMS notification
// goes to. It lives in case_submissions (approval-store.ts), the only table that holds personal data;
// this names the read, so the notifier never writes SQL against that table itself.
import type { Db } from '../../store/db.js';

/** The applicant's phone for a case, or null (no such case, or the applicant gave none). */
export function applicantPhone(db: Db): (caseId: string) => string | null {
  const stmt = db.prepare('SELECT applicant FROM case_submissions WHERE case_id = ?').pluck();
  return (caseId) => {
    const a = stmt.get(caseId) as string | undefined;
    return a ? (JSON.parse(a) as { phone?: string }).phone ?? null : null;
  };
}
