// Loss 3 of issue 13: the intranet publishes the catalogue once per content hash, so an external
// gateway rebuilt from scratch (empty data dir) never received it again and answered 503 to every
// submission. The external gateway now reports the hash it serves in its link Hello; when that
// differs from what the intranet last published, and no catalogue packet is already on its way
// (outbox or held, which a new session puts back in line), the intranet publishes again.
import type { Db } from '../store/db.js';

export interface ResyncLog { info(obj: object, msg: string): void }

/** `publish` publishes the current catalogue unconditionally (it may record the hash again). */
export function catalogueResync(db: Db, publish: () => void, log: ResyncLog): (peerSha256: string) => void {
  const published = db.prepare("SELECT value FROM gateway_kv WHERE key = 'catalogue.published'").pluck();
  const forget = db.prepare("DELETE FROM gateway_kv WHERE key = 'catalogue.published'");
  const pending = db.prepare("SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = 'catalogue') OR EXISTS (SELECT 1 FROM outbox_held WHERE kind = 'catalogue')").pluck();
  return (peerSha256) => {
    const ours = published.get() as string | undefined;
    if (ours === undefined || ours === peerSha256 || pending.get() === 1) return;
    log.info({ stage: 'outbound', kind: 'catalogue', peer: peerSha256 || 'none', published: ours }, 'peer serves another catalogue: publishing again');
    // publishCatalogue skips a hash it already published: forget it first, in one transaction.
    db.transaction(() => { forget.run(); publish(); })();
  };
}
