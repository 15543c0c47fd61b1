import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initDevPki, DEV_PKI_ROLES, type DevPkiFiles } from '../../src/pki/dev-ca.js';
import { describeCertificateDir, describeCertificates, formatCertTable, summarize } from '../../src/pki/inspect.js';
import { X509Certificate } from 'node:crypto';
import { openssl, tempDir } from './helpers.js';

const DAY = 86_400_000;
const ISSUED = new Date('2026-01-10T00:00:00Z');
const NOW = new Date('2026-02-01T00:00:00Z');
let tmp: ReturnType<typeof tempDir>;
let dir: string;
let files: DevPkiFiles;

beforeAll(async () => {
  tmp = tempDir('inspect');
  dir = join(tmp.dir, 'certs');
  files = await initDevPki(dir, { now: ISSUED, days: 40 });
});
afterAll(() => tmp.cleanup());

describe('describeCertificates', () => {
  it('lists each dev certificate with the purpose its extensions state', () => {
    const rows = describeCertificates(dir, NOW);
    const byFile = Object.fromEntries(rows.map((r) => [r.file, r]));
    expect(rows.map((r) => r.file)).toEqual(['ca', ...DEV_PKI_ROLES].map((r) => `${r}.crt`).sort());
    expect(byFile['ca.crt']?.purpose).toBe('CA');
    expect(byFile['tsa.crt']?.purpose).toBe('time-stamping');
    for (const g of ['external', 'internal']) {
      expect(byFile[`${g}-sign.crt`]?.purpose).toBe('signing');
      expect(byFile[`${g}-enc.crt`]?.purpose).toBe('encryption (key agreement)');
      expect(byFile[`${g}-tls.crt`]?.purpose).toBe('TLS server+client');
    }
    for (const r of rows) expect(r.key).toBe('ok');
  });

  it('reports subject, end date and fingerprint exactly as openssl x509 does', () => {
    const rows = describeCertificates(dir, NOW);
    for (const r of rows) {
      const out = openssl(['x509', '-in', join(dir, r.file), '-noout', '-subject', '-enddate', '-fingerprint', '-sha256', '-nameopt', 'RFC2253']);
      expect(out).toContain(`sha256 Fingerprint=${r.sha256}\n`);
      const end = out.match(/notAfter=(.*)\n/)?.[1];
      expect(new Date(end ?? '').getTime()).toBe(r.notAfter.getTime());
      // RFC 2253 prints RDNs last-first; ours are in certificate order
      const subj = out.match(/subject=(.*)\n/)?.[1] ?? '';
      expect(subj.split(',').reverse().join(', ')).toBe(r.subject);
    }
  });

  it('computes days left and status at the given instant', () => {
    const c = new X509Certificate(readFileSync(files['external-sign'].cert));
    // issued 2026-01-10 for 40 days → notAfter 2026-02-19
    expect(summarize(c, 'x', 0, NOW)).toMatchObject({ daysLeft: 18, status: 'expiring' });
    expect(summarize(c, 'x', 0, new Date(ISSUED.getTime() - DAY))).toMatchObject({ status: 'not yet valid' });
    expect(summarize(c, 'x', 0, new Date(ISSUED.getTime() + 41 * DAY))).toMatchObject({ daysLeft: -1, status: 'expired' });
    const ca = new X509Certificate(readFileSync(files.ca.cert));
    expect(summarize(ca, 'ca.crt', 0, NOW)).toMatchObject({ status: 'valid', daysLeft: 3650 - 22 });
  });

  it('flags a key readable by others, a key of another certificate, and an unreadable certificate file', () => {
    const other = join(tmp.dir, 'mixed');
    mkdirSync(other);
    copyFileSync(files.ca.cert, join(other, 'a.crt'));
    copyFileSync(files.ca.key, join(other, 'a.key'));
    chmodSync(join(other, 'a.key'), 0o644);
    copyFileSync(files.tsa.cert, join(other, 'b.crt'));
    copyFileSync(files.ca.key, join(other, 'b.key'));
    chmodSync(join(other, 'b.key'), 0o600);
    writeFileSync(join(other, 'chain.pem'), readFileSync(files['internal-tls'].cert, 'utf8') + readFileSync(files.ca.cert, 'utf8'));
    writeFileSync(join(other, 'broken.crt'), 'not a certificate');
    const { rows, problems } = describeCertificateDir(other, NOW);
    const get = (f: string, i = 0) => rows.find((r) => r.file === f && r.index === i);
    expect(get('a.crt')?.key).toMatch(/a\.key has mode 0644/);
    expect(get('b.crt')?.key).toBe('does not match the certificate');
    expect(get('chain.pem')?.key).toBe('absent');
    expect(get('chain.pem', 1)?.purpose).toBe('CA');
    expect(problems).toEqual([{ file: 'broken.crt', problem: expect.stringMatching(/no PEM CERTIFICATE block|not a valid certificate/) }]);

    const table = formatCertTable(rows, problems);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+PURPOSE\s+SUBJECT\s+NOT AFTER\s+LEFT\s+KEY\s+SHA-256 FINGERPRINT$/);
    expect(lines.filter((l) => !l.startsWith('!'))).toHaveLength(1 + rows.length);
    expect(table).toMatch(/^chain\.pem\[1\]\s+CA\s+CN=Ferry Dev Root CA, O=Ferry Dev\s/m);
    expect(table).toMatch(/^a\.crt .* BAD /m);
    expect(table).toMatch(/^! a\.crt: key: .*mode 0644/m);
    expect(table).toMatch(/^! b\.crt: key: does not match the certificate$/m);
    expect(table).toMatch(/^! broken\.crt: /m);
  });

  it('prints one aligned line per certificate with purpose, subject, end date, days left and fingerprint', () => {
    const rows = describeCertificates(dir, NOW);
    const table = formatCertTable(rows);
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(rows.length + 1);
    const fpCol = lines[0]?.indexOf('SHA-256 FINGERPRINT');
    for (const [i, r] of rows.entries()) {
      const l = lines[i + 1] ?? '';
      expect(l.indexOf(r.sha256)).toBe(fpCol);
      expect(l).toContain(r.subject);
      expect(l).toContain(r.purpose);
    }
    expect(table).toMatch(/^tsa\.crt\s+time-stamping\s+CN=Ferry Dev TSA\s+2026-02-19T00:00:00Z\s+18d \(renew\)\s+ok\s+[0-9A-F:]{95}$/m);
    expect(table).toMatch(/^ca\.crt\s+CA\s+.*\s+3628d\s+ok\s/m);
  });
});

