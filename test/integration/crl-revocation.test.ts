// Revocation against two real gateway processes over the real link, with the dev CA's CRL as each
// gateway's pki.crl source (a file, refreshed every 5 s) and each gateway publishing the list it holds
// over HTTP. `ferry certs revoke` (the real CLI) revokes, in turn: the TSA certificate (the applicant's
// receipt then fails verification and is withheld), the external gateway's packet signer (its next
// packet is refused by the intranet with FERRY_ERR_PKI_REVOKED and flows back as a Refusal: held,
// alarmed, the case shown delayed), and the internal gateway's link certificate (the live link drops
// within one refresh and the handshake is refused after). A stale list under whenStale: hold drops the
// link too, with the metric and the log line, until a fresh list arrives. openssl judges every list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { hasTool } from '../helpers/tools.js';
import { freePort } from '../helpers/ports.js';
import { readCaDb, writeCaDb } from '../../src/pki/ca-db.js';
import { issueCrl } from '../../src/pki/crl-issue.js';

if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let pair: Pair;
let certs: string;
let pubExt: number;
let pubInt: number;
const secrets = new CaseSecrets();
const REFRESH_S = 5;

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });
const openssl = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });
const pkiSection = (port: number) => `pki: { crl: [{ file: certs/ca.crl, refreshSeconds: ${REFRESH_S} }], whenStale: hold, publish: { host: 127.0.0.1, port: ${port} } }`;

