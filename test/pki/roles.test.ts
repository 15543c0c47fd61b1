// The dev PKI as a relying party sees it, with openssl as the judge: end-entity certificates last at
// most 398 days, carry a CRL distribution point and exactly their Ferry role marker; the intranet
// certificate names the configured host; `certs import` and the chain checker refuse a certificate
// stored under a role it was not issued for, and a CA certificate used as a leaf.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { DEV_PKI_ROLES, initDevPki, MAX_TLS_DAYS, roleMarkerFor, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { FERRY_ROLE_OIDS, rolesOf } from '../../src/pki/roles.js';
import { importP12 } from '../../src/pki/p12-import.js';
import { verifyChain } from '../../src/pki/chain.js';
import { issueWithCa } from './openssl-issue.js';
import { tempDir } from '../seal/fixtures.js';

const DAY = 86_400_000;
let tmp: ReturnType<typeof tempDir>;
let files: DevPkiFiles;
const CRL = 'http://intranet.example.gov/crl/ferry.crl';
const text = (f: string) => execFileSync('openssl', ['x509', '-in', f, '-noout', '-text'], { encoding: 'utf8' });

beforeAll(async () => {
  tmp = tempDir('pki-roles');
  // days: 3650 asks for more than the ceiling: TLS certificates must still get at most 398.
  files = await initDevPki(join(tmp.dir, 'certs'), { intranetHosts: ['intranet.example.gov', '10.20.0.5'], crlUrl: CRL });
});
afterAll(() => tmp.cleanup());

describe('dev PKI end entities (openssl x509 -text)', () => {
  it.each(DEV_PKI_ROLES.map((r) => [r]))('%s: ≤ 398 days, CRL distribution point, its one Ferry role marker', (role) => {
    const t = text(files[role].cert);
    const c = new X509Certificate(execFileSync('openssl', ['x509', '-in', files[role].cert], { encoding: 'utf8' }));
    expect(Date.parse(c.validTo) - Date.parse(c.validFrom)).toBeLessThanOrEqual(MAX_TLS_DAYS * DAY + 5 * 60_000);
    expect(t).toMatch(new RegExp(`X509v3 CRL Distribution Points:\\s+Full Name:\\s+URI:${CRL.replace(/\./g, '\\.')}`));
    const marker = roleMarkerFor(role)!;
    expect(t).toContain(`X509v3 Certificate Policies: \n                Policy: ${FERRY_ROLE_OIDS[marker]}\n`);
    expect(rolesOf(c)).toEqual([marker]);
  });

  it('keeps TLS certificates at 398 days even when longer-lived signers are asked for', async () => {
    const long = await initDevPki(join(tmp.dir, 'long'), { days: 3650 });
    const days = (f: string) => { const c = new X509Certificate(execFileSync('openssl', ['x509', '-in', f], { encoding: 'utf8' })); return (Date.parse(c.validTo) - Date.parse(c.validFrom)) / DAY; };
    for (const r of ['external-tls', 'internal-tls', 'intranet-tls', 'staff-client', 'township-client', 'operator-client'] as const) expect(days(long[r].cert), r).toBeLessThanOrEqual(398.01);
    expect(days(long['external-sign'].cert)).toBeGreaterThan(3000);
  });

  it('names the configured intranet host in the intranet certificate, and openssl verifies it for that host', () => {
    expect(text(files['intranet-tls'].cert)).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, DNS:intranet\.example\.gov, IP Address:10\.20\.0\.5/);
    const ok = spawnSync('openssl', ['verify', '-CAfile', files.ca.cert, '-purpose', 'sslserver', '-verify_hostname', 'intranet.example.gov', files['intranet-tls'].cert], { encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toContain(': OK');
    const bad = spawnSync('openssl', ['verify', '-CAfile', files.ca.cert, '-verify_hostname', 'other.example.gov', files['intranet-tls'].cert], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });

  it('ferry certs init refuses --days beyond 398', () => {
    const r = spawnSync(process.execPath, ['bin/ferry.js', 'certs', 'init', '--dir', join(tmp.dir, 'cli'), '--days', '825'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--days');
  });
});

describe('role checks on import and in the chain', () => {
  const p12 = (c: { keyPath: string; certPath: string }, name: string): string => {
    const out = join(tmp.dir, `${name}.p12`);
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', c.keyPath, '-in', c.certPath, '-out', out, '-passout', 'pass:pw']);
    return out;
  };
  const ca = () => join(tmp.dir, 'certs');

  it('refuses to import a township client certificate as external-tls (FERRY_ERR_PKI_ROLE), accepts it as township-client', async () => {
    const c = issueWithCa(ca(), join(tmp.dir, 'iss'), 'twp', { cn: 'ferry-external-tls', roles: ['township-client'] });
    const f = p12(c, 'twp');
    await expect(importP12(f, 'pw', join(tmp.dir, 'imp1'), 'external-tls')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_ROLE' });
    await expect(importP12(f, 'pw', join(tmp.dir, 'imp1'), 'township-client')).resolves.toMatchObject({ subject: 'CN=ferry-external-tls' });
  });

  it('refuses to import a CA certificate as an end entity (FERRY_ERR_PKI_LEAF_IS_CA)', async () => {
    const c = issueWithCa(ca(), join(tmp.dir, 'iss'), 'caleaf', { cn: 'ferry-external-sign', roles: ['packet-signer'], ca: true });
    await expect(importP12(p12(c, 'caleaf'), 'pw', join(tmp.dir, 'imp2'), 'external-sign')).rejects.toMatchObject({ code: 'FERRY_ERR_PKI_LEAF_IS_CA' });
  });

  it('verifyChain refuses a CA certificate as a leaf, but still checks the anchor itself', () => {
    const c = issueWithCa(ca(), join(tmp.dir, 'iss'), 'caleaf2', { cn: 'ferry-internal-tls', roles: ['internal-gateway-link'], ca: true });
    const root = new X509Certificate(execFileSync('openssl', ['x509', '-in', files.ca.cert], { encoding: 'utf8' }));
    expect(verifyChain(new X509Certificate(c.cert), [root], new Date(Date.now() + 5000))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_LEAF_IS_CA' });
    expect(verifyChain(root, [root], new Date()).ok).toBe(true);
  });
});
