// CLI-ready `ferry audit verify` and `ferry audit export`: each takes parsed options and returns the
// exit code and the text to print (0 ok, 1 check failed, 2 usage or environment error; STYLE "Interfaces
// operators already know"), so src/cli only maps flags and writes the strings.
import Database from 'better-sqlite3';
import type { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FerryError, isFerryError } from '../errors.js';
import { loadCertificate, loadCertificates } from '../pki/key-files.js';
import { checkSignedRecord, type AnchorTrust, type TimeStampCheck } from './anchor-check.js';
import { decodeAnchorRecord } from './anchor-record.js';
import { sha256 } from './canonical.js';
import { exportBundle } from './export.js';
import { readPeerHeads } from './peer-heads.js';
import { verifyChain, type ExpectedHead, type KindReport, type VerifyResult } from './verify.js';

export interface CommandOutcome {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

const num = (n: number): string => n.toLocaleString('en-US');

/** Human-readable verdict, one fact per line; the first line says OK or BROKEN. */
export function formatVerifyResult(r: VerifyResult): string {
  if (!r.ok) {
    return [
      `audit chain BROKEN at seq ${r.firstBad}: ${r.kind}`,
      `  ${r.detail}`,
      `  ${num(r.checked)} entries before it verified  (${r.code})`,
      ...kindLines(r.kinds),
    ].join('\n');
  }
  if (!r.head) return 'audit chain OK: empty (no entries yet)';
  const lines = [
    `audit chain OK: ${num(r.entries)} entries, head seq ${r.head.seq} hash ${r.head.hash.toString('hex')}`,
    `  anchors: ${r.anchors} (${r.anchorsVerified} verified, ${r.anchorsUnchecked} unchecked)`,
  ];
  if (r.anchoredThrough > 0) {
    const tail = r.head.seq - r.anchoredThrough;
    lines.push(`  anchored through seq ${r.anchoredThrough}${tail > 0 ? `; the ${num(tail)} newest entries rest on the chain alone until the next anchor` : ''}`);
  } else {
    lines.push('  no verified anchor: a chain rewritten and re-hashed by the database holder would pass; give --ca (and the TSA verifier)');
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push(...kindLines(r.kinds));
  return lines.join('\n');
}

/** One line per anchor kind, like `chronyc sources`: the kind, count, verified, then each failure. */
function kindLines(k: KindReport | undefined): string[] {
  if (!k) return [];
  const out: string[] = [];
  for (const [name, t] of Object.entries(k)) {
    const state = t.failures.length > 0 ? 'FAILED' : t.count === 0 ? 'none' : t.verified === t.count ? 'verified' : 'unchecked';
    out.push(`  ${name.padEnd(9)} ${state.padEnd(9)} ${t.verified}/${t.count} verified${t.unchecked ? `, ${t.unchecked} unchecked` : ''}`);
    for (const f of t.failures.slice(0, 5)) out.push(`    ${f}`);
    if (t.failures.length > 5) out.push(`    … and ${t.failures.length - 5} more`);
  }
  return out;
}

/** JSON form of a result (hashes as hex), for --json. */
export function verifyResultJson(r: VerifyResult): string {
  return JSON.stringify(r, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v), 2);
}

/** A progress callback that redraws one line on a TTY and stays silent in a pipe. */
export function ttyProgress(stream: NodeJS.WriteStream, what: string): ((done: number, total: number | undefined) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => stream.write(`\r${what} ${num(done)}${total ? ` / ${num(total)}` : ''}\x1b[K${total !== undefined && done >= total ? '\n' : ''}`);
}

function envError(e: unknown): CommandOutcome {
  const msg = isFerryError(e) ? `${e.code}: ${e.message}` : `error: ${(e as Error).message ?? String(e)}`;
  return { exitCode: 2, stdout: '', stderr: `${msg}\n` };
}

function openReadOnly(file: string): Database.Database {
  // Never create a database: a verify of an empty file would report an empty, intact chain.
  if (!existsSync(file)) throw new FerryError('FERRY_ERR_AUDIT_STORE', `${file}: cannot open: the file does not exist (give the gateway's SQLite file: <dataDir>/<role>.sqlite)`);
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new FerryError('FERRY_ERR_AUDIT_STORE', `${file}: cannot open (${(e as Error).message})`, { cause: e });
  }
}

