// Group commit: writes requested in the same event-loop turn share one SQLite transaction, so one
// fsync (synchronous=FULL) serves many API requests. Measured here: a 1-row transaction costs ~4 ms
// of fsync, which alone would cap ingress at ~250 submissions/s.
import type { Db } from './db.js';

type Job = { write: () => void; resolve: () => void; reject: (e: unknown) => void };

/** Bounded: at most this many writes share a transaction, so one commit's latency stays small. */
export const MAX_GROUP = 256;

export function createGroupCommit(db: Db): (write: () => void) => Promise<void> {
  let queue: Job[] = [];
  let scheduled = false;
  const runAll = db.transaction((jobs: Job[]) => { for (const j of jobs) j.write(); });
  const flush = () => {
    scheduled = false;
    while (queue.length) {
      const jobs = queue.splice(0, MAX_GROUP);
      try {
        runAll(jobs);
        for (const j of jobs) j.resolve();
      } catch (e) {
        // One failed write rolls back the group: none of them was accepted, each caller answers 5xx.
        for (const j of jobs) j.reject(e);
      }
    }
  };
  return (write) => new Promise<void>((resolve, reject) => {
    queue.push({ write, resolve, reject });
    if (!scheduled) { scheduled = true; setImmediate(flush); }
  });
}
