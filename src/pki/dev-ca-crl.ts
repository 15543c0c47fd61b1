// The dev CA's revocation: records what `ferry certs init` issued, revokes a serial, and writes the CRL
// (ca.crl, DER) from the CA database (ca-db.ts). Each CRL gets the next CRL number; nextUpdate is
// `days` ahead, and `ferry certs crl` re-issues the list before then (a stale list holds the link).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import { CA_CRL_FILE, normalSerial, readCaDb, writeCaDb, type CaDb } from './ca-db.js';
import { certFacts } from './cert-extensions.js';
import { verifyChain } from './chain.js';
import { issueCrl } from './crl-issue.js';
import type { CrlReason } from './crl.js';
import { loadCertificate } from './key-files.js';

/** How long a CRL the dev CA writes is current: a week, re-issued by `ferry certs crl` (a timer). */
export const DEFAULT_CRL_DAYS = 7;
const DAY_MS = 86_400_000;

export interface CrlWritten { file: string; crlNumber: number; revoked: number; nextUpdate: Date }

/** Signs a new CRL from the database with the next CRL number and writes ca.crl (atomically). */
export async function writeDevCrl(dir: string, db: CaDb, now: Date, days = DEFAULT_CRL_DAYS): Promise<CrlWritten> {
  if (!Number.isFinite(days) || days <= 0 || days > 366) throw new FerryError('FERRY_ERR_CLI_USAGE', `CRL validity must be 1 to 366 days, got ${days}`);
  db.crlNumber += 1;
  const nextUpdate = new Date(now.getTime() + days * DAY_MS);
  const der = await issueCrl({
    caCertPem: readFileSync(join(dir, 'ca.crt')), caKeyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    crlNumber: db.crlNumber, thisUpdate: now, nextUpdate,
    revoked: db.revoked.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt), reason: r.reason })),
  });
  const file = join(dir, CA_CRL_FILE);
  // The database first: a crash between the two leaves a number used by no list, never two lists with one number.
  writeCaDb(dir, db);
  writeFileSync(`${file}.tmp`, der, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
  return { file, crlNumber: db.crlNumber, revoked: db.revoked.length, nextUpdate };
}

export interface RevokeRequest { serial?: string; cert?: string; reason: CrlReason; now: Date; days?: number }

/**
 * Revokes one certificate of the dev CA in `dir` and writes the new CRL. By --serial the serial must be
 * one the database recorded as issued; by --cert the certificate must chain to ca.crt (so a certificate
 * issued by openssl with the CA key is revocable too). Revoking twice is refused.
 */
export async function revokeDevCertificate(dir: string, req: RevokeRequest): Promise<CrlWritten & { serial: string; subject: string }> {
  const db = readCaDb(dir);
  let serial: string;
  let subject: string;
  if (req.cert) {
    const cert: X509Certificate = loadCertificate(req.cert);
    const ca = loadCertificate(join(dir, 'ca.crt'));
    const chained = verifyChain(cert, [ca], new Date(cert.validFrom));
    if (!chained.ok) throw new FerryError('FERRY_ERR_PKI_CHAIN', `${req.cert} was not issued by ${join(dir, 'ca.crt')}: ${chained.detail}`);
    serial = certFacts(cert).serial.toString(16);
    subject = cert.subject.replace(/\n/g, ', ');
  } else if (req.serial) {
    serial = normalSerial(req.serial);
    const issued = db.issued.find((i) => normalSerial(i.serial) === serial);
    if (!issued) throw new FerryError('FERRY_ERR_PKI_CA_DB', `serial ${serial} is not in ${join(dir, 'ca-db.json')} (revoke a certificate this database did not record with --cert FILE)`);
    subject = issued.subject;
  } else {
    throw new FerryError('FERRY_ERR_CLI_USAGE', 'certs revoke needs --serial HEX or --cert FILE');
  }
  if (db.revoked.some((r) => normalSerial(r.serial) === serial)) {
    throw new FerryError('FERRY_ERR_PKI_CA_DB', `serial ${serial} (${subject}) is already revoked`);
  }
  db.revoked.push({ serial, revokedAt: req.now.toISOString(), reason: req.reason });
  const out = await writeDevCrl(dir, db, req.now, req.days);
  return { ...out, serial, subject };
}
