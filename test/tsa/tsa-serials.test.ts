import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemorySerialSource, SqliteSerialSource } from '../../src/time/tsa-serials.js';

let dir: string;
let file: string;
const open: Database.Database[] = [];
function db(): Database.Database {
  const d = new Database(file);
  d.pragma('journal_mode = WAL');
  d.pragma('synchronous = FULL');
  open.push(d);
  return d;
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-serials-'));
  file = join(dir, 'gateway.db');
});
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
  rmSync(dir, { recursive: true, force: true });
});

const take = (s: { next(): bigint }, n: number) => Array.from({ length: n }, () => s.next());
const strictlyIncreasing = (xs: bigint[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe('SqliteSerialSource', () => {
  it('hands out 1, 2, 3 … on a new file', () => {
    expect(take(new SqliteSerialSource(db()), 3)).toEqual([1n, 2n, 3n]);
  });

  it('stays unique and increasing across close and reopen of the file', () => {
    const all: bigint[] = [];
    for (let round = 0; round < 4; round++) {
      const d = db();
      all.push(...take(new SqliteSerialSource(d), 5));
      d.close();
    }
    expect(all).toHaveLength(20);
    expect(new Set(all).size).toBe(20);
    expect(strictlyIncreasing(all)).toBe(true);
    expect(all.at(-1)).toBe(20n);
  });

  it('with blocks, a restart skips the unused rest of a block but never repeats or goes back', () => {
    const d1 = db();
    const first = take(new SqliteSerialSource(d1, { block: 100 }), 3);
    d1.close(); // 97 reserved serials are abandoned
    const second = take(new SqliteSerialSource(db(), { block: 100 }), 3);
    expect(first).toEqual([1n, 2n, 3n]);
    expect(second).toEqual([101n, 102n, 103n]);
  });

  it('two connections on the same file never receive the same serial', () => {
    const a = new SqliteSerialSource(db());
    const b = new SqliteSerialSource(db(), { block: 7 });
    const got: bigint[] = [];
    for (let i = 0; i < 50; i++) got.push(a.next(), b.next(), b.next());
    expect(new Set(got).size).toBe(got.length);
    expect(strictlyIncreasing(got.filter((_, i) => i % 3 === 0))).toBe(true);
  });

  it('keeps its state in one table, tsa_serial, with one row', () => {
    const d = db();
    take(new SqliteSerialSource(d), 4);
    expect(d.prepare('SELECT id, last FROM tsa_serial').all()).toEqual([{ id: 1, last: 4 }]);
  });

  it('refuses a block size that is not a positive integer', () => {
    expect(() => new SqliteSerialSource(db(), { block: 0 })).toThrow(/positive integer/);
  });
});

describe('MemorySerialSource', () => {
  it('counts up from its start', () => {
    expect(take(new MemorySerialSource(10n), 3)).toEqual([10n, 11n, 12n]);
  });
});
