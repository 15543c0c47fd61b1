// One SQLite file per gateway, opened in WAL mode with synchronous=FULL: a row the API or the link has
// acknowledged survives a power cut, not only a process crash.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface Migration { version: number; sql: string }

export function openDb(file: string, migrations: readonly Migration[]): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = !existsSync(file);
  const db = new Database(file);
  if (fresh) chmodSync(file, 0o600); // case data: readable by the service user only
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // For migrations that convert stored bytes to digests (rejected-packets.ts); SQLite has no SHA-256.
  db.function('ferry_sha256', { deterministic: true }, (b: unknown) => (Buffer.isBuffer(b) ? createHash('sha256').update(b).digest() : null));
  migrate(db, migrations);
  return db;
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
