// Every default a gateway config fills in is one of the named constants of its area (each with its
// reason beside it), never a literal in the schema: a config with only the required keys loads to
// exactly those constants.
import { describe, expect, it } from 'vitest';
import { externalSchema, internalSchema } from '../../src/config/gateway-config.js';
import { DEFAULT_APPROVAL_SECTION } from '../../src/config/approval-section.js';
import * as A from '../../src/config/approval-section.js';
import { DEFAULT_LOG_LEVEL, DEFAULT_MAX_OUTBOX, DEFAULT_NOTIFY, DEFAULT_TSA_ACCURACY_MS, DEFAULT_TSA_SERIAL_BLOCK } from '../../src/config/defaults.js';
import * as L from '../../src/link/limits.js';
import { DEFAULT_TIME_CONFIG } from '../../src/time/limits.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/seal/limits.js';
import { DEFAULT_MAX_REJECTED } from '../../src/store/rejected-packets.js';
import { APPLICANT_LIMITS, INTRANET_LIMITS, LINK_LIMITS } from '../../src/net/connection-guard.js';
import { DEFAULT_ANCHOR_INTERVAL_MS } from '../../src/audit/limits.js';
import { DEFAULT_REFUSAL_WINDOW_MS } from '../../src/audit/refusal-summary.js';
import { DEFAULT_MIN_FREE_BYTES, DEFAULT_MIN_FREE_PERCENT, DEFAULT_STORAGE_CHECK_SECONDS } from '../../src/gateway/storage-watch.js';
import { DEFAULT_LINK_GRACE_SECONDS, DEFAULT_OPERATOR_HOST, DEFAULT_OPERATOR_PORT } from '../../src/gateway/operator-limits.js';
import * as I from '../../src/gateway/inspect-limits.js';
import { DEFAULT_SUPERVISION_SETTINGS } from '../../src/approval/settings.js';
import { DEFAULT_SCRYPT, deskSettings } from '../../src/desk/settings.js';

const tls = { cert: 'c.crt', key: 'c.key' };
const common = {
  dataDir: 'var', keys: { ca: 'a', signCert: 'b', signKey: 'c', encCert: 'd', encKey: 'e' },
  peer: { encCert: 'f', signerSubjects: ['s'] }, domains: { self: 'public', peer: 'intranet' }, policy: 'p.yaml',
};
const external = externalSchema({
  ...common, gateway: 'external', api: { host: '127.0.0.1', port: 1, tls }, link: { host: '127.0.0.1', port: 2, tls, peer: { subjects: ['p'] } },
}, '');
const internal = internalSchema({
  ...common, gateway: 'internal', link: { url: 'wss://h:1/link', tls, peer: { subjects: ['p'] } },
  intranet: { host: '127.0.0.1', port: 3, tls }, tsa: { cert: 't', key: 'k', policyOid: '2.25.1' },
}, '');

const INSPECT = {
  workers: I.DEFAULT_INSPECT_WORKERS, maxQueue: I.DEFAULT_INSPECT_QUEUE, deadlineMs: I.DEFAULT_INSPECT_DEADLINE_MS,
  requestInflateBytes: I.DEFAULT_REQUEST_INFLATE_BUDGET_BYTES, busyRetryAfterSeconds: I.DEFAULT_BUSY_RETRY_AFTER_S,
};
const TIME = { ...DEFAULT_TIME_CONFIG, sources: [], whenUntrusted: 'hold' };

