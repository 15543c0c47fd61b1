// Serial numbers for time-stamp tokens. RFC 3161 §2.4.2: "Time-Stamping users MUST be ready to
// accommodate integers up to 160 bits"; the serial must be unique for every token the TSA issues,
// including across restarts — so the real source is the gateway's SQLite file.
import type Database from 'better-sqlite3';
import { FerryError } from '../errors.js';

export interface SerialSource {
  /** The next serial: positive, never returned before by this source or any earlier one on the same store. */
  next(): bigint;
}

/** For tests and throw-away TSAs: unique within one process only. */
export class MemorySerialSource implements SerialSource {
  private value: bigint;
  constructor(start = 1n) {
    if (start < 1n) throw new FerryError('FERRY_ERR_TSA_CONFIG', 'serials start at 1 or above');
    this.value = start;
  }
  next(): bigint {
    return this.value++;
  }
}

export interface SqliteSerialOptions {
  /** Serials reserved per write. 1 (default) costs one durable write per token; a block of N costs one
   *  write per N tokens and skips at most N−1 numbers after a restart. Still unique and increasing. */
  block?: number;
}

const TABLE = 'tsa_serial';

/** Serials from one row of one table: `UPDATE … SET last = last + block RETURNING last` is one atomic
 *  statement, so two connections (or processes) on the same file never receive the same number, and
 *  a reopened file carries on above everything handed out before. */
export class SqliteSerialSource implements SerialSource {
  private readonly reserve: Database.Statement<[bigint], { last: bigint }>;
  private readonly block: bigint;
  private nextValue = 1n;
  private limit = 0n;

  constructor(db: Database.Database, opts: SqliteSerialOptions = {}) {
    const block = opts.block ?? 1;
    if (!Number.isSafeInteger(block) || block < 1) throw new FerryError('FERRY_ERR_TSA_CONFIG', `serial block must be a positive integer, got ${block}`);
    this.block = BigInt(block);
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      id   INTEGER PRIMARY KEY CHECK (id = 1),
      last INTEGER NOT NULL CHECK (last >= 0)
    )`);
    db.prepare(`INSERT OR IGNORE INTO ${TABLE} (id, last) VALUES (1, 0)`).run();
    this.reserve = db.prepare<[bigint], { last: bigint }>(`UPDATE ${TABLE} SET last = last + ? WHERE id = 1 RETURNING last`).safeIntegers(true);
  }

  next(): bigint {
    if (this.nextValue > this.limit) {
      const row = this.reserve.get(this.block);
      if (!row) throw new FerryError('FERRY_ERR_TSA_SYSTEM', `the ${TABLE} row is missing`);
      this.limit = row.last;
      this.nextValue = row.last - this.block + 1n;
    }
    return this.nextValue++;
  }
}
