// The desk's public surface: the intranet approval service the internal gateway hosts around the pure
// approval core. See README "Approval desk" for the wiring.

export { createApprovalDesk, APPLICANT_COMMANDS, type ApprovalDesk, type DeskDeps, type ApplicantOptions } from './approval-desk.js';
export { STATUS_TEXT, monthOf, type BoardRow, type CaseView, type ClockView, type DeskViews, type QueueQuery, type QueueRow } from './desk-views.js';
export { attachmentMeta, applicantId, incomingFromPacket, type ApplicantData, type AttachmentMeta, type IncomingSubmission } from './submission.js';
export { createStaffAuth, checkPassword, MIN_PASSWORD_CHARS, type NewStaff, type Session, type StaffAuth, type StaffAuthDeps, type StaffInfo } from './staff-auth.js';
export { STAFF_ROLES, PERMISSIONS, CORE_ROLE, may, mayReadCase, type Permission, type StaffIdentity, type StaffRole } from './roles.js';
export { registerStaffApi, type StaffApiDeps } from './staff-api.js';
export { startSupervisionMonitor, runSupervisionPass, type PassResult, type SupervisionDeps, type SupervisionMonitor } from './supervision-monitor.js';
export {
  deskConfigSchema, deskSettings, DEFAULT_DESK_CONFIG, DEFAULT_SCRYPT,
  type DeskConfig, type DeskSettings, type ScryptParams,
} from './settings.js';
export type { AuditFn } from './case-record.js';
export { APPROVAL_SQL, ApprovalStore } from './store/approval-store.js';
