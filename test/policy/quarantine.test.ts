// The quarantine state machine on a real SQLite file: held → released | rejected, once, with an
// operator and a reason; the table itself refuses any other change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/db.js';
import { QUARANTINE_SQL, Quarantine, type HoldInput } from '../../src/store/quarantine.js';

const MIGRATIONS = [{ version: 1, sql: QUARANTINE_SQL }];
let dir: string;
let file: string;
let db: Db;
let clockMs: number;
const clock = { now: () => new Date(clockMs) };
let q: Quarantine;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-quarantine-'));
  file = join(dir, 'gw.sqlite');
  db = openDb(file, MIGRATIONS);
  clockMs = Date.UTC(2026, 10, 25, 9, 0, 0);
  q = new Quarantine(db, clock);
});
afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

const packet = (n: number, x: Partial<HoldInput> = {}): HoldInput => ({
  packetId: n.toString(16).padStart(32, '0'), code: 'FERRY_ERR_POLICY_STALE', rule: 'default-deny',
  detail: `stale packet ${n}`, bytes: Buffer.from(`sealed-bytes-${n}`), receivedAt: Date.UTC(2026, 10, 25, 8, 0, n), ...x,
});

describe('quarantine', () => {
  it('holds a packet once, whole, with its rule and reason', () => {
    expect(q.hold(packet(1))).toBe(true);
    expect(q.hold(packet(1, { detail: 'a resend' }))).toBe(false);
    expect(q.get(packet(1).packetId)).toEqual({
      packetId: packet(1).packetId, code: 'FERRY_ERR_POLICY_STALE', rule: 'default-deny', detail: 'stale packet 1',
      size: packet(1).bytes.length, receivedAt: packet(1).receivedAt, state: 'held', decidedBy: null, decidedAt: null, reason: null,
    });
  });

  it('release returns the exact bytes for re-delivery and records who, when and why', () => {
    q.hold(packet(2));
    const r = q.release(packet(2).packetId, 'ops-li', 'link was down over the weekend; content checked');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.bytes.equals(packet(2).bytes)).toBe(true);
    expect(r.value.entry).toMatchObject({ state: 'released', decidedBy: 'ops-li', decidedAt: clockMs, reason: 'link was down over the weekend; content checked' });
  });

  it.each([
    ['an empty reason', 'ops-li', ''],
    ['a blank reason', 'ops-li', '   \t '],
    ['no operator', ' ', 'checked'],
    ['a reason with a forged line', 'ops-li', 'ok\u001b[2Kreleased by supervisor'],
  ])('refuses a release with %s, and the packet stays held', (_n, who, why) => {
    q.hold(packet(3));
    expect(q.release(packet(3).packetId, who, why)).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_REASON' });
    expect(q.reject(packet(3).packetId, who, why)).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_REASON' });
    expect(q.get(packet(3).packetId)!.state).toBe('held');
  });

  it('decides once: no second release, no reject after release, no release after reject', () => {
    q.hold(packet(4));
    q.hold(packet(5));
    expect(q.release(packet(4).packetId, 'ops-li', 'fine').ok).toBe(true);
    clockMs += 60_000;
    expect(q.release(packet(4).packetId, 'ops-wang', 'again')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_STATE', detail: expect.stringContaining('already released by ops-li') });
    expect(q.reject(packet(4).packetId, 'ops-wang', 'changed my mind')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_STATE' });
    expect(q.reject(packet(5).packetId, 'ops-wang', 'unsolicited decision for an unknown case').ok).toBe(true);
    expect(q.release(packet(5).packetId, 'ops-li', 'override')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_STATE' });
    expect(q.get(packet(4).packetId)).toMatchObject({ state: 'released', decidedBy: 'ops-li', reason: 'fine' });
    expect(q.get(packet(5).packetId)).toMatchObject({ state: 'rejected', decidedBy: 'ops-wang' });
  });

  it('an unknown packet id is not found', () => {
    expect(q.release('ff'.repeat(16), 'ops-li', 'x')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_NOT_FOUND' });
  });

  it('lists by state, oldest first, in pages', () => {
    for (let i = 1; i <= 7; i++) q.hold(packet(i));
    q.release(packet(2).packetId, 'ops', 'ok');
    q.reject(packet(3).packetId, 'ops', 'bad');
    q.reject(packet(6).packetId, 'ops', 'bad');
    const ids = (xs: { packetId: string }[]) => xs.map((x) => parseInt(x.packetId, 16));
    expect(ids(q.list())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ids(q.list({ state: 'held' }))).toEqual([1, 4, 5, 7]);
    expect(ids(q.list({ state: 'released' }))).toEqual([2]);
    expect(ids(q.list({ state: 'rejected' }))).toEqual([3, 6]);
    const page1 = q.list({ state: 'held', limit: 3 });
    expect(ids(page1)).toEqual([1, 4, 5]);
    expect(ids(q.list({ state: 'held', limit: 3, after: page1[2]! }))).toEqual([7]);
    expect(q.counts()).toEqual({ held: 4, released: 1, rejected: 2 });
    expect(q.list()[0]).not.toHaveProperty('bytes');
  });

  it('the table itself refuses to undo or rewrite a decision, or drop a held packet', () => {
    q.hold(packet(8));
    q.hold(packet(9));
    q.release(packet(8).packetId, 'ops', 'ok');
    const id8 = packet(8).packetId;
    expect(() => db.prepare("UPDATE quarantine SET state = 'held', decided_by = NULL, decided_at = NULL, reason = NULL WHERE packet_id = ?").run(id8)).toThrow(/decision is final/);
    expect(() => db.prepare('UPDATE quarantine SET reason = ? WHERE packet_id = ?').run('edited', id8)).toThrow(/decision is final/);
    expect(() => db.prepare("UPDATE quarantine SET state = 'released' WHERE packet_id = ?").run(packet(9).packetId)).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE quarantine SET state = 'rejected', decided_by = 'x', decided_at = 1, reason = ' ' WHERE packet_id = ?").run(packet(9).packetId)).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE quarantine SET bytes = x'00' WHERE packet_id = ?").run(packet(9).packetId)).toThrow(/evidence/);
    expect(() => db.prepare('DELETE FROM quarantine WHERE packet_id = ?').run(packet(9).packetId)).toThrow(/only after a decision/);
    expect(q.get(id8)).toMatchObject({ state: 'released', reason: 'ok' });
  });

  it('survives a reopen of the file', () => {
    q.hold(packet(10));
    q.reject(packet(10).packetId, 'ops', 'forged status');
    db.close();
    db = openDb(file, MIGRATIONS);
    q = new Quarantine(db, clock);
    expect(q.get(packet(10).packetId)).toMatchObject({ state: 'rejected', reason: 'forged status' });
    expect(q.release(packet(10).packetId, 'ops', 'x')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_QUARANTINE_STATE' });
  });
});
