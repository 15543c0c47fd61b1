// Test-only certificate factory for path-validation cases initDevPki never produces (intermediates,
// non-CA issuers, forged names, odd critical extensions).
import { webcrypto, X509Certificate } from 'node:crypto';
import { x509 } from '../../src/pki/x509-provider.js';
import { randomSerialHex } from '../../src/pki/dev-ca.js';

type KeyPair = webcrypto.CryptoKeyPair;
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Made {
  node: X509Certificate;
  pem: string;
  keys: KeyPair;
  peculiar: x509.X509Certificate;
}

export interface MakeOpts {
  subject: string;
  issuer?: Made; // absent: self-signed
  ca?: boolean; // basicConstraints cA (undefined → no basicConstraints at all when `noBasicConstraints`)
  noBasicConstraints?: boolean;
  pathLength?: number;
  keyUsage?: number;
  notBefore?: Date;
  notAfter?: Date;
  extra?: x509.Extension[];
  keys?: KeyPair;
}

export async function make(o: MakeOpts): Promise<Made> {
  const keys = o.keys ?? ((await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair);
  const KU = x509.KeyUsageFlags;
  const ext: x509.Extension[] = [];
  if (!o.noBasicConstraints) ext.push(new x509.BasicConstraintsExtension(o.ca ?? false, o.pathLength, true));
  ext.push(new x509.KeyUsagesExtension(o.keyUsage ?? (o.ca ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature), true));
  ext.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never));
  if (o.issuer) ext.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey as never));
  ext.push(...(o.extra ?? []));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: o.subject,
    issuer: o.issuer ? o.issuer.peculiar.subject : o.subject,
    publicKey: keys.publicKey as never,
    signingKey: (o.issuer ? o.issuer.keys.privateKey : keys.privateKey) as never,
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 30 * DAY),
    signingAlgorithm: SIG,
    extensions: ext,
  });
  const pem = cert.toString('pem') + '\n';
  return { node: new X509Certificate(pem), pem, keys, peculiar: cert };
}
