// Certificate chains made by the openssl CLI alone (`openssl req` + `openssl ca`), so the chain
// checker is judged on certificates Ferry's own code did not write: any depth, chosen validity dates
// (expired, not yet valid), CA or not, a path length, Ferry role markers, EC or RSA keys.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { FERRY_ROLE_OIDS, type FerryRole } from '../../src/pki/roles.js';

export interface OsslCert { name: string; keyPath: string; certPath: string; cert: X509Certificate }

export interface OsslOpts {
  ca?: boolean;
  pathlen?: number;
  notBefore?: Date;
  notAfter?: Date;
  roles?: readonly FerryRole[];
  /** extendedKeyUsage value (openssl syntax); none when absent. */
  eku?: string;
  /** keyUsage value (openssl syntax); default digitalSignature for a leaf, keyCertSign,cRLSign for a CA. */
  keyUsage?: string;
  key?: 'ec' | 'rsa' | 'p384' | 'ed25519';
  /** Use this existing key instead of making one. */
  keyPath?: string;
}

const DAY = 86_400_000;

/** YYYYMMDDHHMMSSZ, which `openssl ca -startdate/-enddate` takes (RFC 5280 GeneralizedTime form). */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export function opensslCa(dir: string) {
  mkdirSync(join(dir, 'new'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const f = (name: string, ext: string) => join(dir, `${name}.${ext}`);

  function makeKey(name: string, kind: OsslOpts['key']): string {
    const args: Record<NonNullable<OsslOpts['key']>, string[]> = {
      ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      ed25519: ['-algorithm', 'ED25519'],
    };
    run(['genpkey', ...args[kind ?? 'ec'], '-out', f(name, 'key')]);
    return f(name, 'key');
  }

  /** Issues `name` signed by `issuer` (or self-signed when issuer is null). */
  function issue(issuer: OsslCert | null, name: string, o: OsslOpts = {}): OsslCert {
    const keyPath = o.keyPath ?? makeKey(name, o.key);
    run(['req', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-out', f(name, 'csr')]);
    const ext = [
      o.ca ? `basicConstraints=critical,CA:TRUE${o.pathlen !== undefined ? `,pathlen:${o.pathlen}` : ''}` : 'basicConstraints=critical,CA:FALSE',
      `keyUsage=critical,${o.keyUsage ?? (o.ca ? 'keyCertSign,cRLSign' : 'digitalSignature')}`,
      'subjectKeyIdentifier=hash',
      ...(issuer ? ['authorityKeyIdentifier=keyid'] : []),
      ...(o.eku ? [`extendedKeyUsage=${o.eku}`] : []),
      ...(o.roles?.length ? [`certificatePolicies=${o.roles.map((r) => FERRY_ROLE_OIDS[r]).join(',')}`] : []),
    ];
    const now = Date.now();
    writeFileSync(f(name, 'cnf'), `[ca]\ndefault_ca = d\n[d]\ndatabase = ${join(dir, 'index.txt')}\nnew_certs_dir = ${join(dir, 'new')}\n`
      + `serial = ${join(dir, 'serial')}\ndefault_md = sha256\npolicy = any\nunique_subject = no\nemail_in_dn = no\n[any]\ncommonName = supplied\n[ext]\n${ext.join('\n')}\n`);
    run(['ca', '-batch', '-notext', '-config', f(name, 'cnf'), '-extensions', 'ext', '-in', f(name, 'csr'), '-out', f(name, 'crt'),
      ...(issuer ? ['-cert', issuer.certPath, '-keyfile', issuer.keyPath] : ['-selfsign', '-keyfile', keyPath]),
      '-startdate', stamp(o.notBefore ?? new Date(now - DAY)), '-enddate', stamp(o.notAfter ?? new Date(now + 365 * DAY))]);
    return { name, keyPath, certPath: f(name, 'crt'), cert: new X509Certificate(readFileSync(f(name, 'crt'))) };
  }

  return { issue, root: (name: string, o: OsslOpts = {}) => issue(null, name, { ca: true, ...o }) };
}

/** `openssl verify` as the judge: 'OK', or the error number and text openssl reports. */
export function opensslVerify(leaf: OsslCert, roots: readonly OsslCert[], untrusted: readonly OsslCert[], dir: string, extra: string[] = []): string {
  const bundle = (name: string, cs: readonly OsslCert[]) => {
    const p = join(dir, `${name}.pem`);
    writeFileSync(p, cs.map((c) => readFileSync(c.certPath, 'utf8')).join(''));
    return p;
  };
  const args = ['verify', '-CAfile', bundle('roots', roots), ...(untrusted.length ? ['-untrusted', bundle('untrusted', untrusted)] : []), ...extra, leaf.certPath];
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return 'OK';
  } catch (e) {
    const out = `${(e as { stdout?: Buffer }).stdout?.toString() ?? ''}${(e as { stderr?: Buffer }).stderr?.toString() ?? ''}`;
    return /error (\d+)[^:]*: (.*)/.exec(out)?.slice(1, 3).join(' ') ?? out.trim();
  }
}
