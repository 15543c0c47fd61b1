// Feeds packets an operator asked to retry (`ferry rejected retry`, which marks the row) back through
// this gateway's own inbox: the same open, dedupe, admit and delivery as a packet from the link, so a
// retry can never take a path a fresh packet could not. The CLI is another process; this gateway polls
// for its marks, a few at a time.
import type { Inbox } from './inbox.js';

/** How often the running gateway looks for retry marks, and how many it takes per look: a retry is an
 *  operator's action, a second's wait is invisible, and the batch bounds the time spent per turn. */
export const REPLAY_INTERVAL_MS = 1_000;
export const REPLAY_BATCH = 16;

export interface ReplayLog { info(obj: object, msg: string): void; warn(obj: object, msg: string): void }

export function replayRejected(inbox: Pick<Inbox, 'rejected' | 'acceptNow'>, log: ReplayLog, now: () => number = Date.now): number {
  const rows = inbox.rejected.retries(REPLAY_BATCH);
  for (const row of rows) {
    // The CLI recorded the header's id when it opened the packet; the inbox checks frame id = header id.
    const packetId = Buffer.from(row.packetId ?? '', 'hex');
    // Synchronous (opened on the loop): one operator-chosen packet at a time, at most REPLAY_BATCH a second.
    const r = inbox.acceptNow([{ packetId, bytes: row.packet }]);
    const taken = Array.isArray(r) ? r : r.acks;
    if (taken.some((id) => id.equals(packetId))) {
      inbox.rejected.setState(row.id, 'resolved', now());
      log.info({ packet: row.packetId, rejected: row.id, stage: 'retry' }, 'rejected packet taken in on retry');
    } else {
      // The inbox refused it again and put the row back to 'refused' with the new reason.
      log.warn({ packet: row.packetId, rejected: row.id, stage: 'retry' }, 'rejected packet refused again on retry');
    }
  }
  return rows.length;
}

export function startRejectedReplay(inbox: Pick<Inbox, 'rejected' | 'acceptNow'>, log: ReplayLog): { stop(): void } {
  const t = setInterval(() => {
    try { replayRejected(inbox, log); } catch (e) { log.warn({ err: (e as Error).message, stage: 'retry' }, 'rejected retry failed; will try again'); }
  }, REPLAY_INTERVAL_MS);
  t.unref();
  return { stop: () => clearInterval(t) };
}
