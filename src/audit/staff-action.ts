// How an intranet staff action becomes an audit entry: one mapping, used by the running gateway (staff
// API, supervision monitor) and by the CLI desk commands, so both write the same entry for the same act.
import type { AuditInput } from './chain.js';

/** The desk's audit callback: (what happened, to which id, ids and codes). */
export type StaffAuditFn = (action: string, subject: string, detail: Readonly<Record<string, unknown>>) => void;

/** The entry for a desk action (without time and actor, which the writer supplies). */
export function staffActionEntry(action: string, subject: string, detail: Readonly<Record<string, unknown>>): Pick<AuditInput, 'action' | 'subject' | 'detail'> {
  return { action: 'staff.action', subject, detail: { action, ...detail } };
}
