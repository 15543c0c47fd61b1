// Loss 3 of issue 13: the intranet publishes the catalogue once per content hash, so an external
// gateway rebuilt from scratch (empty data dir) never received it again and answered 503 to every
// submission. The external gateway now reports the hash it serves in its link Hello; when that
// differs from what the intranet last published, and no catalogue packet is already on its way
// (outbox or held, which a new session puts back in line), the intranet publishes again.
import type { Db } from '../store/db.js';
import { GatewayKv, PUBLISHED_CATALOGUE } from '../store/gateway-kv.js';

export interface ResyncLog { info(obj: object, msg: string): void }

/** `publishAgain` forgets the published version and publishes the current catalogue (same transaction). */
export function catalogueResync(db: Db, publishAgain: () => void, log: ResyncLog): (peerSha256: string) => void {
  const kv = new GatewayKv(db);
  const pending = db.prepare("SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = 'catalogue') OR EXISTS (SELECT 1 FROM outbox_held WHERE kind = 'catalogue')").pluck();
  return (peerSha256) => {
    const ours = kv.get(PUBLISHED_CATALOGUE);
    if (ours === null || ours === peerSha256 || pending.get() === 1) return;
    log.info({ stage: 'outbound', kind: 'catalogue', peer: peerSha256 || 'none', published: ours }, 'peer serves another catalogue: publishing again');
    db.transaction(publishAgain)();
  };
}
