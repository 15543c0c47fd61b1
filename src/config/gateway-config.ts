// The two gateways' config schemas. A relative path in a file is resolved against that file's own
// directory (filePath), never the working directory, so one file means the same under systemd, a shell
// in another directory and `npm start`.
import { bool, filePath, int, list, obj, oneOf, opt, optObj, str, SchemaError, type Check, type Infer } from './schema.js';
import { isLoopback } from './loopback.js';
import { approvalSectionSchema } from './approval-section.js';
import { DEFAULT_LOG_LEVEL, DEFAULT_MAX_OUTBOX, DEFAULT_NOTIFY, DEFAULT_TSA_ACCURACY_MS, DEFAULT_TSA_SERIAL_BLOCK } from './defaults.js';
import {
  DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, DEFAULT_DEAD_AFTER_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_LINK_PATH, DEFAULT_WINDOW,
} from '../link/limits.js';
import { timeSectionSchema } from '../time/time-config.js';
import { pkiSectionSchema } from './pki-section.js';
import { DEFAULT_REPLAY_RETENTION_HOURS, DEFAULT_REPLAY_RETENTION_MAX_BYTES } from '../store/outbox-retained.js';
import { DEFAULT_MAX_BODY_BYTES } from '../seal/limits.js';
import { DEFAULT_MAX_REJECTED } from '../store/rejected-packets.js';
import { DEFAULT_PREVIOUS_KEY_GRACE_DAYS } from '../seal/limits.js';
import { APPLICANT_LIMITS, INTRANET_LIMITS, LINK_LIMITS, type ConnectionLimits } from '../net/connection-guard.js';
import { DEFAULT_ANCHOR_INTERVAL_MS } from '../audit/limits.js';
import { DEFAULT_REFUSAL_WINDOW_MS } from '../audit/refusal-summary.js';
import { DEFAULT_LINK_GRACE_SECONDS, DEFAULT_OPERATOR_HOST, DEFAULT_OPERATOR_PORT } from '../gateway/operator-limits.js';
import {
  DEFAULT_BUSY_RETRY_AFTER_S, DEFAULT_INSPECT_DEADLINE_MS, DEFAULT_INSPECT_QUEUE, DEFAULT_INSPECT_WORKERS, DEFAULT_REQUEST_INFLATE_BUDGET_BYTES,
} from '../gateway/inspect-limits.js';
import { DEFAULT_MIN_FREE_BYTES, DEFAULT_MIN_FREE_PERCENT, DEFAULT_STORAGE_CHECK_SECONDS } from '../gateway/storage-watch.js';

