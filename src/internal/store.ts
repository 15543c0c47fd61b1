// The internal gateway's SQLite file: outbox of sealed status packets, the intranet case store,
// link dedupe and refused packets.
import { openDb, type Db } from '../store/db.js';
import { OUTBOX_BLOB_SQL, OUTBOX_SQL, Outbox } from '../store/outbox.js';
import { BlobStore, blobReferenced } from '../store/blobs.js';
import { LINK_WATERMARK_SQL, SEEN_SQL } from '../store/seen-packets.js';
import { OUTBOX_RETAINED_SQL } from '../store/outbox-retained.js';
import { OUTBOX_HELD_SQL } from '../store/outbox-held.js';
import { REJECTED_BOUNDED_SQL, REJECTED_RETRY_SQL, REJECTED_SQL, RejectedPackets } from '../store/rejected-packets.js';
import { INTRANET_CASES_BLOB_SQL, INTRANET_CASES_SQL, IntranetCases } from './store/intranet-cases.js';
import { join } from 'node:path';
import { AUDIT_SQL } from '../audit/chain.js';
import { NOTIFICATIONS_SQL, Notifications } from './store/notifications.js';
import { STAMP_QUEUE_BLOB_SQL, STAMP_QUEUE_SQL, StampQueue } from './store/stamp-queue.js';
import { QUARANTINE_SQL, Quarantine } from '../store/quarantine.js';
import { systemClock } from '../time/clock.js';
import { APPROVAL_SQL, NEXT_DEADLINE_SQL } from '../desk/store/approval-store.js';
import { GATEWAY_KV_SQL } from '../store/gateway-kv.js';
import { OUTBOX_DROPPED_SQL } from '../store/outbox-dropped.js';

export const INTERNAL_MIGRATIONS = [
  { version: 1, sql: [OUTBOX_SQL, SEEN_SQL, REJECTED_SQL, INTRANET_CASES_SQL].join('\n') },
  { version: 2, sql: STAMP_QUEUE_SQL },
  { version: 3, sql: QUARANTINE_SQL },
  { version: 4, sql: APPROVAL_SQL },
  { version: 5, sql: GATEWAY_KV_SQL },
  { version: 6, sql: AUDIT_SQL },
  { version: 7, sql: NOTIFICATIONS_SQL },
  { version: 8, sql: REJECTED_BOUNDED_SQL },
  { version: 9, sql: REJECTED_RETRY_SQL + OUTBOX_HELD_SQL },
  // The supervision monitor's indexed next deadline (src/desk/store/approval-store.ts).
  { version: 10, sql: NEXT_DEADLINE_SQL },
  // Held packets an operator gave up, kept whole (src/store/outbox-dropped.ts).
  { version: 11, sql: OUTBOX_DROPPED_SQL },
  // Large bodies in the blob store (src/store/blobs.ts): rows name them by digest.
  { version: 12, sql: OUTBOX_BLOB_SQL + STAMP_QUEUE_BLOB_SQL + INTRANET_CASES_BLOB_SQL },
  // Acknowledged packets kept for a replay after the peer's restore, and this side's watermark.
  { version: 13, sql: OUTBOX_RETAINED_SQL + LINK_WATERMARK_SQL },
];

export interface InternalStore {
  db: Db; outbox: Outbox; cases: IntranetCases; stampQueue: StampQueue; rejected: RejectedPackets; quarantine: Quarantine; notifications: Notifications;
  /** Large packets and request bodies, beside the database (src/store/blobs.ts). */
  blobs: BlobStore;
}

export function openInternalStore(dataDir: string): InternalStore {
  const db = openDb(join(dataDir, 'internal.sqlite'), INTERNAL_MIGRATIONS);
  const blobs = new BlobStore(dataDir, blobReferenced(db));
  return {
    db, outbox: new Outbox(db, blobs), cases: new IntranetCases(db, blobs), stampQueue: new StampQueue(db, blobs), rejected: new RejectedPackets(db),
    quarantine: new Quarantine(db, systemClock), notifications: new Notifications(db), blobs,
  };
}
