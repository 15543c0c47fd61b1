// Rotation under load, one test per key kind, against two real gateway processes: cases are filed
// continuously while the key is replaced the way docs/OPERATIONS.md says (new key issued by openssl
// with the dev CA key, `ferry certs import --force` keeping *.prev, `kill -HUP` — no restart), and
// every case answered 202 must come back `received` (delivered into the intranet, stamped, and its
// status sealed back and opened). Encryption: the external gateway's new certificate reaches the
// internal gateway over the link (KeyAnnounce), so once the old key is dropped nothing is lost either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { hasTool } from '../helpers/tools.js';
import { FERRY_ROLE_OIDS, type FerryRole } from '../../src/pki/roles.js';
import { ANNOUNCED_PEER_ENC_FILE } from '../../src/gateway/key-announce.js';

if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let pair: Pair;
let certs: string;
const secrets = new CaseSecrets();
const ferry = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

beforeAll(async () => {
  pair = await startPair({ policyFile: policyWithoutRateLimits() });
  certs = join(pair.dir, 'certs');
  await pair.waitLinkUp();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

async function until<T>(what: string, f: () => Promise<T | false | undefined | null> | T | false | undefined | null, ms = 40_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | false | undefined | null = null;
    try { v = await f(); } catch { /* not answering yet */ }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\nexternal:\n${pair.external.log.slice(-15).join('\n')}\ninternal:\n${pair.internal.log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let n = 0;
/** Files cases one after another until stopped; every answer must be 202. */
function fileContinuously(): { stop(): Promise<string[]> } {
  const ids: string[] = [];
  const answers: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(n++)));
      answers.push(r.status);
      if (r.status === 202) ids.push(r.json.caseId as string);
      else break;
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      // The applicant API never stops taking cases while keys rotate under it.
      expect(answers.filter((s) => s !== 202), `answers: ${answers.join(',')}`).toEqual([]);
      return ids;
    },
  };
}
const status = async (id: string) => ((await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${id}`, pair.ca, undefined, secrets.header(id))).json as { status: string }).status;
async function allReceived(ids: string[]): Promise<void> {
  expect(ids.length).toBeGreaterThan(3);
  await until(`${ids.length} cases received`, async () => {
    for (const id of ids) if ((await status(id)) !== 'received') return false;
    return true;
  }, 90_000);
}

let serial = 0x6b00;
/** A new key for `role` (a dev-PKI file name), issued by openssl with the dev CA key, as a .p12. */
function newP12(role: string, cn: string, marker: FerryRole, ext: string[]): string {
  const d = join(pair.dir, 'issued');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const id = serial++;
  const f = (e: string) => join(d, `${role}-${id}.${e}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('key')]);
  run(['req', '-new', '-key', f('key'), '-subj', `/CN=${cn}`, '-out', f('csr')]);
  writeFileSync(f('ext'), ['basicConstraints=critical,CA:FALSE', ...ext, `certificatePolicies=${FERRY_ROLE_OIDS[marker]}`].join('\n') + '\n');
  run(['x509', '-req', '-in', f('csr'), '-CA', join(certs, 'ca.crt'), '-CAkey', join(certs, 'ca.key'), '-set_serial', String(id),
    '-days', '30', '-sha256', '-extfile', f('ext'), '-out', f('crt')]);
  run(['pkcs12', '-export', '-inkey', f('key'), '-in', f('crt'), '-passout', 'pass:rotate', '-out', f('p12')]);
  return f('p12');
}
function importRole(p12: string, role: string): void {
  const r = ferry(['certs', 'import', '--p12', p12, '--role', role, '--dir', certs, '--force'], { FERRY_P12_PASSWORD: 'rotate' });
  expect(r.status, r.stderr).toBe(0);
}
/** SIGHUP and wait for that process's reload line (same pid: no restart). */
async function hup(role: 'external' | 'internal'): Promise<void> {
  const g = pair[role];
  const pid = g.proc.pid;
  const mark = g.log.length;
  g.proc.kill('SIGHUP');
  await until(`${role} reloaded`, () => g.log.slice(mark).some((l) => l.includes('key material reloaded') && !l.includes('in part')));
  expect(g.proc.pid).toBe(pid);
  expect(g.proc.exitCode).toBeNull();
}

describe('rotation under load: every 202 delivered', () => {
  it('encryption key (external): the new certificate is announced over the link; after the old key is dropped nothing is lost', async () => {
    const load = fileContinuously();
    await new Promise((r) => setTimeout(r, 1000));
    const mark = pair.internal.log.length;
    importRole(newP12('external-enc', 'ferry-external-enc', 'packet-encryption', ['keyUsage=critical,keyAgreement']), 'external-enc');
    await hup('external');
    await until('internal adopted the announced certificate', () => pair.internal.log.slice(mark).some((l) => l.includes('peer announced a new encryption certificate')));
    const kept = join(pair.dir, 'var/internal', ANNOUNCED_PEER_ENC_FILE);
    expect(new X509Certificate(readFileSync(kept)).raw.equals(new X509Certificate(readFileSync(join(certs, 'external-enc.crt'))).raw)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    const ids = await load.stop();
    await allReceived(ids);
    // The previous key goes: what the intranet seals now must open with the new key alone.
    for (const f of ['external-enc.crt.prev', 'external-enc.key.prev']) rmSync(join(certs, f));
    await hup('external');
    const after = fileContinuously();
    await new Promise((r) => setTimeout(r, 1500));
    await allReceived(await after.stop());
    expect(pair.external.log.some((l) => l.includes('FERRY_ERR_SEAL_WRONG_RECIPIENT'))).toBe(false);
  }, 180_000);

  it('signing key (internal): packets signed by the new key are accepted by the pinned subject and role, none refused', async () => {
    const load = fileContinuously();
    await new Promise((r) => setTimeout(r, 1000));
    importRole(newP12('internal-sign', 'ferry-internal-sign', 'packet-signer', ['keyUsage=critical,digitalSignature,nonRepudiation']), 'internal-sign');
    await hup('internal');
    await new Promise((r) => setTimeout(r, 1500));
    await allReceived(await load.stop());
    expect(pair.external.log.some((l) => l.includes('packet refused'))).toBe(false);
  }, 180_000);

  it('link TLS (both ends): the listener presents its new certificate to the next handshake, the dialler redials with its own', async () => {
    const load = fileContinuously();
    await new Promise((r) => setTimeout(r, 1000));
    const tlsExt = ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
    importRole(newP12('external-tls', 'ferry-external-tls', 'external-gateway-link', tlsExt), 'external-tls');
    await hup('external');
    importRole(newP12('internal-tls', 'ferry-internal-tls', 'internal-gateway-link', tlsExt), 'internal-tls');
    await hup('internal');
    await until('link up', async () => (await operatorHealth(pair.externalOperatorUrl)).link === 'up');
    await new Promise((r) => setTimeout(r, 1500));
    await allReceived(await load.stop());
    expect(existsSync(join(certs, 'internal-tls.crt.prev'))).toBe(true);
  }, 180_000);
});
