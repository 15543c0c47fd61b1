// A time-stamping authority made of the openssl CLI only (`openssl ts -reply`), with a certificate
// issued by openssl from the dev CA: the independent party that TsaAnchorer and the export's
// VERIFY.md are tested against. Its checker (`openssl ts -verify`) stands in for src/time's verifier.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fail, type Verdict } from '../../src/errors.js';
import type { TimeStamper } from '../../src/audit/anchor.js';
import type { TimeStampCheck } from '../../src/audit/anchor-check.js';
import { openssl } from './helpers.js';

const run = promisify(execFile);

export interface TestTsa {
  readonly certPath: string;
  readonly cert: X509Certificate;
  readonly stamp: TimeStamper;
  readonly check: TimeStampCheck;
}

export function makeTestTsa(dir: string, caCert: string, caKey: string): TestTsa {
  const p = (f: string): string => join(dir, f);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('tsa.key')]);
  openssl(['req', '-new', '-key', p('tsa.key'), '-subj', '/CN=Ferry Test TSA', '-out', p('tsa.csr')]);
  writeFileSync(p('ext.cnf'), [
    '[tsa]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,nonRepudiation',
    // RFC 3161 §2.3: exactly one EKU, timeStamping, critical
    'extendedKeyUsage = critical,timeStamping',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', p('tsa.csr'), '-CA', caCert, '-CAkey', caKey, '-set_serial', '0x5a17', '-days', '30',
    '-extfile', p('ext.cnf'), '-extensions', 'tsa', '-out', p('tsa.crt')]);
  writeFileSync(p('tsaserial'), '01\n');
  writeFileSync(p('ts.cnf'), [
    '[ tsa ]',
    'default_tsa = tsa1',
    '[ tsa1 ]',
    `serial = ${p('tsaserial')}`,
    `signer_cert = ${p('tsa.crt')}`,
    `signer_key = ${p('tsa.key')}`,
    'signer_digest = sha256',
    'default_policy = 1.3.6.1.4.1.99999.1',
    'digests = sha256',
    'accuracy = secs:1',
    'ordering = yes',
    'tsa_name = yes',
    'ess_cert_id_chain = no',
    'ess_cert_id_alg = sha256',
    '',
  ].join('\n'));

  let n = 0;
  let queue: Promise<unknown> = Promise.resolve();
  // One request at a time: `openssl ts -reply` increments the serial file.
  const stamp: TimeStamper = (digest) => {
    const i = ++n;
    const job = queue.then(async () => {
      await run('openssl', ['ts', '-query', '-digest', digest.toString('hex'), '-sha256', '-cert', '-out', p(`q${i}.tsq`)]);
      await run('openssl', ['ts', '-reply', '-config', p('ts.cnf'), '-queryfile', p(`q${i}.tsq`), '-token_out', '-out', p(`t${i}.tst`)]);
      return readFileSync(p(`t${i}.tst`));
    });
    queue = job.catch(() => undefined);
    return job;
  };

  let c = 0;
  const check: TimeStampCheck = async (token, data): Promise<Verdict<{ genTime: Date; policy: string }>> => {
    const i = ++c;
    writeFileSync(p(`v${i}.tst`), token);
    writeFileSync(p(`v${i}.bin`), data);
    try {
      await run('openssl', ['ts', '-verify', '-data', p(`v${i}.bin`), '-in', p(`v${i}.tst`), '-token_in', '-CAfile', caCert, '-untrusted', p('tsa.crt')]);
    } catch (e) {
      return fail('FERRY_ERR_AUDIT_ANCHOR', `openssl ts -verify: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n')[0]}`);
    }
    const text = (await run('openssl', ['ts', '-reply', '-in', p(`v${i}.tst`), '-token_in', '-text'])).stdout;
    const m = /Time stamp: (.+)/.exec(text);
    const pol = /Policy OID: (.+)/.exec(text);
    return { ok: true, value: { genTime: new Date(m?.[1] ?? NaN), policy: pol?.[1]?.trim() ?? '' } };
  };

  return { certPath: p('tsa.crt'), cert: new X509Certificate(readFileSync(p('tsa.crt'))), stamp, check };
}
