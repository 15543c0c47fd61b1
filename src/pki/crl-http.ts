// Publishes the CRL a gateway holds over plain HTTP, at the path the certificates' CRL distribution
// point names (RFC 5280 §4.2.1.13; RFC 2585 §3: application/pkix-crl, DER). A listener of its own,
// not the operator listener: a CRL is public and signed and must be fetchable by any relying party
// without a client certificate, while the operator listener off loopback demands one and serves
// metrics nobody else should read. It answers GET/HEAD on one path and nothing else, with small
// deadlines and a connection cap (it may face a network).
import { createServer, type Server } from 'node:http';

export interface CrlPublishConfig { readonly host: string; readonly port: number; readonly path: string }

export const CRL_PUBLISH_MAX_CONNECTIONS = 64;
const DEADLINE_MS = 5_000;

export interface CrlPublisher { readonly port: number; close(): Promise<void> }

export async function startCrlPublisher(cfg: CrlPublishConfig, current: () => Buffer | undefined,
  log: { info(o: object, m: string): void }): Promise<CrlPublisher> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== cfg.path) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }).end(); return; }
    const der = current();
    if (!der) { res.writeHead(503, { 'retry-after': '60', 'content-type': 'text/plain' }).end('no verified CRL held yet\n'); return; }
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': der.length, 'cache-control': 'max-age=60' });
    res.end(req.method === 'HEAD' ? undefined : der);
  });
  server.headersTimeout = DEADLINE_MS;
  server.requestTimeout = DEADLINE_MS;
  server.keepAliveTimeout = DEADLINE_MS;
  server.maxConnections = CRL_PUBLISH_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(cfg.port, cfg.host, () => resolve()); });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  log.info({ stage: 'pki', crlPort: port, host: cfg.host, path: cfg.path }, 'CRL published over HTTP');
  return { port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
