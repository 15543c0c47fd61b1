// What the applicant sees while a packet of their case is held at the external gateway (the intranet
// refused it back: it could not open or verify it, e.g. sealed to a certificate it no longer holds).
// The case reads 'delayed' with a reason a person can act on — nothing — instead of 'submitted' for
// ever; when the packet is put back in line the status it had returns, and the intranet's own status
// packets move it on from there.
import type { StatusCache } from './store/status-cache.js';
import type { HeldHooks } from '../gateway/outbox-source.js';

export const DELAYED_STATUS = 'delayed';
/** Shown to the applicant (docs/PROTOCOL.md §5): no code, no key names, nothing to do on their side. */
export const DELAYED_DETAIL = 'Your submission reached us but is delayed on its way to the approval office: a security key '
  + 'is being renewed. Operators have been alerted and it will be sent again automatically; you need not submit it again.';
export const RESENT_DETAIL = 'Sent again to the approval office.';

export function delayedStatusHooks(status: StatusCache): Pick<HeldHooks, 'onHeld' | 'onReleased'> {
  return {
    onHeld(row, now) {
      if (!row.caseId) return null;
      const c = status.get(row.caseId);
      if (!c) return null;
      // A second held packet of a case already delayed: the status to give back is the last other one.
      const before = c.status === DELAYED_STATUS
        ? [...c.history].reverse().find((h) => h.status !== DELAYED_STATUS)?.status ?? null
        : c.status;
      if (c.status !== DELAYED_STATUS) status.apply(row.caseId, DELAYED_STATUS, now, DELAYED_DETAIL, row.packetId, null);
      return before;
    },
    onReleased(row, now) {
      if (!row.caseId || !row.prevStatus) return;
      if (status.get(row.caseId)?.status === DELAYED_STATUS) status.apply(row.caseId, row.prevStatus, now, RESENT_DETAIL, row.packetId, null);
    },
  };
}

export const UNDELIVERED_STATUS = 'undelivered';
/** Shown when an operator gave the held packet up (`ferry outbox drop`): the applicant must act. */
export const UNDELIVERED_DETAIL = 'Your submission could not be delivered to the approval office and was withdrawn by an operator. '
  + 'Nothing of it was decided. Please submit it again, or contact the office quoting this case number.';

/** The case of a dropped packet reads 'undelivered' (a loss the applicant sees, never a silent one). */
export function markUndelivered(status: StatusCache, row: { caseId: string; packetId: Buffer }, now: number): boolean {
  if (!row.caseId || !status.get(row.caseId)) return false;
  return status.apply(row.caseId, UNDELIVERED_STATUS, now, UNDELIVERED_DETAIL, row.packetId, null);
}
