// Writes a self-contained export of a period of the audit chain for a supervision office: the entries'
// exact bytes, their hashes, the prefix hash the first one links to, the anchors with their head
// records, the certificates, and VERIFY.md / verify.sh (openssl + coreutils only; export-script.ts).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import type { X509Certificate as NodeX509 } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../store/db.js';
import { FerryError } from '../errors.js';
import { toPem } from '../pki/pem.js';
import { ANCHOR_COLUMNS, ENTRY_COLUMNS, type AnchorRow, type AuditRow } from './chain.js';
import { headRecord, readEntryPrefix, sha256 } from './canonical.js';
import { encodeAnchorRecord } from './anchor-record.js';
import { verifyDoc, verifyScript } from './export-script.js';
import { EXPORT_SEQ_DIGITS, EXPORT_WRITE_CHUNK } from './limits.js';

export interface ExportCerts {
  /** The deployment CA that signer and TSA certificates chain to. */
  readonly ca: NodeX509;
  /** The gateway's current signing certificate (each signature anchor also carries its own signer). */
  readonly signCert: NodeX509;
  /** The TSA certificate, for tokens issued without it (passed to openssl as -untrusted). */
  readonly tsaCert?: NodeX509;
}

/** An export holds who did what and when on the intranet: only its owner reads it (STYLE §14). */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function writeFile(path: string, data: Buffer | string): void {
  writeFileSync(path, data, { mode: FILE_MODE, flag: 'wx' });
}

function makeDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  chmodSync(path, DIR_MODE); // an existing (empty) directory, or a umask that widened nothing: set it
}

export interface ExportOptions {
  /** Entries recorded from this instant … */
  readonly from: Date;
  /** … to this one, inclusive. */
  readonly to: Date;
  /** Created; must not exist or be empty. */
  readonly outDir: string;
  readonly certs: ExportCerts;
  /** The TSA's anchor policy OID, written to tsa-policy.txt and the VERIFY.md command line. */
  readonly anchorPolicyOid?: string;
  readonly onProgress?: (written: number, total: number) => void;
}

export interface ExportSummary {
  readonly outDir: string;
  readonly first: number;
  readonly last: number;
  /** Last entry of the requested period; `last` is higher when the export was extended to an anchor. */
  readonly requestedLast: number;
  /** prev_hash of entry `first` (hex). */
  readonly prefix: string;
  readonly anchors: number;
  readonly anchoredThrough: number;
}

function refuse(why: string): never {
  throw new FerryError('FERRY_ERR_AUDIT_EXPORT', why);
}

const pad = (seq: number): string => String(seq).padStart(EXPORT_SEQ_DIGITS, '0');

