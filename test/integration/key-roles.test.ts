// Issue 13, loss #2: an RSA signing key was imported and the gateway started with it; every packet then
// failed to open at the peer and was lost. Now `ferry certs import` refuses a key that cannot do its
// role's job, and a gateway refuses to START with one: exit 2, one `ferry:` line naming the file and
// the reason, no stack, and nothing bound or stored (it never accepts a packet). Real `ferry` child
// processes, real key files made by openssl and issued by the dev PKI's CA key.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePair, type PairFiles } from '../helpers/gateways.js';
import { opensslCa, type OsslCert, type OsslOpts } from '../pki/openssl-ca.js';
import { openssl } from '../pki/helpers.js';

const P12_PASSWORD = 'key-roles-test';
const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], {
  encoding: 'utf8', timeout: 60_000, env: { ...process.env, FERRY_P12_PASSWORD: P12_PASSWORD },
});

let files: PairFiles;
let ca: ReturnType<typeof opensslCa>;
let devCa: OsslCert;
const c = (f: string) => join(files.certs, f);

beforeAll(async () => {
  files = await preparePair();
  ca = opensslCa(join(files.dir, 'ossl'));
  devCa = { name: 'dev-ca', keyPath: c('ca.key'), certPath: c('ca.crt'), cert: new X509Certificate(readFileSync(c('ca.crt'))) };
});
// The gateways below never start (that is the point), so only the files are left to remove.
afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

/** The stderr of a refused command: exactly one line, `ferry: <code>: …`, and no stack trace. */
function oneFerryLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.filter((l) => l.startsWith('ferry:'))).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines.find((l) => l.startsWith('ferry:'))!;
}

function p12Of(name: string, opts: OsslOpts): string {
  const x = ca.issue(devCa, name, opts);
  const out = join(files.dir, 'ossl', `${name}.p12`);
  openssl(['pkcs12', '-export', '-inkey', x.keyPath, '-in', x.certPath, '-out', out, '-passout', `pass:${P12_PASSWORD}`]);
  return out;
}

describe('ferry certs import refuses a key that cannot work for the role, naming the file', () => {
  const rows: Array<{ name: string; role: string; opts: OsslOpts; code: string; reason: RegExp }> = [
    { name: 'an RSA key as the signing key', role: 'external-sign', opts: { key: 'rsa', roles: ['packet-signer'] }, code: 'FERRY_ERR_PKI_KEY_TYPE', reason: /RSA-2048 key; the packet-signer role needs EC P-256/ },
    { name: 'a P-384 key as the encryption key', role: 'internal-enc', opts: { key: 'p384', roles: ['packet-encryption'], keyUsage: 'keyAgreement' }, code: 'FERRY_ERR_PKI_KEY_TYPE', reason: /EC P-384 key; the packet-encryption role needs EC P-256/ },
    { name: 'a signing certificate without the packet-signer marker', role: 'external-sign', opts: { roles: ['township-client'], eku: 'clientAuth' }, code: 'FERRY_ERR_PKI_ROLE', reason: /lacks the Ferry packet-signer role marker/ },
    { name: 'a link certificate without the serverAuth EKU', role: 'external-tls', opts: { roles: ['external-gateway-link'], eku: 'emailProtection' }, code: 'FERRY_ERR_PKI_KEY_USAGE', reason: /extendedKeyUsage .* lacks 1\.3\.6\.1\.5\.5\.7\.3\.1/ },
  ];
  it.each(rows)('$name: $code, and writes nothing', ({ name, role, opts, code, reason }) => {
    const p12 = p12Of(name.replace(/\W+/g, '-'), opts);
    const dir = join(files.dir, `import-${name.replace(/\W+/g, '-')}`);
    const r = ferry(['certs', 'import', '--p12', p12, '--role', role, '--dir', dir, '--ca', c('ca.crt')]);
    expect(r.status).toBe(2);
    const line = oneFerryLine(r.stderr);
    expect(line.startsWith(`ferry: ${code}: ${p12}: cannot be imported as ${role}: `)).toBe(true);
    expect(line).toMatch(reason);
    expect(existsSync(join(dir, `${role}.key`))).toBe(false);
    expect(existsSync(join(dir, `${role}.crt`))).toBe(false);
  });

  it('imports a P-256 signing key with the marker (the refusals above are about the key, not the command)', () => {
    const p12 = p12Of('good-signer', { roles: ['packet-signer'], keyUsage: 'digitalSignature,nonRepudiation' });
    const dir = join(files.dir, 'import-good');
    const r = ferry(['certs', 'import', '--p12', p12, '--role', 'external-sign', '--dir', dir, '--ca', c('ca.crt')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'external-sign.key'))).toBe(true);
  });

  it('refuses a certificate from another CA when the directory holds the configured ca.crt', () => {
    const other = ca.root('Some Other Root');
    const x = ca.issue(other, 'foreign-signer', { roles: ['packet-signer'] });
    const p12 = join(files.dir, 'ossl', 'foreign-signer.p12');
    openssl(['pkcs12', '-export', '-inkey', x.keyPath, '-in', x.certPath, '-out', p12, '-passout', `pass:${P12_PASSWORD}`]);
    const dir = join(files.dir, 'import-foreign');
    mkdirSync(dir, { recursive: true });
    copyFileSync(c('ca.crt'), join(dir, 'ca.crt'));
    const r = ferry(['certs', 'import', '--p12', p12, '--role', 'external-sign', '--dir', dir]);
    expect(r.status).toBe(2);
    expect(oneFerryLine(r.stderr)).toMatch(new RegExp(`^ferry: FERRY_ERR_PKI_CHAIN: ${p12}: .*does not chain to the configured CA`));
  });
});

