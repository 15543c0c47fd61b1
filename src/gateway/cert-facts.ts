// The certificates a gateway runs with, by role, for ferry_cert_not_after_timestamp_seconds. Read
// once at start: the process uses what it loaded then, so that is what can expire under it.
import { loadCertificate, loadCertificates } from '../pki/key-files.js';
import type { CertificateFact } from './probe.js';

/** `files` maps a role to a certificate file. The CA file may hold several roots (rotation with
 *  overlap): the role reports the latest notAfter, since an old root expiring beside its successor is
 *  planned; the leaf roles show what actually expires. */
export function certificateFacts(files: Readonly<Record<string, string>>, caFile: string): CertificateFact[] {
  const facts = Object.entries(files).map(([role, f]) => ({ role, notAfter: new Date(loadCertificate(f).validTo) }));
  const roots = loadCertificates(caFile).map((c) => new Date(c.validTo).getTime());
  if (roots.length) facts.push({ role: 'ca', notAfter: new Date(Math.max(...roots)) });
  return facts;
}
