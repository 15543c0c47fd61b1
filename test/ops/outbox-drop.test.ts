// `ferry outbox drop <packet> --reason ...` against a real pair: a packet the intranet cannot open
// (sealed to an encryption certificate it does not hold) is refused back and held at the external
// gateway; dropping it needs an operator and a reason, is audited with the packet's digest, keeps the
// packet whole in outbox_dropped, shows the applicant 'undelivered' (never a silent loss of a 202) and
// raises ferry_outbox_dropped_packets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, preparePair, sampleSubmission, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { secretHeader } from '../helpers/case-secret.js';

const BIN = join(import.meta.dirname, '../../bin/ferry.js');
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

describe('ferry outbox drop', () => {
  let files: PairFiles;
  let procs: GatewayProc[] = [];
  let caseId: string;
  let secret: string;
  let packetId: string;
  const status = async () => (await httpsCall('GET', `${files.apiUrl}/api/v1/cases/${caseId}`, files.ca, undefined, secretHeader(secret))).json;

  beforeAll(async () => {
    files = await preparePair({ logLevel: 'warn' });
    // The external gateway seals to a certificate the intranet has no key for: every packet is refused back.
    const wrong = join(files.certs, 'external-enc.crt');
    writeFileSync(files.externalConfig, readFileSync(files.externalConfig, 'utf8').replace(/peer: \{ encCert: [^,]+,/, `peer: { encCert: ${wrong},`));
    procs = [spawnGateway('external', files.externalConfig), spawnGateway('internal', files.internalConfig)];
    await until('link up with the catalogue', async () => { const h = await operatorHealth(files.externalOperatorUrl); return h.link === 'up' && h.catalogue; });
    const r = await httpsCall('POST', `${files.apiUrl}/api/v1/submissions`, files.ca, sampleSubmission(0));
    expect(r.status).toBe(202);
    ({ caseId, secret } = r.json);
    await until('case delayed (held)', async () => (await status()).status === 'delayed');
    const held = JSON.parse(ferry('outbox', 'held', '--config', files.externalConfig, '--json').stdout) as { packetId: string; caseId: string }[];
    expect(held.map((h) => h.caseId)).toEqual([caseId]);
    packetId = held[0]!.packetId;
  }, 90_000);
  afterAll(async () => {
    for (const g of procs) if (g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
  });

  it.each([
    ['no reason', ['--operator', 'alice']],
    ['an empty reason', ['--operator', 'alice', '--reason', '  ']],
    ['no operator', ['--reason', 'key lost']],
    ['no packet id', []],
  ])('refuses to drop with %s (exit 2, one ferry: line, nothing changed)', (_what, extra) => {
    const args = _what === 'no packet id' ? ['outbox', 'drop', '--config', files.externalConfig, '--operator', 'a', '--reason', 'b']
      : ['outbox', 'drop', packetId, '--config', files.externalConfig, ...extra];
    const r = ferry(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ferry: FERRY_ERR_CLI_USAGE: /);
    expect(JSON.parse(ferry('outbox', 'held', '--config', files.externalConfig, '--json').stdout)).toHaveLength(1);
  });

  it('drops a held packet loudly: audited, kept whole, the case reads undelivered, the alarm metric rises', async () => {
    const r = ferry('outbox', 'drop', packetId, '--config', files.externalConfig, '--operator', 'alice', '--reason', 'intranet key destroyed; applicant told to refile');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(ferry('outbox', 'held', '--config', files.externalConfig, '--json').stdout)).toEqual([]);
    const s = await status();
    expect(s.status).toBe('undelivered');
    expect(s.detail).toMatch(/submit it again/);
    const metrics = await (await fetch(`${files.externalOperatorUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ferry_outbox_dropped_packets\{gateway="external"\} 1$/m);
    expect(metrics).toMatch(/^ferry_outbox_held\{gateway="external"\} 0$/m);
    const db = new Database(join(files.dir, 'var/external/external.sqlite'), { readonly: true });
    const audit = db.prepare("SELECT actor, subject, detail FROM audit_entries WHERE action = 'outbox.drop'").all() as { actor: string; subject: string; detail: string }[];
    const kept = db.prepare('SELECT lower(hex(packet_id)) AS id, length(bytes) AS n, operator, reason FROM outbox_dropped').all() as { id: string; n: number; operator: string; reason: string }[];
    db.close();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('operator:alice');
    expect(audit[0]!.subject).toBe(packetId);
    const d = JSON.parse(audit[0]!.detail);
    expect(d).toMatchObject({ case: caseId, reason: 'intranet key destroyed; applicant told to refile', applicantTold: true });
    expect(d.bytesSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(kept).toEqual([{ id: packetId, n: expect.any(Number), operator: 'alice', reason: 'intranet key destroyed; applicant told to refile' }]);
    expect(kept[0]!.n).toBeGreaterThan(100);
    // Once only: a second drop names the packet as not held.
    const again = ferry('outbox', 'drop', packetId, '--config', files.externalConfig, '--operator', 'alice', '--reason', 'again');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^ferry: FERRY_ERR_STORE_HELD_NOT_FOUND: .*no held packet/m);
  });
});
