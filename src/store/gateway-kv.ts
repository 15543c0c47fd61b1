// Small durable facts a gateway keeps about itself (e.g. which catalogue version it last published).
import type { Db } from './db.js';

export const GATEWAY_KV_SQL = `CREATE TABLE gateway_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`;

/** The key under which the intranet keeps the SHA-256 of the catalogue it last published outward. */
export const PUBLISHED_CATALOGUE = 'catalogue.published';

export class GatewayKv {
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;
  constructor(db: Db) {
    this.deleteStmt = db.prepare('DELETE FROM gateway_kv WHERE key = ?');
    this.getStmt = db.prepare('SELECT value FROM gateway_kv WHERE key = ?').pluck();
    this.putStmt = db.prepare('INSERT INTO gateway_kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }
  get(key: string): string | null {
    return (this.getStmt.get(key) as string | undefined) ?? null;
  }
  put(key: string, value: string): void {
    this.putStmt.run(key, value);
  }
  delete(key: string): void {
    this.deleteStmt.run(key);
  }
}
