// One SQLite file per gateway, opened in WAL mode with synchronous=FULL: a row the API or the link has
// acknowledged survives a power cut, not only a process crash.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { FerryError } from '../errors.js';

export type Db = Database.Database;

export interface Migration { version: number; sql: string }

/** SQL functions the migrations use: SHA-256 for those that convert stored bytes to digests
 *  (rejected-packets.ts); SQLite has none. */
export function addFerryFunctions(db: Db): void {
  db.function('ferry_sha256', { deterministic: true }, (b: unknown) => (Buffer.isBuffer(b) ? createHash('sha256').update(b).digest() : null));
}

export function openDb(file: string, migrations: readonly Migration[]): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = !existsSync(file);
  const db = new Database(file);
  if (fresh) chmodSync(file, 0o600); // case data: readable by the service user only
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  addFerryFunctions(db);
  migrate(db, migrations);
  return db;
}

/**
 * Opens an existing gateway database for an operator command. 'read' opens it read-only (a listing
 * cannot change case data, and a read-only handle cannot create a file); 'write' opens it as the
 * gateway does. Either way a missing file is an error naming it, never a fresh empty database: an
 * empty quarantine printed with exit 0 from the wrong file would read as "nothing held".
 */
export function openExistingDb(file: string, mode: 'read' | 'write', migrations: readonly Migration[]): Db {
  if (!existsSync(file)) {
    throw new FerryError('FERRY_ERR_STORE_MISSING', `${file} does not exist (the gateway creates it on its first start; check dataDir in the config, resolved against the config file's directory)`);
  }
  if (mode === 'write') return openDb(file, migrations);
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new FerryError('FERRY_ERR_STORE_MISSING', `${file}: cannot open read-only (${(e as Error).message})`, { cause: e });
  }
  db.pragma('busy_timeout = 5000');
  const want = Math.max(0, ...migrations.map((m) => m.version));
  let have = 0;
  try {
    have = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
  } catch {
    have = 0; // no schema_version table: not a gateway database, or never migrated
  }
  if (have < want) {
    db.close();
    throw new FerryError('FERRY_ERR_STORE_SCHEMA', `${file} is at schema version ${have}, this ferry reads ${want}: start the gateway once to migrate it`);
  }
  return db;
}

/** Whether `table` has `column` (a store that also serves databases from before a migration, as unit
 *  fixtures build them, prepares the statements that fit). */
export function hasColumn(db: Db, table: string, column: string): boolean {
  return db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  const apply = db.transaction((m: Migration) => {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
  });
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) if (m.version > current) apply(m);
}
