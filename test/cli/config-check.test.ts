// `ferry config check` refuses exactly what `ferry start` refuses for keys and certificates: it calls the
// same role check (requireRoleFit, src/gateway/keys.ts) on the same files, so a reload that config
// check lets through cannot then fail at start, and config check does not refuse what start accepts.
// Each row is run both ways against real `ferry` child processes and key files made by openssl: start
// exits 2 with `ferry: <code>: <file>`, and config check answers FAIL on the config key naming that
// same file with that same code.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePair, type PairFiles } from '../helpers/gateways.js';
import { opensslCa, type OsslCert } from '../pki/openssl-ca.js';
import type { CheckLine } from '../../src/cli/config-check-lines.js';

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', timeout: 60_000 });

let files: PairFiles;
let ca: ReturnType<typeof opensslCa>;
let devCa: OsslCert;
const c = (f: string) => join(files.certs, f);

beforeAll(async () => {
  files = await preparePair();
  ca = opensslCa(join(files.dir, 'ossl'));
  devCa = { name: 'dev-ca', keyPath: c('ca.key'), certPath: c('ca.crt'), cert: new X509Certificate(readFileSync(c('ca.crt'))) };
});
// No gateway starts below (each is refused), so only the files are left to remove.
afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

type Role = 'external' | 'internal';

/** A copy of the pair's config for `role` with file paths swapped. */
function variant(role: Role, name: string, swaps: Array<[string, string]>): string {
  let text = readFileSync(role === 'external' ? files.externalConfig : files.internalConfig, 'utf8');
  for (const [from, to] of swaps) {
    expect(text).toContain(from);
    text = text.split(from).join(to);
  }
  text = text.replace(/^dataDir: .*$/m, `dataDir: ${join(files.dir, `var-${name}`)}`);
  const out = join(files.dir, `${name}.yaml`);
  writeFileSync(out, text);
  return out;
}

function check(config: string): CheckLine[] {
  const r = ferry(['config', 'check', '--config', config, '--json']);
  expect([0, 1], r.stderr).toContain(r.status);
  return (JSON.parse(r.stdout) as { checks: CheckLine[] }).checks;
}

/** The key and certificate faults: FAIL lines whose detail carries a PKI code. */
const pkiFails = (lines: CheckLine[]) => lines.filter((l) => l.level === 'FAIL' && /^FERRY_ERR_PKI_/.test(l.detail));

interface Row {
  readonly name: string;
  readonly role: Role;
  /** The swaps, given the openssl CA (files are issued when the row runs). */
  readonly swaps: () => { swaps: Array<[string, string]>; file: string };
  readonly key: string;
  readonly code: string;
}

const rows: Row[] = [
  {
    name: 'an RSA signing key with its certificate', role: 'external', key: 'keys.signKey', code: 'FERRY_ERR_PKI_KEY_TYPE',
    swaps: () => {
      const x = ca.issue(devCa, 'cc-rsa-signer', { key: 'rsa', roles: ['packet-signer'], keyUsage: 'digitalSignature,nonRepudiation' });
      return { swaps: [[c('external-sign.key'), x.keyPath], [c('external-sign.crt'), x.certPath]], file: x.keyPath };
    },
  },
  {
    name: 'a P-384 encryption key with its certificate', role: 'internal', key: 'keys.encKey', code: 'FERRY_ERR_PKI_KEY_TYPE',
    swaps: () => {
      const x = ca.issue(devCa, 'cc-p384-enc', { key: 'p384', roles: ['packet-encryption'], keyUsage: 'keyAgreement' });
      return { swaps: [[c('internal-enc.key'), x.keyPath], [c('internal-enc.crt'), x.certPath]], file: x.keyPath };
    },
  },
  {
    name: 'a signing key that is not the one its certificate names', role: 'internal', key: 'keys.signKey', code: 'FERRY_ERR_PKI_KEY_MISMATCH',
    swaps: () => {
      const x = ca.issue(devCa, 'cc-stranger-signer', { roles: ['packet-signer'] });
      return { swaps: [[c('internal-sign.key'), x.keyPath]], file: x.keyPath };
    },
  },
  {
    name: 'a link certificate without the link role marker', role: 'external', key: 'link.tls.cert', code: 'FERRY_ERR_PKI_ROLE',
    swaps: () => ({
      swaps: [[`tls: { cert: ${c('external-tls.crt')}, key: ${c('external-tls.key')} }\n  peer`, `tls: { cert: ${c('township-client.crt')}, key: ${c('township-client.key')} }\n  peer`]],
      file: c('township-client.crt'),
    }),
  },
  {
    name: 'an intranet listener certificate without the intranet-server marker', role: 'internal', key: 'intranet.tls.cert', code: 'FERRY_ERR_PKI_ROLE',
    swaps: () => ({ swaps: [[c('intranet-tls.crt'), c('township-client.crt')], [c('intranet-tls.key'), c('township-client.key')]], file: c('township-client.crt') }),
  },
  {
    name: 'a peer encryption certificate from another CA', role: 'external', key: 'peer.encCert', code: 'FERRY_ERR_PKI_CHAIN',
    swaps: () => {
      const x = ca.issue(ca.root('Config Check Other Root'), 'cc-foreign-peer-enc', { roles: ['packet-encryption'], keyUsage: 'keyAgreement' });
      return { swaps: [[c('internal-enc.crt'), x.certPath]], file: x.certPath };
    },
  },
];

describe('ferry config check refuses what ferry start refuses, by the same role check', () => {
  it.each(['external', 'internal'] as const)('passes the %s gateway\'s own keys and certificates (no PKI fault)', (role) => {
    expect(pkiFails(check(role === 'external' ? files.externalConfig : files.internalConfig))).toEqual([]);
  });

  it.each(rows)('$name: start exits 2 with $code naming the file; config check FAILs $key on that file with $code', (row) => {
    const { swaps, file } = row.swaps();
    const config = variant(row.role, row.name.replace(/\W+/g, '-'), swaps);
    const demo = row.role === 'internal' ? ['--demo'] : [];
    const started = ferry(['start', row.role, '--config', config, '--allow-root', ...demo]);
    expect(started.status, started.stderr).toBe(2);
    expect(started.stderr).toContain(`ferry: ${row.code}: ${file}`);

    const fails = pkiFails(check(config));
    expect(fails.map((l) => [l.key, l.file, l.detail.split(':')[0]])).toEqual([[row.key, file, row.code]]);
  });

  it('does not refuse an applicant API certificate from another CA, which start accepts (it may be a public CA\'s)', () => {
    const x = ca.issue(ca.root('Public Web CA'), 'cc-public-api', { roles: [], eku: 'serverAuth' });
    const config = variant('external', 'public-api', [[`api: { host: 127.0.0.1, port: ${/api: \{ host: 127\.0\.0\.1, port: (\d+)/.exec(readFileSync(files.externalConfig, 'utf8'))![1]}, tls: { cert: ${c('external-tls.crt')}, key: ${c('external-tls.key')} }`,
      `api: { host: 127.0.0.1, port: 9, tls: { cert: ${x.certPath}, key: ${x.keyPath} }`]]);
    const lines = check(config);
    expect(lines.filter((l) => l.key.startsWith('api.tls')).map((l) => [l.key, l.level])).toEqual([['api.tls.cert', 'ok'], ['api.tls.key', 'ok']]);
    expect(pkiFails(lines)).toEqual([]);
  });
});
