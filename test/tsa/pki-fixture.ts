// Test PKI made by the openssl CLI at test time (no key material in git): a root CA, a proper TSA
// certificate, TSAs with a missing / non-critical / shared EKU, a twin of the TSA certificate (same key,
// same serial, other bytes), an intermediate CA with its own TSA, and a second, untrusted CA.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args: string[], cwd: string, input?: Buffer): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
}

/** Run openssl, returning exit status and output instead of throwing (for "openssl refuses" checks). */
export function opensslStatus(args: string[], cwd: string): { status: number; out: string } {
  try {
    return { status: 0, out: openssl(args, cwd).toString() };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { status: err.status ?? -1, out: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}` };
  }
}

const REQ_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

const EXT_CNF = `[tsa]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[noeku]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
[noncrit]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = timeStamping
[multi]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping,serverAuth
[intca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

export interface Party {
  readonly name: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly key: KeyObject;
  readonly cert: X509Certificate;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: Party;
  readonly tsa: Party;
  /** Same key and serial as `tsa`, issued again with another validity: other certificate bytes. */
  readonly tsaTwin: Party;
  readonly noEku: Party;
  readonly nonCriticalEku: Party;
  readonly multiEku: Party;
  readonly intCa: Party;
  readonly intTsa: Party;
  readonly otherCa: Party;
  readonly otherTsa: Party;
  cleanup(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tsa-'));
  writeFileSync(join(dir, 'req.cnf'), REQ_CNF);
  writeFileSync(join(dir, 'ext.cnf'), EXT_CNF);
  const load = (name: string): Party => ({
    name,
    keyPath: join(dir, `${name}.key`),
    certPath: join(dir, `${name}.pem`),
    key: createPrivateKey(readFileSync(join(dir, `${name}.key`))),
    cert: new X509Certificate(readFileSync(join(dir, `${name}.pem`))),
  });
  const genKey = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  const root = (name: string, cn: string): Party => {
    genKey(name);
    openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-config', 'req.cnf', '-extensions', 'v3_ca', '-subj', `/CN=${cn}`,
      '-days', '3650', '-sha256', '-out', `${name}.pem`], dir);
    return load(name);
  };
  let serial = 0x1000;
  const issue = (name: string, cn: string, issuer: Party, section: string, opts: { keyFrom?: string; serial?: number; days?: number } = {}): Party => {
    const keyName = opts.keyFrom ?? name;
    if (!opts.keyFrom) genKey(name);
    openssl(['req', '-new', '-key', `${keyName}.key`, '-config', 'req.cnf', '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', issuer.certPath, '-CAkey', issuer.keyPath, '-set_serial', String(opts.serial ?? serial++),
      '-days', String(opts.days ?? 365), '-sha256', '-extfile', 'ext.cnf', '-extensions', section, '-out', `${name}.pem`], dir);
    if (opts.keyFrom) writeFileSync(join(dir, `${name}.key`), readFileSync(join(dir, `${keyName}.key`)));
    return load(name);
  };
  const ca = root('ca', 'Ferry Test Root CA');
  const tsa = issue('tsa', 'Ferry Test TSA', ca, 'tsa', { serial: 0x7777 });
  const tsaTwin = issue('tsa-twin', 'Ferry Test TSA', ca, 'tsa', { keyFrom: 'tsa', serial: 0x7777, days: 400 });
  const noEku = issue('noeku', 'Ferry TSA without EKU', ca, 'noeku');
  const nonCriticalEku = issue('noncrit', 'Ferry TSA with non-critical EKU', ca, 'noncrit');
  const multiEku = issue('multi', 'Ferry TSA with two EKUs', ca, 'multi');
  const intCa = issue('intca', 'Ferry Test Intermediate CA', ca, 'intca');
  const intTsa = issue('inttsa', 'Ferry Test TSA under the intermediate', intCa, 'tsa');
  const otherCa = root('otherca', 'Some Other Root CA');
  const otherTsa = issue('othertsa', 'Ferry Test TSA', otherCa, 'tsa');
  return {
    dir, ca, tsa, tsaTwin, noEku, nonCriticalEku, multiEku, intCa, intTsa, otherCa, otherTsa,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An OpenSSL TSA configuration (openssl ts -reply) signing with `signer`; ess: 'sha256' → V2, 'sha1' → V1. */
export function writeOpensslTsaConfig(pki: TestPki, signer: Party, name: string, ess: 'sha256' | 'sha1', chain: Party[] = []): string {
  const path = join(pki.dir, `${name}.cnf`);
  const chainPath = join(pki.dir, `${name}-chain.pem`);
  writeFileSync(chainPath, chain.map((p) => readFileSync(p.certPath, 'utf8')).join(''));
  writeFileSync(join(pki.dir, `${name}.serial`), '01\n');
  writeFileSync(path, `[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ${join(pki.dir, `${name}.serial`)}
crypto_device = builtin
signer_cert = ${signer.certPath}
signer_key = ${signer.keyPath}
${chain.length ? `certs = ${chainPath}` : ''}
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = ${ess}
`);
  return path;
}
