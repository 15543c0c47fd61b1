// Adapts the SQLite outbox to the link's PacketSource. A packet the peer refuses back (it could not
// open or verify it) is held, never deleted: an error line naming packet, case and code, a metric, and
// (through `onHeld`) the applicant's status. Held packets go back in line when a new link session
// comes up (the peer may have restarted with fixed keys) and on `ferry outbox retry`.
import type { Outbox } from '../store/outbox.js';
import { OutboxHeld, type HeldRow } from '../store/outbox-held.js';
import type { PacketSource } from '../link/session.js';

export interface HeldHooks {
  /** Inside the hold transaction, per packet: e.g. mark the case delayed. Returns the status it replaced. */
  onHeld?: (row: HeldRow, now: number) => string | null;
  /** Inside the release transaction, per packet: e.g. give the case its status back. */
  onReleased?: (row: HeldRow, now: number) => void;
  /** Counts a refusal (ferry_outbox_refused_total). */
  countRefusal?: (code: string) => void;
}

export interface OutboxSourceLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function outboxSource(outbox: Outbox, held?: OutboxHeld, log?: OutboxSourceLog, hooks: HeldHooks = {}, now: () => number = Date.now): PacketSource {
  const base: PacketSource = {
    after: (seq, limit) => outbox.after(seq, limit),
    acknowledge: (ids) => { outbox.acknowledge(ids); },
  };
  if (!held) return base;
  return {
    ...base,
    refuse(refused) {
      const at = now();
      const rows = held.hold(refused, at, hooks.onHeld ? (r) => hooks.onHeld!(r, at) : undefined);
      for (const r of rows) {
        hooks.countRefusal?.(r.code);
        // error, not warn: a case answered 202 is not moving until someone acts (docs/OPERATIONS.md).
        log?.error({ packet: r.packetId.toString('hex'), case: r.caseId, kind: r.kind, stage: 'link', code: r.code, detail: r.detail, refusals: r.refusals },
          'packet refused by the peer: held (fix keys, then ferry outbox retry)');
      }
    },
    sessionStarted() {
      const at = now();
      const rows = held.release(null, hooks.onReleased ? (r) => hooks.onReleased!(r, at) : undefined);
      if (rows.length) log?.info({ stage: 'link', packets: rows.length }, 'held packets put back in line for the new session');
    },
  };
}
