// Large bodies beside the SQLite file, written once: an append-only, content-addressed blob store
// (<dataDir>/blobs/<sha256 hex>). Why: better-sqlite3 is synchronous, and a 22 MB row written through
// the WAL (twice: WAL, then checkpoint) and fsync'd holds the event loop ~90 ms per copy, and every
// later read of a column after the blob walks its overflow pages. Here the bytes are written with
// fs.promises and FileHandle.sync() (libuv's threadpool, not the loop), renamed into place and the
// directory fsync'd, all BEFORE the SQLite row that names them (digest + length) commits: a committed
// row always finds its blob durable, across kill -9 and power loss. A crash between the two leaves an
// orphan file, which `collectOrphans` removes at start. Readers verify the digest.
//
// A blob is immutable; its name is its digest, so writing the same bytes twice is one file. A row
// that is removed (an acknowledged packet, a delivered queue entry) releases its blob after its commit;
// the file goes when no table names it any more (`referenced`).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { hasColumn, type Db } from './db.js';

/** The tables that may name a blob: each answers "does any row name this digest?" (sync, indexed). */
export type BlobReferenced = (sha256: Buffer) => boolean;

/** Every column, on either side, that names a blob: a blob no row names is an orphan, and a backup
 *  keeps exactly the blobs these name. The one list: the stores' reference check and the backup both
 *  read it, so a new table that names blobs is added here once. */
export const BLOB_COLUMNS: readonly (readonly [table: string, column: string])[] = [
  ['outbox', 'blob'], ['outbox_held', 'blob'], ['outbox_retained', 'blob'], ['outbox_dropped', 'blob'],
  ['stamp_queue', 'packet_blob'], ['intranet_cases', 'request_blob'],
];

/** The reference check over the BLOB_COLUMNS this database has (each gateway has its own subset). */
export function blobReferenced(db: Db): BlobReferenced {
  const parts = BLOB_COLUMNS.filter(([t, c]) => hasColumn(db, t, c)).map(([t, c]) => `SELECT 1 FROM ${t} WHERE ${c} = @d`);
  const stmt = db.prepare(`${parts.join(' UNION ALL ')} LIMIT 1`).pluck();
  return (d) => stmt.get({ d }) !== undefined;
}

const HEX = /^[0-9a-f]{64}$/;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

export class BlobStore {
  readonly dir: string;
  /** Buffers whose bytes are durable in this store (put resolved): a row built from the same Buffer
   *  object stores the reference instead of the bytes. Weak: it never keeps a body alive. */
  private readonly durable = new WeakMap<Uint8Array, Buffer>();

  constructor(dataDir: string, private readonly referenced: BlobReferenced = () => true) {
    this.dir = join(dataDir, 'blobs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Writes the bytes durably (file and directory fsync'd) and returns their SHA-256, the name a row
   *  stores. `digest`, when the caller has it (the crypto worker computed it beside the bytes, off the
   *  loop), saves hashing 22 MB here. */
  async put(bytes: Buffer, digest: Buffer = sha256(bytes)): Promise<Buffer> {
    const file = this.path(digest);
    if (!(await this.intact(file, bytes.length))) {
      const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      await this.syncDir();
    }
    this.durable.set(bytes, digest);
    return digest;
  }

  /** The digest of a Buffer this store has made durable (put resolved), else null. */
  refOf(bytes: Uint8Array): Buffer | null {
    return this.durable.get(bytes) ?? null;
  }

  /** Reads and verifies a blob (its SHA-256); a missing or altered file is an error naming it.
   *  `hashedBy: 'caller'` skips the hash here for a caller that hashes the bytes off the loop and
   *  compares with `mismatch` (the crypto worker, which opens them next). */
  async read(digest: Buffer, o: { hashedBy?: 'caller' } = {}): Promise<Buffer> {
    const file = this.path(digest);
    let bytes: Buffer;
    try { bytes = await readFile(file); } catch (e) { throw this.missing(file, e); }
    return o.hashedBy === 'caller' ? bytes : this.verified(file, bytes, digest);
  }

  /** The error for a blob whose bytes hash to `actual`, not to the digest its row names. */
  mismatch(digest: Buffer, actual: Buffer): FerryError | null {
    return actual.equals(digest) ? null : new FerryError('FERRY_ERR_STORE_BLOB', `${this.path(digest)}: its SHA-256 is ${actual.toString('hex')}, not the digest the row names; the blob was altered or truncated`);
  }

  /** The same, synchronously: for an operator command or a rare path, never per packet on the loop. */
  readSync(digest: Buffer): Buffer {
    const file = this.path(digest);
    let bytes: Buffer;
    try { bytes = readFileSync(file); } catch (e) { throw this.missing(file, e); }
    return this.verified(file, bytes, digest);
  }

  /** Call after the commit that removed a row naming this blob: the file goes when no row names it.
   *  Not fsync'd: a crash that undoes the unlink leaves an orphan, collected at the next start. */
  release(digest: Buffer): void {
    if (this.referenced(digest)) return;
    void unlink(this.path(digest)).catch(() => { /* already gone, or collected at start */ });
  }

  /** At start, before anything writes: removes files no row names (crashed between blob and row, or
   *  before a release) and unfinished temporary files. Returns how many went. */
  collectOrphans(): number {
    let n = 0;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (name.startsWith('.tmp-') || (HEX.test(name) && !this.referenced(Buffer.from(name, 'hex')))) {
        unlinkSync(file);
        n++;
      }
    }
    return n;
  }

  /** Bytes and files held (for status and backups). */
  usage(): { files: number; bytes: number } {
    let files = 0;
    let bytes = 0;
    for (const name of readdirSync(this.dir)) {
      if (!HEX.test(name)) continue;
      files++;
      bytes += statSync(join(this.dir, name)).size;
    }
    return { files, bytes };
  }

  path(digest: Buffer): string {
    return join(this.dir, digest.toString('hex'));
  }

  /** Already written (a resend of the same bytes): same name and length means same content, since the
   *  name is the digest and a file appears under it only by rename after its fsync. */
  private async intact(file: string, length: number): Promise<boolean> {
    try {
      const fh = await open(file, 'r');
      try { return (await fh.stat()).size === length; } finally { await fh.close(); }
    } catch { return false; }
  }

  private async syncDir(): Promise<void> {
    // The rename is durable only once the directory entry is (POSIX: fsync the directory).
    const dh = await open(this.dir, 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  }

  private verified(file: string, bytes: Buffer, digest: Buffer): Buffer {
    if (!sha256(bytes).equals(digest)) {
      throw new FerryError('FERRY_ERR_STORE_BLOB', `${file}: ${bytes.length} bytes whose SHA-256 does not match the row that names it; the blob was altered or truncated`);
    }
    return bytes;
  }

  private missing(file: string, e: unknown): FerryError {
    return new FerryError('FERRY_ERR_STORE_BLOB', `${file}: a row names this blob but it cannot be read (${(e as Error).message})`, { cause: e });
  }
}
