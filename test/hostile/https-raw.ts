// One HTTPS request as a hostile client makes it: any method, path, headers and body, optionally with
// a TLS client certificate; a fresh connection each time, trusting only the test's dev CA.
import { request } from 'node:https';
import type { ClientCert } from './client-certs.js';

export interface RawRequest {
  method?: string;
  path?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  clientCert?: ClientCert;
  /** Send only the headers, declaring a body of this many bytes, and wait for the answer: a server
   *  that judges the Content-Length answers without reading a byte (a 60 s timeout fails otherwise). */
  declaredLength?: number;
  /** Stream the body with Transfer-Encoding: chunked (no Content-Length to judge it by). */
  chunked?: boolean;
}

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; json: any; text: string }

export function send(baseUrl: string, ca: Buffer, r: RawRequest): Promise<RawResponse> {
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${baseUrl}${r.path ?? '/api/v1/submissions'}`, {
      method: r.method ?? 'POST', ca, agent: false,
      headers: {
        ...(body || r.declaredLength !== undefined ? { 'content-type': 'application/json' } : {}),
        ...((body && !r.chunked) || r.declaredLength !== undefined ? { 'content-length': String(r.declaredLength ?? body!.length) } : {}),
        ...r.headers,
      },
      ...(r.clientCert ? { key: r.clientCert.key, cert: r.clientCert.cert } : {}),
    }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (r.declaredLength !== undefined) req.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
      res.on('error', reject);
    });
    // A server that refuses a large body from its Content-Length answers at once and closes: the
    // rest of the body then meets a closed socket. The answer is what counts, so the body is written
    // in chunks that stop when the answer arrives, and a write error after it is not a failure.
    req.on('error', (e) => { if (!answered) reject(e); });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    if (r.declaredLength !== undefined) { req.flushHeaders(); return; }
    if (!body) { req.end(); return; }
    let at = 0;
    const CHUNK = 256 * 1024;
    const pump = (): void => {
      while (!answered && at < body.length) {
        const ok = req.write(body.subarray(at, at + CHUNK));
        at += CHUNK;
        if (!ok) { req.once('drain', pump); return; }
      }
      if (!answered) req.end();
    };
    pump();
  });
}
