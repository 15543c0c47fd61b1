// The external gateway's copy of the published item catalogue, as the intranet last sent it: what
// applicants read before applying, and the form schema ingress checks submissions against.
import type { PublishedItem } from '../../published/item.js';
import type { Db } from '../../store/db.js';

export const CATALOGUE_CACHE_SQL = `
CREATE TABLE catalogue_cache (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  sha256      TEXT NOT NULL,
  items_json  BLOB NOT NULL,
  received_at INTEGER NOT NULL
);`;


export class CatalogueCache {
  private readonly putStmt;
  private readonly getStmt;
  private cached: { sha256: string; items: PublishedItem[]; byCode: Map<string, PublishedItem> } | null = null;
  constructor(db: Db) {
    this.putStmt = db.prepare(`INSERT INTO catalogue_cache (id, sha256, items_json, received_at) VALUES (1, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET sha256 = excluded.sha256, items_json = excluded.items_json, received_at = excluded.received_at`);
    this.getStmt = db.prepare('SELECT sha256, items_json AS itemsJson FROM catalogue_cache WHERE id = 1');
  }
  put(sha256: string, itemsJson: Buffer, now: number): void {
    this.putStmt.run(sha256, itemsJson, now);
    this.cached = null;
  }
  current(): { sha256: string; items: PublishedItem[]; byCode: Map<string, PublishedItem> } | null {
    if (this.cached) return this.cached;
    const row = this.getStmt.get() as { sha256: string; itemsJson: Buffer } | undefined;
    if (!row) return null;
    const items = JSON.parse(row.itemsJson.toString('utf8')) as PublishedItem[];
    this.cached = { sha256: row.sha256, items, byCode: new Map(items.map((i) => [i.code, i])) };
    return this.cached;
  }
}
