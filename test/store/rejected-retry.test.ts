// rejected_packets since issue 13 (REJECTED_RETRY_SQL): whole packets are kept for a retry only while
// all kept packets stay under the byte budget (past it, digest + prefix as before); the same bytes
// refused again update their row (a sender retrying cannot grow the table); states move as the CLI and
// the running gateway say, and a drop deletes the whole packet but keeps the evidence. Real SQLite.
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { REJECTED_BOUNDED_SQL, REJECTED_RETRY_SQL, REJECTED_SQL, RejectedPackets } from '../../src/store/rejected-packets.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-rejected-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const table = (maxRows = 100, maxKeptBytes = 10_000) => new RejectedPackets(openDb(join(dir, `r${++n}.db`), [
  { version: 1, sql: REJECTED_SQL }, { version: 2, sql: REJECTED_BOUNDED_SQL }, { version: 3, sql: REJECTED_RETRY_SQL },
]), maxRows, maxKeptBytes);

describe('rejected packets kept for a retry', () => {
  it('keeps whole packets up to the byte budget, then only digest and prefix', () => {
    const t = table(100, 10_000);
    const ids = [6000, 3000, 2000].map((size) => t.add(null, 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'x', randomBytes(size), 1));
    expect(ids.map((id) => t.get(id)!.kept)).toEqual([true, true, false]);
    expect(t.packet(ids[2]!)).toBeNull();
    expect(t.packet(ids[0]!)!.length).toBe(6000);
  });
  it('the same bytes refused again update one row (attempts, code, time) instead of adding rows', () => {
    const t = table();
    const bytes = randomBytes(500);
    const a = t.add('aa'.repeat(16), 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'first', bytes, 1);
    const b = t.add('aa'.repeat(16), 'FERRY_ERR_SEAL_UNKNOWN_SIGNER', 'second', bytes, 2);
    expect(b).toBe(a);
    expect(t.count()).toBe(1);
    expect(t.get(a)).toMatchObject({ attempts: 2, code: 'FERRY_ERR_SEAL_UNKNOWN_SIGNER', detail: 'second', state: 'refused', updatedAt: 2 });
  });
  it('retry marks, the gateway resolves; a retry refused again returns the row to refused; drop deletes the bytes and keeps the evidence', () => {
    const t = table();
    const bytes = randomBytes(300);
    const id = t.add(null, 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'x', bytes, 1);
    t.queueRetry(id, 'bb'.repeat(16), 2);
    expect(t.retries(10).map((r) => [r.id, r.packetId, r.packet.equals(bytes)])).toEqual([[id, 'bb'.repeat(16), true]]);
    t.add('bb'.repeat(16), 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'again', bytes, 3); // the inbox refused it again
    expect([t.get(id)!.state, t.retries(10).length, t.count()]).toEqual(['refused', 0, 1]);
    t.setState(id, 'dropped', 4);
    const row = t.get(id)!;
    expect([row.state, row.kept, row.size, row.digest.length]).toEqual(['dropped', false, 300, 32]);
    expect(t.find('bb'.repeat(16))!.id).toBe(id);
    // Dropped bytes arriving again are a new refusal, a new row.
    expect(t.add(null, 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'later', bytes, 5)).not.toBe(id);
  });
});
