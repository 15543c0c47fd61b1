// The external gateway's SQLite file: outbox of sealed submissions, status cache, link dedupe,
// idempotency keys.
import { openDb, type Db } from '../store/db.js';
import { OUTBOX_BLOB_SQL, OUTBOX_SQL, Outbox } from '../store/outbox.js';
import { BlobStore, blobReferenced } from '../store/blobs.js';
import { LINK_WATERMARK_SQL, SEEN_SQL } from '../store/seen-packets.js';
import { OUTBOX_RETAINED_SQL } from '../store/outbox-retained.js';
import { OUTBOX_HELD_SQL, OutboxHeld } from '../store/outbox-held.js';
import { REJECTED_BOUNDED_SQL, REJECTED_RETRY_SQL, REJECTED_SQL } from '../store/rejected-packets.js';
import { CASE_SECRET_SQL, STATUS_CACHE_SQL, StatusCache } from './store/status-cache.js';
import { join } from 'node:path';
import { AUDIT_SQL } from '../audit/chain.js';
import { QUARANTINE_SQL, Quarantine } from '../store/quarantine.js';
import { systemClock } from '../time/clock.js';
import { CATALOGUE_CACHE_SQL, CatalogueCache } from './store/catalogue-cache.js';
import { IDEMPOTENCY_SQL, IdempotencyStore } from './idempotency.js';
import { GATEWAY_KV_SQL } from '../store/gateway-kv.js';
import { OUTBOX_DROPPED_SQL } from '../store/outbox-dropped.js';

export const EXTERNAL_MIGRATIONS = [
  { version: 1, sql: [OUTBOX_SQL, SEEN_SQL, REJECTED_SQL, STATUS_CACHE_SQL].join('\n') },
  { version: 2, sql: QUARANTINE_SQL },
  { version: 3, sql: CATALOGUE_CACHE_SQL + 'ALTER TABLE case_history ADD COLUMN event_json TEXT;' },
  { version: 4, sql: AUDIT_SQL },
  { version: 5, sql: CASE_SECRET_SQL },
  { version: 6, sql: REJECTED_BOUNDED_SQL },
  { version: 7, sql: REJECTED_RETRY_SQL + OUTBOX_HELD_SQL },
  { version: 8, sql: IDEMPOTENCY_SQL },
  { version: 9, sql: OUTBOX_BLOB_SQL },
  // The intake pause (src/gateway/intake-gate.ts) is a durable fact of the gateway, kept as the
  // intranet keeps its own (IF NOT EXISTS: another migration may bring the same table first).
  // Held packets an operator gave up, kept whole (src/store/outbox-dropped.ts).
  { version: 10, sql: GATEWAY_KV_SQL.replace('CREATE TABLE gateway_kv', 'CREATE TABLE IF NOT EXISTS gateway_kv') + OUTBOX_DROPPED_SQL },
  // Acknowledged packets kept for a replay after the peer's restore, and this side's watermark.
  { version: 11, sql: OUTBOX_RETAINED_SQL + LINK_WATERMARK_SQL },
];

export interface ExternalStore {
  db: Db; outbox: Outbox; held: OutboxHeld; status: StatusCache; quarantine: Quarantine; catalogue: CatalogueCache; idempotency: IdempotencyStore;
  /** Large sealed packets, beside the database (src/store/blobs.ts). */
  blobs: BlobStore;
}

export function openExternalStore(dataDir: string): ExternalStore {
  const db = openDb(join(dataDir, 'external.sqlite'), EXTERNAL_MIGRATIONS);
  const blobs = new BlobStore(dataDir, blobReferenced(db));
  return {
    blobs, db, outbox: new Outbox(db, blobs), held: new OutboxHeld(db), status: new StatusCache(db), quarantine: new Quarantine(db, systemClock),
    catalogue: new CatalogueCache(db), idempotency: new IdempotencyStore(db),
  };
}
