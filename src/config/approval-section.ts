// The `approval:` block of internal.yaml (the desk and the supervision monitor on the intranet), with
// the named defaults of its keys. Declared here, below the desk, so that config depends on no desk or
// approval code: the desk derives its typed settings from this validated block (desk/settings.ts).

import { filePath, int, num, obj, opt, type Infer } from './schema.js';

/** A staff session lives one working day at most (8 h), then the officer logs in again. */
export const DEFAULT_SESSION_HOURS = 8;
/** Idle timeout: GB/T 22239-2019 (等保 2.0) §8.1.4.1 b) asks that an idle session end automatically;
 *  30 minutes lets an officer take a phone call without being logged out, not leave for lunch. */
export const DEFAULT_IDLE_MINUTES = 30;
/** Failed logins before the account is locked (等保 2.0 §8.1.4.1 b: limit illegal login attempts). */
export const DEFAULT_MAX_FAILED_LOGINS = 5;
export const DEFAULT_LOCK_MINUTES = 15;
/** Failed logins from one address, over all accounts, before it is throttled (429 + Retry-After):
 *  four officers sharing a desk PC who each mistype a few times stay well under it; a script trying
 *  one password on every account of the centre does not. */
export const DEFAULT_SOURCE_MAX_FAILURES = 20;
export const DEFAULT_SOURCE_WINDOW_MINUTES = 15;
/** Rows on the hall's public board: an LED wall shows a few dozen; a web page pages through 200. */
export const DEFAULT_BOARD_LIMIT = 200;
/** Supervision monitor pass interval: cards are found to the day, a minute is prompt enough. */
export const DEFAULT_MONITOR_INTERVAL_SECONDS = 60;

const STAFF_DEFAULTS = Object.freeze({
  sessionHours: DEFAULT_SESSION_HOURS, idleMinutes: DEFAULT_IDLE_MINUTES,
  maxFailedLogins: DEFAULT_MAX_FAILED_LOGINS, lockMinutes: DEFAULT_LOCK_MINUTES,
  sourceMaxFailures: DEFAULT_SOURCE_MAX_FAILURES, sourceWindowMinutes: DEFAULT_SOURCE_WINDOW_MINUTES,
});

/** approval.supervision: the ranges are checked here; an absent key stays absent and takes the
 *  approval core's own default (approval/settings.ts: the legal reasons live with the rule). */
export const supervisionSectionSchema = obj({
  yellowShare: opt<number | undefined>(num({ min: 0.01, max: 0.99 }), undefined),
  acceptanceDecisionDays: opt<number | undefined>(int({ min: 1, max: 60 }), undefined),
});
export type SupervisionSection = Infer<typeof supervisionSectionSchema>;

/** The `approval:` block of internal.yaml. Every key optional; unknown keys are errors. */
export const approvalSectionSchema = obj({
  // Beside internal.yaml by default (resolved against the config file's directory).
  items: filePath('./items'),
  calendar: filePath('./calendar'),
  supervision: opt(supervisionSectionSchema, supervisionSectionSchema({}, 'supervision')),
  staff: opt(obj({
    sessionHours: opt(int({ min: 1, max: 24 }), DEFAULT_SESSION_HOURS),
    idleMinutes: opt(int({ min: 1, max: 480 }), DEFAULT_IDLE_MINUTES),
    maxFailedLogins: opt(int({ min: 1, max: 100 }), DEFAULT_MAX_FAILED_LOGINS),
    lockMinutes: opt(int({ min: 1, max: 1440 }), DEFAULT_LOCK_MINUTES),
    sourceMaxFailures: opt(int({ min: 1, max: 10_000 }), DEFAULT_SOURCE_MAX_FAILURES),
    sourceWindowMinutes: opt(int({ min: 1, max: 1440 }), DEFAULT_SOURCE_WINDOW_MINUTES),
  }), STAFF_DEFAULTS),
  monitorIntervalSeconds: opt(int({ min: 1, max: 3600 }), DEFAULT_MONITOR_INTERVAL_SECONDS),
  boardLimit: opt(int({ min: 1, max: 5000 }), DEFAULT_BOARD_LIMIT),
});

export type ApprovalSection = Infer<typeof approvalSectionSchema>;

/** The block with every default (for an internal.yaml without `approval:`). */
export const DEFAULT_APPROVAL_SECTION: ApprovalSection = approvalSectionSchema({}, 'approval');
