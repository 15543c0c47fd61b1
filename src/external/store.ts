// The external gateway's SQLite file: outbox of sealed submissions, status cache, link dedupe.
import { openDb, type Db } from '../store/db.js';
import { OUTBOX_SQL, Outbox } from '../store/outbox.js';
import { SEEN_SQL } from '../store/seen-packets.js';
import { REJECTED_SQL } from '../store/rejected-packets.js';
import { STATUS_CACHE_SQL, StatusCache } from '../store/status-cache.js';
import { join } from 'node:path';

export const EXTERNAL_MIGRATIONS = [
  { version: 1, sql: [OUTBOX_SQL, SEEN_SQL, REJECTED_SQL, STATUS_CACHE_SQL].join('\n') },
];

export interface ExternalStore { db: Db; outbox: Outbox; status: StatusCache }

export function openExternalStore(dataDir: string): ExternalStore {
  const db = openDb(join(dataDir, 'external.sqlite'), EXTERNAL_MIGRATIONS);
  return { db, outbox: new Outbox(db), status: new StatusCache(db) };
}
