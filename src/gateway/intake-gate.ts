// Whether the external gateway takes new filings now: the first, cheapest step of the ingress pipeline
// (one comparison per request; no store read, no statfs). Intake is closed when an operator paused it
// (`ferry intake pause`, a drain before maintenance) or when free space in dataDir is below the
// threshold (src/gateway/storage-watch.ts). Statuses, receipts and the link keep flowing either way:
// only what would be written as a new packet is refused, 503 with Retry-After and its own code.
// The pause is kept in gateway_kv, so it survives a restart: a drain is not undone by a crash.
import type { FerryErrorCode } from '../errors.js';
import type { GatewayKv } from '../store/gateway-kv.js';
import type { StorageWatch } from './storage-watch.js';

export const INTAKE_PAUSED_KEY = 'intake.paused';
/** A paused gateway is usually back within minutes (an upgrade, a key rotation). */
export const PAUSED_RETRY_AFTER_S = 120;
/** Freeing disk space takes an operator: come back in five minutes. */
export const LOW_SPACE_RETRY_AFTER_S = 300;

export interface PauseRecord { readonly since: string; readonly operator: string; readonly reason: string }

export type IntakeState = 'open' | 'paused' | 'storage-low';

export interface IntakeFacts { readonly state: IntakeState; readonly pause: PauseRecord | null }

export interface IntakeClosed { readonly code: FerryErrorCode; readonly detail: string; readonly retryAfterSeconds: number }

export interface IntakeAudit { record(action: 'intake.pause' | 'intake.resume', subject: string, detail: Record<string, unknown>, actor?: string): void }

export class IntakeGate {
  private pause: PauseRecord | null;

  constructor(private readonly kv: GatewayKv, private readonly storage: StorageWatch | null, private readonly audit: IntakeAudit, private readonly now: () => Date) {
    const raw = kv.get(INTAKE_PAUSED_KEY);
    this.pause = raw ? (JSON.parse(raw) as PauseRecord) : null;
    storage?.onChange((f) => {
      // On a full disk this write may fail too: the watch has logged the change, and the audit
      // entry is an addition, not the control (the gate below reads the watch, not the chain).
      try {
        audit.record(f.state === 'ok' ? 'intake.resume' : 'intake.pause', 'storage', {
          by: 'storage', state: f.state, freeBytes: f.freeBytes, thresholdBytes: f.thresholdBytes,
        });
      } catch { /* logged by the audit writer */ }
    });
  }

  /** Null when intake is open; else why not. Called on every filing request: keep it cheap. */
  closed(): IntakeClosed | null {
    if (this.pause) return { code: 'FERRY_ERR_OPS_INTAKE_PAUSED', detail: 'intake is paused by the operator; retry later', retryAfterSeconds: PAUSED_RETRY_AFTER_S };
    const s = this.storage?.current();
    if (s && s.state !== 'ok') return { code: 'FERRY_ERR_STORE_LOW_SPACE', detail: 'the gateway is low on storage and takes no new filings; retry later', retryAfterSeconds: LOW_SPACE_RETRY_AFTER_S };
    return null;
  }

  facts(): IntakeFacts {
    const state: IntakeState = this.pause ? 'paused' : this.storage && this.storage.current().state !== 'ok' ? 'storage-low' : 'open';
    return { state, pause: this.pause };
  }

  /** Pauses intake (idempotent: a second pause keeps the first record). Durable before it returns. */
  pauseIntake(operator: string, reason: string): { changed: boolean; facts: IntakeFacts } {
    if (this.pause) return { changed: false, facts: this.facts() };
    const record: PauseRecord = { since: this.now().toISOString(), operator, reason };
    this.kv.put(INTAKE_PAUSED_KEY, JSON.stringify(record));
    this.pause = record;
    this.audit.record('intake.pause', 'operator', { by: 'operator', reason }, `operator:${operator}`);
    return { changed: true, facts: this.facts() };
  }

  resumeIntake(operator: string, reason: string): { changed: boolean; facts: IntakeFacts } {
    if (!this.pause) return { changed: false, facts: this.facts() };
    this.kv.delete(INTAKE_PAUSED_KEY);
    const was = this.pause;
    this.pause = null;
    this.audit.record('intake.resume', 'operator', { by: 'operator', reason, pausedSince: was.since }, `operator:${operator}`);
    return { changed: true, facts: this.facts() };
  }
}
