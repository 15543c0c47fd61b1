// A real small filesystem for a gateway's dataDir (tmpfs, mounted as root), and the means to fill it:
// the storage tests run the gateways' real SQLite against a real ENOSPC, not a simulated error.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** True when this process may mount (root, mount(8) present); throws in CI when it may not. */
export function canMount(): boolean {
  const ok = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v mount && command -v umount'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error('the storage tests need root and mount(8) (util-linux) for a tmpfs dataDir');
  return ok;
}

export function mountTmpfs(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs ${dir}: ${r.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

export const freeBytes = (dir: string): number => { const s = statfsSync(dir); return Number(s.bavail) * Number(s.bsize); };

/** Writes `filler` until the filesystem has at most `leave` bytes free (0: until ENOSPC). */
export function fill(dir: string, leave: number): string {
  const file = join(dir, `filler-${Date.now()}`);
  const fd = openSync(file, 'w');
  try {
    for (let chunk = 1 << 20; chunk >= 512;) {
      const room = freeBytes(dir) - leave;
      if (room <= 0) break;
      const n = Math.min(chunk, room);
      try { writeSync(fd, Buffer.alloc(n, 0x5a)); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        chunk >>= 1;
      }
      if (n < chunk && leave > 0) break;
    }
  } finally { closeSync(fd); }
  return file;
}
