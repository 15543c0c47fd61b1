// `ferry status` and `ferry intake pause|resume` against a real pair of gateways: the CLI asks the
// running gateway over its local UNIX socket (mode 0600, line-delimited JSON with a version), never
// its database. A paused intake answers 503 + Retry-After with its own code while reads and the link
// keep flowing; the pause survives a restart and is audited; exit codes 0 healthy / 2 unreachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/ferry.js');
const ferry = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One raw exchange on the socket: what the gateway answers to `line` (or '' when it just closes). */
function raw(file: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(file);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(line));
    s.on('data', (c: string) => { buf += c; if (buf.includes('\n')) { s.end(); resolve(buf.split('\n')[0]!); } });
    s.on('close', () => resolve(buf));
    s.on('error', reject);
  });
}

describe('ferry status and ferry intake over the status socket', () => {
  let pair: Pair;
  let extConfig: string;
  let intConfig: string;
  let extSocket: string;
  let first: { caseId: string; secret: string };
  const submit = (i: number) => httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(i));

  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn' });
    extConfig = join(pair.dir, 'external.yaml');
    intConfig = join(pair.dir, 'internal.yaml');
    extSocket = join(pair.dir, 'var/external/external.sock');
    await pair.waitLinkUp();
    const r = await submit(0);
    expect(r.status).toBe(202);
    first = r.json;
    await until('first case delivered', async () => (await operatorHealth(pair.internalOperatorUrl)).cases === 1);
  }, 60_000);
  afterAll(async () => { await pair?.stop(); });

  it('shows each healthy gateway on one screen and exits 0; --json carries link, queues, time, certificates, catalogue, intake, storage', () => {
    const text = ferry('status', '--config', extConfig);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Gateway\s+: external/m);
    expect(text.stdout).toMatch(/^Link\s+: up for [\d.]+ s, last frame [\d.]+ s ago/m);
    expect(text.stdout).toMatch(/^Intake\s+: open$/m);
    expect(text.stdout).toMatch(/^Storage\s+: ok,/m);
    const j = JSON.parse(ferry('status', '--config', extConfig, '--json').stdout);
    expect(j.gateway).toBe('external');
    expect(j.health.status).toBe('ok');
    expect(j.link.state).toBe('up');
    expect(j.link.reconnects).toBe(0);
    expect(typeof j.link.lastFrameAgeSeconds).toBe('number');
    expect(Object.keys(j.queues)).toEqual(expect.arrayContaining(['outbox', 'held', 'quarantine', 'rejected']));
    expect(j.queues.outbox.count).toBeGreaterThanOrEqual(0);
    expect(j.certificates.map((c: { role: string }) => c.role)).toEqual(expect.arrayContaining(['sign', 'encrypt', 'link_tls', 'api_tls']));
    expect(j.catalogue.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.intake.state).toBe('open');
    expect(j.storage.state).toBe('ok');
    expect(j.storage.freeBytes).toBeGreaterThan(0);
    const inside = ferry('status', '--config', intConfig, '--json');
    expect(inside.status, inside.stderr).toBe(0);
    const k = JSON.parse(inside.stdout);
    expect(k.gateway).toBe('internal');
    expect(k.queues.stamp).toBeDefined();
    expect(k.certificates.map((c: { role: string }) => c.role)).toContain('tsa');
    expect(k.intake).toBeNull();
  });

  it('listens on a socket only its owner may open (0600), and answers only its own protocol version', async () => {
    expect(statSync(extSocket).mode & 0o777).toBe(0o600);
    const wrongVersion = JSON.parse(await raw(extSocket, '{"v":99,"cmd":"status"}\n'));
    expect(wrongVersion.ok).toBe(false);
    expect(wrongVersion.error.code).toBe('FERRY_ERR_OPS_SOCKET');
    expect(wrongVersion.error.message).toMatch(/99.*1/);
    const unknown = JSON.parse(await raw(extSocket, '{"v":1,"cmd":"shutdown"}\n'));
    expect(unknown.error.message).toContain('status, intake.pause, intake.resume');
    const notJson = JSON.parse(await raw(extSocket, 'status please\n'));
    expect(notJson.error.code).toBe('FERRY_ERR_OPS_SOCKET');
    const flood = await raw(extSocket, 'x'.repeat(10_000));
    expect(flood).toContain('request line over');
    // The internal gateway has no intake to pause: said, not ignored.
    const inside = JSON.parse(await raw(join(pair.dir, 'var/internal/internal.sock'), '{"v":1,"cmd":"intake.pause","operator":"a","reason":"b"}\n'));
    expect(inside.ok).toBe(false);
  });

  it('refuses a pause without an operator and a reason (exit 2, one ferry: line)', () => {
    const r = ferry('intake', 'pause', '--config', extConfig, '--operator', 'alice');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ferry: .*--reason/);
    const bad = ferry('intake', 'hold', '--config', extConfig);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('pause, resume, status');
  });

  it('pauses intake: new filings 503 + Retry-After with their own code, reads and the link keep flowing, the pause survives a restart, resume reopens; both audited', async () => {
    const p = ferry('intake', 'pause', '--config', extConfig, '--operator', 'alice', '--reason', 'upgrade to 0.2');
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toContain('paused');
    const refused = await submit(1);
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('FERRY_ERR_OPS_INTAKE_PAUSED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const action = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${first.caseId}/actions`, pair.ca, '{}', { 'x-ferry-case-secret': first.secret });
    expect(action.status).toBe(503);
    expect(action.json.error.code).toBe('FERRY_ERR_OPS_INTAKE_PAUSED');
    // Reads still answer, the link stays up, and /health stays green: a drain is not an outage.
    const read = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${first.caseId}`, pair.ca, undefined, { 'x-ferry-case-secret': first.secret });
    expect(read.status).toBe(200);
    const h = await fetch(`${pair.externalOperatorUrl}/health`);
    const hb = await h.json() as Record<string, any>;
    expect(h.status).toBe(200);
    expect(hb.intake).toBe('paused');
    expect(hb.link).toBe('up');
    expect(await (await fetch(`${pair.externalOperatorUrl}/metrics`)).text()).toMatch(/^ferry_intake_state\{state="paused",gateway="external"\} 1$/m);
    expect(ferry('status', '--config', extConfig).stdout).toMatch(/^Intake\s+: paused since \S+ by alice: upgrade to 0.2$/m);

    // Restart: still paused (kept in gateway_kv), and the link comes back.
    pair.external.proc.kill('SIGTERM');
    await pair.external.exited;
    const down = ferry('status', '--config', extConfig);
    expect(down.status).toBe(2);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^ferry: FERRY_ERR_OPS_SOCKET: .*external\.sock/);
    pair.startExternal();
    await pair.waitLinkUp();
    const st = JSON.parse(ferry('intake', 'status', '--config', extConfig, '--json').stdout);
    expect(st.state).toBe('paused');
    expect((await submit(2)).status).toBe(503);

    const again = ferry('intake', 'pause', '--config', extConfig, '--operator', 'bob', '--reason', 'twice');
    expect(again.stdout).toContain('already paused');
    const r = ferry('intake', 'resume', '--config', extConfig, '--operator', 'alice', '--reason', 'upgrade done');
    expect(r.status, r.stderr).toBe(0);
    const ok = await submit(3);
    expect(ok.status).toBe(202);

    const db = new Database(join(pair.dir, 'var/external/external.sqlite'), { readonly: true });
    const rows = db.prepare("SELECT actor, action, detail FROM audit_entries WHERE action IN ('intake.pause', 'intake.resume') ORDER BY seq").all() as { actor: string; action: string; detail: string }[];
    db.close();
    expect(rows.map((x) => [x.actor, x.action])).toEqual([['operator:alice', 'intake.pause'], ['operator:alice', 'intake.resume']]);
    expect(JSON.parse(rows[0]!.detail).reason).toBe('upgrade to 0.2');
  }, 120_000);
});
