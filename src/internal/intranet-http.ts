// The internal gateway's intranet listener: HTTPS with the deployment CA's intranet-server certificate,
// bound to the intranet address only. It carries staff passwords and bearer tokens, so it is never
// plain HTTP. Serves health (with link state and counts: the intranet is where operators look), the
// RFC 3161 time-stamp authority for other intranet systems (POST /tsa), the staff API and the board.
// Staff workstation client certificates: off / optional / required (config intranet.clientCerts).
import Fastify, { type FastifyInstance } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { MAX_REQUEST_BYTES } from '../time/tsa-limits.js';
import { encodeRejection } from '../time/tsa-response.js';
import { HARDENED_TLS_SERVER } from '../net/tls-profile.js';
import { guardConnections, INTRANET_LIMITS, requestTimeoutFor, tlsServerTimeouts, type ConnectionLimits } from '../net/connection-guard.js';
import { addSecurityHeaders } from '../net/security-headers.js';
import { clientRole } from '../net/client-role.js';
import type { FerryRole } from '../pki/roles.js';

/** The largest body on this listener (staff commands, TSA queries). */
const INTRANET_BODY_LIMIT = 1024 * 1024;

export type ClientCertMode = 'off' | 'optional' | 'required';
/** Roles a client certificate on the intranet may carry: staff workstations, and operators' tools. */
export const INTRANET_CLIENT_ROLES: readonly FerryRole[] = ['staff-client', 'operator-client'];

export interface IntranetHttpDeps {
  health: () => Record<string, unknown>;
  /** null while time is not trusted: the TSA then answers timeNotAvailable (RFC 3161 §2.4.2). */
  respondTsa: (req: Buffer) => Promise<Buffer> | null;
  untrustedReason: () => string;
  /** Mounts the staff API and the public board. */
  register?: (app: FastifyInstance) => Promise<void>;
  tls: { key: Buffer | string; cert: Buffer | string; ca: Buffer | string };
  clientCerts: ClientCertMode;
  limits?: ConnectionLimits;
}

export async function buildIntranetHttp(d: IntranetHttpDeps): Promise<FastifyInstance> {
  const limits = d.limits ?? INTRANET_LIMITS;
  const app = Fastify({
    https: {
      ...HARDENED_TLS_SERVER, ...tlsServerTimeouts(limits),
      key: d.tls.key, cert: d.tls.cert, ca: d.tls.ca,
      // 'required' refuses at the handshake a client with no certificate or one from another CA; the
      // role is checked per request below (OpenSSL knows nothing of Ferry's role markers).
      requestCert: d.clientCerts !== 'off', rejectUnauthorized: d.clientCerts === 'required',
    },
    bodyLimit: INTRANET_BODY_LIMIT,
    return503OnClosing: true,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: requestTimeoutFor(limits, INTRANET_BODY_LIMIT),
  });
  guardConnections(app.server, limits, INTRANET_BODY_LIMIT);
  addSecurityHeaders(app);
  if (d.clientCerts !== 'off') {
    app.addHook('onRequest', async (req, reply) => {
      const v = clientRole(req.raw.socket as TLSSocket, INTRANET_CLIENT_ROLES);
      // optional: no certificate is fine (password login still applies); a presented one must be right,
      // so a township centre's or a foreign certificate never passes as a workstation's.
      if (v.ok || (d.clientCerts === 'optional' && !v.presented)) return;
      await reply.code(403).send({ error: { code: 'FERRY_ERR_API_CLIENT_CERT', message: v.detail } });
    });
  }
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_r, body, done) => done(null, body));
  app.get('/health', async () => ({ status: 'ok', ...d.health() }));
  if (d.register) await d.register(app);
  app.post('/tsa', async (req, reply) => {
    if (req.headers['content-type'] !== 'application/timestamp-query') {
      return reply.code(415).send({ error: { code: 'FERRY_ERR_API_MEDIA_TYPE', message: 'POST an application/timestamp-query' } });
    }
    const answer = d.respondTsa(req.body as Buffer);
    const der = answer ? await answer : encodeRejection('timeNotAvailable', `time not trusted: ${d.untrustedReason()}`);
    return reply.code(200).header('content-type', 'application/timestamp-reply').send(der);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'FERRY_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  return app;
}
