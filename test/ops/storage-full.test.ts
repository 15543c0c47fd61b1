// Disk full and low free space, against real gateway processes on a real small filesystem (tmpfs):
//   - a storage fault on a request path (SQLite meets ENOSPC mid-transaction) answers 503 with
//     Retry-After and FERRY_ERR_STORE_FULL / _UNAVAILABLE, never 500 FERRY_ERR_API_INTERNAL;
//   - below storage.minFreeBytes, intake stops cleanly (503 FERRY_ERR_STORE_LOW_SPACE), /health
//     answers 503 (rule storage), metrics and `ferry status` say so; it reopens when space is freed;
//   - every case answered 202 is delivered to the intranet once space is back.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, preparePair, sampleSubmission, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { canMount, fill, freeBytes, mountTmpfs, unmount } from './storage-helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/ferry.js');
const MiB = 1024 * 1024;
const STORAGE_CODES = ['FERRY_ERR_STORE_FULL', 'FERRY_ERR_STORE_UNAVAILABLE'];

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Running { files: PairFiles; ext: GatewayProc; int: GatewayProc; mount: string }
const running: Running[] = [];

async function startOnTmpfs(tmpfsBytes: number, storage: string): Promise<Running> {
  const files = await preparePair({ logLevel: 'warn', extraExternal: `storage: ${storage}` });
  const mount = join(files.dir, 'var/external');
  mountTmpfs(mount, tmpfsBytes);
  const r: Running = { files, ext: spawnGateway('external', files.externalConfig), int: spawnGateway('internal', files.internalConfig), mount };
  running.push(r);
  await until('link up with the catalogue', async () => { const h = await operatorHealth(files.externalOperatorUrl); return h.link === 'up' && h.catalogue; })
    .catch((e: Error) => { throw new Error(`${e.message}\nexternal:\n${r.ext.log.slice(-10).join('\n')}\ninternal:\n${r.int.log.slice(-10).join('\n')}`); });
  return r;
}

const submit = (r: Running, i: number) => httpsCall('POST', `${r.files.apiUrl}/api/v1/submissions`, r.files.ca, sampleSubmission(i));

function ferry(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

afterAll(async () => {
  for (const r of running) {
    for (const g of [r.ext, r.int]) if (g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
    unmount(r.mount);
  }
});

describe.skipIf(!canMount())('a full disk under the external gateway', () => {
  it('answers 503 with Retry-After and a storage code (never 500), and delivers every 202 once space is back', async () => {
    // No threshold: this is the raw fault path, the one the threshold exists to keep clear of.
    const r = await startOnTmpfs(24 * MiB, '{ minFreeBytes: 0, minFreePercent: 0, checkIntervalSeconds: 1 }');
    const accepted: string[] = [];
    for (let i = 0; i < 3; i++) { const a = await submit(r, i); expect(a.status).toBe(202); accepted.push(a.json.caseId); }
    // Empty the WAL (its pages could otherwise be reused without growing a file), then fill the disk.
    const db = new Database(join(r.mount, 'external.sqlite'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const filler = fill(r.mount, 0);
    expect(freeBytes(r.mount)).toBeLessThan(8192);
    const refused: { status: number; code: string; retryAfter: unknown }[] = [];
    for (let i = 3; i < 40 && refused.length < 5; i++) {
      const a = await submit(r, i);
      if (a.status === 202) accepted.push(a.json.caseId);
      else refused.push({ status: a.status, code: a.json?.error?.code, retryAfter: a.headers['retry-after'] });
    }
    expect(refused.length, 'no request met the full disk').toBeGreaterThan(0);
    for (const x of refused) {
      expect(x.status).toBe(503);
      expect(STORAGE_CODES).toContain(x.code);
      expect(Number(x.retryAfter)).toBeGreaterThan(0);
    }
    expect(refused.some((x) => x.code === 'FERRY_ERR_STORE_FULL')).toBe(true);
    expect(r.ext.log.join('\n')).not.toContain('FERRY_ERR_API_INTERNAL');
    // A read on the full disk still answers (the status cache is read, not written).
    const status = await httpsCall('GET', `${r.files.apiUrl}/api/v1/cases/${accepted[0]}`, r.files.ca);
    expect([200, 404, 503]).toContain(status.status);
    expect(status.status).not.toBe(500);

    rmSync(filler);
    for (let i = 40; i < 43; i++) { const a = await submit(r, i); expect(a.status).toBe(202); accepted.push(a.json.caseId); }
    // Every case answered 202 reached the intranet: none lost to the full disk, none doubled.
    await until('every accepted case delivered', async () => (await operatorHealth(r.files.internalOperatorUrl)).cases === accepted.length, 60_000);
    expect(new Set(accepted).size).toBe(accepted.length);
  }, 180_000);
});

describe.skipIf(!canMount())('free space below storage.minFreeBytes', () => {
  it('stops intake cleanly with its own code, shows it in /health, metrics and ferry status, and reopens when freed', async () => {
    const r = await startOnTmpfs(32 * MiB, '{ minFreeBytes: 12582912, minFreePercent: 0, checkIntervalSeconds: 1 }');
    const first = await submit(r, 0);
    expect(first.status).toBe(202);
    const filler = fill(r.mount, 6 * MiB);
    const h = await until('health 503 on storage', async () => {
      const res = await fetch(`${r.files.externalOperatorUrl}/health`);
      const body = await res.json() as Record<string, any>;
      return res.status === 503 && body.problems.some((p: { rule: string }) => p.rule === 'storage') ? body : undefined;
    });
    expect(h.problems.find((p: { rule: string }) => p.rule === 'storage').code).toBe('FERRY_ERR_OPS_STORAGE_LOW');
    expect(h.storage.state).toBe('low');
    expect(h.intake).toBe('storage-low');

    const refused = await submit(r, 1);
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('FERRY_ERR_STORE_LOW_SPACE');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Reads keep working: the applicant can still see the case filed before.
    const read = await httpsCall('GET', `${r.files.apiUrl}/api/v1/cases/${first.json.caseId}`, r.files.ca, undefined, { 'x-case-secret': first.json.secret });
    expect(read.status).not.toBe(503);

    const metrics = await (await fetch(`${r.files.externalOperatorUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ferry_storage_state\{state="low",gateway="external"\} 1$/m);
    expect(metrics).toMatch(/^ferry_intake_state\{state="storage-low",gateway="external"\} 1$/m);
    const free = Number(/^ferry_storage_free_bytes\{gateway="external"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(free).toBeLessThan(12582912);
    expect(metrics).toMatch(/^ferry_health_problem\{rule="storage",gateway="external"\} 1$/m);

    const st = ferry('status', '--config', r.files.externalConfig, '--json');
    expect(st.status, st.stderr).toBe(1);
    expect(JSON.parse(st.stdout).storage.state).toBe('low');

    rmSync(filler);
    await until('intake open again', async () => (await operatorHealth(r.files.externalOperatorUrl)).intake === 'open');
    const again = await submit(r, 2);
    expect(again.status).toBe(202);
    await until('both cases delivered', async () => (await operatorHealth(r.files.internalOperatorUrl)).cases === 2, 60_000);
  }, 180_000);
});
