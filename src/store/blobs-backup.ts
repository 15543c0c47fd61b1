// The blob store in a backup (src/store/backup.ts): the database snapshot names blobs by digest, and
// the backup keeps those files beside it, in `<backup>.blobs/`. Blobs are immutable and written
// before the row that names them commits, so every blob a snapshot names existed when the snapshot
// was taken; it may be released (deleted) just after, when its packet is acknowledged or delivered.
// So: link (or copy) every blob present BEFORE the snapshot, take the snapshot, add any blob it names
// that came after, then drop the ones it does not name. A named blob that is gone by then (created
// and released within the snapshot's few milliseconds) is counted as `missing` and reported.
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { hasColumn } from './db.js';
import { BLOB_COLUMNS } from './blobs.js';


const HEX = /^[0-9a-f]{64}$/;
export const blobsDirOf = (dbFile: string) => join(dirname(dbFile), 'blobs');
export const backupBlobsDir = (backupFile: string) => `${backupFile}.blobs`;

/** The digests (hex) a database names. */
export function namedBlobs(dbFile: string): Set<string> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const out = new Set<string>();
    for (const [t, c] of BLOB_COLUMNS) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
      if (!exists || !hasColumn(db, t, c)) continue;
      for (const d of db.prepare(`SELECT ${c} FROM ${t} WHERE ${c} IS NOT NULL`).pluck().all() as Buffer[]) out.add(d.toString('hex'));
    }
    return out;
  } finally { db.close(); }
}

/** A hard link where the file system allows (instant, no second copy of immutable bytes), else a copy. */
function place(from: string, to: string): void {
  if (existsSync(to)) return;
  try { linkSync(from, to); } catch { copyFileSync(from, to); }
}

/** Pass 1, before the snapshot: every blob present now. */
export function blobsBeforeSnapshot(dbFile: string, out: string): void {
  const src = blobsDirOf(dbFile);
  if (!existsSync(src)) return;
  const dst = backupBlobsDir(out);
  mkdirSync(dst, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(src)) if (HEX.test(name)) { try { place(join(src, name), join(dst, name)); } catch { /* released meanwhile */ } }
}

/** Pass 2, after the snapshot: what it names and pass 1 missed; then only what it names is kept. */
export function blobsAfterSnapshot(dbFile: string, out: string): { blobs: number; missing: number } {
  const named = namedBlobs(out);
  const dst = backupBlobsDir(out);
  if (named.size === 0 && !existsSync(dst)) return { blobs: 0, missing: 0 };
  mkdirSync(dst, { recursive: true, mode: 0o700 });
  let missing = 0;
  for (const hex of named) {
    try { place(join(blobsDirOf(dbFile), hex), join(dst, hex)); } catch { missing++; }
  }
  for (const name of readdirSync(dst)) if (!named.has(name)) unlinkSync(join(dst, name));
  return { blobs: named.size - missing, missing };
}

/** On restore: the backup's blobs into the data directory (beside what is there; orphans go at start). */
export function restoreBlobs(backupFile: string, dbFile: string): number {
  const src = backupBlobsDir(backupFile);
  if (!existsSync(src)) return 0;
  const dst = blobsDirOf(dbFile);
  mkdirSync(dst, { recursive: true, mode: 0o700 });
  let n = 0;
  for (const name of readdirSync(src)) if (HEX.test(name)) { place(join(src, name), join(dst, name)); n++; }
  return n;
}
