// The desk's settings: the typed, frozen values the desk receives, derived from the validated
// `approval:` block of internal.yaml (declared in src/config/approval-section.ts with the defaults of
// its keys), plus the desk's own fixed limits that no config key sets.

import { supervisionSettings, type SupervisionSettings } from '../approval/index.js';
import { DEFAULT_APPROVAL_SECTION, approvalSectionSchema, type ApprovalSection } from '../config/approval-section.js';


/** Rows a work queue returns: more than any one window handles in a day. */
export const DEFAULT_QUEUE_LIMIT = 500;
/** Cards a supervision listing returns at most. */
export const DEFAULT_CARD_LIMIT = 1000;

/** scrypt (RFC 7914) cost. N = 2^15, r = 8, p = 1 takes 32 MiB and, measured on this 2-core machine
 *  (Node 20, median of 5), ~200–240 ms per hash (N = 2^14: ~100–125 ms). Logins are rare; the higher
 *  cost is worth it. Parameters are stored per user, so raising them re-hashes at the next login. */
export const DEFAULT_SCRYPT = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLen: 32 });
export type ScryptParams = { readonly N: number; readonly r: number; readonly p: number; readonly keyLen: number };

export interface DeskSettings {
  readonly supervision: SupervisionSettings;
  readonly sessionTtlMs: number;
  readonly sessionIdleMs: number;
  readonly maxFailedLogins: number;
  readonly lockoutMs: number;
  readonly sourceMaxFailures: number;
  readonly sourceWindowMs: number;
  readonly scrypt: ScryptParams;
  readonly boardLimit: number;
  readonly queueLimit: number;
  readonly cardLimit: number;
  readonly monitorIntervalMs: number;
}

/** internal.yaml → approval, validated (the name the desk has always used for it). */
export type DeskConfig = ApprovalSection;
export const deskConfigSchema = approvalSectionSchema;
export const DEFAULT_DESK_CONFIG: DeskConfig = DEFAULT_APPROVAL_SECTION;

export function deskSettings(cfg: DeskConfig = DEFAULT_DESK_CONFIG, over: Partial<DeskSettings> = {}): DeskSettings {
  return Object.freeze({
    supervision: supervisionSettings(cfg.supervision),
    sessionTtlMs: cfg.staff.sessionHours * 3_600_000,
    sessionIdleMs: cfg.staff.idleMinutes * 60_000,
    maxFailedLogins: cfg.staff.maxFailedLogins,
    lockoutMs: cfg.staff.lockMinutes * 60_000,
    sourceMaxFailures: cfg.staff.sourceMaxFailures,
    sourceWindowMs: cfg.staff.sourceWindowMinutes * 60_000,
    scrypt: DEFAULT_SCRYPT,
    boardLimit: cfg.boardLimit,
    queueLimit: DEFAULT_QUEUE_LIMIT,
    cardLimit: DEFAULT_CARD_LIMIT,
    monitorIntervalMs: cfg.monitorIntervalSeconds * 1000,
    ...over,
  });
}
