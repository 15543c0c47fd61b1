// Staff workstation client certificates on the intranet listener (real TLS, the real Fastify app the
// internal gateway runs): off / optional / required. A certificate that is presented must chain to the
// deployment CA AND carry the staff-client (or operator-client) role: a township centre's certificate
// from the same CA, a CA certificate posing as a leaf, or another CA's certificate never passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { buildIntranetHttp, type ClientCertMode } from '../../src/internal/intranet-http.js';
import { httpsCall } from '../helpers/https-client.js';
import { issueWithCa } from '../pki/openssl-issue.js';
import { tempDir } from '../seal/fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let ca: Buffer;
const apps: FastifyInstance[] = [];
const ports: Partial<Record<ClientCertMode, number>> = {};
const who: Record<string, { key: Buffer; cert: Buffer } | null> = {};

beforeAll(async () => {
  tmp = tempDir('intranet-certs');
  const dir = join(tmp.dir, 'certs');
  await initDevPki(dir);
  await initDevPki(join(tmp.dir, 'other'));
  const f = (d: string, n: string) => ({ key: readFileSync(join(d, `${n}.key`)), cert: readFileSync(join(d, `${n}.crt`)) });
  ca = readFileSync(join(dir, 'ca.crt'));
  who['none'] = null;
  who['staff'] = f(dir, 'staff-client');
  who['operator'] = f(dir, 'operator-client');
  who['township (same CA)'] = f(dir, 'township-client');
  who['internal link cert (same CA)'] = f(dir, 'internal-tls');
  who['staff of another CA'] = f(join(tmp.dir, 'other'), 'staff-client');
  const caLeaf = issueWithCa(dir, join(tmp.dir, 'issued'), 'ca-staff', { cn: 'ferry-dev-staff', roles: ['staff-client'], ca: true, eku: 'clientAuth', days: 2 });
  who['CA cert with the staff role'] = { key: caLeaf.key, cert: caLeaf.cert };
  for (const mode of ['off', 'optional', 'required'] as const) {
    const app = await buildIntranetHttp({
      health: () => ({ gateway: 'internal', link: 'up' }), respondTsa: () => null, untrustedReason: () => 'test',
      tls: { ...f(dir, 'intranet-tls'), ca }, clientCerts: mode,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    ports[mode] = (app.server.address() as { port: number }).port;
    apps.push(app);
  }
});
afterAll(async () => { for (const a of apps) await a.close(); tmp.cleanup(); });

/** HTTP status, or 'tls' when the handshake itself refused. */
async function status(mode: ClientCertMode, as: string): Promise<number | 'tls'> {
  const c = who[as];
  const agent = new Agent({ ca, keepAlive: false, ...(c ? { key: c.key, cert: c.cert } : {}) });
  try {
    return (await httpsCall('GET', `https://127.0.0.1:${ports[mode]}/health`, ca, undefined, {}, agent)).status;
  } catch {
    return 'tls';
  }
}

const table: Array<[ClientCertMode, string, number | 'tls' | 403]> = [
  ['off', 'none', 200],
  ['off', 'township (same CA)', 200], // not asked for, not looked at: the password is the only gate
  ['optional', 'none', 200],
  ['optional', 'staff', 200],
  ['optional', 'operator', 200],
  ['optional', 'township (same CA)', 403],
  ['optional', 'internal link cert (same CA)', 403],
  ['optional', 'CA cert with the staff role', 403],
  ['optional', 'staff of another CA', 403],
  ['required', 'staff', 200],
  ['required', 'operator', 200],
  ['required', 'none', 'tls'],
  ['required', 'staff of another CA', 'tls'],
  ['required', 'township (same CA)', 403],
  ['required', 'CA cert with the staff role', 403],
];

describe('intranet listener client certificates', () => {
  it.each(table)('clientCerts=%s, client presents %s → %s', async (mode, as, want) => {
    expect(await status(mode, as)).toBe(want);
  });

  it('names the rule in the 403 body (FERRY_ERR_API_CLIENT_CERT)', async () => {
    const c = who['township (same CA)']!;
    const r = await httpsCall('GET', `https://127.0.0.1:${ports.required}/api/v1/staff/me`, ca, undefined, {}, new Agent({ ca, key: c.key, cert: c.cert, keepAlive: false }));
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('FERRY_ERR_API_CLIENT_CERT');
    expect(r.json.error.message).toMatch(/staff-client role marker/);
  });
});
