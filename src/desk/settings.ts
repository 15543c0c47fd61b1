// The desk's settings: named defaults, the config block the internal gateway's file carries
// (internal.yaml → approval:), and its conversion to the typed, frozen settings the desk receives.

import { parseSupervisionSettings, DEFAULT_SUPERVISION_SETTINGS, type SupervisionSettings } from '../approval/index.js';
import { isFerryError } from '../errors.js';
import { filePath, int, obj, opt, SchemaError, type Check, type Infer } from '../config/schema.js';

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
/** Rows a work queue returns: more than any one window handles in a day. */
export const DEFAULT_QUEUE_LIMIT = 500;
/** Cards a supervision listing returns at most. */
export const DEFAULT_CARD_LIMIT = 1000;
/** Supervision monitor pass interval: cards are found to the day, a minute is prompt enough. */
export const DEFAULT_MONITOR_INTERVAL_SECONDS = 60;

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

const supervisionCheck: Check<SupervisionSettings> = (v, path) => {
  try {
    return parseSupervisionSettings(v, 'approval config');
  } catch (e) {
    if (isFerryError(e)) throw new SchemaError(path, e.message);
    throw e;
  }
};

const STAFF_DEFAULTS = Object.freeze({
  sessionHours: DEFAULT_SESSION_HOURS, idleMinutes: DEFAULT_IDLE_MINUTES,
  maxFailedLogins: DEFAULT_MAX_FAILED_LOGINS, lockMinutes: DEFAULT_LOCK_MINUTES,
  sourceMaxFailures: DEFAULT_SOURCE_MAX_FAILURES, sourceWindowMinutes: DEFAULT_SOURCE_WINDOW_MINUTES,
});

/** The `approval:` block of internal.yaml. Every key optional; unknown keys are errors. */
export const deskConfigSchema = obj({
  // Beside internal.yaml by default (resolved against the config file's directory).
  items: filePath('./items'),
  calendar: filePath('./calendar'),
  supervision: opt(supervisionCheck, DEFAULT_SUPERVISION_SETTINGS),
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

export type DeskConfig = Infer<typeof deskConfigSchema>;

/** The block with every default (for an internal.yaml without `approval:`). */
export const DEFAULT_DESK_CONFIG: DeskConfig = deskConfigSchema({}, 'approval');

export function deskSettings(cfg: DeskConfig = DEFAULT_DESK_CONFIG, over: Partial<DeskSettings> = {}): DeskSettings {
  return Object.freeze({
    supervision: cfg.supervision,
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

