// What an operator reaches a running gateway through, started and stopped together: the operator
// listener (/metrics, /health) and the local status socket (`ferry status`, `ferry intake`), both
// reading one probe — the gateway's own, plus storage, dropped packets and intake.
import type { Db } from '../store/db.js';
import { OutboxDropped } from '../store/outbox-dropped.js';
import type { GatewayMetrics } from './metrics.js';
import type { Logger } from './logger.js';
import type { GatewayProbe } from './probe.js';
import type { IntakeGate } from './intake-gate.js';
import type { StorageWatch } from './storage-watch.js';
import { startOperatorListener, type OperatorConfig, type OperatorListener } from './operator-http.js';
import { startStatusSocket } from './status-socket.js';
import { statusSocketPath } from './status-socket-protocol.js';
import { statusReport } from './status-socket-report.js';

export interface OperatorSurface { readonly port: number; health: OperatorListener['health']; reloadTls(): void; close(): Promise<void> }

export async function startOperatorSurface(o: {
  base: GatewayProbe; db: Db; dataDir: string; operator: OperatorConfig; caFile: string; metrics: GatewayMetrics; log: Logger;
  storage: StorageWatch; intake: IntakeGate | null;
}): Promise<OperatorSurface> {
  const dropped = new OutboxDropped(o.db);
  const { intake, storage } = o;
  const probe: GatewayProbe = {
    ...o.base, storage: () => storage.current(), dropped: () => dropped.count(), ...(intake ? { intake: () => intake.facts() } : {}),
  };
  const operator = await startOperatorListener(o.operator, probe, o.metrics, o.caFile, o.log);
  // Process start, not this call: `ferry status` says how long the gateway has run.
  const startedAt = Date.now() - Math.round(process.uptime() * 1000);
  const status = await startStatusSocket({
    file: statusSocketPath(o.dataDir, probe.gateway), intake, log: o.log,
    report: () => statusReport({ probe, watch: o.metrics.link, health: operator.health, startedAt }),
  });
  return {
    port: operator.port,
    health: operator.health,
    reloadTls: () => operator.reloadTls(),
    async close() { storage.stop(); await status.close(); await operator.close(); },
  };
}