/** Writes a copy of `config` with `from` replaced by `to` (paths of key and certificate files). */
function variant(config: string, name: string, swaps: Array<[string, string]>): string {
  let text = readFileSync(config, 'utf8');
  for (const [from, to] of swaps) {
    expect(text).toContain(from);
    text = text.split(from).join(to);
  }
  text = text.replace(/^dataDir: .*$/m, `dataDir: ${join(files.dir, `var-${name}`)}`);
  const out = join(files.dir, `${name}.yaml`);
  writeFileSync(out, text);
  return out;
}

function portOf(config: string, section: 'api' | 'intranet'): number {
  const m = new RegExp(`^${section}: \\{ host: 127\\.0\\.0\\.1, port: (\\d+)`, 'm').exec(readFileSync(config, 'utf8'));
  return Number(m![1]);
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
}

describe('a gateway refuses to start with a key that cannot work', () => {
  function start(role: 'external' | 'internal', config: string) {
    const demo = /whenUntrusted:\s*warn/.test(readFileSync(config, 'utf8')) ? ['--demo'] : [];
    return ferry(['start', role, '--config', config, '--allow-root', ...demo]);
  }

  it('an RSA signing key put in place by hand: exit 2 naming the key file and the reason; nothing listens, nothing is stored', async () => {
    const rsa = ca.issue(devCa, 'hand-placed-rsa-signer', { key: 'rsa', roles: ['packet-signer'], keyUsage: 'digitalSignature,nonRepudiation' });
    const config = variant(files.externalConfig, 'ext-rsa', [[c('external-sign.key'), rsa.keyPath], [c('external-sign.crt'), rsa.certPath]]);
    const r = start('external', config);
    expect(r.status).toBe(2);
    const line = oneFerryLine(r.stderr);
    expect(line).toContain(`ferry: FERRY_ERR_PKI_KEY_TYPE: ${rsa.keyPath}: not usable as the packet-signer key: the private key is an RSA-2048 key; the packet-signer role needs EC P-256`);
    // It never accepts a packet: the applicant API was never bound, and no store was created.
    expect(await refused(portOf(config, 'api'))).toBe(true);
    expect(existsSync(join(files.dir, 'var-ext-rsa', 'external.sqlite'))).toBe(false);
  });

  it('an internal gateway whose signing key is not the one its certificate names: FERRY_ERR_PKI_KEY_MISMATCH naming both files', async () => {
    const stranger = ca.issue(devCa, 'stranger-signer', { roles: ['packet-signer'] });
    const config = variant(files.internalConfig, 'int-mismatch', [[c('internal-sign.key'), stranger.keyPath]]);
    const r = start('internal', config);
    expect(r.status).toBe(2);
    expect(oneFerryLine(r.stderr)).toContain(`ferry: FERRY_ERR_PKI_KEY_MISMATCH: ${stranger.keyPath} (with ${c('internal-sign.crt')}): not usable as the packet-signer`);
    expect(await refused(portOf(config, 'intranet'))).toBe(true);
    expect(existsSync(join(files.dir, 'var-int-mismatch', 'internal.sqlite'))).toBe(false);
  });

  it("a link certificate without the gateway's link role marker: FERRY_ERR_PKI_ROLE naming the certificate file", () => {
    const config = variant(files.externalConfig, 'ext-link-role', [
      [`tls: { cert: ${c('external-tls.crt')}, key: ${c('external-tls.key')} }\n  peer`, `tls: { cert: ${c('township-client.crt')}, key: ${c('township-client.key')} }\n  peer`],
    ]);
    const r = start('external', config);
    expect(r.status).toBe(2);
    expect(oneFerryLine(r.stderr)).toMatch(new RegExp(`^ferry: FERRY_ERR_PKI_ROLE: ${c('township-client.crt')}: not usable as the external-gateway-link certificate: .*lacks the Ferry external-gateway-link role marker`));
  });

  it("a peer encryption certificate from another CA: FERRY_ERR_PKI_CHAIN naming the peer's file", () => {
    const other = ca.root('Peer Other Root');
    const foreign = ca.issue(other, 'foreign-peer-enc', { roles: ['packet-encryption'], keyUsage: 'keyAgreement' });
    const config = variant(files.externalConfig, 'ext-peer-ca', [[c('internal-enc.crt'), foreign.certPath]]);
    const r = start('external', config);
    expect(r.status).toBe(2);
    expect(oneFerryLine(r.stderr)).toMatch(new RegExp(`^ferry: FERRY_ERR_PKI_CHAIN: ${foreign.certPath}: not usable as the packet-encryption certificate`));
  });
});
