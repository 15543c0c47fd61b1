// The operator listener of a gateway: GET /metrics (Prometheus text exposition) and GET /health (the
// full health document; 503 when unhealthy, see health.ts). It is a listener of its own, on loopback
// by default, apart from the applicant API and the staff listener: what it reveals (queue depths,
// certificate dates, peer state) is for the operator, and it must answer while those are busy.
// Off loopback it speaks TLS 1.3 and asks for a client certificate from the deployment CA.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from './logger.js';
import type { GatewayProbe } from './probe.js';
import type { GatewayMetrics } from './metrics.js';
import { readHealth, type HealthReport } from './health.js';
import { observeHttp } from './http-metrics.js';
import { loadTls } from './keys.js';
import { TLS_BASE } from '../link/tls-material.js';

export interface OperatorConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly linkGraceSeconds: number;
}

export interface OperatorListener {
  readonly port: number;
  /** The same report GET /health answers, for other listeners that show it. */
  health(): HealthReport;
  /** Reads the listener's certificate and key again (SIGHUP); throws, naming the file, when they do not
   *  load, and the old ones stay in force. A no-op on a plain-HTTP loopback listener. */
  reloadTls(): void;
  close(): Promise<void>;
}

/** Builds and starts the operator listener over `probe`; `caFile` verifies client certificates when
 *  the listener has TLS. */
export async function startOperatorListener(cfg: OperatorConfig, probe: GatewayProbe, metrics: GatewayMetrics,
  caFile: string, log: Logger): Promise<OperatorListener> {
  const rules = { linkGraceMs: cfg.linkGraceSeconds * 1000 };
  const health = () => readHealth(probe, metrics.link, rules);
  metrics.observe(probe, health);

  const tls = cfg.tls ? loadTls(cfg.tls, caFile) : null;
  const app: FastifyInstance = Fastify({
    ...(tls ? { https: { ...TLS_BASE, key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true } } : {}),
    bodyLimit: 1024,
    // A scrape is small and quick: a client that holds a connection open gets nothing for it.
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
  app.get('/health', async (_req, reply) => {
    const h = health();
    return reply.code(h.status).header('cache-control', 'no-store').send(h.body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'FERRY_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  observeHttp(app, metrics.http, 'operator');
  await app.listen({ host: cfg.host, port: cfg.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  log.info({ operatorPort: port, host: cfg.host, tls: Boolean(tls) }, 'operator listener (/metrics, /health) listening');
  return {
    port,
    health,
    reloadTls() {
      if (!cfg.tls) return;
      const t = loadTls(cfg.tls, caFile);
      (app.server as import('node:https').Server).setSecureContext({ ...TLS_BASE, key: t.key, cert: t.cert, ca: t.ca });
    },
    async close() { await app.close(); metrics.stop(); },
  };
}
