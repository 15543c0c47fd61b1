// `ferry outbox drop <packet> --reason ...` against a real pair: a packet the intranet cannot open
// (sealed to an encryption certificate it does not hold) is refused back and held at the external
// gateway; dropping it needs an operator and a reason, is audited with the packet's digest, keeps the
// packet whole in outbox_dropped, shows the applicant 'undelivered' (never a silent loss of a 202) and
// raises ferry_outbox_dropped_packets. Then `ferry case trace` follows that case on both gateways
// (read-only, by case number or by its log token), including the intranet's rejected packet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, preparePair, sampleSubmission, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { secretHeader } from '../helpers/case-secret.js';
import { maskCaseId } from '../../src/gateway/case-mask.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

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

  it('ferry case trace follows the case on the external gateway: status, outbox history, drop, audit — by number or log token', () => {
    const r = ferry('case', 'trace', caseId, '--config', files.externalConfig, '--json');
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { caseId: string; logged: string; packets: string[]; events: { where: string; what: string; packet?: string }[] };
    expect(t.caseId).toBe(caseId);
    expect(t.logged).toBe(maskCaseId(caseId));
    expect(t.packets).toContain(packetId);
    const where = (w: string) => t.events.filter((e) => e.where === w).map((e) => e.what);
    expect(where('status')).toEqual(expect.arrayContaining(["applicant sees 'submitted'", "applicant sees 'delayed'", "applicant sees 'undelivered'"]));
    expect(where('outbox_dropped')).toHaveLength(1);
    expect(where('audit').some((w) => w.includes('outbox.drop by operator:alice'))).toBe(true);
    expect(where('audit').some((w) => w.includes('packet.out'))).toBe(true);
    // The token a log line shows leads to the same trace.
    const byToken = JSON.parse(ferry('case', 'trace', maskCaseId(caseId), '--config', files.externalConfig, '--json').stdout);
    expect(byToken.caseId).toBe(caseId);
    const text = ferry('case', 'trace', caseId, '--config', files.externalConfig);
    expect(text.stdout.split('\n')[0]).toBe(`case ${caseId} on the external gateway (in logs: ${maskCaseId(caseId)})`);
  });

  it('ferry case trace on the intranet finds the packet it could not open (by --packet), and says when it knows nothing', () => {
    const r = ferry('case', 'trace', caseId, '--config', files.internalConfig, '--packet', packetId, '--json');
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { events: { where: string; what: string }[] };
    expect(t.events.some((e) => e.where === 'rejected' && e.what.includes('FERRY_ERR_SEAL'))).toBe(true);
    const none = ferry('case', 'trace', 'F20200101-ABCDEFGHJKMNPQRS', '--config', files.externalConfig);
    expect(none.status).toBe(1);
    expect(none.stdout).toContain('nothing about this case here');
    const token = ferry('case', 'trace', 'F20200101~0123abcd', '--config', files.externalConfig);
    expect(token.status).toBe(1);
    expect(token.stderr).toMatch(/^ferry: no case .* appears in logs as F20200101~0123abcd/m);
  });

  it('ferry case trace refuses what is not a case and never creates a database', () => {
    const bad = ferry('case', 'trace', 'not-a-case', '--config', files.externalConfig);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^ferry: FERRY_ERR_CLI_USAGE: .*neither a case number/);
    const elsewhere = mkdtempSync(join(tmpdir(), 'ferry-trace-'));
    const cfg = join(elsewhere, 'external.yaml');
    writeFileSync(cfg, readFileSync(files.externalConfig, 'utf8').replace(/^dataDir: .*$/m, `dataDir: ${join(elsewhere, 'nothing-here')}`));
    const missing = ferry('case', 'trace', caseId, '--config', cfg);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^ferry: FERRY_ERR_STORE_MISSING: .*nothing-here/m);
    expect(existsSync(join(elsewhere, 'nothing-here'))).toBe(false);
  });
});