/** Buffered sequential writes: one syscall per MiB, not per entry. */
class Sink {
  private readonly fd: number;
  private parts: Buffer[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'wx', FILE_MODE);
  }
  write(b: Buffer | string): void {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    this.parts.push(buf);
    this.size += buf.length;
    if (this.size >= EXPORT_WRITE_CHUNK) this.flush();
  }
  flush(): void {
    if (this.size > 0) writeSync(this.fd, Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function pem(cert: NodeX509 | Buffer): string {
  return toPem(Buffer.isBuffer(cert) ? cert : cert.raw, 'CERTIFICATE');
}

/**
 * Exports the entries recorded between `from` and `to` as the contiguous seq range they span,
 * extended forward to the first anchored head at or after its end (so the period ends under an
 * anchor when one exists). Refuses (FERRY_ERR_AUDIT_EXPORT) an empty period, a period no anchor
 * covers, a non-empty output directory, and a segment whose own hashes or links are broken — run
 * `ferry audit verify` to locate that.
 */
export function exportBundle(db: Db, opts: ExportOptions): ExportSummary {
  const { lo, hi, requestedLast, anchors } = exportRange(db, opts);
  if (existsSync(opts.outDir) && readdirSync(opts.outDir).length > 0) refuse(`${opts.outDir} is not empty`);
  makeDir(opts.outDir);
  const prefix = writeEntries(db, opts, lo, hi, anchors);
  writeFile(join(opts.outDir, 'prefix.txt'), `${prefix}\n`);
  writeAnchors(opts.outDir, anchors);
  writeCerts(opts);
  const anchoredThrough = Math.max(...anchors.map((a) => a.headSeq));
  // Run as `sh verify.sh …`: no execute bit needed, and none given (the bundle is data).
  writeFile(join(opts.outDir, 'verify.sh'), verifyScript());
  writeFile(join(opts.outDir, 'VERIFY.md'), verifyDoc({
    first: lo, last: hi, requestedLast, prefixHex: prefix, anchors: anchors.length, anchoredThrough, from: opts.from, to: opts.to,
    caSha256: sha256(opts.certs.ca.raw).toString('hex'), signSha256: sha256(opts.certs.signCert.raw).toString('hex'),
    ...(opts.anchorPolicyOid ? { anchorPolicyOid: opts.anchorPolicyOid } : {}),
  }));
  return { outDir: opts.outDir, first: lo, last: hi, requestedLast, prefix, anchors: anchors.length, anchoredThrough };
}

type ExportAnchor = AnchorRow & { at: number | null };

interface ExportRange {
  readonly lo: number;
  readonly hi: number;
  /** Last entry of the requested period (hi is past it when extended to an anchor). */
  readonly requestedLast: number;
  readonly anchors: readonly ExportAnchor[];
}

/** The seq range of the period, extended to its covering signature anchor, and the anchors over it. */
function exportRange(db: Db, opts: ExportOptions): ExportRange {
  const from = opts.from.getTime();
  const to = opts.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) refuse('the export period needs from <= to, both valid dates');
  const range = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM audit_entries WHERE at BETWEEN ? AND ?').get(from, to) as { lo: number | null; hi: number | null };
  if (range.lo === null || range.hi === null) refuse(`no audit entries between ${opts.from.toISOString()} and ${opts.to.toISOString()}`);
  const lo = range.lo;
  // Extended to the first SIGNATURE anchor at or after the period's end: the gateway key must vouch for
  // every exported entry (verify.sh requires it; an rfc3161 anchor alone is made on the intranet only).
  const next = (db.prepare("SELECT MIN(head_seq) AS s FROM audit_anchors WHERE head_seq >= ? AND kind = 'signature'").get(range.hi) as { s: number | null }).s;
  const hi = next ?? range.hi;
  // Each anchor with the time of its audit.anchor entry: a signature anchor signs it (anchor-record.ts).
  const anchors = db.prepare(`SELECT ${ANCHOR_COLUMNS}, (SELECT at FROM audit_entries WHERE seq = entry_seq) AS at FROM audit_anchors WHERE head_seq BETWEEN ? AND ? ORDER BY head_seq, entry_seq`)
    .all(lo, hi) as ExportAnchor[];
  if (!anchors.some((a) => a.kind === 'signature')) refuse(`no signature anchor covers entries ${lo}..${hi} yet; export again after the next anchor`);
  return { lo, hi, requestedLast: range.hi, anchors };
}

/** entries.jsonl and hashes.sha256, each entry re-checked on the way out; returns the prefix (hex). */
function writeEntries(db: Db, opts: ExportOptions, lo: number, hi: number, anchors: readonly ExportAnchor[]): string {
  const hashAt = new Map<number, Buffer[]>();
  for (const a of anchors) hashAt.set(a.headSeq, [...(hashAt.get(a.headSeq) ?? []), a.headHash]);
  const entries = new Sink(join(opts.outDir, 'entries.jsonl'));
  const hashes = new Sink(join(opts.outDir, 'hashes.sha256'));
  let expectSeq = lo;
  let prev: Buffer | null = null;
  let prefix = '';
  try {
    const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE seq BETWEEN ? AND ? ORDER BY seq`).iterate(lo, hi) as IterableIterator<AuditRow>;
    for (const r of rows) {
      const p = readEntryPrefix(r.canonical);
      const hash = sha256(r.canonical);
      if (r.seq !== expectSeq || !p || p.seq !== r.seq) refuse(`entry ${expectSeq} is missing or out of place; run ferry audit verify`);
      if (!hash.equals(r.hash) || (prev !== null && !p.prev.equals(prev))) refuse(`entry ${r.seq} does not hash or link correctly; run ferry audit verify`);
      if (hashAt.get(r.seq)?.some((h) => !h.equals(hash))) refuse(`entry ${r.seq} differs from its anchor; run ferry audit verify`);
      if (prev === null) prefix = p.prev.toString('hex');
      entries.write(r.canonical);
      hashes.write(`${hash.toString('hex')}  entries/${pad(r.seq)}\n`);
      prev = hash;
      if (++expectSeq % 10_000 === 0) opts.onProgress?.(expectSeq - lo, hi - lo + 1);
    }
    if (expectSeq !== hi + 1) refuse(`entries ${expectSeq}..${hi} are missing; run ferry audit verify`);
  } finally {
    entries.close();
    hashes.close();
  }
  opts.onProgress?.(hi - lo + 1, hi - lo + 1);
  return prefix;
}

/** anchors/<entry seq>/ with each anchor's head record and token (or signature, record and signer),
 *  and anchors.txt indexing them. */
function writeAnchors(outDir: string, anchors: readonly ExportAnchor[]): void {
  const index: string[] = [];
  makeDir(join(outDir, 'anchors'));
  for (const a of anchors) {
    const dir = join(outDir, 'anchors', String(a.entrySeq));
    makeDir(dir);
    if (typeof a.at !== 'number') refuse(`the anchor of entry ${a.entrySeq} has no audit.anchor entry; run ferry audit verify`);
    const at = new Date(a.at).toISOString();
    writeFile(join(dir, 'head.bin'), headRecord({ seq: a.headSeq, hash: a.headHash }));
    if (a.kind === 'signature') writeSignatureAnchor(dir, a, a.at);
    else if (a.kind === 'rfc3161') writeFile(join(dir, 'token.tst'), a.token);
    else refuse(`the anchor of entry ${a.entrySeq} has unknown kind ${a.kind}`);
    index.push(`${a.entrySeq} ${a.headSeq} ${a.kind} ${at}\n`);
  }
  writeFile(join(outDir, 'anchors.txt'), index.join(''));
}

function writeSignatureAnchor(dir: string, a: ExportAnchor, at: number): void {
  if (!a.signerCert) refuse(`the signature anchor of entry ${a.entrySeq} has no signer certificate`);
  const record = encodeAnchorRecord({ seq: a.headSeq, hash: a.headHash, at, signerSha256: sha256(a.signerCert) });
  if (!record) refuse(`the signature anchor of entry ${a.entrySeq} names no valid head`);
  writeFile(join(dir, 'record.bin'), record);
  writeFile(join(dir, 'signature.der'), a.token);
  writeFile(join(dir, 'signer.crt'), pem(a.signerCert));
}

/** certs/ (CA, signing certificate, TSA if known) and the TSA policy OID. */
function writeCerts(opts: ExportOptions): void {
  makeDir(join(opts.outDir, 'certs'));
  writeFile(join(opts.outDir, 'certs', 'ca.crt'), pem(opts.certs.ca));
  writeFile(join(opts.outDir, 'certs', 'sign.crt'), pem(opts.certs.signCert));
  if (opts.certs.tsaCert) writeFile(join(opts.outDir, 'certs', 'tsa.crt'), pem(opts.certs.tsaCert));
  if (opts.anchorPolicyOid) writeFile(join(opts.outDir, 'tsa-policy.txt'), `${opts.anchorPolicyOid}\n`);
}
