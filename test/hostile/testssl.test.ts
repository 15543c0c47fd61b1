// testssl.sh (Debian's 3.0.8) judges the real external gateway's applicant port: protocols, cipher
// categories, forward secrecy, server defaults (certificate: chain to our CA, lifetime, CRL), the
// known vulnerabilities and the HTTP security headers. Offline: no DNS (--nodns none), no CRL/OCSP
// fetches (no --phone-out), our CA added with --add-ca. Nothing may be MEDIUM or worse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';

const TESTSSL = ['testssl', 'testssl.sh'].find((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
// In CI a missing tool is a failure, not a skip (Debian package: testssl.sh).
const run = TESTSSL || process.env.CI ? describe : describe.skip;

interface Finding { id: string; severity: string; finding: string }
let files: PairFiles;
let external: GatewayProc;

beforeAll(async () => {
  files = await preparePair();
  external = spawnGateway('external', files.externalConfig);
  const until = Date.now() + 20_000;
  for (;;) {
    try { if ((await httpsCall('GET', `${files.apiUrl}/health`, files.ca)).status === 200) break; } catch { /* starting */ }
    if (Date.now() > until) throw new Error(external.log.slice(-10).join('\n'));
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);
afterAll(async () => { external?.proc.kill('SIGTERM'); await external?.exited; });

run('testssl.sh against the applicant API', () => {
  it('reports nothing of severity MEDIUM, HIGH or CRITICAL', async () => {
    expect(TESTSSL, 'testssl.sh is not installed (Debian package testssl.sh)').toBeTruthy();
    const json = join(files.dir, 'testssl.json');
    const port = new URL(files.apiUrl).port;
    await new Promise<void>((resolve) => {
      execFile(TESTSSL!, ['--quiet', '--color', '0', '--warnings', 'off', '--openssl', '/usr/bin/openssl', '--nodns', 'none',
        '--add-ca', join(files.certs, 'ca.crt'), '-p', '-s', '-f', '-S', '-U', '-h', '--jsonfile', json, `127.0.0.1:${port}`],
      { timeout: 400_000, maxBuffer: 16 << 20 }, () => resolve()); // testssl's exit code counts findings; the JSON is the verdict
    });
    const findings = JSON.parse(readFileSync(json, 'utf8')) as Finding[];
    // The run really judged what matters (a run that failed to connect would have none of these).
    const ids = new Set(findings.map((f) => f.id));
    for (const id of ['TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3', 'cipherlist_AVERAGE', 'cipherlist_STRONG', 'PFS', 'cert_chain_of_trust',
      'cert_crlDistributionPoints', 'cert_validityPeriod', 'HSTS_time', 'X-Content-Type-Options', 'Cache-Control', 'heartbleed', 'ROBOT', 'LUCKY13', 'secure_client_renego']) {
      expect(ids.has(id), `testssl finding ${id}`).toBe(true);
    }
    const bad = findings.filter((f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity));
    expect(bad.map((f) => `${f.severity} ${f.id}: ${f.finding}`)).toEqual([]);
    expect(findings.find((f) => f.id === 'cert_chain_of_trust')?.finding).toMatch(/passed/);
    expect(findings.find((f) => f.id === 'TLS1_1')?.finding).toMatch(/not offered/);
    // testssl's "AVERAGE" category is the obsolete CBC suites.
    expect(findings.find((f) => f.id === 'cipherlist_AVERAGE')?.finding).toMatch(/not offered/);
  }, 420_000);
});
