// What happens to a packet refused at the stamp stage (its re-check or its delivery): it is held in
// quarantine for an operator; a packet already released from quarantine once is not held again — the
// quarantine decision is final — so the new refusal is kept (and audited) as a rejection.
import type { FerryErrorCode } from '../errors.js';
import type { GatewayAudit } from '../gateway/audit.js';
import type { Logger } from '../gateway/logger.js';
import type { RejectedPackets } from '../store/rejected-packets.js';
import type { QueuedPacket } from './store/stamp-queue.js';
import type { Clock } from '../time/clock.js';
import type { InternalStore } from './store.js';

export interface StampRefusalDeps { store: Pick<InternalStore, 'quarantine'>; rejected: RejectedPackets; audit: Pick<GatewayAudit, 'record'>; clock: Clock; log: Logger }

export function stampRefusal(d: StampRefusalDeps): (q: QueuedPacket, code: FerryErrorCode, detail: string, rule: string) => void {
  return (q, code, detail, rule) => {
    const id = q.packetId.toString('hex');
    const at = d.clock.now().getTime();
    if (d.store.quarantine.hold({ packetId: id, code, rule, detail, bytes: q.packet, receivedAt: at })) {
      d.log.warn({ packet: id, case: q.caseId, from: q.fromDomain, stage: 'policy', code, rule, detail }, 'packet quarantined');
      return;
    }
    // Released from quarantine, and a check the release did not waive refused it: it is not delivered.
    d.rejected.add(id, code, `after release from quarantine: rule ${rule}: ${detail}`, q.packet, at);
    d.audit.record('packet.refused', id, { code, rule, detail: detail.slice(0, 500), afterRelease: true });
    d.log.warn({ packet: id, case: q.caseId, from: q.fromDomain, stage: 'policy', code, rule, detail }, 'released packet refused again');
  };
}
