// Client certificates for the hostile-ingress table, made with the openssl CLI (an independent
// issuer, not Ferry's own dev-CA code): township centres' certificates signed by the deployment CA,
// and a second, unrelated CA that signs look-alikes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClientCert { key: Buffer; cert: Buffer }

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

let serial = 0x4f00;

/**
 * A P-256 key and certificate for `subject` (an openssl -subj string such as "/CN=x"), signed by
 * the CA in caCrt/caKey. `eku` is the extendedKeyUsage line (clientAuth for a township centre).
 */
export function issueClientCert(dir: string, name: string, subject: string, ca: { crt: string; key: string }, eku = 'clientAuth'): ClientCert {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (ext: string) => join(dir, `${name}.${ext}`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('key')]);
  openssl(['req', '-new', '-key', f('key'), '-subj', subject, '-out', f('csr')]);
  writeFileSync(f('ext'), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`);
  openssl(['x509', '-req', '-in', f('csr'), '-CA', ca.crt, '-CAkey', ca.key, '-set_serial', String(serial++),
    '-days', '30', '-sha256', '-extfile', f('ext'), '-out', f('crt')]);
  return { key: readFileSync(f('key')), cert: readFileSync(f('crt')) };
}

/** A self-signed root that the gateways have never heard of. */
export function otherCa(dir: string): { crt: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const crt = join(dir, 'other-ca.crt');
  const key = join(dir, 'other-ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=Ferry Dev Root CA/O=Ferry Dev',
    '-keyout', key, '-out', crt, '-days', '30', '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { crt, key };
}
