// The refusal budget's rules as a table (src/audit/refusal-summary.ts), and the storage-fault
// classifier's (src/gateway/storage-fault.ts): which thrown errors answer 503 with which code.
import { describe, expect, it } from 'vitest';
import { OVERFLOW_ADDRESS, RefusalAggregator, type RefusalSummary } from '../../src/audit/refusal-summary.js';
import { storageFault } from '../../src/gateway/storage-fault.js';

function aggregator(maxKeys = 100) {
  let t = 0;
  const out: RefusalSummary[] = [];
  const a = new RefusalAggregator((s) => out.push(s), () => t, 60_000, maxKeys);
  return { a, out, tick: (ms: number) => { t += ms; } };
}

describe('refusal budget', () => {
  it('writes the first refusal of each (address, code, scope) in full and counts the rest into one summary', () => {
    const { a, out, tick } = aggregator();
    expect(a.note('10.0.0.1', 'FERRY_ERR_API_JSON', 'submission')).toBe('write');
    for (let i = 0; i < 999; i++) { tick(1); expect(a.note('10.0.0.1', 'FERRY_ERR_API_JSON', 'submission')).toBe('counted'); }
    expect(a.note('10.0.0.1', 'FERRY_ERR_POLICY_RATE', 'submission')).toBe('write');
    expect(a.note('10.0.0.1', 'FERRY_ERR_API_JSON', 'case action')).toBe('write');
    expect(a.note('10.0.0.2', 'FERRY_ERR_API_JSON', 'submission')).toBe('write');
    a.flush();
    // Only keys refused more than once get a summary; its count includes the first.
    expect(out).toEqual([{ address: '10.0.0.1', code: 'FERRY_ERR_API_JSON', scope: 'submission', count: 1000, firstAt: 0, lastAt: 999 }]);
    // A new window writes the first one in full again.
    expect(a.note('10.0.0.1', 'FERRY_ERR_API_JSON', 'submission')).toBe('write');
  });

  it('bounds its memory and its rows: past maxKeys, new addresses share one bucket per code', () => {
    const { a, out } = aggregator(10);
    for (let i = 0; i < 10; i++) expect(a.note(`2001:db8::${i}`, 'FERRY_ERR_API_JSON', 'http')).toBe('write');
    expect(a.note('2001:db8::100', 'FERRY_ERR_API_JSON', 'http')).toBe('write'); // the overflow bucket's first
    for (let i = 101; i < 5000; i++) expect(a.note(`2001:db8::${i}`, 'FERRY_ERR_API_JSON', 'http')).toBe('counted');
    a.flush();
    expect(out).toEqual([expect.objectContaining({ address: OVERFLOW_ADDRESS, code: 'FERRY_ERR_API_JSON', count: 4900 })]);
  });

  it('writes the open window on stop: a clean stop loses no count', () => {
    const { a, out } = aggregator();
    a.note('10.0.0.9', 'FERRY_ERR_API_MEDIA_TYPE', 'http');
    a.note('10.0.0.9', 'FERRY_ERR_API_MEDIA_TYPE', 'http');
    a.stop();
    expect(out.map((s) => s.count)).toEqual([2]);
  });
});

const err = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, ...(cause ? { cause } : {}) });

describe('storage faults', () => {
  it.each([
    ['SQLITE_FULL', 'FERRY_ERR_STORE_FULL'],
    ['SQLITE_IOERR_NOSPC', 'FERRY_ERR_STORE_FULL'],
    ['ENOSPC', 'FERRY_ERR_STORE_FULL'],
    ['EDQUOT', 'FERRY_ERR_STORE_FULL'],
    ['SQLITE_IOERR', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_IOERR_WRITE', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_IOERR_FSYNC', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_BUSY', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_BUSY_SNAPSHOT', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_READONLY', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_READONLY_DBMOVED', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_CANTOPEN', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['SQLITE_CORRUPT', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['EIO', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['EROFS', 'FERRY_ERR_STORE_UNAVAILABLE'],
    ['EMFILE', 'FERRY_ERR_STORE_UNAVAILABLE'],
  ])('%s answers 503 %s', (code, want) => {
    expect(storageFault(err(code))).toBe(want);
    // Wrapped once by a caller that added context: still found.
    expect(storageFault(new Error('intake failed', { cause: err(code) }))).toBe(want);
  });

  it.each([
    ['SQLITE_CONSTRAINT_PRIMARYKEY'], ['SQLITE_ERROR'], ['FERRY_ERR_API_INTERNAL'], ['ECONNRESET'], ['ENOENT'],
  ])('%s is not a storage fault (a bug stays a 500)', (code) => {
    expect(storageFault(err(code))).toBeNull();
  });
  it('a plain error is not a storage fault', () => { expect(storageFault(new TypeError('x'))).toBeNull(); expect(storageFault(null)).toBeNull(); });
});
