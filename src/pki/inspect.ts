// Data and text for `ferry certs show`: one line per certificate — file, purpose, subject, expiry,
// days left, SHA-256 fingerprint — in the spirit of `step certificate inspect --short` and
// `openssl x509 -noout -subject -enddate -fingerprint -sha256`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, type X509Certificate } from 'node:crypto';
import { isFerryError } from '../errors.js';
import { certFacts, certSha256, colonHex } from './cert-extensions.js';
import { EKU } from './oids.js';
import { loadCertificates, loadPrivateKey } from './key-files.js';

/** Certificates that expire within this many days are flagged, like monitoring tools' default. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;
/** File endings read as certificates. */
export const CERT_FILE_SUFFIXES = ['.crt', '.pem', '.cer', '.der'] as const;

export type CertPurpose =
  | 'CA'
  | 'time-stamping'
  | 'TLS server+client'
  | 'TLS server'
  | 'TLS client'
  | 'encryption (key agreement)'
  | 'encryption (key transport)'
  | 'signing'
  | 'other';

export type CertStatus = 'valid' | 'expiring' | 'expired' | 'not yet valid';

export interface CertSummary {
  readonly file: string;
  /** Position in the file (0 = first; a chain file has several). */
  readonly index: number;
  readonly purpose: CertPurpose;
  /** Subject as RDNs joined with ", " in certificate order, e.g. "CN=Ferry Dev Root CA, O=Ferry Dev". */
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  /** SHA-256 of the DER, colon hex, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whole days from `now` to notAfter, rounded down; negative once expired. */
  readonly daysLeft: number;
  readonly status: CertStatus;
  /** State of the private key beside the certificate (`<name>.key`), for the first certificate of a
   *  file only: 'ok', 'absent', or the reason it would be refused. */
  readonly key?: string;
}

/** A file in the directory that could not be read as certificates. */
export interface CertFileProblem {
  readonly file: string;
  readonly problem: string;
}

export interface CertListing {
  readonly rows: CertSummary[];
  readonly problems: CertFileProblem[];
}

/** Purpose from the extensions the certificate asserts, most specific first. */
export function purposeOf(cert: X509Certificate): CertPurpose {
  const f = certFacts(cert);
  if (f.basicConstraints?.ca) return 'CA';
  const eku = f.extKeyUsage ?? [];
  if (eku.includes(EKU.timeStamping)) return 'time-stamping';
  const server = eku.includes(EKU.serverAuth);
  const client = eku.includes(EKU.clientAuth);
  if (server && client) return 'TLS server+client';
  if (server) return 'TLS server';
  if (client) return 'TLS client';
  const ku = f.keyUsage ?? [];
  if (ku.includes('keyAgreement')) return 'encryption (key agreement)';
  if (ku.includes('keyEncipherment')) return 'encryption (key transport)';
  if (ku.includes('digitalSignature') || ku.includes('nonRepudiation')) return 'signing';
  return 'other';
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

/** Pure: the summary row of one certificate at instant `now`. */
export function summarize(cert: X509Certificate, file: string, index: number, now: Date): CertSummary {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  let status: CertStatus = 'valid';
  if (now.getTime() < notBefore.getTime()) status = 'not yet valid';
  else if (now.getTime() > notAfter.getTime()) status = 'expired';
  else if (daysLeft < EXPIRY_WARNING_DAYS) status = 'expiring';
  return {
    file,
    index,
    purpose: purposeOf(cert),
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serial: cert.serialNumber,
    sha256: colonHex(certSha256(cert)),
    notBefore,
    notAfter,
    daysLeft,
    status,
  };
}

function keyState(keyPath: string, cert: X509Certificate): string {
  try {
    statSync(keyPath);
  } catch {
    return 'absent';
  }
  try {
    const pub = createPublicKey(loadPrivateKey(keyPath)).export({ type: 'spki', format: 'der' });
    return pub.equals(cert.publicKey.export({ type: 'spki', format: 'der' })) ? 'ok' : 'does not match the certificate';
  } catch (e) {
    return isFerryError(e) ? e.message : String(e);
  }
}

/**
 * Reads every certificate file (`*.crt`, `*.pem`, `*.cer`, `*.der`) in `dir`, sorted by name, and
 * summarises each certificate at `now`. Files that do not parse are listed as problems, not thrown.
 */
export function describeCertificateDir(dir: string, now: Date): CertListing {
  const rows: CertSummary[] = [];
  const problems: CertFileProblem[] = [];
  const names = readdirSync(dir)
    .filter((n) => CERT_FILE_SUFFIXES.some((s) => n.endsWith(s)))
    .sort();
  for (const name of names) {
    const path = join(dir, name);
    let certs: X509Certificate[];
    try {
      certs = loadCertificates(path);
    } catch (e) {
      if (!isFerryError(e)) throw e;
      problems.push({ file: name, problem: e.message });
      continue;
    }
    certs.forEach((cert, i) => {
      const row = summarize(cert, name, i, now);
      const base = name.replace(/\.[^.]+$/, '');
      rows.push(i === 0 ? { ...row, key: keyState(join(dir, `${base}.key`), cert) } : row);
    });
  }
  return { rows, problems };
}

/** The rows of `describeCertificateDir` (unreadable files are left out: use that function, or
 *  `formatCertTable(rows, problems)`, to show them). */
export function describeCertificates(dir: string, now: Date): CertSummary[] {
  return describeCertificateDir(dir, now).rows;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function fileLabel(r: CertSummary): string {
  return r.index === 0 ? r.file : `${r.file}[${r.index}]`;
}

function daysLabel(r: CertSummary): string {
  if (r.status === 'expired') return `EXPIRED ${-r.daysLeft}d ago`;
  if (r.status === 'not yet valid') return `not before ${r.notBefore.toISOString().slice(0, 10)}`;
  return r.status === 'expiring' ? `${r.daysLeft}d (renew)` : `${r.daysLeft}d`;
}

/**
 * One aligned line per certificate under a header:
 * `FILE  PURPOSE  SUBJECT  NOT AFTER  LEFT  KEY  SHA-256`. Pure; the caller prints it.
 */
export function formatCertTable(rows: readonly CertSummary[], problems: readonly CertFileProblem[] = []): string {
  const head = ['FILE', 'PURPOSE', 'SUBJECT', 'NOT AFTER', 'LEFT', 'KEY', 'SHA-256 FINGERPRINT'];
  const body = rows.map((r) => [
    fileLabel(r),
    r.purpose,
    r.subject,
    r.notAfter.toISOString().replace('.000Z', 'Z'),
    daysLabel(r),
    r.key === undefined ? '-' : r.key === 'ok' ? 'ok' : r.key === 'absent' ? '-' : 'BAD',
    r.sha256,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ');
  const out = [line(head), ...body.map(line)];
  // Key problems and unreadable files are spelled out under the table, each naming the file.
  for (const r of rows) {
    if (r.key !== undefined && r.key !== 'ok' && r.key !== 'absent') out.push(`! ${r.file}: key: ${r.key}`);
  }
  for (const p of problems) out.push(`! ${p.file}: ${p.problem}`);
  return out.join('\n') + '\n';
}
