// The crypto pool (src/gateway/crypto-pool.ts) seals and opens large packets in a worker with the same
// functions and keys as the main thread: a packet sealed in the worker opens on the main thread, and
// the worker's verdict on any packet (good, tampered, too old, wrong key) is the main thread's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { loadGatewayKeys, type GatewayKeys } from '../../src/gateway/keys.js';
import { CryptoPool, cryptoPoolFor } from '../../src/gateway/crypto-pool.js';
import { sealPacket } from '../../src/seal/seal.js';
import { openPacket } from '../../src/seal/open.js';
import { noise } from '../policy-content/samples.js';

let ext: GatewayKeys;
let int: GatewayKeys;
let extPool: CryptoPool;
let intPool: CryptoPool;
const NOW = new Date();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-crypto-pool-'));
  const c = (f: string) => join(dir, 'certs', f);
  await initDevPki(join(dir, 'certs'));
  const keysOf = (me: 'external' | 'internal', peer: 'external' | 'internal') => loadGatewayKeys(
    { ca: c('ca.crt'), signCert: c(`${me}-sign.crt`), signKey: c(`${me}-sign.key`), encCert: c(`${me}-enc.crt`), encKey: c(`${me}-enc.key`) },
    { encCert: c(`${peer}-enc.crt`), signerSubjects: [`ferry-${peer}-sign`], signerSha256: [] },
  );
  ext = keysOf('external', 'internal');
  int = keysOf('internal', 'external');
  extPool = cryptoPoolFor(ext);
  intPool = cryptoPoolFor(int);
  await Promise.all([extPool.ready(), intPool.ready()]);
}, 60_000);
afterAll(async () => { await extPool?.close(); await intPool?.close(); });

const draft = (body: Buffer) => ({ kind: 'submission' as const, fromDomain: 'public', toDomain: 'intranet', caseId: 'C-1', createdAt: NOW, body });
const openHere = (bytes: Buffer, now = NOW) => openPacket(bytes, { keys: int.open, signers: int.signers, now });

describe('crypto pool', () => {
  it('seals in the worker what the main thread opens: the same body, id, kind and creation time', async () => {
    const body = noise(1024 * 1024, 3);
    const sealed = await extPool.seal(draft(Buffer.from(body)));
    const r = openHere(sealed.bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet.body.equals(body)).toBe(true);
    expect(r.packet.packetId.equals(sealed.packetId)).toBe(true);
    expect(r.packet).toMatchObject({ kind: 'submission', caseId: 'C-1', fromDomain: 'public', toDomain: 'intranet', signerSubject: expect.stringContaining('ferry-external-sign') });
    expect(r.packet.createdAt.getTime()).toBe(NOW.getTime());
  });

  // Each row: how the packet is spoiled, and when it is judged. The worker must answer what openPacket
  // on the main thread answers, code for code.
  const flip = (b: Buffer, at: number) => { const c = Buffer.from(b); c[at] = c[at]! ^ 0x01; return c; };
  const cases: [string, (b: Buffer) => Buffer, Date][] = [
    ['intact', (b) => b, NOW],
    ['a ciphertext byte flipped', (b) => flip(b, Math.floor(b.length / 2)), NOW],
    ['the last byte flipped', (b) => flip(b, b.length - 1), NOW],
    ['truncated', (b) => b.subarray(0, b.length - 100), NOW],
    ['judged after the signer expired', (b) => b, new Date(NOW.getTime() + 5000 * 86_400_000)],
    ['garbage', () => noise(300_000, 9), NOW],
  ];
  it.each(cases)('opens in the worker with the main thread\'s verdict: %s', async (_name, spoil, now) => {
    const sealed = sealPacket(draft(noise(600_000, 5)), ext.seal);
    const bytes = spoil(sealed.bytes);
    const here = openHere(Buffer.from(bytes), now);
    const there = await intPool.open(Buffer.from(bytes), { now });
    expect(there.bytes.equals(bytes)).toBe(true); // the bytes come back (they moved to the worker)
    expect(there.result.ok).toBe(here.ok);
    if (here.ok && there.result.ok) expect(there.result.packet.body.equals(here.packet.body)).toBe(true);
    if (!here.ok && !there.result.ok) expect(there.result.code).toBe(here.code);
  });

  it('refuses a seal for load (FERRY_ERR_API_BUSY) when its worker is busy and its line is full; an open waits instead', async () => {
    const pool = new CryptoPool((await import('../../src/gateway/crypto-pool.js')).cryptoWorkerData(ext), { workers: 1, maxQueue: 0 });
    try {
      await pool.ready();
      const big = () => Buffer.from(noise(16 * 1024 * 1024, 1));
      const results = await Promise.allSettled([pool.seal(draft(big())), pool.seal(draft(big())), pool.open(Buffer.from(noise(300_000, 2)), { now: NOW })]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[2] as PromiseFulfilledResult<{ result: { ok: boolean } }>).value.result.ok).toBe(false); // a verdict, after waiting
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'FERRY_ERR_API_BUSY' });
      expect(pool.stats()).toMatchObject({ workers: 1, sealed: 1, opened: 1, refusedBusy: 1 });
    } finally { await pool.close(); }
  });
});