const file = () => filePath();
const port = () => int({ min: 0, max: 65535 });
const pin = obj({ subjects: list(str({ min: 1 }), { min: 1 }), sha256: opt(list(str({ pattern: /^[0-9A-Fa-f:]{64,95}$/ })), []) });
const ownKeys = obj({
  ca: file(), signCert: file(), signKey: file(), encCert: file(), encKey: file(),
  /** Decryption key from before a rotation (default: encCert.prev / encKey.prev when both exist, as
   *  `ferry certs import` leaves them), accepted for previousGraceDays after the current cert's notBefore. */
  previous: opt<{ readonly encCert: string; readonly encKey: string } | null>(obj({ encCert: file(), encKey: file() }), null),
  previousGraceDays: opt(int({ min: 0, max: 366 }), DEFAULT_PREVIOUS_KEY_GRACE_DAYS),
});
const peerKeys = obj({
  encCert: file(),
  signerSubjects: list(str({ min: 1 }), { min: 1 }),
  signerSha256: opt(list(str({ pattern: /^[0-9A-Fa-f:]{64,95}$/ })), []),
});
const tlsFiles = obj({ cert: file(), key: file() });
const logLevel = opt(oneOf('debug', 'info', 'warn', 'error'), DEFAULT_LOG_LEVEL);
const logCfg = opt(obj({ level: logLevel }), { level: DEFAULT_LOG_LEVEL });
/** Per-listener connection caps and deadlines (net/connection-guard.ts); each key optional. */
function limitsSchema(d: ConnectionLimits) {
  const o = obj({
    maxPerAddress: opt(int({ min: 1, max: 100_000 }), d.maxPerAddress),
    maxTotal: opt(int({ min: 1, max: 1_000_000 }), d.maxTotal),
    handshakeTimeoutMs: opt(int({ min: 100, max: 120_000 }), d.handshakeTimeoutMs),
    headersTimeoutMs: opt(int({ min: 100, max: 120_000 }), d.headersTimeoutMs),
    keepAliveTimeoutMs: opt(int({ min: 100, max: 120_000 }), d.keepAliveTimeoutMs),
    idleTimeoutMs: opt(int({ min: 0, max: 3_600_000 }), d.idleTimeoutMs),
    minBodyBytesPerSecond: opt(int({ min: 1, max: 1 << 30 }), d.minBodyBytesPerSecond),
    rateWindowMs: opt(int({ min: 100, max: 600_000 }), d.rateWindowMs),
  });
  return opt(o, o({}, 'limits'));
}
const domains = obj({ self: str({ min: 1 }), peer: str({ min: 1 }) });
// The trusted clock's section is declared once, beside the clock (time/time-config.ts).
const timeCfg = opt(timeSectionSchema, timeSectionSchema({}, 'time'));
const linkTuning = {
  window: opt(int({ min: 1, max: 4096 }), DEFAULT_WINDOW),
  heartbeatMs: opt(int({ min: 100, max: 600_000 }), DEFAULT_HEARTBEAT_MS),
  deadAfterMs: opt(int({ min: 300, max: 3_600_000 }), DEFAULT_DEAD_AFTER_MS),
  /** Acknowledged packets kept for a peer restored from a backup (PROTOCOL.md §6 rule 13): at least an
   *  hour (a nightly backup needs a day), at most 90 days; and a byte cap, at least 1 MiB. */
  replayRetentionHours: opt(int({ min: 1, max: 90 * 24 }), DEFAULT_REPLAY_RETENTION_HOURS),
  replayRetentionMaxBytes: opt(int({ min: 1024 * 1024, max: 1024 ** 4 }), DEFAULT_REPLAY_RETENTION_MAX_BYTES),
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

/** The operator listener: /metrics and /health. Loopback by default; any other address needs TLS
 *  with client certificates from the deployment CA (checked by src/gateway/operator-http.ts). */
const operatorShape = obj({
  host: opt(str({ min: 1 }), DEFAULT_OPERATOR_HOST),
  port: port(),
  tls: opt<{ readonly cert: string; readonly key: string } | null>(tlsFiles, null),
  linkGraceSeconds: opt(int({ min: 1, max: 86_400 }), DEFAULT_LINK_GRACE_SECONDS),
});
const operatorObj: Check<Infer<typeof operatorShape>> = (v, p) => {
  const o = operatorShape(v, p);
  // Metrics and health name queues, certificates and peers: off the host they go over mutual TLS only.
  if (!isLoopback(o.host) && !o.tls) throw new SchemaError(`${p}.tls`, `is required when ${p}.host (${o.host}) is not a loopback address`);
  return o;
};
const operatorCfg = (role: keyof typeof DEFAULT_OPERATOR_PORT) =>
  opt(operatorObj, operatorObj({ port: DEFAULT_OPERATOR_PORT[role] }, 'operator'));

/** The audit chain: how often its head is anchored (signature, and RFC 3161 on the intranet). */
const auditObj = obj({
  anchorIntervalMs: opt(int({ min: 1000, max: 24 * 3_600_000 }), DEFAULT_ANCHOR_INTERVAL_MS),
  /** Refusals from one address with one code are written once per window, then counted (src/audit/refusal-summary.ts). */
  refusalWindowSeconds: opt(int({ min: 1, max: 3600 }), DEFAULT_REFUSAL_WINDOW_MS / 1000),
});
const auditCfg = opt(auditObj, auditObj({}, 'audit'));

/** Free space in dataDir below which intake stops and /health answers 503 (src/gateway/storage-watch.ts):
 *  the larger of minFreeBytes and minFreePercent of the filesystem, read every checkIntervalSeconds. */
const storageObj = obj({
  minFreeBytes: opt(int({ min: 0, max: 2 ** 50 }), DEFAULT_MIN_FREE_BYTES),
  minFreePercent: opt(int({ min: 0, max: 50 }), DEFAULT_MIN_FREE_PERCENT),
  checkIntervalSeconds: opt(int({ min: 1, max: 3600 }), DEFAULT_STORAGE_CHECK_SECONDS),
});
const storageCfg = opt(storageObj, storageObj({}, 'storage'));

/** Keys both gateways have: their own keys, the peer's, domains, policy, time, logging, audit, inspection. */
const common = {
  keys: ownKeys, peer: peerKeys, domains, policy: file(), time: timeCfg, pki: pkiSectionSchema, log: logCfg, audit: auditCfg, inspect: inspectCfg, storage: storageCfg,
  /** Rows of rejected_packets kept (digest + 4 KiB prefix each); past it the oldest go, counted. */
  maxRejected: opt(int({ min: 1, max: 10_000_000 }), DEFAULT_MAX_REJECTED),
};

export const externalSchema = obj({
  gateway: oneOf('external'),
  dataDir: file(),
  allowRoot: opt(bool(), false),
  api: obj({
    host: str({ min: 1 }),
    port: port(),
    tls: tlsFiles,
    maxBodyBytes: opt(int({ min: 1024, max: DEFAULT_MAX_BODY_BYTES }), DEFAULT_MAX_BODY_BYTES),
    maxOutbox: opt(int({ min: 1 }), DEFAULT_MAX_OUTBOX),
    limits: limitsSchema(APPLICANT_LIMITS),
  }),
  link: obj({
    host: str({ min: 1 }), port: port(), path: opt(str({ pattern: /^\// }), DEFAULT_LINK_PATH), tls: tlsFiles, peer: pin, ...linkTuning,
    limits: limitsSchema(LINK_LIMITS),
  }),
  operator: operatorCfg('external'),
  ...common,
});

export const internalSchema = obj({
  gateway: oneOf('internal'),
  dataDir: file(),
  allowRoot: opt(bool(), false),
  link: obj({
    url: str({ pattern: /^wss:\/\// }), tls: tlsFiles, peer: pin, ...linkTuning,
    backoffBaseMs: opt(int({ min: 10 }), DEFAULT_BACKOFF_BASE_MS), backoffCapMs: opt(int({ min: 100 }), DEFAULT_BACKOFF_CAP_MS),
  }),
  /** Health, TSA, staff API and board over HTTPS with the deployment CA's intranet-server certificate.
   *  clientCerts: off = none asked; optional = asked, and one that is presented must verify and carry
   *  the staff-client (or operator-client) role; required = the TLS handshake itself needs one. */
  intranet: obj({
    host: str({ min: 1 }), port: port(), tls: tlsFiles,
    clientCerts: opt(oneOf('off', 'optional', 'required'), 'optional'),
    limits: limitsSchema(INTRANET_LIMITS),
  }),
  tsa: obj({
    cert: file(), key: file(),
    /** Every token is issued under this policy. 2.25.<UUID> arcs need no registration (ITU-T X.667). */
    policyOid: str({ pattern: /^[0-2](\.(0|[1-9][0-9]*))+$/ }),
    /** Audit anchors are issued under this policy, never offered at POST /tsa ("" = policyOid + ".1"). */
    anchorPolicyOid: opt(str({ pattern: /^([0-2](\.(0|[1-9][0-9]*))+)?$/ }), ''),
    accuracyMs: opt(int({ min: 1, max: 60_000 }), DEFAULT_TSA_ACCURACY_MS),
    serialBlock: opt(int({ min: 1, max: 100_000 }), DEFAULT_TSA_SERIAL_BLOCK),
  }),
  approval: optObj(approvalSectionSchema),
  /** The SMS gateway's webhook on the intranet ("" = notifications queue up but are not sent). */
  notify: opt(obj({
    url: opt(str({ pattern: /^(https?:\/\/.+)?$/ }), DEFAULT_NOTIFY.url),
    timeoutMs: opt(int({ min: 100, max: 60_000 }), DEFAULT_NOTIFY.timeoutMs),
    maxAttempts: opt(int({ min: 1, max: 1000 }), DEFAULT_NOTIFY.maxAttempts),
    backoffBaseMs: opt(int({ min: 10 }), DEFAULT_NOTIFY.backoffBaseMs),
    backoffCapMs: opt(int({ min: 100 }), DEFAULT_NOTIFY.backoffCapMs),
  }), DEFAULT_NOTIFY),
  maxOutbox: opt(int({ min: 1 }), DEFAULT_MAX_OUTBOX),
  operator: operatorCfg('internal'),
  ...common,
});

export type ExternalConfig = Infer<typeof externalSchema>;
export type InternalConfig = Infer<typeof internalSchema>;
