// The pki: section is validated at start and by `ferry config check`, against real `ferry` processes:
// a bad key is named (and the start refused, exit 2), a CRL file that is missing or signed by another
// CA fails both, a good one passes with its number, and a stale one is a warning for config check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preparePair, type PairFiles } from '../helpers/gateways.js';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { issueCrl } from '../../src/pki/crl-issue.js';
import type { CheckLine } from '../../src/cli/config-check-lines.js';

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', timeout: 60_000 });
let files: PairFiles;

beforeAll(async () => {
  files = await preparePair();
  await initDevPki(join(files.dir, 'other'));
});
afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

function withPki(name: string, pki: string): string {
  const p = join(files.dir, `${name}.yaml`);
  writeFileSync(p, readFileSync(files.externalConfig, 'utf8').replace(/^dataDir: .*$/m, `dataDir: ${join(files.dir, `var-${name}`)}`) + `\n${pki}\n`);
  return p;
}
const check = (cfg: string) => {
  const r = ferry(['config', 'check', '--config', cfg, '--json']);
  return { status: r.status, lines: (JSON.parse(r.stdout) as { checks: CheckLine[] }).checks };
};

describe('pki: in the config', () => {
  it.each([
    ['both file and url in one source', 'pki: { crl: [{ file: certs/ca.crl, url: "http://127.0.0.1:1/c.crl" }] }', /pki\.crl\[0\].*exactly one of file or url/],
    ['an unknown key', 'pki: { crl: [], whenStale: hold, refresh: 5 }', /pki\.refresh.*unknown key/],
    ['a stale policy that is not hold or warn', 'pki: { whenStale: ignore }', /pki\.whenStale.*hold, warn/],
    ['an https URL', 'pki: { crl: [{ url: "https://ca.example/c.crl" }] }', /pki\.crl\[0\]\.url/],
    ['a refresh under 5 s', 'pki: { crl: [{ file: certs/ca.crl, refreshSeconds: 1 }] }', /pki\.crl\[0\]\.refreshSeconds/],
  ])('refuses %s at start (exit 2), naming the key', (_n, pki, re) => {
    const r = ferry(['start', 'external', '--config', withPki(`bad-${Math.random().toString(36).slice(2)}`, pki), '--allow-root']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ferry: /m);
    expect(r.stderr).toMatch(re);
  });

  it('config check: a good CRL file passes with its number; one from another CA, a missing one fail naming pki.crl[i]; a stale one warns', async () => {
    const c = (f: string) => join(files.certs, f);
    const stale = join(files.dir, 'stale.crl');
    writeFileSync(stale, await issueCrl({ caCertPem: readFileSync(c('ca.crt')), caKeyPem: readFileSync(c('ca.key'), 'utf8'), crlNumber: 9,
      thisUpdate: new Date(Date.now() - 3 * 86_400_000), nextUpdate: new Date(Date.now() - 86_400_000), revoked: [] }));
    copyFileSync(join(files.dir, 'other', 'ca.crl'), join(files.dir, 'foreign.crl'));
    const cfg = withPki('check', `pki: { crl: [{ file: certs/ca.crl }, { file: foreign.crl }, { file: missing.crl }, { file: stale.crl }] }`);
    const { status, lines } = check(cfg);
    expect(status).toBe(1);
    const at = (i: number) => lines.find((l) => l.key === `pki.crl[${i}]`)!;
    expect(at(0)).toMatchObject({ level: 'ok' });
    expect(at(0).detail).toMatch(/CRL number 1, 0 revoked/);
    expect(at(1)).toMatchObject({ level: 'FAIL', file: join(files.dir, 'foreign.crl') });
    expect(at(1).detail).toMatch(/FERRY_ERR_PKI_CRL/);
    expect(at(2)).toMatchObject({ level: 'FAIL', file: join(files.dir, 'missing.crl') });
    expect(at(3)).toMatchObject({ level: 'warn' });
    // And start refuses the foreign list as config check said, naming the file.
    const r = ferry(['start', 'external', '--config', withPki('start-foreign', 'pki: { crl: [{ file: foreign.crl }] }'), '--allow-root']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(files.dir, 'foreign.crl'));
    expect(r.stderr).toMatch(/FERRY_ERR_PKI_CRL/);
  }, 60_000);
});

describe('ferry certs revoke | crl (usage)', () => {
  it.each([
    ['an unknown reason, listing the valid ones', ['--serial', 'ab', '--reason', 'stolen'], /--reason must be one of unspecified, keyCompromise, .*aACompromise/],
    ['both --serial and --cert', ['--serial', 'ab', '--cert', 'x.crt'], /exactly one of --serial HEX or --cert FILE/],
    ['neither', [], /exactly one of --serial HEX or --cert FILE/],
    ['a serial that is not hexadecimal', ['--serial', 'xyz'], /--serial must be hexadecimal/],
    ['a CRL validity out of range', ['--serial', 'ab', '--days', '0'], /--days must be a whole number from 1 to 366/],
  ])('refuses %s (exit 2, one ferry: line, no stack)', (_n, args, re) => {
    const r = ferry(['certs', 'revoke', '--dir', files.certs, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/^ferry: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('certs crl without a CA database names the missing file', () => {
    const r = ferry(['certs', 'crl', '--dir', join(files.dir, 'nowhere')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ca-db\.json does not exist/);
  });
});

