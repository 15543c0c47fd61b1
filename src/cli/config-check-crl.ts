// `ferry config check` lines for the pki.crl sources: a file source must exist and verify against the
// configured CA, as start requires (a stale one is a warning: under whenStale: hold it holds the link).
import { readFileSync } from 'node:fs';
import type { CheckLine } from './config-check-lines.js';
import { verifyCrl } from '../pki/crl.js';
import { isStale } from '../pki/revocation.js';
import { loadCertificates } from '../pki/key-files.js';
import type { PkiSection } from '../pki/crl-service.js';

export function crlLines(pki: PkiSection, caFile: string, now: Date): CheckLine[] {
  return pki.crl.map((src, i): CheckLine => {
    const key = `pki.crl[${i}]`;
    if (src.url) return { level: 'ok', key, file: src.url, detail: `fetched by the gateway every ${src.refreshSeconds} s (not fetched by this check)` };
    const file = src.file!;
    let bytes: Buffer;
    try { bytes = readFileSync(file); } catch (e) {
      return { level: 'FAIL', key, file, detail: `FERRY_ERR_PKI_CRL: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, fix: 'write the CA\'s CRL there (ferry certs crl), or correct the path' };
    }
    let cas;
    try { cas = loadCertificates(caFile); } catch { return { level: 'FAIL', key, file, detail: `keys.ca ${caFile} does not load`, fix: 'fix keys.ca first' }; }
    const v = verifyCrl(bytes, cas);
    if (!v.ok) return { level: 'FAIL', key, file, detail: `${v.code}: ${v.detail}`, fix: 'use the CRL your CA (keys.ca) signed' };
    const what = `CRL number ${v.value.crlNumber?.toString() ?? 'none'}, ${v.value.revoked.size} revoked, next update ${v.value.nextUpdate?.toISOString() ?? 'none'}`;
    return isStale(v.value, now)
      ? { level: 'warn', key, file, detail: `${what}: past its nextUpdate (pki.whenStale: ${pki.whenStale})`, fix: 're-issue it (ferry certs crl) and put it in place' }
      : { level: 'ok', key, file, detail: what };
  });
}
