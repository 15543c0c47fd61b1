// Issue 13, "cases lost or stuck without a sign", against two real gateway processes over the real
// link: (a) an encryption-key rotation done as docs/OPERATIONS.md says, with packets in flight sealed
// to the old certificate, delivers every case answered 202; (b) a packet the intranet cannot open is
// refused back, held by the external gateway (metrics, log, applicant status 'delayed'), survives a
// `ferry outbox retry` that fails again, and is delivered once the key is fixed; (d) the intranet kept
// it too: `ferry rejected list | retry | drop`; (c) an external gateway rebuilt from an empty data
// directory receives the catalogue again and takes submissions. New keys are issued by the openssl CLI
// with the dev CA's key and imported as an operator would (`ferry certs import --p12 ... --force`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { hasTool } from '../helpers/tools.js';
import { FERRY_ROLE_OIDS } from '../../src/pki/roles.js';

// openssl issues the new keys (Debian: openssl). Without it in CI this fails rather than skips.
if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let pair: Pair;
let certs: string;
const secrets = new CaseSecrets();
const ferry = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const cfg = (role: 'external' | 'internal') => join(pair.dir, `${role}.yaml`);

beforeAll(async () => {
  pair = await startPair({ policyFile: policyWithoutRateLimits() });
  certs = join(pair.dir, 'certs');
  await pair.waitLinkUp();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

async function until<T>(what: string, f: () => Promise<T | false | undefined | null>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) {
      throw new Error(`timed out: ${what}\nexternal:\n${pair.external.log.slice(-15).join('\n')}\ninternal:\n${pair.internal.log.slice(-15).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function submit(i: number): Promise<string> {
  const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(i)));
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.json.caseId as string;
}
const caseStatus = async (id: string) => (await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${id}`, pair.ca, undefined, secrets.header(id))).json as { status: string; detail: string; history: { status: string }[] };
const allReceived = (ids: string[]) => until(`${ids.length} cases received`, async () => {
  for (const id of ids) if ((await caseStatus(id)).status !== 'received') return false;
  return true;
});

async function stop(role: 'external' | 'internal'): Promise<void> {
  const g = pair[role];
  g.proc.kill('SIGTERM');
  await g.exited;
}

/** A new encryption key for the internal gateway, issued with the dev CA key, as a .p12 file. */
let serial = 0x7e00;
function newInternalEncP12(name: string): string {
  const d = join(pair.dir, 'issued');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const f = (ext: string) => join(d, `${name}.${ext}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('key')]);
  run(['req', '-new', '-key', f('key'), '-subj', '/CN=ferry-internal-enc', '-out', f('csr')]);
  writeFileSync(f('ext'), ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,keyAgreement',
    `certificatePolicies=${FERRY_ROLE_OIDS['packet-encryption']}`].join('\n') + '\n');
  run(['x509', '-req', '-in', f('csr'), '-CA', join(certs, 'ca.crt'), '-CAkey', join(certs, 'ca.key'), '-set_serial', String(serial++),
    '-days', '30', '-sha256', '-extfile', f('ext'), '-out', f('crt')]);
  run(['pkcs12', '-export', '-inkey', f('key'), '-in', f('crt'), '-passout', 'pass:rotate', '-out', f('p12')]);
  return f('p12');
}

function importInternalEnc(p12: string): void {
  const r = ferry(['certs', 'import', '--p12', p12, '--role', 'internal-enc', '--dir', certs, '--force'], { FERRY_P12_PASSWORD: 'rotate' });
  expect(r.status, r.stderr).toBe(0);
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${pair.externalOperatorUrl}/metrics`)).text();
  // Every series carries the gateway label (setDefaultLabels), so match the name and the wanted labels.
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

describe('(a) encryption-key rotation as OPERATIONS.md says, packets in flight sealed to the old certificate', () => {
  it('delivers every case answered 202: before, during and after the switch', async () => {
    const ids: string[] = [];
    // The intranet is away (maintenance window): the external gateway keeps sealing to the old certificate.
    await stop('internal');
    for (let i = 0; i < 3; i++) ids.push(await submit(100 + i));
    // Step 1 on the intranet: import the new key; the old files stay as *.prev.
    importInternalEnc(newInternalEncP12('enc-2'));
    expect(existsSync(join(certs, 'internal-enc.key.prev')) && existsSync(join(certs, 'internal-enc.crt.prev'))).toBe(true);
    pair.startInternal();
    await pair.waitLinkUp();
    // The external gateway has not switched yet: still sealing to the old certificate.
    for (let i = 0; i < 2; i++) ids.push(await submit(110 + i));
    await allReceived(ids);
    // Step 2 on the external side: its peer.encCert file is the new certificate (same file path); restart.
    await stop('external');
    pair.startExternal();
    await pair.waitLinkUp();
    for (let i = 0; i < 2; i++) ids.push(await submit(120 + i));
    await allReceived(ids);
    const rejected = JSON.parse(ferry(['rejected', 'list', '--config', cfg('internal'), '--json']).stdout) as unknown[];
    expect(rejected).toEqual([]);
    expect(await metric('ferry_outbox_held')).toBe(0);
  }, 120_000);
});

describe('(b) a packet the intranet cannot open is refused back and held, loudly, then delivered after the key fix', () => {
  let held: string[] = [];
  let p12: string;

  it('holds it at the sender: outbox held, ferry_outbox_held, an error log line, the applicant sees delayed', async () => {
    // Wrong order: the external side is given a new intranet certificate the intranet does not have yet.
    p12 = newInternalEncP12('enc-3');
    const newCert = join(pair.dir, 'issued/enc-3.crt');
    writeFileSync(cfg('external'), readFileSync(cfg('external'), 'utf8').replace(/peer: \{ encCert: [^,]+,/, `peer: { encCert: ${newCert},`));
    await stop('external');
    pair.startExternal();
    await pair.waitLinkUp();
    held = [await submit(200), await submit(201)];
    for (const id of held) {
      await until(`case ${id} delayed`, async () => (await caseStatus(id)).status === 'delayed');
      const s = await caseStatus(id);
      expect(s.detail).toMatch(/delayed on its way to the approval office/);
      expect(s.detail).not.toMatch(/FERRY_ERR|sha256/);
    }
    const rows = JSON.parse(ferry(['outbox', 'held', '--config', cfg('external'), '--json']).stdout) as { caseId: string; code: string; kind: string }[];
    expect(rows.map((r) => r.caseId).sort()).toEqual([...held].sort());
    expect(rows.every((r) => r.code === 'FERRY_ERR_SEAL_WRONG_RECIPIENT' && r.kind === 'submission')).toBe(true);
    expect((await operatorHealth(pair.externalOperatorUrl)).outbox).toBe(0); // not in the send order: held
    expect(await metric('ferry_outbox_held')).toBe(2);
    expect(await metric('ferry_outbox_refused_total', 'code="FERRY_ERR_SEAL_WRONG_RECIPIENT"')).toBe(2);
    expect(await metric('ferry_queue_packets', 'queue="held"')).toBe(2);
    const errors = pair.external.log.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 'error' && l['code'] === 'FERRY_ERR_SEAL_WRONG_RECIPIENT');
    expect(errors.length).toBe(2);
    expect(errors.every((l) => typeof l['packet'] === 'string' && typeof l['case'] === 'string')).toBe(true);
  }, 90_000);

  it('ferry outbox retry before the key fix: sent again, refused again, still held (the alarm stays)', async () => {
    type Held = { packetId: string; heldAt: number };
    const heldRows = () => JSON.parse(ferry(['outbox', 'held', '--config', cfg('external'), '--json']).stdout) as Held[];
    const before = new Map(heldRows().map((x) => [x.packetId, x.heldAt]));
    const r = ferry(['outbox', 'retry', '--all', '--config', cfg('external'), '--operator', 'ops.li', '--reason', 'try after check']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 packet(s) back in the outbox');
    await until('refused again and held again', async () => {
      const rows = heldRows();
      return rows.length === 2 && rows.every((x) => x.heldAt > before.get(x.packetId)!);
    });
    expect(await metric('ferry_outbox_refused_total', 'code="FERRY_ERR_SEAL_WRONG_RECIPIENT"')).toBe(4);
    for (const id of held) expect((await caseStatus(id)).status).toBe('delayed');
  }, 60_000);

  it('(d) the intranet kept both: rejected list shows them, retry says they still do not open', () => {
    const rows = JSON.parse(ferry(['rejected', 'list', '--config', cfg('internal'), '--json']).stdout) as { packetId: string; state: string; code: string; kept: boolean; attempts: number }[];
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.state === 'refused' && r.code === 'FERRY_ERR_SEAL_WRONG_RECIPIENT' && r.kept && r.attempts === 2)).toBe(true);
    const again = ferry(['rejected', 'retry', rows[0]!.packetId, '--config', cfg('internal'), '--operator', 'ops.li']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('still does not open: FERRY_ERR_SEAL_WRONG_RECIPIENT');
    expect(ferry(['rejected', 'list', '--state', 'nonsense', '--config', cfg('internal')]).status).toBe(2);
  });

  it('after the key fix on the intranet (import, restart) the held packets go again by themselves and are delivered', async () => {
    importInternalEnc(p12);
    await stop('internal');
    pair.startInternal();
    await allReceived(held);
    await until('nothing held', async () => (await metric('ferry_outbox_held')) === 0);
    expect(JSON.parse(ferry(['outbox', 'held', '--config', cfg('external'), '--json']).stdout)).toEqual([]);
  }, 90_000);

  it('(d) ferry rejected retry takes a kept packet through the inbox (a duplicate now: resolved); drop is audited', async () => {
    const list = () => JSON.parse(ferry(['rejected', 'list', '--config', cfg('internal'), '--json']).stdout) as { id: number; packetId: string; state: string; kept: boolean; laterOutcome: string | null }[];
    const [a, b] = list();
    expect([a!.laterOutcome, b!.laterOutcome]).toEqual(['delivered', 'delivered']);
    const r = ferry(['rejected', 'retry', a!.packetId, '--config', cfg('internal'), '--operator', 'ops.li', '--reason', 'key fixed']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('opens with the current keys');
    await until('retry resolved by the running gateway', async () => list().find((x) => x.id === a!.id)?.state === 'resolved');
    expect(ferry(['rejected', 'drop', b!.packetId, '--config', cfg('internal'), '--operator', 'ops.li']).status).toBe(2); // a reason is required
    expect(ferry(['rejected', 'drop', String(b!.id), '--config', cfg('internal'), '--operator', 'ops.li', '--reason', 'x']).status).toBe(2); // the packet id, not a row
    const d = ferry(['rejected', 'drop', b!.packetId, '--config', cfg('internal'), '--operator', 'ops.li', '--reason', 'delivered by the sender']);
    expect(d.status, d.stderr).toBe(0);
    const after = list().find((x) => x.id === b!.id)!;
    expect([after.state, after.kept]).toEqual(['dropped', false]);
    expect(ferry(['rejected', 'drop', b!.packetId, '--config', cfg('internal'), '--operator', 'ops.li', '--reason', 'again']).status).toBe(1);
    // Every case of this file was delivered once: no duplicate from the retry.
    for (const id of held) expect((await caseStatus(id)).history.filter((h) => h.status === 'received')).toHaveLength(1);
  }, 60_000);
});

describe('(c) a rebuilt external gateway (empty data directory) gets the catalogue again', () => {
  it('receives the catalogue on the next link session and answers 202 again', async () => {
    await stop('external');
    rmSync(join(pair.dir, 'var/external'), { recursive: true, force: true });
    pair.startExternal();
    await pair.waitLinkUp(); // up AND the catalogue has arrived
    const h = await operatorHealth(pair.externalOperatorUrl);
    expect(h.catalogue).toBeTruthy();
    await allReceived([await submit(300)]);
  }, 60_000);
});
