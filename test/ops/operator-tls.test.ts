// Off loopback the operator listener speaks TLS 1.3 and serves only clients with a certificate from
// the deployment CA (real TLS, the dev PKI's certificates).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { createGatewayMetrics } from '../../src/gateway/metrics.js';
import { startOperatorListener, type OperatorListener } from '../../src/gateway/operator-http.js';
import { createLogger } from '../../src/gateway/logger.js';
import type { GatewayProbe } from '../../src/gateway/probe.js';

const probe: GatewayProbe = {
  gateway: 'external', now: Date.now,
  link: { connected: () => true, lastFrameAt: () => Date.now(), heartbeatMs: 500 },
  queues: { outbox: () => ({ count: 0, oldestAt: null }) }, outboxHighWater: 10,
  quarantine: () => ({ held: 0, released: 0, rejected: 0, oldestHeldAt: null }), rejected: () => 0,
  time: () => ({ state: 'trusted', reason: 'test', detail: null }), timeHolds: false, certificates: [],
  chain: () => ({ headSeq: 0, anchors: [] }), catalogue: () => null, details: () => ({}),
};

function get(port: number, ca: Buffer, client?: { key: Buffer; cert: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', ca, servername: 'localhost', checkServerIdentity: () => undefined, agent: false, ...client }, (res) => {
      res.resume(); resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
}

describe('operator listener with TLS', () => {
  let dir: string;
  let op: OperatorListener;
  const m = createGatewayMetrics('external');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-optls-'));
    await initDevPki(join(dir, 'certs'));
    const c = (f: string) => join(dir, 'certs', f);
    op = await startOperatorListener({ host: '127.0.0.1', port: 0, tls: { cert: c('external-tls.crt'), key: c('external-tls.key') }, linkGraceSeconds: 120 },
      probe, m, c('ca.crt'), createLogger('test', 'error'));
  });
  afterAll(async () => { await op?.close(); });

  it('serves /metrics to a client with a certificate from the deployment CA', async () => {
    const c = (f: string) => readFileSync(join(dir, 'certs', f));
    expect(await get(op.port, c('ca.crt'), { key: c('internal-tls.key'), cert: c('internal-tls.crt') })).toBe(200);
  });
  it('refuses a client without a certificate at the TLS handshake', async () => {
    await expect(get(op.port, readFileSync(join(dir, 'certs', 'ca.crt')))).rejects.toThrow();
  });
});
