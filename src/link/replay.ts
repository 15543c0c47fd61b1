// Replay after a restore (PROTOCOL.md §6 rule 13), the link's side of it. A receiver whose database
// came back from a backup has an older watermark (the highest sender seq it committed); at each session
// it asks the sender, which announced FEATURE_REPLAY, to send again what it retained after that seq.
// The sender walks its retained packets with a cursor of its own, ahead of the outbox; the receiver's
// duplicate filter drops whatever the restored database still holds.
import type { OutgoingPacket } from './session-contract.js';

/** The Hello feature of a side that keeps acknowledged packets and answers ReplayRequest. */
export const FEATURE_REPLAY = 'replay';

/** The sending side's retained packets, as the link sees them. */
export interface ReplaySource {
  /** The peer asked for a replay after `fromSeq`: log, count, alarm on a gap, audit. */
  begin(fromSeq: number): void;
  /** Retained packets to resend for a replay from `fromSeq`, with seq > `cursor`, oldest first. */
  after(fromSeq: number, cursor: number, limit: number): OutgoingPacket[];
  /** Every retained packet of the replay has been sent (not necessarily acknowledged yet). */
  finished?(fromSeq: number, sent: number): void;
}

/** One replay in progress on a session: where it started and how far it has sent. */
export class ReplayCursor {
  cursor = 0;
  sent = 0;
  constructor(readonly fromSeq: number) {}

  /** The next rows to send, or null when the replay is over (then `finished` has been called). */
  next(source: ReplaySource, limit: number): OutgoingPacket[] | null {
    const rows = source.after(this.fromSeq, this.cursor, limit);
    if (rows.length === 0) { source.finished?.(this.fromSeq, this.sent); return null; }
    this.cursor = rows[rows.length - 1]!.seq;
    return rows;
  }
}
