// Adapts the SQLite outbox to the link's PacketSource.
import type { Outbox } from '../store/outbox.js';
import type { PacketSource } from '../link/session.js';

export function outboxSource(outbox: Outbox): PacketSource {
  return {
    after: (seq, limit) => outbox.after(seq, limit),
    acknowledge: (ids) => { outbox.acknowledge(ids); },
  };
}
