// Worker threads that do bulk CPU work (inspection, sealing) yield the CPU to the event loop: on Linux
// a thread is a task with its own nice value, found through /proc/thread-self, so the calling thread
// (not the process) runs at a lower priority. When the cores are busy, the loop that answers /health
// and the link's heartbeats is scheduled first. Elsewhere, or if not permitted, nothing changes.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function lowerThreadPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch { /* not Linux, or not permitted: same priority as the loop */ }
}
