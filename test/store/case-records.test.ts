// One intranet case, two records with one owner each (src/internal/store/intranet-cases.ts says why):
// the gateway's delivery evidence in intranet_cases, the desk's workflow in approval_cases /
// case_submissions. Each fact has one source: the item code and the trusted receipt time are the
// desk's, and the gateway's columns for them are copied from the desk's row, never decided twice.
// Also pins the on-disk format (tables, migration versions, schema text) across the store's split by
// owner: moving files must not change what is on disk. Real SQLite files, a real desk.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLog, deskFor, externalStore, internalStore, ManualClock, removeTempDirs, T0 } from '../packet-path/fixtures.js';
import { incoming } from '../desk/helpers.js';
import type { Db } from '../../src/store/db.js';

afterAll(removeTempDirs);

const CASE = 'QX-20310506-000031';
const evidence = (caseId: string, origin = 'public') => ({
  caseId, submittedAt: T0.getTime() - 60_000, packetId: Buffer.alloc(16, 7), sourceAddress: '203.0.113.9', clientIdentity: '',
  originDomain: origin, requestBody: Buffer.from('{"itemCode":"SCJG-001"}'), requestSha256: Buffer.alloc(32, 1),
});

function intranet() {
  const store = internalStore();
  const clock = new ManualClock();
  const { desk } = deskFor(store.db, clock, captureLog().log);
  return { store, clock, desk };
}

const row = (db: Db, table: string, caseId: string) => db.prepare(`SELECT * FROM ${table} WHERE case_id = ?`).get(caseId) as Record<string, unknown> | undefined;

describe('one intranet case: the gateway\'s delivery evidence and the desk\'s workflow, one source for each fact', () => {
  it('copies the item code and the trusted receipt time into the gateway\'s record from the desk\'s case', () => {
    const { store, clock, desk } = intranet();
    clock.advance(4321);
    const taken = desk.receiveSubmission(incoming('SCJG-001', CASE, clock.now()));
    expect(taken.ok).toBe(true);
    expect(store.cases.receive(evidence(CASE))).toBe(true);
    const g = row(store.db, 'intranet_cases', CASE)!;
    const a = row(store.db, 'approval_cases', CASE)!;
    expect(a).toMatchObject({ item_code: 'SCJG-001', received_at: T0.getTime() + 4321 });
    expect({ item_code: g.item_code, received_at: g.received_at }).toEqual({ item_code: a.item_code, received_at: a.received_at });
    // The gateway's own facts are its own: the bytes as POSTed, the packet, the origin.
    expect(g).toMatchObject({ packet_id: Buffer.alloc(16, 7), origin_domain: 'public', request_body: Buffer.from('{"itemCode":"SCJG-001"}'), status: 'received' });
  });

  it('records no delivery for a case the desk has not taken (the desk\'s row comes first, in the same transaction)', () => {
    const { store } = intranet();
    expect(store.cases.receive(evidence(CASE))).toBe(false);
    expect(store.cases.get(CASE)).toBeNull();
    expect(store.cases.count()).toBe(0);
  });

  it('refuses a second delivery record for the same case and keeps the first', () => {
    const { store, clock, desk } = intranet();
    expect(desk.receiveSubmission(incoming('SCJG-001', CASE, clock.now())).ok).toBe(true);
    expect(store.cases.receive(evidence(CASE, 'public'))).toBe(true);
    expect(store.cases.receive(evidence(CASE, 'baishi'))).toBe(false);
    expect(store.cases.get(CASE)?.originDomain).toBe('public');
  });

  it('reads back only the gateway\'s facts: the workflow status, item and receipt time are asked of the desk', () => {
    const { store, clock, desk } = intranet();
    expect(desk.receiveSubmission(incoming('SCJG-001', CASE, clock.now())).ok).toBe(true);
    expect(store.cases.receive(evidence(CASE))).toBe(true);
    expect(store.cases.get(CASE)).toEqual({ caseId: CASE, submittedAt: T0.getTime() - 60_000, originDomain: 'public' });
    const r = desk.applicantAction(CASE, { type: 'withdraw', reason: 'filed twice' }, { receivedAt: clock.now() });
    expect(r.ok).toBe(true);
    // The desk's status moved; the gateway's record still says only that the packet was delivered.
    expect(desk.store.getCase(CASE)?.status).not.toBe('received');
    expect(row(store.db, 'intranet_cases', CASE)?.status).toBe('received');
  });
});

describe('the on-disk format is unchanged by the store\'s split by owner', () => {
  const schemaOf = (db: Db) => {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").pluck().all();
    const version = db.prepare('SELECT MAX(version) FROM schema_version').pluck().get();
    const sql = (db.prepare("SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").pluck().all() as string[]).join('\n');
    return { names, version, sha256: createHash('sha256').update(sql).digest('hex') };
  };

  // Migrations 13 (internal) and 11 (external) add the replay tables (PROTOCOL.md §6 rule 13).
  it('internal.sqlite: the same tables, migration 13, and byte-identical schema text', () => {
    expect(schemaOf(internalStore().db)).toEqual({
      names: ['approval_cases', 'audit_anchors', 'audit_entries', 'case_attachments', 'case_submissions', 'case_transitions', 'evaluations', 'gateway_kv',
        'intranet_cases', 'link_watermark', 'notifications', 'outbound_events', 'outbox', 'outbox_dropped', 'outbox_held', 'outbox_retained', 'packet_stamps', 'quarantine', 'rejected_packets',
        'rejected_packets_dropped', 'replay_state', 'schema_version', 'seen_packets', 'sqlite_sequence', 'staff', 'staff_sessions', 'stamp_queue', 'supervision_basis', 'supervision_cards',
        'supervision_queue'],
      version: 13,
      sha256: '80fd050fc2d9d623dd008ac9251e200ad9c3256d3861e1481fb9cca62a5ee89a',
    });
  });

  it('external.sqlite: the same tables, migration 11, and byte-identical schema text', () => {
    expect(schemaOf(externalStore().db)).toEqual({
      names: ['audit_anchors', 'audit_entries', 'case_history', 'case_status', 'catalogue_cache', 'gateway_kv', 'idempotency_keys', 'link_watermark', 'outbox', 'outbox_dropped', 'outbox_held', 'outbox_retained', 'quarantine',
        'rejected_packets', 'rejected_packets_dropped', 'replay_state', 'schema_version', 'seen_packets', 'sqlite_sequence'],
      version: 11,
      sha256: 'acfc45db2d2628bf2047c30b073c500a1ea250227963cfc6b7fad429d2625e70',
    });
  });
});
