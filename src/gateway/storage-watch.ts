// Watches the free space of the filesystem that holds a gateway's dataDir (its SQLite file and WAL).
// Below the threshold intake stops cleanly (src/gateway/intake-gate.ts) and /health answers 503,
// before SQLite meets a full disk mid-transaction. The check is `fs.statfs` on a timer, off the
// request path: a request only reads the last verdict (one comparison). A storage fault seen on a
// request (SQLITE_FULL, ENOSPC) asks for a check at once, so intake stops without waiting the interval.
import { statfs } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { FerryError } from '../errors.js';
import type { Logger } from './logger.js';

/** Intake stops below 256 MiB free: room for the WAL to checkpoint, the audit chain to record the
 *  stop, and packets already accepted to move on. */
export const DEFAULT_MIN_FREE_BYTES = 256 * 1024 * 1024;
/** ... or below 1 % of the filesystem, whichever is larger. */
export const DEFAULT_MIN_FREE_PERCENT = 1;
/** statfs every 10 s: a disk filling at 100 MB/s (well above this machine's intake) crosses 1 GB in that time. */
export const DEFAULT_STORAGE_CHECK_SECONDS = 10;

export interface StorageSettings { readonly minFreeBytes: number; readonly minFreePercent: number; readonly checkIntervalSeconds: number }

export type StorageState = 'ok' | 'low' | 'unknown';

export interface StorageFacts {
  readonly state: StorageState;
  readonly dir: string;
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  /** The free space below which intake stops: max(minFreeBytes, minFreePercent of the filesystem). */
  readonly thresholdBytes: number | null;
  readonly checkedAt: number | null;
  /** Why statfs failed, when it did (state 'unknown', which stops intake too: fail closed). */
  readonly error: string | null;
}

interface Space { free: number; total: number }

const spaceOf = (s: { bavail: number | bigint; blocks: number | bigint; bsize: number | bigint }): Space =>
  ({ free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) });

export function thresholdBytes(cfg: StorageSettings, totalBytes: number): number {
  return Math.max(cfg.minFreeBytes, Math.ceil((cfg.minFreePercent / 100) * totalBytes));
}

export class StorageWatch {
  private facts: StorageFacts;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly listeners: ((f: StorageFacts) => void)[] = [];

  /** Validates the settings against the filesystem once, synchronously, at start: a threshold that
   *  the filesystem can never meet is a config error that names the key, not an intake that never opens. */
  constructor(private readonly dir: string, private readonly cfg: StorageSettings, private readonly log: Logger, private readonly now: () => number = Date.now) {
    let space: Space;
    try { space = spaceOf(statfsSync(dir)); } catch (e) {
      throw new FerryError('FERRY_ERR_CONFIG', `storage: cannot read the free space of dataDir ${dir}: ${(e as Error).message}`);
    }
    if (cfg.minFreeBytes >= space.total) {
      throw new FerryError('FERRY_ERR_CONFIG', `storage.minFreeBytes (${cfg.minFreeBytes}) is not below the size of the filesystem holding ${dir} (${space.total} bytes): intake could never open`);
    }
    this.facts = this.judge(space, null);
  }

  /** Validated and watching. */
  static started(dir: string, cfg: StorageSettings, log: Logger): StorageWatch {
    const w = new StorageWatch(dir, cfg, log);
    w.start();
    return w;
  }

  current(): StorageFacts { return this.facts; }

  /** Told of every change of state (ok → low, low → ok, → unknown). */
  onChange(f: (facts: StorageFacts) => void): void { this.listeners.push(f); }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.cfg.checkIntervalSeconds * 1000);
    this.timer.unref();
    if (this.facts.state !== 'ok') this.announce(this.facts, 'ok');
  }

  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  /** Reads the free space now (one statfs at a time; a second caller shares the first's). */
  check(): Promise<void> {
    this.running ??= (async () => {
      let next: StorageFacts;
      try { next = this.judge(spaceOf(await statfs(this.dir)), null); } catch (e) { next = this.judge(null, (e as Error).message); }
      const before = this.facts.state;
      this.facts = next;
      if (next.state !== before) this.announce(next, before);
    })().finally(() => { this.running = null; });
    return this.running;
  }

  private judge(space: Space | null, error: string | null): StorageFacts {
    if (!space) return { state: 'unknown', dir: this.dir, freeBytes: null, totalBytes: null, thresholdBytes: null, checkedAt: this.now(), error };
    const threshold = thresholdBytes(this.cfg, space.total);
    return {
      state: space.free < threshold ? 'low' : 'ok', dir: this.dir, freeBytes: space.free, totalBytes: space.total,
      thresholdBytes: threshold, checkedAt: this.now(), error: null,
    };
  }

  private announce(f: StorageFacts, before: StorageState): void {
    const fields = { stage: 'storage', dir: f.dir, freeBytes: f.freeBytes, thresholdBytes: f.thresholdBytes, from: before, to: f.state };
    if (f.state === 'ok') this.log.info(fields, 'storage: free space back above the threshold; intake open');
    else this.log.error({ ...fields, code: f.state === 'low' ? 'FERRY_ERR_STORE_LOW_SPACE' : 'FERRY_ERR_OPS_STORAGE_LOW', error: f.error }, 'storage: free space below the threshold (or unreadable); intake stopped');
    for (const l of this.listeners) l(f);
  }
}
