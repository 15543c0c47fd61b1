// Small durable facts a gateway keeps about itself (e.g. which catalogue version it last published).
export const GATEWAY_KV_SQL = `CREATE TABLE gateway_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`;
