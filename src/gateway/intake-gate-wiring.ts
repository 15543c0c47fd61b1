// The external gateway's intake controls, built together because they answer the same question —
// may this request be written? — and stop together: the storage watch (free space), the intake gate
// (operator pause + storage) and the refusal budget (per source, before any audit or log write).
// The API reads them through `apiHooks`; the operator surface shows them.
import type { Db } from '../store/db.js';
import { GatewayKv } from '../store/gateway-kv.js';
import { RefusalAggregator } from '../audit/refusal-summary.js';
import type { FerryErrorCode } from '../errors.js';
import type { Logger } from './logger.js';
import type { GatewayAudit } from './audit.js';
import { IntakeGate, type IntakeClosed } from './intake-gate.js';
import { StorageWatch, type StorageSettings } from './storage-watch.js';

export interface IntakeControls {
  readonly storage: StorageWatch;
  readonly gate: IntakeGate;
  readonly apiHooks: {
    intakeClosed: () => IntakeClosed | null;
    shouldRecordRefusal: (address: string, code: FerryErrorCode, scope: string) => boolean;
    onStorageFault: () => void;
  };
  stop(): void;
}

/** Writes a window's refusal summary: one log line and one audit entry (which may fail on a full disk). */
export function refusalBudget(audit: Pick<GatewayAudit, 'record'>, log: Logger, windowMs: number): RefusalAggregator {
  const r = new RefusalAggregator((s) => {
    const detail = { code: s.code, scope: s.scope, count: s.count, from: new Date(s.firstAt).toISOString(), to: new Date(s.lastAt).toISOString() };
    log.warn({ stage: 'refusals', ip: s.address, ...detail }, 'refusals from one source aggregated');
    try { audit.record('refusal.summary', s.address, detail); } catch { /* logged by the audit writer */ }
  }, Date.now, windowMs);
  r.start();
  return r;
}

export function startIntakeControls(o: {
  db: Db; dataDir: string; storage: StorageSettings; refusalWindowMs: number; audit: GatewayAudit; log: Logger; now: () => Date;
}): IntakeControls {
  const storage = StorageWatch.started(o.dataDir, o.storage, o.log);
  const gate = new IntakeGate(new GatewayKv(o.db), storage, o.audit, o.now);
  const refusals = refusalBudget(o.audit, o.log, o.refusalWindowMs);
  return {
    storage, gate,
    apiHooks: {
      intakeClosed: () => gate.closed(),
      shouldRecordRefusal: (address, code, scope) => refusals.note(address, code, scope) === 'write',
      onStorageFault: () => void storage.check(),
    },
    // The last window's counts are written before the audit chain stops.
    stop() { storage.stop(); refusals.stop(); },
  };
}
