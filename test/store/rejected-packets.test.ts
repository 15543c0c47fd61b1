// rejected_packets keeps digest, size and a bounded prefix of each refused packet — and the whole
// packet only while all kept packets stay under their byte budget (for `ferry rejected retry`, issue
// 13; test/store/rejected-retry.test.ts) — and holds at most maxRows rows (oldest dropped, counted).
// Real SQLite files.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import {
  REJECTED_BOUNDED_SQL, REJECTED_PREFIX_BYTES, REJECTED_RETRY_SQL, REJECTED_SQL, RejectedPackets, DEFAULT_MAX_REJECTED, DEFAULT_MAX_REJECTED_KEPT_BYTES,
} from '../../src/store/rejected-packets.js';
import { INTERNAL_MIGRATIONS } from '../../src/internal/store.js';
import { EXTERNAL_MIGRATIONS } from '../../src/external/store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const file = () => join(mkdtempSync(join(tmpdir(), 'ferry-rejected-')), 'g.sqlite');
const MIGRATIONS = [{ version: 1, sql: REJECTED_SQL }, { version: 2, sql: REJECTED_BOUNDED_SQL }, { version: 3, sql: REJECTED_RETRY_SQL }];

describe('rejected packets are kept bounded', () => {
  it('keeps id, SHA-256, size, code, reason, time and the first 4 KiB — the whole packet only within the byte budget', () => {
    const db = openDb(file(), MIGRATIONS);
    const big = randomBytes(1024 * 1024);
    // A budget already spent: evidence only, as before issue 13.
    new RejectedPackets(db, DEFAULT_MAX_REJECTED, 0).add('ab'.repeat(16), 'FERRY_ERR_SEAL_BAD_SIGNATURE', 'signature does not verify', big, 1234);
    const row = db.prepare('SELECT * FROM rejected_packets').get() as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(['attempts', 'code', 'detail', 'digest', 'id', 'packet', 'packet_id', 'prefix', 'received_at', 'size', 'state', 'updated_at']);
    expect(row['packet']).toBeNull();
    expect(DEFAULT_MAX_REJECTED_KEPT_BYTES).toBe(128 * 1024 * 1024);
    expect(row).toMatchObject({ packet_id: 'ab'.repeat(16), code: 'FERRY_ERR_SEAL_BAD_SIGNATURE', detail: 'signature does not verify', size: big.length, received_at: 1234 });
    expect((row['digest'] as Buffer).equals(sha256(big))).toBe(true);
    expect((row['prefix'] as Buffer).equals(big.subarray(0, REJECTED_PREFIX_BYTES))).toBe(true);
    expect(REJECTED_PREFIX_BYTES).toBe(4096);
    const small = Buffer.from('short');
    new RejectedPackets(db).add(null, 'FERRY_ERR_LINK_FRAME', 'x', small, 1235);
    expect((db.prepare('SELECT prefix FROM rejected_packets WHERE id = 2').pluck().get() as Buffer).equals(small)).toBe(true);
  });

  it('caps the table by rows: the oldest go first and are counted', () => {
    const db = openDb(file(), MIGRATIONS);
    const r = new RejectedPackets(db, 3);
    for (let i = 0; i < 7; i++) r.add(`p${i}`, 'FERRY_ERR_SEAL_BAD_SIGNATURE', `n${i}`, Buffer.from([i]), i);
    expect(r.list().map((x) => x.packetId)).toEqual(['p4', 'p5', 'p6']);
    expect(r.dropped()).toBe(4);
    expect(DEFAULT_MAX_REJECTED).toBe(10_000);
  });

  it('converts rows stored whole by an older gateway: digest and prefix of the bytes, then the bytes are gone', () => {
    const f = file();
    // (Migration 2 drops the old bytes; migration 3 adds an empty `packet` column: nothing comes back.)
    const old = openDb(f, MIGRATIONS.slice(0, 1));
    const whole = randomBytes(10_000);
    old.prepare('INSERT INTO rejected_packets (packet_id, code, detail, bytes, received_at) VALUES (?, ?, ?, ?, ?)').run('cd'.repeat(16), 'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'old', whole, 99);
    old.close();
    const db = openDb(f, MIGRATIONS);
    const [row] = new RejectedPackets(db).list();
    expect(row).toMatchObject({ packetId: 'cd'.repeat(16), code: 'FERRY_ERR_SEAL_WRONG_RECIPIENT', size: 10_000, receivedAt: 99 });
    expect(row!.digest.equals(sha256(whole))).toBe(true);
    expect((db.prepare('SELECT prefix FROM rejected_packets').pluck().get() as Buffer).equals(whole.subarray(0, REJECTED_PREFIX_BYTES))).toBe(true);
  });

  it.each([['internal', INTERNAL_MIGRATIONS], ['external', EXTERNAL_MIGRATIONS]] as const)('is the table both gateways (%s) migrate to', (_role, m) => {
    const db = openDb(file(), m);
    expect(db.prepare("SELECT COUNT(*) FROM pragma_table_info('rejected_packets') WHERE name = 'bytes'").pluck().get()).toBe(0);
    expect(new RejectedPackets(db).dropped()).toBe(0);
  });
});
