// The internal gateway's intranet listener (plain HTTP on the intranet address only): health now;
// the TSA endpoint and the staff API mount here.
import Fastify, { type FastifyInstance } from 'fastify';

export async function buildIntranetHttp(health: () => Record<string, unknown>): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.get('/health', async () => health());
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'FERRY_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  return app;
}
