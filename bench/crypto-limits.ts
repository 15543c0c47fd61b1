// This machine's own crypto limits, measured in the same run as a benchmark so that its figures can
// be read as ratios that survive a noisy machine.
import { createECDH, generateKeyPairSync, sign, verify } from 'node:crypto';

export function rate(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up: JIT and OpenSSL caches
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

export interface CryptoLimits { ecdsaSign: number; ecdsaVerify: number; ecdhDerive: number; ecdhKeygenDerive: number }

export function measureCryptoLimits(): CryptoLimits {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const msg = Buffer.alloc(1024, 7);
  const sig = sign('sha256', msg, privateKey);
  const a = createECDH('prime256v1'); a.generateKeys();
  const b = createECDH('prime256v1'); const bPub = b.generateKeys();
  return {
    ecdsaSign: rate(() => sign('sha256', msg, privateKey)),
    ecdsaVerify: rate(() => verify('sha256', msg, publicKey, sig)),
    ecdhDerive: rate(() => a.computeSecret(bPub)),
    ecdhKeygenDerive: rate(() => { const e = createECDH('prime256v1'); e.generateKeys(); e.computeSecret(bPub); }),
  };
}

export const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** fsync'd SQLite commits per second on this disk (WAL, synchronous=FULL), 1 row per transaction:
 *  the other physical limit of a pipeline that acknowledges only durable packets. */
export async function measureDiskCommits(dir: string, rowBytes: number, ms = 1000): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  const { join } = await import('node:path');
  const db = new Database(join(dir, `disk-${rowBytes}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)');
  const ins = db.prepare('INSERT INTO t (b) VALUES (?)');
  const row = Buffer.alloc(rowBytes, 1);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) { ins.run(row); n++; }
  const r = n / ((performance.now() - start) / 1000);
  db.close();
  return r;
}
