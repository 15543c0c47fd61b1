// SIGHUP reloads key material in the running gateway, no restart (same pid): replace the link's TLS
// certificate and key files, send SIGHUP to the real process, and the next handshake on the link port
// presents the new certificate (its serial read by `openssl s_client`, the judge). A bad new file
// (damaged, or a certificate that does not fit the role) leaves the old material in force and logs a
// `ferry:` error naming the file. On the dialling side (internal), a reload redials with the new
// client certificate: revoking the old one then leaves the link up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorHealth, preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { hasTool } from '../helpers/tools.js';
import { freePort } from '../helpers/ports.js';
import { issueWithCa } from '../pki/openssl-issue.js';

if (!hasTool('openssl')) throw new Error('openssl is required (Debian package openssl)');

let files: PairFiles;
let external: GatewayProc;
let internal: GatewayProc;

beforeAll(async () => {
  const pub = await freePort();
  // The internal gateway checks the CRL (a file, refreshed often) so that revoking the old client
  // certificate shows which one the reloaded dialler presents.
  files = await preparePair({ extraExternal: `pki: { crl: [{ file: certs/ca.crl, refreshSeconds: 5 }], publish: { host: 127.0.0.1, port: ${pub} } }` });
  external = spawnGateway('external', files.externalConfig);
  internal = spawnGateway('internal', files.internalConfig);
  await until('link up', async () => (await operatorHealth(files.externalOperatorUrl)).link === 'up', 30_000);
}, 60_000);
afterAll(async () => {
  for (const g of [external, internal]) if (g && g.proc.exitCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
});

async function until<T>(what: string, f: () => Promise<T | false | undefined | null> | T | false | undefined | null, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | false | undefined | null = null;
    try { v = await f(); } catch { /* not up yet */ }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\nexternal:\n${external.log.slice(-12).join('\n')}\ninternal:\n${internal.log.slice(-12).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The serial of the certificate the link port presents to a client with the internal link identity. */
function servedSerial(): string {
  const c = (f: string) => join(files.certs, f);
  const s = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${files.linkPort}`, '-tls1_3', '-cert', c('internal-tls.crt'), '-key', c('internal-tls.key'),
    '-CAfile', c('ca.crt'), '-verify_return_error', '-servername', 'localhost'], { input: '', encoding: 'utf8', timeout: 15_000 });
  const x = spawnSync('openssl', ['x509', '-noout', '-serial'], { input: s.stdout, encoding: 'utf8' });
  return x.stdout.trim().replace(/^serial=/, '').toLowerCase();
}
const fileSerial = (f: string) => spawnSync('openssl', ['x509', '-noout', '-serial', '-in', f], { encoding: 'utf8' }).stdout.trim().replace(/^serial=/, '').toLowerCase();

describe('SIGHUP reload, no restart', () => {
  it('the link port presents a replaced certificate at the next handshake, same pid, and the live link stays up', async () => {
    const pid = external.proc.pid;
    const before = servedSerial();
    expect(before).toBe(fileSerial(join(files.certs, 'external-tls.crt')));
    const next = issueWithCa(files.certs, join(files.dir, 'new'), 'external-tls', { cn: 'ferry-external-tls', roles: ['external-gateway-link'] });
    chmodSync(next.keyPath, 0o600);
    copyFileSync(next.certPath, join(files.certs, 'external-tls.crt'));
    copyFileSync(next.keyPath, join(files.certs, 'external-tls.key'));
    external.proc.kill('SIGHUP');
    await until('reloaded', () => external.log.some((l) => l.includes('key material reloaded')));
    const after = servedSerial();
    expect(after).toBe(fileSerial(next.certPath));
    expect(after).not.toBe(before);
    expect(external.proc.pid).toBe(pid);
    expect(external.proc.exitCode).toBeNull();
    expect((await operatorHealth(files.externalOperatorUrl)).link).toBe('up');
  }, 60_000);

  it.each([
    ['a damaged certificate file', (crt: string) => writeFileSync(crt, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')],
    ['a certificate for another role (the internal link identity)', (crt: string) => copyFileSync(join(files.certs, 'internal-tls.crt'), crt)],
  ])('%s: refused with a ferry: error naming the file; the certificate in force stays', async (_name, spoil) => {
    const serving = servedSerial();
    const crt = join(files.certs, 'external-tls.crt');
    const good = join(files.dir, 'good-external-tls.crt');
    copyFileSync(crt, good);
    spoil(crt);
    const mark = external.log.length;
    external.proc.kill('SIGHUP');
    const line = await until('refusal logged', () => external.log.slice(mark).find((l) => l.includes('ferry:') && l.includes(crt) && l.includes('stays in force')));
    expect(line).toMatch(/FERRY_ERR_PKI_/);
    expect(servedSerial()).toBe(serving);
    expect(external.proc.exitCode).toBeNull();
    copyFileSync(good, crt);
  }, 60_000);

  it('the dialling side redials with its reloaded client certificate: revoking the old one leaves the link up', async () => {
    const old = join(files.dir, 'old-internal-tls.crt');
    copyFileSync(join(files.certs, 'internal-tls.crt'), old);
    const next = issueWithCa(files.certs, join(files.dir, 'new'), 'internal-tls', { cn: 'ferry-internal-tls', roles: ['internal-gateway-link'] });
    chmodSync(next.keyPath, 0o600);
    copyFileSync(next.certPath, join(files.certs, 'internal-tls.crt'));
    copyFileSync(next.keyPath, join(files.certs, 'internal-tls.key'));
    const pid = internal.proc.pid;
    const mark = internal.log.length;
    internal.proc.kill('SIGHUP');
    await until('internal reloaded', () => internal.log.slice(mark).some((l) => l.includes('key material reloaded')));
    await until('link up again', async () => (await operatorHealth(files.externalOperatorUrl)).link === 'up');
    const r = spawnSync(process.execPath, ['bin/ferry.js', 'certs', 'revoke', '--dir', files.certs, '--cert', old, '--reason', 'superseded'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const extMark = external.log.length;
    await until('external loaded the new CRL', () => external.log.slice(extMark).some((l) => l.includes('CRL loaded')), 20_000);
    await new Promise((res) => setTimeout(res, 1500));
    expect((await operatorHealth(files.externalOperatorUrl)).link).toBe('up');
    // Not dropped and redialled: the session in force already used the new certificate.
    expect(external.log.slice(extMark).some((l) => l.includes('link peer no longer acceptable'))).toBe(false);
    expect(internal.proc.pid).toBe(pid);
  }, 60_000);
});