beforeAll(async () => {
  [pubExt, pubInt] = [await freePort(), await freePort()];
  pair = await startPair({ policyFile: policyWithoutRateLimits(), extraExternal: pkiSection(pubExt), extraInternal: pkiSection(pubInt) });
  certs = join(pair.dir, 'certs');
  await pair.waitLinkUp();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

async function until<T>(what: string, f: () => Promise<T | false | undefined | null> | T | false | undefined | null, ms = 25_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\nexternal:\n${pair.external.log.slice(-12).join('\n')}\ninternal:\n${pair.internal.log.slice(-12).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}
function revoke(file: string, reason: string): number {
  const r = ferry(['certs', 'revoke', '--dir', certs, '--cert', join(certs, file), '--reason', reason, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { crlNumber: number }).crlNumber;
}
/** Both gateways have loaded CRL number n (their "CRL loaded" log line). */
const loaded = (n: number) => until(`CRL ${n} loaded by both`, () =>
  [pair.external, pair.internal].every((g) => g.log.some((l) => l.includes('CRL loaded') && l.includes(`"crlNumber":"${n}"`))));
function revokedByOpenssl(file: string): boolean {
  const pem = join(pair.dir, 'crl.pem');
  writeFileSync(pem, openssl(['crl', '-inform', 'DER', '-in', join(certs, 'ca.crl')]).stdout);
  const r = openssl(['verify', '-crl_check', '-CAfile', join(certs, 'ca.crt'), '-CRLfile', pem, join(certs, file)]);
  return r.status !== 0 && /certificate revoked/.test(r.stdout + r.stderr);
}
async function submit(i: number): Promise<string> {
  const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(i)));
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.json.caseId as string;
}
const caseStatus = async (id: string) => (await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${id}`, pair.ca, undefined, secrets.header(id))).json as { status: string };
const receipt = (id: string) => httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${id}/receipt`, pair.ca, undefined, secrets.header(id));

describe('publishing', () => {
  it('each gateway serves the CRL it holds at the distribution point path, and openssl verifies it against the CA', async () => {
    for (const port of [pubExt, pubInt]) {
      const r = await fetch(`http://127.0.0.1:${port}/crl/ferry-dev-ca.crl`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/pkix-crl');
      const der = Buffer.from(await r.arrayBuffer());
      expect(der.equals(readFileSync(join(certs, 'ca.crl')))).toBe(true);
      const file = join(pair.dir, `pub-${port}.crl`);
      writeFileSync(file, der);
      const v = openssl(['crl', '-inform', 'DER', '-in', file, '-CAfile', join(certs, 'ca.crt'), '-verify', '-noout']);
      expect(v.stderr + v.stdout).toMatch(/verify OK/);
    }
    // The distribution point the dev CA writes names this path.
    expect(openssl(['x509', '-in', join(certs, 'external-sign.crt'), '-noout', '-ext', 'crlDistributionPoints']).stdout).toContain('/crl/ferry-dev-ca.crl');
    expect(await metric(pair.externalOperatorUrl, 'ferry_crl_stale')).toBe(0);
  });
});

describe('revoked certificates are refused', () => {
  let stamped: string;
  it('a TSA certificate: the receipt token it signed fails verification and is withheld (FERRY_ERR_PKI_REVOKED)', async () => {
    stamped = await submit(0);
    await until('case 0 received', async () => (await caseStatus(stamped)).status === 'received');
    expect((await receipt(stamped)).status).toBe(200);
    const n = revoke('tsa.crt', 'keyCompromise');
    expect(revokedByOpenssl('tsa.crt')).toBe(true);
    await loaded(n);
    const r = await receipt(stamped);
    expect(r.status).toBe(502);
    await until('receipt refusal logged', () => pair.external.log.some((l) => l.includes('FERRY_ERR_PKI_REVOKED') && l.includes('"stage":"receipt"')));
  }, 60_000);

  it('a packet signer: the intranet refuses its packet with FERRY_ERR_PKI_REVOKED, refused back, held and shown delayed', async () => {
    const n = revoke('external-sign.crt', 'keyCompromise');
    expect(revokedByOpenssl('external-sign.crt')).toBe(true);
    await loaded(n);
    const id = await submit(1);
    await until('refusal counted', async () => (await metric(pair.externalOperatorUrl, 'ferry_outbox_refused_total', 'code="FERRY_ERR_PKI_REVOKED"')) >= 1);
    expect(pair.internal.log.some((l) => l.includes('packet refused') && l.includes('FERRY_ERR_PKI_REVOKED'))).toBe(true);
    await until('case delayed', async () => (await caseStatus(id)).status === 'delayed');
  }, 60_000);

  it('a stale CRL under whenStale: hold drops the link (FERRY_ERR_PKI_CRL_STALE, metric, log) until a fresh list arrives', async () => {
    const db = readCaDb(certs);
    db.crlNumber += 1;
    const der = await issueCrl({
      caCertPem: readFileSync(join(certs, 'ca.crt')), caKeyPem: readFileSync(join(certs, 'ca.key'), 'utf8'), crlNumber: db.crlNumber,
      thisUpdate: new Date(Date.now() - 2 * 86_400_000), nextUpdate: new Date(Date.now() - 60_000),
      revoked: db.revoked.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt), reason: r.reason })),
    });
    writeCaDb(certs, db);
    writeFileSync(join(certs, 'ca.crl'), der);
    // Both gateways hold the stale list within one refresh; either may be the one that drops the link.
    await until('stale list held', async () => (await metric(pair.externalOperatorUrl, 'ferry_crl_stale')) === 1 && (await metric(pair.internalOperatorUrl, 'ferry_crl_stale')) === 1);
    await until('link down on a stale list', async () => (await operatorHealth(pair.externalOperatorUrl)).link === 'down');
    await until('stale logged', () => pair.external.log.some((l) => l.includes('FERRY_ERR_PKI_CRL_STALE') && l.includes('nextUpdate')));
    const r = ferry(['certs', 'crl', '--dir', certs]);
    expect(r.status, r.stderr).toBe(0);
    await until('link up again on a fresh list', async () => (await operatorHealth(pair.externalOperatorUrl)).link === 'up');
    await until('fresh list held', async () => (await metric(pair.externalOperatorUrl, 'ferry_crl_stale')) === 0);
  }, 60_000);

  it('a link peer: the live link drops within one refresh, and the revoked peer\'s handshakes are refused after', async () => {
    expect((await operatorHealth(pair.externalOperatorUrl)).link).toBe('up');
    const n = revoke('internal-tls.crt', 'keyCompromise');
    expect(revokedByOpenssl('internal-tls.crt')).toBe(true);
    const t0 = Date.now();
    await until('link down', async () => (await operatorHealth(pair.externalOperatorUrl)).link === 'down', (REFRESH_S + 10) * 1000);
    expect(Date.now() - t0).toBeLessThan((2 * REFRESH_S + 10) * 1000);
    expect(pair.external.log.some((l) => l.includes('link peer no longer acceptable') && l.includes('FERRY_ERR_PKI_REVOKED'))).toBe(true);
    // The internal gateway keeps dialling; every attempt is refused at the peer check.
    await until('redial refused', () => pair.external.log.some((l) => l.includes('link peer refused') && l.includes('FERRY_ERR_PKI_REVOKED')));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await operatorHealth(pair.externalOperatorUrl)).link).toBe('down');
    expect(n).toBeGreaterThan(1);
  }, 60_000);
});
