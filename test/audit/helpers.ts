// Shared fixtures for the audit tests: a gateway-like SQLite file with the audit tables, a filled
// chain, the dev PKI, and a second connection that tampers with the file the way an attacker would.
import Database from 'better-sqlite3';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/db.js';
import { AUDIT_SQL, AuditLog, type AuditEntry } from '../../src/audit/chain.js';
import { AUDIT_ACTIONS, type AuditAction } from '../../src/audit/actions.js';
import { initDevPki, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { canonicalJson, encodeEntry, sha256 } from '../../src/audit/canonical.js';

export { openssl, opensslTry, tempDir } from '../pki/helpers.js';

export const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
export const MINUTE = 60_000;

export interface Store { file: string; db: Db; log: AuditLog }

export function openStore(dir: string, name = 'gw.sqlite'): Store {
  const file = join(dir, name);
  const db = openDb(file, [{ version: 1, sql: AUDIT_SQL }]);
  return { file, db, log: new AuditLog(db) };
}

const ACTIONS = AUDIT_ACTIONS.filter((a) => a !== 'audit.anchor');

/** Appends `n` ordinary entries, one a minute from `startMs`. */
export function fill(log: AuditLog, n: number, startMs = T0): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const action = ACTIONS[i % ACTIONS.length] as AuditAction;
    out.push(log.append({
      at: new Date(startMs + i * MINUTE),
      actor: i % 3 === 0 ? 'gateway:external' : `staff:A-${100 + i}`,
      action,
      subject: `F20261125-${String(i).padStart(4, '0')}`,
      detail: { code: i % 4 === 0 ? 'FERRY_ERR_POLICY_KIND' : null, n: i, note: 'päckchen "quoted", tab\there' },
    }));
  }
  return out;
}

export interface Pki { files: DevPkiFiles; signKey: KeyObject; signCert: X509Certificate; ca: X509Certificate }

export async function devPki(dir: string): Promise<Pki> {
  // Issued a day before T0 (or before now, if earlier) for ten years, so that anchors made at the
  // tests' fixed times and openssl's checks at the real time both fall inside the validity.
  const files = await initDevPki(join(dir, 'certs'), { now: new Date(Math.min(T0, Date.now()) - 86_400_000), days: 3650 });
  return {
    files,
    signKey: createPrivateKey(readFileSync(files['external-sign'].key)),
    signCert: new X509Certificate(readFileSync(files['external-sign'].cert)),
    ca: new X509Certificate(readFileSync(files.ca.cert)),
  };
}

/** Opens the file with a second connection, as an attacker with the file would: drops the
 *  append-only triggers (they are a guard against mistakes, not against the file's owner). */
export function tamper(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    for (const t of ['audit_entries_append_only_u', 'audit_entries_append_only_d', 'audit_anchors_append_only_u', 'audit_anchors_append_only_d']) {
      db.exec(`DROP TRIGGER IF EXISTS ${t}`);
    }
    db.transaction(() => fn(db))();
  } finally {
    db.close();
  }
}

/** Moves rows with seq >= from by delta, in two steps so the primary key never collides. */
export function shiftSeq(db: Database.Database, from: number, delta: number): void {
  const BIG = 1_000_000_000;
  db.prepare('UPDATE audit_entries SET seq = seq + ? WHERE seq >= ?').run(BIG + delta, from);
  db.prepare('UPDATE audit_entries SET seq = seq - ? WHERE seq > ?').run(BIG, BIG / 2);
}

export interface RawRow { seq: number; at: number; actor: string; action: string; subject: string; detail: string; prev_hash: Buffer; hash: Buffer; canonical: Buffer }

export function row(db: Database.Database, seq: number): RawRow {
  return db.prepare('SELECT * FROM audit_entries WHERE seq = ?').get(seq) as RawRow;
}

/** A complete, self-consistent entry with the hash a forger would compute. */
export function forge(seq: number, prevHash: Buffer, at: number, actor: string, action: string, subject: string, detail: unknown): RawRow {
  const d = canonicalJson(detail);
  const canonical = encodeEntry({ seq, prevHash, at, actor, action, subject, detail: d });
  return { seq, at, actor, action, subject, detail: d, prev_hash: prevHash, hash: sha256(canonical), canonical };
}

export function put(db: Database.Database, r: RawRow, seqColumn = r.seq): void {
  db.prepare('INSERT INTO audit_entries (seq, at, actor, action, subject, detail, prev_hash, hash, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(seqColumn, r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash, r.canonical);
}

/** Replaces every content column of row `seq` (not the seq column) with `r`. */
export function overwrite(db: Database.Database, seq: number, r: RawRow): void {
  db.prepare('UPDATE audit_entries SET at = ?, actor = ?, action = ?, subject = ?, detail = ?, prev_hash = ?, hash = ?, canonical = ? WHERE seq = ?')
    .run(r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash, r.canonical, seq);
}
