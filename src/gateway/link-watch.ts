// Follows the link's ups and downs as the link reports them (onState of LinkClient / LinkServer):
// since when it is in its current state, and how many times it came back after going down.
export class LinkWatch {
  private up = false;
  private everUp = false;
  private since: number;
  private count = 0;

  /** `onReconnect` is told of every session that follows an earlier one (a true counter). */
  constructor(private readonly now: () => number, private readonly onReconnect: () => void) {
    this.since = now();
  }

  /** Pass as the link's onState callback. */
  readonly onState = (up: boolean): void => {
    // up twice in a row: the listener replaced a stale session with the peer's new one, a reconnect.
    if (!up && !this.up) return;
    this.up = up;
    this.since = this.now();
    if (up && this.everUp) { this.count++; this.onReconnect(); }
    if (up) this.everUp = true;
  };

  /** When the link last changed state (ms); the process start while it has never been up. */
  get stateSince(): number { return this.since; }

  /** Sessions that followed an earlier one since the process started (the same as the counter metric). */
  get reconnects(): number { return this.count; }
}
