// The blob store (src/store/blobs.ts): a large body is durable in its file before put resolves, named
// by its SHA-256; readers verify the digest; a file no row names is collected at start, and a release
// removes a file only when no row names it.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '../../src/store/blobs.js';
import { FerryError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const dataDir = () => { const d = mkdtempSync(join(tmpdir(), 'ferry-blobs-')); dirs.push(d); return d; };
const sha = (b: Buffer) => createHash('sha256').update(b).digest();
const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as FerryError).code; } return null; };

describe('blob store', () => {
  it('writes the bytes under their SHA-256 (mode 0600) before put resolves, and remembers the Buffer as durable', async () => {
    const s = new BlobStore(dataDir());
    const bytes = Buffer.from('x'.repeat(300_000));
    expect(s.refOf(bytes)).toBeNull();
    const d = await s.put(bytes);
    expect(d.equals(sha(bytes))).toBe(true);
    const file = join(s.dir, d.toString('hex'));
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(s.refOf(bytes)?.equals(d)).toBe(true);
    expect(s.refOf(Buffer.from(bytes))).toBeNull(); // the same content in another Buffer was not put
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect((await s.read(d)).equals(bytes)).toBe(true);
    expect(s.readSync(d).equals(bytes)).toBe(true);
  });

  it('refuses a blob whose file was altered, truncated or removed (FERRY_ERR_STORE_BLOB), naming the file', async () => {
    const s = new BlobStore(dataDir());
    const a = await s.put(Buffer.alloc(1000, 1));
    const file = join(s.dir, a.toString('hex'));
    writeFileSync(file, Buffer.alloc(1000, 2));
    await expect(s.read(a)).rejects.toMatchObject({ code: 'FERRY_ERR_STORE_BLOB', message: expect.stringContaining(file) });
    expect(code(() => s.readSync(a))).toBe('FERRY_ERR_STORE_BLOB');
    const b = await s.put(Buffer.alloc(1000, 3));
    truncateSync(join(s.dir, b.toString('hex')), 10);
    expect(code(() => s.readSync(b))).toBe('FERRY_ERR_STORE_BLOB');
    rmSync(join(s.dir, b.toString('hex')));
    await expect(s.read(b)).rejects.toMatchObject({ code: 'FERRY_ERR_STORE_BLOB' });
  });

  it('rewrites a truncated file on a second put of the same bytes (a name is trusted only at its full length)', async () => {
    const s = new BlobStore(dataDir());
    const bytes = Buffer.alloc(5000, 9);
    const d = await s.put(bytes);
    truncateSync(join(s.dir, d.toString('hex')), 100);
    await s.put(bytes);
    expect((await s.read(d)).equals(bytes)).toBe(true);
  });

  it('collects at start the files no row names and unfinished temporary files, and keeps the named ones', async () => {
    const named = new Set<string>();
    const dir = dataDir();
    const s = new BlobStore(dir, (d) => named.has(d.toString('hex')));
    const keep = await s.put(Buffer.alloc(10, 1));
    const orphan = await s.put(Buffer.alloc(10, 2));
    named.add(keep.toString('hex'));
    writeFileSync(join(s.dir, '.tmp-deadbeef'), 'half');
    expect(s.collectOrphans()).toBe(2);
    expect(readdirSync(s.dir)).toEqual([keep.toString('hex')]);
    expect(existsSync(join(s.dir, orphan.toString('hex')))).toBe(false);
  });

  it('release removes a file only when no row names it', async () => {
    const named = new Set<string>();
    const s = new BlobStore(dataDir(), (d) => named.has(d.toString('hex')));
    const a = await s.put(Buffer.alloc(10, 1));
    named.add(a.toString('hex'));
    s.release(a);
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(s.dir, a.toString('hex')))).toBe(true);
    named.clear();
    s.release(a);
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(s.dir, a.toString('hex')))).toBe(false);
  });
});