export interface AuditVerifyOptions {
  /** The gateway's SQLite file (opened read-only). */
  readonly db: string;
  /** CA certificate files signature anchors must chain to (--ca). */
  readonly ca?: readonly string[];
  /** The gateway's signing certificate files (--sign-cert, or keys.signCert from --config): the only
   *  signers whose anchors (and peer-held heads) count. */
  readonly signCerts?: readonly string[];
  /** RFC 3161 token verifier bound to the trust anchors (src/time); without it tokens are unchecked. */
  readonly checkTimeStamp?: TimeStampCheck;
  /** The TSA's anchor policy OID (--tsa-policy, or from the internal config). */
  readonly anchorPolicyOid?: string;
  /** The OTHER gateway's SQLite file: the heads of this chain it holds must all be in this chain. */
  readonly peerDb?: string;
  /** A head kept elsewhere ("<seq>:<hex>", --expect-head): reveals a cut tail. */
  readonly expectHead?: string;
  readonly json?: boolean;
  readonly onProgress?: (checked: number, total: number | undefined) => void;
}

/** `ferry audit verify --db <file> [--ca ca.crt] [--expect-head seq:hash] [--json]`. */
export async function auditVerifyCommand(opts: AuditVerifyOptions): Promise<CommandOutcome> {
  let expectedHead: { seq: number; hash: Buffer } | undefined;
  if (opts.expectHead !== undefined) {
    const m = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(opts.expectHead);
    if (!m) return { exitCode: 2, stdout: '', stderr: 'FERRY_ERR_CLI_USAGE: --expect-head must be <seq>:<64 hex digits>\n' };
    expectedHead = { seq: Number(m[1]), hash: Buffer.from(m[2]!, 'hex') };
  }
  let db: Database.Database | undefined;
  try {
    const ca: X509Certificate[] = (opts.ca ?? []).flatMap((f) => loadCertificates(f));
    const signers = new Set((opts.signCerts ?? []).flatMap((f) => loadCertificates(f)).map((c) => sha256(c.raw).toString('hex')));
    const trust: AnchorTrust = {
      ca, signers,
      ...(opts.checkTimeStamp ? { checkTimeStamp: opts.checkTimeStamp } : {}),
      ...(opts.anchorPolicyOid ? { anchorPolicyOid: opts.anchorPolicyOid } : {}),
    };
    const peer = opts.peerDb ? peerHeadsOf(opts.peerDb, trust) : null;
    db = openReadOnly(opts.db);
    const r = await verifyChain(db, {
      trust, ...(expectedHead ? { expectedHead } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(peer ? { expectedHeads: peer.heads, peerFailures: peer.failures } : {}),
    });
    // Fail closed: a chain is OK only when every anchor kind it holds verified against the pins, and
    // every peer-held head was usable. "Unchecked" is not OK: it is what a rewrite re-anchored with
    // another key, or with a token from the public /tsa, would look like without the pins.
    const pinsMissing = r.ok && (r.anchorsUnchecked > 0 || (peer !== null && r.kinds.peer.failures.length > 0));
    const exitCode = !r.ok ? 1 : pinsMissing ? 1 : 0;
    const text = opts.json ? verifyResultJson(r) : formatVerifyResult(r) + (pinsMissing ? '\n  NOT VERIFIED: some anchors or peer heads could not be checked against the pins (see notes)' : '');
    return { exitCode, stdout: `${text}\n`, stderr: '' };
  } catch (e) {
    return envError(e);
  } finally {
    db?.close();
  }
}

/** The heads of the verified chain that the peer's database holds, each checked again here against
 *  the pinned signers (the peer's file is evidence, not trusted): usable heads and refused ones. */
function peerHeadsOf(file: string, trust: AnchorTrust): { heads: ExpectedHead[]; failures: string[] } {
  const pdb = openReadOnly(file);
  try {
    const heads: ExpectedHead[] = [];
    const failures: string[] = [];
    for (const h of readPeerHeads(pdb)) {
      const parts = [h.record, h.signature, h.signerCertificate];
      const rec = parts.every((b) => Buffer.isBuffer(b)) ? decodeAnchorRecord(h.record) : null;
      if (!rec) { failures.push(`${file}: a peer head (seq ${String(h.seq)}) is not a valid record`); continue; }
      const c = checkSignedRecord(h.record, h.signature, h.signerCertificate, new Date(rec.at), trust);
      if (c.status !== 'verified') { failures.push(`${file}: peer head seq ${rec.seq}: ${c.status === 'bad' ? c.detail : c.note}`); continue; }
      heads.push({ seq: rec.seq, hash: rec.hash, source: `the peer's signed copy (anchored ${new Date(rec.at).toISOString()}, kept in ${file})` });
    }
    return { heads, failures };
  } finally {
    pdb.close();
  }
}

export interface AuditExportOptions {
  readonly db: string;
  /** ISO 8601 date-time with zone, or a plain YYYY-MM-DD meaning that whole day in the host's time zone. */
  readonly from: string;
  readonly to: string;
  readonly out: string;
  /** Certificate files: the CA, the gateway signing certificate, the TSA certificate. */
  readonly ca: string;
  readonly signCert: string;
  readonly tsaCert?: string;
  /** The TSA's anchor policy OID (--tsa-policy), written into the bundle and its VERIFY.md. */
  readonly anchorPolicyOid?: string;
  readonly json?: boolean;
  readonly onProgress?: (written: number, total: number) => void;
}

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses --from / --to. A plain date is the start (from) or end (to) of that local day. */
export function parsePeriodBound(text: string, end: boolean): Date | null {
  const d = PLAIN_DATE.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const t = end ? new Date(y, m - 1, day, 23, 59, 59, 999) : new Date(y, m - 1, day);
    return t.getFullYear() === y && t.getMonth() === m - 1 && t.getDate() === day ? t : null;
  }
  if (!DATE_TIME.test(text)) return null;
  const t = new Date(text);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** `ferry audit export --db <file> --from <date> --to <date> --out <dir> --ca … --sign-cert … [--tsa-cert …]`. */
export function auditExportCommand(opts: AuditExportOptions): CommandOutcome {
  const from = parsePeriodBound(opts.from, false);
  const to = parsePeriodBound(opts.to, true);
  if (!from || !to) {
    return { exitCode: 2, stdout: '', stderr: 'FERRY_ERR_CLI_USAGE: --from and --to take YYYY-MM-DD (a local day) or an ISO 8601 date-time with Z or an offset\n' };
  }
  let db: Database.Database | undefined;
  try {
    const certs = {
      ca: loadCertificate(opts.ca),
      signCert: loadCertificate(opts.signCert),
      ...(opts.tsaCert ? { tsaCert: loadCertificate(opts.tsaCert) } : {}),
    };
    db = openReadOnly(opts.db);
    const s = exportBundle(db, { from, to, outDir: opts.out, certs, ...(opts.anchorPolicyOid ? { anchorPolicyOid: opts.anchorPolicyOid } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    const text = opts.json
      ? JSON.stringify(s, null, 2)
      : [
          `exported entries ${s.first}..${s.last} to ${s.outDir}${s.last > s.requestedLast ? ` (the period ends at ${s.requestedLast}; extended to the anchor at ${s.last})` : ''}`,
          `  prefix ${s.prefix} (hash of entry ${s.first - 1}${s.first === 1 ? ': the genesis' : ''})`,
          `  ${s.anchors} anchor(s), the last covering seq ${s.anchoredThrough}${s.anchoredThrough < s.last ? `; entries ${s.anchoredThrough + 1}..${s.last} are not anchored yet` : ''}`,
          `  check it with: sh ${s.outDir}/verify.sh <CA SHA-256> [<signer SHA-256> [<anchor policy OID>]]   (openssl + coreutils only; see VERIFY.md)`,
        ].join('\n');
    return { exitCode: 0, stdout: `${text}\n`, stderr: '' };
  } catch (e) {
    return envError(e);
  } finally {
    db?.close();
  }
}
