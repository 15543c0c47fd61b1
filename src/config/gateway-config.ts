// The two gateways' config schemas. Paths in the files are relative to the working directory the
// service runs in (the install directory; `npm start` runs from the project root).
import { bool, int, list, obj, oneOf, opt, str, type Infer } from './schema.js';
import { DEFAULT_WINDOW } from '../link/limits.js';
import { DEFAULT_TIME_CONFIG } from '../time/limits.js';
import { deskConfigSchema, DEFAULT_DESK_CONFIG } from '../desk/settings.js';
import {
  DEFAULT_BUSY_RETRY_AFTER_S, DEFAULT_INSPECT_DEADLINE_MS, DEFAULT_INSPECT_QUEUE, DEFAULT_INSPECT_WORKERS, DEFAULT_REQUEST_INFLATE_BUDGET_BYTES,
} from '../gateway/inspect-limits.js';

const file = () => str({ min: 1 });
const port = () => int({ min: 0, max: 65535 });
const pin = obj({ subjects: list(str({ min: 1 }), { min: 1 }), sha256: opt(list(str({ pattern: /^[0-9A-Fa-f:]{64,95}$/ })), []) });
const ownKeys = obj({ ca: file(), signCert: file(), signKey: file(), encCert: file(), encKey: file() });
const peerKeys = obj({
  encCert: file(),
  signerSubjects: list(str({ min: 1 }), { min: 1 }),
  signerSha256: opt(list(str({ pattern: /^[0-9A-Fa-f:]{64,95}$/ })), []),
});
const tlsFiles = obj({ cert: file(), key: file() });
const logCfg = opt(obj({ level: opt(oneOf('debug', 'info', 'warn', 'error'), 'info') }), { level: 'info' as const });
const domains = obj({ self: str({ min: 1 }), peer: str({ min: 1 }) });
// The trusted clock: checked in full by src/time/time-config.ts (resolveTimeConfig) at start.
const ntpSource = obj({ name: opt(str({ min: 1 }), ''), host: str({ min: 1 }), port: int({ min: 1, max: 65535 }) });
const T = DEFAULT_TIME_CONFIG;
const timeObj = obj({
  sources: opt(list(ntpSource), []),
  quorum: opt(int({ min: 1 }), T.quorum),
  toleranceMs: opt(int({ min: 0 }), T.toleranceMs),
  maxOffsetMs: opt(int({ min: 1 }), T.maxOffsetMs),
  hardLimitMs: opt(int({ min: 1 }), T.hardLimitMs),
  maxDistanceMs: opt(int({ min: 1 }), T.maxDistanceMs),
  pollIntervalMs: opt(int({ min: 10 }), T.pollIntervalMs),
  timeoutMs: opt(int({ min: 10 }), T.timeoutMs),
  /** 'hold' stops stamping while time is untrusted (production); 'warn' stamps anyway (demo only). */
  whenUntrusted: opt(oneOf('hold', 'warn'), 'hold'),
});
const timeCfg = opt(timeObj, timeObj({}, 'time'));
const linkTuning = {
  window: opt(int({ min: 1, max: 4096 }), DEFAULT_WINDOW),
  heartbeatMs: opt(int({ min: 100, max: 600_000 }), 5_000),
  deadAfterMs: opt(int({ min: 300, max: 3_600_000 }), 15_000),
};

// The attachment inspection pool (src/gateway/inspect-pool.ts, defaults and their reasons in
// src/gateway/inspect-limits.ts): the external gateway inspects on ingress, the internal one again
// in its re-check.
const inspectObj = obj({
  workers: opt(int({ min: 1, max: 256 }), DEFAULT_INSPECT_WORKERS),
  maxQueue: opt(int({ min: 0, max: 10_000 }), DEFAULT_INSPECT_QUEUE),
  deadlineMs: opt(int({ min: 100, max: 600_000 }), DEFAULT_INSPECT_DEADLINE_MS),
  requestInflateBytes: opt(int({ min: 1024 * 1024, max: 4 * 1024 * 1024 * 1024 }), DEFAULT_REQUEST_INFLATE_BUDGET_BYTES),
  busyRetryAfterSeconds: opt(int({ min: 1, max: 3600 }), DEFAULT_BUSY_RETRY_AFTER_S),
});
const inspectCfg = opt(inspectObj, inspectObj({}, 'inspect'));

/** Keys both gateways have: their own keys, the peer's, domains, policy, time, logging, inspection. */
const common = { keys: ownKeys, peer: peerKeys, domains, policy: file(), time: timeCfg, log: logCfg, inspect: inspectCfg };

export const externalSchema = obj({
  gateway: oneOf('external'),
  dataDir: file(),
  allowRoot: opt(bool(), false),
  api: obj({
    host: str({ min: 1 }),
    port: port(),
    tls: tlsFiles,
    maxBodyBytes: opt(int({ min: 1024, max: 48 * 1024 * 1024 }), 48 * 1024 * 1024),
    maxOutbox: opt(int({ min: 1 }), 100_000),
  }),
  link: obj({ host: str({ min: 1 }), port: port(), path: opt(str({ pattern: /^\// }), '/link'), tls: tlsFiles, peer: pin, ...linkTuning }),
  ...common,
});

export const internalSchema = obj({
  gateway: oneOf('internal'),
  dataDir: file(),
  allowRoot: opt(bool(), false),
  link: obj({
    url: str({ pattern: /^wss:\/\// }), tls: tlsFiles, peer: pin, ...linkTuning,
    backoffBaseMs: opt(int({ min: 10 }), 250), backoffCapMs: opt(int({ min: 100 }), 30_000),
  }),
  intranet: obj({ host: str({ min: 1 }), port: port() }),
  tsa: obj({
    cert: file(), key: file(),
    /** Every token is issued under this policy. 2.25.<UUID> arcs need no registration (ITU-T X.667). */
    policyOid: str({ pattern: /^[0-2](\.(0|[1-9][0-9]*))+$/ }),
    // Under a second, genTime carries milliseconds: a whole-second genTime truncates and can read as
    // earlier than the moment the applicant submitted.
    accuracyMs: opt(int({ min: 1, max: 60_000 }), 100),
    serialBlock: opt(int({ min: 1, max: 100_000 }), 100),
  }),
  approval: opt(deskConfigSchema, DEFAULT_DESK_CONFIG),
  /** The SMS gateway's webhook on the intranet ("" = notifications queue up but are not sent). */
  notify: opt(obj({
    url: opt(str({ pattern: /^(https?:\/\/.+)?$/ }), ''),
    timeoutMs: opt(int({ min: 100, max: 60_000 }), 5_000),
    maxAttempts: opt(int({ min: 1, max: 1000 }), 50),
    backoffBaseMs: opt(int({ min: 10 }), 1_000),
    backoffCapMs: opt(int({ min: 100 }), 3_600_000),
  }), { url: '', timeoutMs: 5_000, maxAttempts: 50, backoffBaseMs: 1_000, backoffCapMs: 3_600_000 }),
  maxOutbox: opt(int({ min: 1 }), 100_000),
  ...common,
});

export type ExternalConfig = Infer<typeof externalSchema>;
export type InternalConfig = Infer<typeof internalSchema>;
