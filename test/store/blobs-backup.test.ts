// A backup keeps the blobs its snapshot names (src/store/blobs-backup.ts) and a restore puts them back:
// a restored row that names a blob finds it, intact; blobs the snapshot does not name are not kept.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openExternalStore, EXTERNAL_MIGRATIONS } from '../../src/external/store.js';
import { backupDatabase, restoreDatabase } from '../../src/store/backup.js';
import { BlobStore } from '../../src/store/blobs.js';
import { noise } from '../policy-content/samples.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const temp = () => { const d = mkdtempSync(join(tmpdir(), 'ferry-blob-backup-')); dirs.push(d); return d; };

describe('backup and restore with blobs', () => {
  it('keeps beside the backup exactly the blobs its snapshot names, and restores them into the data directory', async () => {
    const data = temp();
    const store = openExternalStore(data);
    const packet = Buffer.from(noise(400_000, 4));
    await store.blobs.put(packet);
    store.outbox.add(Buffer.alloc(16, 1), 'submission', 'C-1', packet, Date.now()); // names the blob
    const stray = await store.blobs.put(Buffer.from(noise(1000, 5)));              // named by no row
    const named = store.blobs.refOf(packet)!;
    const out = join(temp(), 'external.sqlite');
    const c = await backupDatabase(join(data, 'external.sqlite'), out, EXTERNAL_MIGRATIONS);
    expect(c.blobs).toEqual({ kept: 1, missing: 0 });
    expect(readdirSync(`${out}.blobs`)).toEqual([named.toString('hex')]);
    expect(existsSync(join(`${out}.blobs`, stray.toString('hex')))).toBe(false);
    store.db.close();

    const fresh = temp();
    restoreDatabase(join(fresh, 'external.sqlite'), out, EXTERNAL_MIGRATIONS, new Date());
    const restored = openExternalStore(fresh);
    try {
      const row = restored.outbox.after(0, 10)[0]!;
      expect(row.bytes.length).toBe(0);
      expect(row.blob?.equals(named)).toBe(true);
      expect((await new BlobStore(fresh).read(row.blob!)).equals(packet)).toBe(true);
    } finally { restored.db.close(); }
  });
});
