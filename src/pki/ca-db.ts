// The dev CA's database: every serial it issued and every serial it revoked, and the last CRL number,
// in `ca-db.json` beside ca.crt (mode 0600, like the CA key: it decides what the next CRL says).
// Written whole to a temporary file and renamed, so a crash leaves the old database or the new one.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import type { CrlReason } from './crl.js';

export const CA_DB_FILE = 'ca-db.json';
export const CA_CRL_FILE = 'ca.crl';

export interface IssuedRecord { readonly serial: string; readonly subject: string; readonly notAfter: string; readonly file?: string }
export interface RevokedRecord { readonly serial: string; readonly revokedAt: string; readonly reason: CrlReason }
export interface CaDb {
  readonly version: 1;
  /** The number of the last CRL written (RFC 5280 §5.2.3: monotonically increasing). */
  crlNumber: number;
  issued: IssuedRecord[];
  revoked: RevokedRecord[];
}

export function caDbPath(dir: string): string { return join(dir, CA_DB_FILE); }

/** Serial as lower-case hex without leading zeros (how openssl and the CRL compare them). */
export function normalSerial(hex: string): string {
  const s = hex.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
  if (!/^[0-9a-f]{1,40}$/.test(s)) throw new FerryError('FERRY_ERR_CLI_USAGE', `--serial must be hexadecimal (up to 20 octets), got ${hex}`);
  return s;
}

export function emptyCaDb(): CaDb { return { version: 1, crlNumber: 0, issued: [], revoked: [] }; }

export function readCaDb(dir: string): CaDb {
  const p = caDbPath(dir);
  if (!existsSync(p)) throw new FerryError('FERRY_ERR_PKI_CA_DB', `${p} does not exist (a CA made by \`ferry certs init\` has one)`);
  let db: CaDb;
  try {
    db = JSON.parse(readFileSync(p, 'utf8')) as CaDb;
  } catch (e) {
    throw new FerryError('FERRY_ERR_PKI_CA_DB', `${p} is not valid JSON (${(e as Error).message})`);
  }
  if (db?.version !== 1 || !Number.isSafeInteger(db.crlNumber) || !Array.isArray(db.issued) || !Array.isArray(db.revoked)) {
    throw new FerryError('FERRY_ERR_PKI_CA_DB', `${p} is not a Ferry CA database (version 1)`);
  }
  return db;
}

export function writeCaDb(dir: string, db: CaDb): void {
  const p = caDbPath(dir);
  const tmp = `${p}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(db, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, p);
}
