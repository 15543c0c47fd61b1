// The gateway's audit chain: one AuditLog in its SQLite file, appended in the same transactions as the
// packets and decisions it records, anchored every ten minutes (signature; RFC 3161 on the intranet),
// with start/stop, config and certificate changes recorded at start.
import { withoutQuotedInput } from './quoted-input.js';
import { createHash, type X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Db } from '../store/db.js';
import { AuditLog } from '../audit/chain.js';
import { startAnchoring, type AnchorSchedule } from '../audit/anchor-schedule.js';
import type { Anchorer } from '../audit/anchor.js';
import type { AuditAction } from '../audit/actions.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from './logger.js';
import type { Outbox } from '../store/outbox.js';
import type { Quarantine } from '../store/quarantine.js';
import type { OpenedPacket } from '../seal/open.js';

export interface GatewayAudit {
  log: AuditLog;
  /** Appends in its own transaction (or as a savepoint inside the caller's). Never throws to the caller. */
  record(action: AuditAction, subject: string, detail?: Record<string, unknown>, actor?: string): void;
  stop(): Promise<void>;
}

export interface AuditStart {
  db: Db; gateway: string; clock: Clock; log: Logger; anchorers: Anchorer[];
  configFile: string; certificates: Record<string, X509Certificate>; intervalMs?: number;
}

export function startAudit(o: AuditStart): GatewayAudit {
  const audit = new AuditLog(o.db);
  const actor = `gateway:${o.gateway}`;
  const record: GatewayAudit['record'] = (action, subject, detail = {}, who = actor) => {
    try {
      audit.append({ at: o.clock.now(), actor: who, action, subject, detail });
    } catch (e) {
      // The audit chain failing is an incident, not a reason to crash mid-transaction elsewhere.
      o.log.error({ stage: 'audit', action, err: (e as Error).message }, 'audit append failed');
      throw e;
    }
  };

  const configSha256 = createHash('sha256').update(readFileSync(o.configFile)).digest('hex');
  const certs = Object.fromEntries(Object.entries(o.certificates).map(([k, c]) => [k, c.fingerprint256]));
  const last = o.db.prepare("SELECT detail FROM audit_entries WHERE action = 'gateway.start' ORDER BY seq DESC LIMIT 1").pluck().get() as string | undefined;
  const before = last ? (JSON.parse(last) as { configSha256?: string; certs?: Record<string, string> }) : null;
  o.db.transaction(() => {
    if (before && before.configSha256 !== configSha256) record('config.change', o.configFile, { from: before.configSha256, to: configSha256 });
    if (before && JSON.stringify(before.certs) !== JSON.stringify(certs)) record('cert.change', 'certificates', { from: before.certs ?? {}, to: certs });
    record('gateway.start', o.gateway, { configSha256, certs, pid: process.pid });
  })();

  const schedule: AnchorSchedule = startAnchoring(audit, o.anchorers, {
    clock: o.clock, actor, ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}),
    onError: (err, kind) => o.log.warn({ stage: 'audit', kind, err: String(err) }, 'audit anchor failed; will retry'),
  });
  return {
    log: audit,
    record,
    async stop() {
      record('gateway.stop', o.gateway, { pid: process.pid });
      await schedule.stop();
    },
  };
}

/** Hooks the chain into the store's outbox and quarantine, and the inbox's outcomes. */
export function auditHooks(a: GatewayAudit, store: { outbox: Outbox; quarantine: Quarantine }) {
  store.outbox.onAdd = (id, kind, caseId, bytes) => a.record('packet.out', id.toString('hex'), { kind, case: caseId, bytes });
  // Details quote no input into the chain (src/gateway/quoted-input.ts): it is append-only.
  store.quarantine.onHold = (h) => a.record('packet.refused', h.packetId, { code: h.code, rule: h.rule, detail: withoutQuotedInput(h.detail), held: true });
  return {
    onAccepted: (p: OpenedPacket) => a.record('packet.in', p.packetId.toString('hex'), { kind: p.kind, case: p.caseId, from: p.fromDomain, to: p.toDomain, signer: p.signerSubject }),
    onRejected: (id: string | null, code: string, detail: string) => a.record('packet.refused', id ?? '', { code, detail: withoutQuotedInput(detail), held: false }),
  };
}
