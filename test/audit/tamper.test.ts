// The tamper table: each row opens the gateway's SQLite file with a second connection, changes it the
// way someone holding the file could, and expects verifyChain to name the first bad seq and its kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { anchorHead, SignatureAnchorer } from '../../src/audit/anchor.js';
import { verifyChain, type TamperKind } from '../../src/audit/verify.js';
import { sha256 } from '../../src/audit/canonical.js';
import { devPki, fill, forge, openStore, overwrite, put, row, shiftSeq, T0, tamper, tempDir, type Pki } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let template: string;
let n = 0;

// Entries 1..10, anchor of head 10 recorded as entry 11, entries 12..20, anchor of head 20 as entry
// 21, entries 22..25 (not yet anchored).
beforeAll(async () => {
  tmp = tempDir('audit-tamper');
  pki = await devPki(tmp.dir);
  const s = openStore(tmp.dir, 'template.sqlite');
  const anchorer = new SignatureAnchorer(pki.signKey, pki.signCert);
  const clock = { now: () => new Date(T0 + 3_600_000) };
  fill(s.log, 10);
  await anchorHead(s.log, anchorer, { clock, actor: 'gateway:external' });
  fill(s.log, 9, T0 + 20 * 60_000);
  await anchorHead(s.log, anchorer, { clock, actor: 'gateway:external' });
  fill(s.log, 4, T0 + 40 * 60_000);
  s.db.close();
  template = s.file;
});
afterAll(() => tmp.cleanup());

function copy(): string {
  const f = join(tmp.dir, `case-${++n}.sqlite`);
  copyFileSync(template, f);
  return f;
}

async function verifyFile(file: string, expectedHead?: { seq: number; hash: Buffer }) {
  const db = new Database(file, { readonly: true });
  try {
    return await verifyChain(db, { trust: { ca: [pki.ca], signers: new Set([sha256(pki.signCert.raw).toString('hex')]) }, ...(expectedHead ? { expectedHead } : {}) });
  } finally {
    db.close();
  }
}

type Db2 = Database.Database;
const del = (db: Db2, from: number, to = from): void => void db.prepare('DELETE FROM audit_entries WHERE seq BETWEEN ? AND ?').run(from, to);
function swap(db: Db2, a: number, b: number): void {
  const ra = row(db, a);
  const rb = row(db, b);
  overwrite(db, a, rb);
  overwrite(db, b, ra);
}

const table: Array<{ change: string; tamper: (db: Db2) => void; firstBad: number; kind: TamperKind; detail?: RegExp }> = [
  { change: 'the actor column of entry 5 edited', tamper: (db) => db.prepare("UPDATE audit_entries SET actor = 'staff:nobody' WHERE seq = 5").run(), firstBad: 5, kind: 'altered', detail: /actor column/ },
  { change: 'the detail column of entry 5 edited', tamper: (db) => db.prepare(`UPDATE audit_entries SET detail = '{"n":99}' WHERE seq = 5`).run(), firstBad: 5, kind: 'altered', detail: /detail column/ },
  {
    change: 'the canonical bytes of entry 5 edited, stored hash left',
    tamper: (db) => db.prepare('UPDATE audit_entries SET canonical = CAST(replace(CAST(canonical AS TEXT), ?, ?) AS BLOB) WHERE seq = 5').run('staff:A-104', 'staff:A-666'),
    firstBad: 5, kind: 'altered', detail: /stored hash is not the SHA-256/,
  },
  {
    change: 'entry 5 rewritten and re-hashed, all its columns consistent',
    tamper: (db) => { const r = row(db, 5); overwrite(db, 5, forge(5, r.prev_hash, r.at, r.actor, r.action, 'F-OTHER', JSON.parse(r.detail))); },
    firstBad: 5, kind: 'altered', detail: /entry 5 no longer hashes/,
  },
  { change: 'entry 5 deleted', tamper: (db) => del(db, 5), firstBad: 5, kind: 'removed', detail: /entry 5 is missing/ },
  { change: 'entries 5..7 deleted', tamper: (db) => del(db, 5, 7), firstBad: 5, kind: 'removed', detail: /entries 5\.\.7 are missing/ },
  { change: 'entry 5 deleted and the rest renumbered to close the gap', tamper: (db) => { del(db, 5); shiftSeq(db, 6, -1); }, firstBad: 5, kind: 'removed', detail: /row 5 holds entry 6/ },
  {
    change: 'a forged entry inserted between 5 and 6, with a correct hash and link, the rest renumbered',
    tamper: (db) => {
      const r5 = row(db, 5);
      shiftSeq(db, 6, +1);
      put(db, forge(6, r5.hash, r5.at + 1000, 'staff:A-101', 'quarantine.release', 'F20261125-0005', { reason: 'forged' }));
    },
    firstBad: 6, kind: 'inserted', detail: /entry 6 was inserted/,
  },
  { change: 'a copy of entry 5 appended as row 26 (replay)', tamper: (db) => put(db, { ...row(db, 5) }, 26), firstBad: 26, kind: 'inserted', detail: /row 26 holds an entry numbered 5, whose place is already taken/ },
  { change: 'the contents of entries 5 and 6 swapped', tamper: (db) => swap(db, 5, 6), firstBad: 5, kind: 'reordered' },
  { change: 'the contents of entries 5 and 9 swapped', tamper: (db) => swap(db, 5, 9), firstBad: 5, kind: 'reordered', detail: /row 9 holds entry 5/ },
  { change: 'row 25 moved to seq 30 (seq column only)', tamper: (db) => db.prepare('UPDATE audit_entries SET seq = 30 WHERE seq = 25').run(), firstBad: 25, kind: 'altered', detail: /stored under seq 30/ },
  // A cut tail breaks no link: these are found only because an anchor covers or records the cut part.
  { change: 'the tail cut after entry 15 (the anchor of head 20 is still in audit_anchors)', tamper: (db) => del(db, 16, 99), firstBad: 16, kind: 'removed', detail: /only an anchor/ },
  { change: 'the tail cut right after the anchored head 20 (its audit.anchor entry 21 gone)', tamper: (db) => del(db, 21, 99), firstBad: 21, kind: 'removed', detail: /anchor recorded as entry 21/ },
  {
    change: 'entries 15..25 rewritten and the chain re-hashed from there (every link valid)',
    tamper: (db) => {
      let prev = row(db, 14).hash;
      for (let s = 15; s <= 25; s++) {
        const r = row(db, s);
        const f = forge(s, prev, r.at, r.actor, r.action, s === 15 ? 'F-REWRITTEN' : r.subject, JSON.parse(r.detail));
        overwrite(db, s, f);
        prev = f.hash;
      }
    },
    firstBad: 11, kind: 'altered', detail: /entries 11\.\.20 were rewritten/,
  },
  { change: 'one byte of the anchor token of entry 21 changed', tamper: (db) => db.prepare("UPDATE audit_anchors SET token = token || x'00' WHERE entry_seq = 21").run(), firstBad: 21, kind: 'altered', detail: /token bytes/ },
  { change: 'the anchor row of entry 21 deleted', tamper: (db) => db.prepare('DELETE FROM audit_anchors WHERE entry_seq = 21').run(), firstBad: 21, kind: 'removed', detail: /missing from audit_anchors/ },
];

