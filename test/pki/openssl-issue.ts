// Certificates issued by the openssl CLI with a dev PKI's own CA key (an independent issuer, not
// Ferry's dev-CA code), for the look-alikes a hostile holder of some CA-issued certificate could have:
// the right CN with another role, the right role with another CN, a CA certificate posing as a leaf.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FERRY_ROLE_OIDS, type FerryRole } from '../../src/pki/roles.js';

export interface Issued { key: Buffer; cert: Buffer; keyPath: string; certPath: string }

export interface IssueOpts {
  cn: string;
  /** Ferry role markers to put in certificatePolicies (none: no policies extension). */
  roles?: readonly FerryRole[];
  /** basicConstraints cA=true (a CA certificate presented as a leaf). */
  ca?: boolean;
  eku?: string;
  days?: number;
}

let serial = 0x5a00;

/** Issues a P-256 certificate signed by `caDir`/ca.crt + ca.key (a dev PKI directory). */
export function issueWithCa(caDir: string, outDir: string, name: string, o: IssueOpts): Issued {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const f = (ext: string) => join(outDir, `${name}.${ext}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('key')]);
  run(['req', '-new', '-key', f('key'), '-subj', `/CN=${o.cn}`, '-out', f('csr')]);
  const lines = [
    o.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=critical,CA:FALSE',
    o.ca ? 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign' : 'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${o.eku ?? 'serverAuth,clientAuth'}`,
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ];
  if (o.roles?.length) lines.push(`certificatePolicies=${o.roles.map((r) => FERRY_ROLE_OIDS[r]).join(',')}`);
  writeFileSync(f('ext'), lines.join('\n') + '\n');
  run(['x509', '-req', '-in', f('csr'), '-CA', join(caDir, 'ca.crt'), '-CAkey', join(caDir, 'ca.key'), '-set_serial', String(serial++),
    '-days', String(o.days ?? 30), '-sha256', '-extfile', f('ext'), '-out', f('crt')]);
  return { key: readFileSync(f('key')), cert: readFileSync(f('crt')), keyPath: f('key'), certPath: f('crt') };
}