describe('config defaults are the named constants', () => {
  it('link: window, heartbeat, dead-after, path (external) and backoff (internal) from link/limits.ts', () => {
    const tuning = { window: L.DEFAULT_WINDOW, heartbeatMs: L.DEFAULT_HEARTBEAT_MS, deadAfterMs: L.DEFAULT_DEAD_AFTER_MS };
    expect(external.link).toMatchObject({ ...tuning, path: L.DEFAULT_LINK_PATH, limits: LINK_LIMITS });
    expect(internal.link).toMatchObject({ ...tuning, backoffBaseMs: L.DEFAULT_BACKOFF_BASE_MS, backoffCapMs: L.DEFAULT_BACKOFF_CAP_MS });
  });

  it('time: every key from DEFAULT_TIME_CONFIG (time/limits.ts), no sources, hold', () => {
    expect(external.time).toEqual(TIME);
    expect(internal.time).toEqual(TIME);
  });

  it('inspect, operator, audit, storage, log, rejected rows: their areas\' constants', () => {
    for (const [cfg, role] of [[external, 'external'], [internal, 'internal']] as const) {
      expect(cfg.inspect).toEqual(INSPECT);
      expect(cfg.operator).toEqual({ host: DEFAULT_OPERATOR_HOST, port: DEFAULT_OPERATOR_PORT[role], tls: null, linkGraceSeconds: DEFAULT_LINK_GRACE_SECONDS });
      expect(cfg.audit).toEqual({ anchorIntervalMs: DEFAULT_ANCHOR_INTERVAL_MS, refusalWindowSeconds: DEFAULT_REFUSAL_WINDOW_MS / 1000 });
      expect(cfg.storage).toEqual({ minFreeBytes: DEFAULT_MIN_FREE_BYTES, minFreePercent: DEFAULT_MIN_FREE_PERCENT, checkIntervalSeconds: DEFAULT_STORAGE_CHECK_SECONDS });
      expect(cfg.log).toEqual({ level: DEFAULT_LOG_LEVEL });
      expect(cfg.maxRejected).toBe(DEFAULT_MAX_REJECTED);
      expect(cfg.allowRoot).toBe(false);
    }
  });

  it('external api: body limit from seal/limits.ts, outbox, applicant connection limits', () => {
    expect(external.api).toMatchObject({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES, maxOutbox: DEFAULT_MAX_OUTBOX, limits: APPLICANT_LIMITS });
  });

  it('internal: intranet limits, TSA, notify, outbox, approval block', () => {
    expect(internal.intranet).toMatchObject({ clientCerts: 'optional', limits: INTRANET_LIMITS });
    expect(internal.tsa).toMatchObject({ accuracyMs: DEFAULT_TSA_ACCURACY_MS, serialBlock: DEFAULT_TSA_SERIAL_BLOCK, anchorPolicyOid: '' });
    expect(internal.notify).toEqual(DEFAULT_NOTIFY);
    expect(internal.maxOutbox).toBe(DEFAULT_MAX_OUTBOX);
    expect(internal.approval).toEqual(DEFAULT_APPROVAL_SECTION);
    expect(internal.approval).toMatchObject({
      items: './items', calendar: './calendar', monitorIntervalSeconds: A.DEFAULT_MONITOR_INTERVAL_SECONDS, boardLimit: A.DEFAULT_BOARD_LIMIT,
      staff: {
        sessionHours: A.DEFAULT_SESSION_HOURS, idleMinutes: A.DEFAULT_IDLE_MINUTES, maxFailedLogins: A.DEFAULT_MAX_FAILED_LOGINS,
        lockMinutes: A.DEFAULT_LOCK_MINUTES, sourceMaxFailures: A.DEFAULT_SOURCE_MAX_FAILURES, sourceWindowMinutes: A.DEFAULT_SOURCE_WINDOW_MINUTES,
      },
    });
  });

  it('the desk derives its settings from the block: absent supervision keys take the approval core\'s defaults', () => {
    const s = deskSettings(internal.approval);
    expect(s.supervision).toEqual(DEFAULT_SUPERVISION_SETTINGS);
    expect(s).toMatchObject({ sessionTtlMs: A.DEFAULT_SESSION_HOURS * 3_600_000, lockoutMs: A.DEFAULT_LOCK_MINUTES * 60_000, scrypt: DEFAULT_SCRYPT });
    const half = internalSchema({ ...internal, approval: { supervision: { yellowShare: 0.5 } } }, '');
    expect(deskSettings(half.approval).supervision).toEqual({ ...DEFAULT_SUPERVISION_SETTINGS, yellowShare: 0.5 });
  });

  it('the validated config\'s mappings are frozen', () => {
    expect(Object.isFrozen(internal)).toBe(true);
    expect(Object.isFrozen(internal.link)).toBe(true);
    expect(Object.isFrozen(internal.approval.staff)).toBe(true);
  });
});
