// Online backup and offline restore of a gateway's SQLite file. The backup uses SQLite's backup API
// (a consistent snapshot while the gateway keeps writing); the copy is checked (integrity_check,
// schema version, the role's tables) before it is called a backup, and again before a restore.
// A restore never runs under a live gateway: any process holding the file open stops it.
import { chmodSync, chownSync, copyFileSync, existsSync, readdirSync, readlinkSync, renameSync, statSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { FerryError } from '../errors.js';
import type { Migration } from './db.js';
import { addFerryFunctions, openExistingDb } from './db.js';
import { blobsAfterSnapshot, blobsBeforeSnapshot, restoreBlobs } from './blobs-backup.js';

export interface BackupCheck {
  readonly schemaVersion: number; readonly tables: number; readonly bytes: number; readonly sha256: string;
  /** Blob files kept beside the backup (`<out>.blobs/`, blobs-backup.ts), and any it names but could not keep. */
  readonly blobs?: { readonly kept: number; readonly missing: number };
}

/** The tables a database of this role must hold: those its migrations create. */
function roleTables(migrations: readonly Migration[]): string[] {
  const mem = new Database(':memory:');
  try {
    addFerryFunctions(mem);
    for (const m of migrations) mem.exec(m.sql);
    return (mem.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]);
  } finally { mem.close(); }
}

/** Checks a backup file stands on its own: readable, intact, this role's schema at this version. */
export function checkBackup(file: string, migrations: readonly Migration[]): BackupCheck {
  if (!existsSync(file)) throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} does not exist`);
  let db: Database.Database;
  try { db = new Database(file, { readonly: true, fileMustExist: true }); } catch (e) {
    throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} is not a SQLite database (${(e as Error).message})`);
  }
  try {
    let integrity: string[];
    try { integrity = db.prepare('PRAGMA integrity_check').pluck().all() as string[]; } catch (e) {
      throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} is not a SQLite database (${(e as Error).message})`);
    }
    if (integrity.length !== 1 || integrity[0] !== 'ok') throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} fails integrity_check: ${integrity.slice(0, 3).join('; ')}`);
    const have = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = roleTables(migrations).filter((t) => !have.has(t));
    if (missing.length) throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} is not a backup of this gateway's role: no table ${missing.slice(0, 3).join(', ')}`);
    const want = Math.max(0, ...migrations.map((m) => m.version));
    const version = (db.prepare('SELECT MAX(version) FROM schema_version').pluck().get() as number | null) ?? 0;
    if (version > want) throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} is at schema version ${version}, newer than this ferry's ${want}: restore it with the release that made it`);
    return { schemaVersion: version, tables: have.size, bytes: statSync(file).size, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
  } finally { db.close(); }
}

/** A consistent copy of the live database at `out` (0600), checked before it is reported. */
export async function backupDatabase(file: string, out: string, migrations: readonly Migration[]): Promise<BackupCheck> {
  if (existsSync(out)) throw new FerryError('FERRY_ERR_STORE_BACKUP', `${out} exists: choose a new file (a backup never overwrites one)`);
  const db = openExistingDb(file, 'read', migrations);
  blobsBeforeSnapshot(file, out);
  try { await db.backup(out); } catch (e) {
    rmSync(out, { force: true });
    rmSync(`${out}.blobs`, { recursive: true, force: true });
    throw new FerryError('FERRY_ERR_STORE_BACKUP', `backup of ${file} to ${out} failed: ${(e as Error).message}`);
  } finally { db.close(); }
  chmodSync(out, 0o600);
  const b = blobsAfterSnapshot(file, out);
  return { ...checkBackup(out, migrations), blobs: { kept: b.blobs, missing: b.missing } };
}

/** Processes (pid and command line) that hold `file` (or its -wal/-shm) open, read from /proc. */
export function holdersOf(file: string): { pid: number; command: string }[] {
  const targets = new Set([file, `${file}-wal`, `${file}-shm`].map((f) => resolve(f)));
  const out: { pid: number; command: string }[] = [];
  let pids: string[] = [];
  try { pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch { return out; }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; } // gone, or not ours to read
    const holds = fds.some((fd) => { try { return targets.has(readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { return false; } });
    if (holds) {
      let command = '';
      try { command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(); } catch { /* gone */ }
      out.push({ pid: Number(pid), command });
    }
  }
  return out;
}

export interface RestoreResult { readonly check: BackupCheck; readonly keptAs: string | null }

/** Puts a checked backup in place of `file`; the file it replaces (and its WAL) is kept beside it. */
export function restoreDatabase(file: string, backup: string, migrations: readonly Migration[], now: Date): RestoreResult {
  const check = checkBackup(backup, migrations);
  const holders = holdersOf(file);
  if (holders.length) {
    throw new FerryError('FERRY_ERR_STORE_BACKUP', `${file} is open in ${holders.map((h) => `pid ${h.pid} (${h.command.slice(0, 80)})`).join(', ')}: stop the gateway first (systemctl stop ferry-…)`);
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let keptAs: string | null = null;
  const owner = existsSync(file) ? statSync(file) : null;
  if (owner) {
    keptAs = `${file}.pre-restore-${stamp}`;
    renameSync(file, keptAs);
    for (const side of ['-wal', '-shm']) if (existsSync(file + side)) renameSync(file + side, keptAs + side);
  }
  const tmp = `${file}.restoring`;
  copyFileSync(backup, tmp);
  chmodSync(tmp, 0o600);
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, file);
  restoreBlobs(backup, file);
  return { check, keptAs };
}
