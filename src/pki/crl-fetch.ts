// Reads a CRL's bytes from a file or an http:// URL, bounded (MAX_CRL_BYTES, a deadline). Plain http as
// RFC 5280 §4.2.1.13 distribution points use: the list is signed, and fetching it over https would
// make the revocation check depend on a certificate check. DER or PEM ("X509 CRL") are both taken.
import { request } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { MAX_CRL_BYTES } from './limits.js';
import { pemBlocks, looksLikePem } from './pem.js';

/** A fetch that has not answered in this long has failed (the next refresh tries again). */
export const CRL_FETCH_TIMEOUT_MS = 10_000;

export type CrlSource = { readonly file: string; readonly url?: undefined } | { readonly url: string; readonly file?: undefined };

export function sourceName(s: CrlSource): string { return s.file ?? s.url!; }

function fromPem(bytes: Buffer): Buffer {
  if (!looksLikePem(bytes)) return bytes;
  const block = pemBlocks(bytes.toString("latin1")).find((b) => b.label === 'X509 CRL');
  if (!block) throw new Error('PEM without an "X509 CRL" block');
  return block.der;
}

export async function readCrlBytes(src: CrlSource): Promise<Buffer> {
  if (src.file !== undefined) {
    const st = await stat(src.file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_CRL_BYTES) throw new Error(`${st.size} bytes, limit ${MAX_CRL_BYTES}`);
    return fromPem(await readFile(src.file));
  }
  return fromPem(await fetchHttp(src.url));
}

function fetchHttp(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: CRL_FETCH_TIMEOUT_MS, headers: { accept: 'application/pkix-crl' } }, (res) => {
      if (res.statusCode !== 200) { res.resume(); reject(new Error(`HTTP ${res.statusCode ?? '?'}`)); return; }
      const declared = Number(res.headers['content-length'] ?? 0);
      // The size from the header first, before a byte of the body (STYLE §6); then as it arrives.
      if (declared > MAX_CRL_BYTES) { res.destroy(); reject(new Error(`Content-Length ${declared}, limit ${MAX_CRL_BYTES}`)); return; }
      const parts: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > MAX_CRL_BYTES) { res.destroy(); reject(new Error(`more than ${MAX_CRL_BYTES} bytes`)); return; }
        parts.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${CRL_FETCH_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}
