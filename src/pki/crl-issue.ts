// Issues the dev CA's CRL (RFC 5280 §5): X.509 v2, signed with the CA key, with the CRL number and
// authority key identifier extensions §5.2 requires of a conforming CA, thisUpdate/nextUpdate, and a
// reasonCode on each entry (§5.3.1). DER is what RFC 5280 §4.2.1.13 distribution points serve.
import { webcrypto } from 'node:crypto';
import { x509 } from './x509-provider.js';
import { integer } from './der.js';
import { CRL_REASONS, type CrlReason } from './crl.js';
import { OID } from './oids.js';

export interface CrlInput {
  /** The CA certificate (PEM or DER) and its PKCS#8 private key (PEM). */
  caCertPem: string | Buffer;
  caKeyPem: string;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: ReadonlyArray<{ serial: string; revokedAt: Date; reason: CrlReason }>;
}


async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}

export async function issueCrl(input: CrlInput): Promise<Buffer> {
  const ca = new x509.X509Certificate(input.caCertPem);
  const signingKey = await importSigningKey(input.caKeyPem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.subjectName,
    thisUpdate: input.thisUpdate,
    nextUpdate: input.nextUpdate,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey,
    extensions: [
      // RFC 5280 §5.2.1: conforming CAs MUST include the authority key identifier in CRLs.
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey as never, false),
      // §5.2.3: CRL number, non-critical, monotonically increasing.
      new x509.Extension(OID.cRLNumber, false, integer(BigInt(input.crlNumber))),
    ],
    entries: input.revoked.map((r) => ({
      serialNumber: r.serial.length % 2 ? `0${r.serial}` : r.serial,
      revocationDate: r.revokedAt,
      // §5.3.1: reasonCode should be absent rather than unspecified.
      ...(r.reason === 'unspecified' ? {} : { reason: CRL_REASONS[r.reason] as number as x509.X509CrlReason }),
    })),
  });
  return Buffer.from(crl.rawData);
}
