// Staff roles and what each may do, as one table (STYLE 11). A staff role is what an account holds;
// the approval core's transition table then decides which case steps that role may take.
//
//   window      一窗受理: accept, one-time notice, not-accept, issue the result, close (lead department)
//   officer     department officer, the A or B of its task (AB角): opinion for its own department
//   lead        首席代表 (the core's 'chief'): decides for the lead department
//   cashier     records the fee actually charged (一次收费)
//   supervisor  电子监察: reads everything, changes nothing
//   admin       manages staff accounts, nothing else
//
// Supervisor and admin are sole roles: a supervisor who could also handle cases would watch himself
// (办评分开 — handling and evaluating kept apart), and an admin who could act on cases could create an
// account to act as anyone.

import type { Role } from '../approval/index.js';

export const STAFF_ROLES = ['window', 'officer', 'lead', 'cashier', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The core role each case-handling staff role acts as. */
export const CORE_ROLE: Readonly<Partial<Record<StaffRole, Role>>> = Object.freeze({
  window: 'window', officer: 'officer', lead: 'chief', cashier: 'cashier',
});

export const SOLE_ROLES: readonly StaffRole[] = ['supervisor', 'admin'];

export type Permission =
  | 'case.read' | 'case.act' | 'queue.read'
  | 'supervision.read' | 'report.read' | 'staff.manage';

/** Who may do what. Anything not listed is refused with FERRY_ERR_DESK_FORBIDDEN. */
export const PERMISSIONS: Readonly<Record<Permission, readonly StaffRole[]>> = Object.freeze({
  'case.read': ['window', 'officer', 'lead', 'cashier', 'supervisor'],
  'queue.read': ['window', 'officer', 'lead', 'cashier', 'supervisor'],
  'case.act': ['window', 'officer', 'lead', 'cashier'],
  'supervision.read': ['supervisor'],
  'report.read': ['supervisor'],
  'staff.manage': ['admin'],
});

/** The authenticated staff member, as the desk and the API see them. */
export interface StaffIdentity {
  readonly id: string;
  readonly name: string;
  readonly department: string;
  readonly roles: readonly StaffRole[];
}

export function may(staff: StaffIdentity, p: Permission): boolean {
  return staff.roles.some((r) => PERMISSIONS[p].includes(r));
}

/** Core roles this staff member can act as, in the order of their account's roles. */
export function coreRoles(staff: StaffIdentity): Role[] {
  return staff.roles.flatMap((r) => {
    const c = CORE_ROLE[r];
    return c ? [c] : [];
  });
}

/** Can this staff member read a case whose involved departments are `departments`? Supervisors read
 *  every case; case handlers read the cases their department takes part in (lead or parallel), so a
 *  case is never handled out of sight at a second place (明进暗不进). */
export function mayReadCase(staff: StaffIdentity, departments: readonly string[]): boolean {
  if (staff.roles.includes('supervisor')) return true;
  return may(staff, 'case.read') && departments.includes(staff.department);
}

export function isStaffRole(v: unknown): v is StaffRole {
  return typeof v === 'string' && (STAFF_ROLES as readonly string[]).includes(v);
}
