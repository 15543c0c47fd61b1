// Idempotency keys on a real SQLite file: a repeat finds the first answer, a different request with
// the key is told apart, a key in flight holds a twin off, keys belong to one client, rows expire and
// are pruned, and the case secret of a first answer is nowhere in the file in clear.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openExternalStore } from '../../src/external/store.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_PRUNE_INTERVAL_MS, type FirstAnswer } from '../../src/external/idempotency.js';
import { openSecret, sealSecret } from '../../src/external/idempotency-seal.js';

const SECRET = 'ZK3M-Q9XD-2B4C-6E8G-7K3M-Q9XD-2B4C';
const CASE = 'F20261203-7K3MQ9XD2B4C6E8G';
const BODY = Buffer.from('{"itemCode":"SCJG-001","applicant":{"name":"Zhang San"}}');
const ROUTE = 'POST /api/v1/submissions';
const T0 = Date.parse('2026-12-03T10:00:00Z');
const first: FirstAnswer = {
  status: 202, headers: { location: `/api/v1/cases/${CASE}`, 'cache-control': 'no-store' },
  body: { caseId: CASE, secret: SECRET, status: 'submitted', submittedAt: '2026-12-03T10:00:00.000Z' },
};

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-idem-'));
  return { dir, s: openExternalStore(dir) };
}

/** Claims and commits the key in a transaction, as intake does with the outbox row. */
function file(s: ReturnType<typeof store>['s'], key: string, scope = 'ip:10.0.0.1', raw = BODY, nowMs = T0) {
  const c = s.idempotency.claim({ scope, key, route: ROUTE, raw, nowMs });
  expect(c.kind).toBe('new');
  if (c.kind !== 'new') throw new Error('not new');
  s.db.transaction(() => c.remember(CASE, first, raw))();
  c.release();
}

describe('Idempotency-Key store', () => {
  it('answers a repeat with the first answer, case secret included', () => {
    const { s } = store();
    file(s, 'k-1');
    const again = s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-1', route: ROUTE, raw: Buffer.from(BODY), nowMs: T0 + 5_000 });
    expect(again).toEqual({ kind: 'repeat', answer: first });
  });

  it('refuses the key with another body or on another route, and keeps the first answer', () => {
    const { s } = store();
    file(s, 'k-1');
    const other = Buffer.from(BODY.toString().replace('Zhang', 'Li'));
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-1', route: ROUTE, raw: other, nowMs: T0 }).kind).toBe('mismatch');
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-1', route: 'POST /api/v1/cases/:caseId/actions', raw: BODY, nowMs: T0 }).kind).toBe('mismatch');
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-1', route: ROUTE, raw: BODY, nowMs: T0 }).kind).toBe('repeat');
  });

  it('holds a twin off while the first request with the key is in flight, and lets it in after release', () => {
    const { s } = store();
    const c = s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-2', route: ROUTE, raw: BODY, nowMs: T0 });
    expect(c.kind).toBe('new');
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-2', route: ROUTE, raw: BODY, nowMs: T0 }).kind).toBe('in-progress');
    if (c.kind === 'new') c.release(); // refused: nothing remembered, the key is free again
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-2', route: ROUTE, raw: BODY, nowMs: T0 }).kind).toBe('new');
  });

  it('keeps keys per client: the same key from another address or certificate is another key', () => {
    const { s } = store();
    file(s, 'k-1', 'ip:10.0.0.1');
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.2', key: 'k-1', route: ROUTE, raw: BODY, nowMs: T0 }).kind).toBe('new');
    expect(s.idempotency.claim({ scope: 'cert:ab12', key: 'k-1', route: ROUTE, raw: BODY, nowMs: T0 }).kind).toBe('new');
  });

  it('forgets a key after the retention window and prunes expired rows on the request path, at most once a minute', () => {
    const { s } = store();
    file(s, 'k-1');
    file(s, 'k-2', 'ip:10.0.0.1', BODY, T0 + DEFAULT_IDEMPOTENCY_RETENTION_MS / 2);
    file(s, 'k-3', 'ip:10.0.0.1', BODY, T0 + DEFAULT_IDEMPOTENCY_RETENTION_MS * 0.75);
    expect(s.idempotency.count()).toBe(3);
    const after = T0 + DEFAULT_IDEMPOTENCY_RETENTION_MS;
    // Expired: judged as new (a retry a day later files a case again, as the docs say); the claim
    // pruned the expired row on its way.
    const c = s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-1', route: ROUTE, raw: BODY, nowMs: after });
    expect(c.kind).toBe('new');
    if (c.kind === 'new') c.release();
    expect(s.idempotency.count()).toBe(2);
    // k-2 expires next, but within the minute nothing is pruned again; after it, it is.
    const k2Gone = T0 + DEFAULT_IDEMPOTENCY_RETENTION_MS * 1.5;
    expect(s.idempotency.prune(after + 1)).toBe(0);
    expect(s.idempotency.prune(k2Gone + IDEMPOTENCY_PRUNE_INTERVAL_MS - 2)).toBe(1);
    expect(s.idempotency.count()).toBe(1);
    expect(s.idempotency.claim({ scope: 'ip:10.0.0.1', key: 'k-3', route: ROUTE, raw: BODY, nowMs: k2Gone }).kind).toBe('repeat');
  });

  it('keeps neither the key, the scope nor the case secret in clear in the database file', () => {
    const { dir, s } = store();
    const key = 'client-key-0123456789';
    file(s, key, 'ip:203.0.113.77');
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.db.close();
    // Every file of the data directory, the blob store's included.
    const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]).filter((e) => e.isFile());
    const bytes = Buffer.concat(files.map((e) => readFileSync(join(e.parentPath ?? e.path, e.name))));
    for (const needle of [SECRET, SECRET.replace(/-/g, ''), key, '203.0.113.77']) expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
    expect(bytes.includes(Buffer.from(CASE))).toBe(true); // the row is there, under its case
  });

  it('opens the sealed secret only with the same key and the same bytes', () => {
    const aad = Buffer.from('row');
    const box = sealSecret(SECRET, 'k', BODY, aad);
    expect(openSecret(box, 'k', BODY, aad)).toBe(SECRET);
    expect(openSecret(box, 'k2', BODY, aad)).toBeNull();
    expect(openSecret(box, 'k', Buffer.concat([BODY, Buffer.from(' ')]), aad)).toBeNull();
    expect(openSecret(box, 'k', BODY, Buffer.from('other row'))).toBeNull();
    // (key, body) boundaries are length-prefixed: shifting a byte from one to the other changes the key.
    expect(openSecret(box, 'k{', BODY.subarray(1), aad)).toBeNull();
  });

  it.each([
    ['a', true], ['x'.repeat(128), true], ['550e8400-e29b-41d4-a716-446655440000', true], ['!~"#', true],
    ['', false], ['x'.repeat(129), false], ['a b', false], ['a, b', false], ['é', false], ['tab\t', false], ['nul\0', false],
  ])('Idempotency-Key %j is valid: %s', (key, ok) => {
    expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(ok);
  });
});
