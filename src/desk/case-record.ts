// Reading a stored case back into the core's CaseState, and the small pieces the desk's writers and
// readers share. A stored state that no longer parses is an environment fault (a hand-edited row or a
// schema change without a migration), so it throws rather than returning a verdict.

import type { CaseState, OutboundEvent } from '../approval/index.js';
import { FerryError } from '../errors.js';
import type { CaseRow } from './store/approval-store.js';

export type AuditFn = (action: string, subject: string, detail: Readonly<Record<string, unknown>>) => void;
export const noAudit: AuditFn = () => {};

export function stateOf(row: CaseRow): CaseState {
  let s: unknown;
  try {
    s = JSON.parse(row.state);
  } catch (e) {
    throw new FerryError('FERRY_ERR_DESK_STORE', `approval_cases ${row.caseId}: stored state is not JSON`, { cause: e });
  }
  const c = s as CaseState;
  if (c?.schema !== 1 || c.caseId !== row.caseId) {
    throw new FerryError('FERRY_ERR_DESK_STORE', `approval_cases ${row.caseId}: stored state has schema ${String(c?.schema)} or another case id`);
  }
  return c;
}

export function eventOf(payload: string): OutboundEvent {
  return JSON.parse(payload) as OutboundEvent;
}

/** The involved departments' codes: lead first, then parallel. */
export function departmentsOf(c: CaseState): string[] {
  return [c.item.leadDepartment.code, ...c.item.parallelDepartments.map((d) => d.code)];
}

/** When the case clock stopped: the decision, or a withdrawal (as in the core's supervision). */
export function stoppedAt(c: CaseState): string | undefined {
  return c.decision?.at ?? c.history.find((e) => e.event === 'withdraw')?.at;
}