describe('verifyChain over a tampered SQLite file', () => {
  it('accepts the untouched chain and verifies both anchors against the CA', async () => {
    const r = await verifyFile(copy());
    expect(r).toMatchObject({ ok: true, entries: 25, anchors: 2, anchorsVerified: 2, anchoredThrough: 20 });
  });

  for (const c of table) {
    it(`${c.change} → ${c.kind} at ${c.firstBad}`, async () => {
      const f = copy();
      tamper(f, c.tamper);
      const r = await verifyFile(f);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect({ firstBad: r.firstBad, kind: r.kind }).toEqual({ firstBad: c.firstBad, kind: c.kind });
      if (c.detail) expect(r.detail).toMatch(c.detail);
    });
  }

  it('cannot see a tail cut after the last anchor entry without a head kept elsewhere (documented limit)', async () => {
    const f = copy();
    const db = new Database(f, { readonly: true });
    const head = { seq: 25, hash: row(db, 25).hash };
    db.close();
    tamper(f, (d) => del(d, 22, 25));
    expect(await verifyFile(f)).toMatchObject({ ok: true, entries: 21 });
    const r = await verifyFile(f, head);
    expect(r).toMatchObject({ ok: false, firstBad: 22, kind: 'removed' });
  });

  it('reports cells retyped to TEXT or garbage as values, never by throwing', async () => {
    const retyped: Array<[string, number, TamperKind]> = [
      ["UPDATE audit_entries SET canonical = CAST(canonical AS TEXT) WHERE seq = 4", 4, 'altered'],
      ["UPDATE audit_entries SET hash = hex(hash) WHERE seq = 4", 4, 'altered'],
      ["UPDATE audit_entries SET at = 'yesterday' WHERE seq = 4", 4, 'altered'],
      ["UPDATE audit_entries SET prev_hash = NULL WHERE seq = 4", 4, 'altered'],
      ["UPDATE audit_anchors SET head_hash = 'x' WHERE entry_seq = 11", 11, 'altered'],
      ["UPDATE audit_anchors SET head_hash = randomblob(32) WHERE entry_seq = 11", 11, 'altered'],
      ["UPDATE audit_anchors SET token = 'x' WHERE entry_seq = 11", 11, 'altered'],
      ["UPDATE audit_anchors SET signer_cert = x'3000' WHERE entry_seq = 11", 11, 'altered'],
    ];
    for (const [sql, firstBad, kind] of retyped) {
      const f = copy();
      tamper(f, (db) => {
        db.exec('PRAGMA ignore_check_constraints = ON');
        if (sql.includes('NULL')) {
          // NOT NULL cannot be switched off: rebuild the table the way an attacker would.
          db.exec('CREATE TABLE t AS SELECT * FROM audit_entries; DROP TABLE audit_entries; ALTER TABLE t RENAME TO audit_entries');
        }
        db.exec(sql);
      });
      expect(await verifyFile(f), sql).toMatchObject({ ok: false, firstBad, kind });
    }
  });

  it('reports an expected head whose hash differs as altered', async () => {
    const r = await verifyFile(copy(), { seq: 23, hash: sha256(Buffer.from('something else')) });
    expect(r).toMatchObject({ ok: false, firstBad: 21, kind: 'altered' });
  });
});
