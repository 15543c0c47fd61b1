// The internal gateway's intranet listener (plain HTTP, bound to the intranet address only): health,
// and the RFC 3161 time-stamp authority for other intranet systems (POST /tsa). The staff API mounts here.
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_REQUEST_BYTES } from '../time/tsa-limits.js';
import { encodeRejection } from '../time/tsa-response.js';

export interface IntranetHttpDeps {
  health: () => Record<string, unknown>;
  /** null while time is not trusted: the TSA then answers timeNotAvailable (RFC 3161 §2.4.2). */
  respondTsa: (req: Buffer) => Promise<Buffer> | null;
  untrustedReason: () => string;
  /** Mounts the staff API and the public board. */
  register?: (app: FastifyInstance) => Promise<void>;
}

export async function buildIntranetHttp(d: IntranetHttpDeps): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_r, body, done) => done(null, body));
  app.get('/health', async () => d.health());
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
