// The certificates a gateway runs with, by role, for ferry_cert_not_after_timestamp_seconds. Taken
// from what start loaded (loadGatewayKeys, loadTls, createTsa), never read from the files again: the
// process uses what it loaded then, so that is what can expire under it.
import type { X509Certificate } from 'node:crypto';
import type { CertificateFact } from './probe.js';

/** `certs` maps a role to a loaded certificate. The CA file may hold several roots (rotation with
 *  overlap): the role reports the latest notAfter, since an old root expiring beside its successor is
 *  planned; the leaf roles show what actually expires. */
export function certificateFacts(certs: Readonly<Record<string, X509Certificate>>, roots: readonly X509Certificate[]): CertificateFact[] {
  const facts = Object.entries(certs).map(([role, c]) => ({ role, notAfter: new Date(c.validTo) }));
  if (roots.length) facts.push({ role: 'ca', notAfter: new Date(Math.max(...roots.map((c) => new Date(c.validTo).getTime()))) });
  return facts;
}
