// A minimal HTTPS JSON client that trusts only the test's dev CA (Node's fetch cannot take a CA).
import { request, type Agent } from 'node:https';

export interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: any }

export function httpsCall(method: string, url: string, ca: Buffer, body?: Buffer | string, headers: Record<string, string> = {}, agent?: Agent): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json: unknown = undefined;
        try { json = JSON.parse(buf.toString('utf8')); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}
