// The internal gateway process: dials out to the external gateway, opens and re-checks every packet,
// records cases in the intranet store and sends their status back out.
import type { InternalConfig } from '../config/gateway-config.js';
import { loadGatewayKeys, loadTls } from '../gateway/keys.js';
import { createInbox } from '../gateway/inbox.js';
import { outboxSource } from '../gateway/outbox-source.js';
import type { Logger } from '../gateway/logger.js';
import { LinkClient } from '../link/client.js';
import type { Clock } from '../time/clock.js';
import { deliverSubmission } from './deliver-submission.js';
import { buildIntranetHttp } from './intranet-http.js';
import { openInternalStore } from './store.js';

export interface RunningInternal { intranetPort: number; stop(): Promise<void> }

export async function startInternal(cfg: InternalConfig, log: Logger, clock: Clock): Promise<RunningInternal> {
  const keys = loadGatewayKeys(cfg.keys, cfg.peer);
  const tls = loadTls(cfg.link.tls, cfg.keys.ca);
  const store = openInternalStore(cfg.dataDir);
  const domains = { selfDomain: cfg.domains.self, peerDomain: cfg.domains.peer };

  let link: LinkClient | null = null;
  const inbox = createInbox({
    db: store.db, clock, log, ...domains,
    open: { keys: keys.open, signers: keys.signers },
    handlers: { submission: deliverSubmission({ store, keys: keys.seal, ...domains }) },
    afterCommit: () => link?.pump(),
  });
  link = new LinkClient({
    url: cfg.link.url, tls, peer: cfg.link.peer, gatewayId: 'internal', window: cfg.link.window,
    heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    backoffBaseMs: cfg.link.backoffBaseMs, backoffCapMs: cfg.link.backoffCapMs,
  }, outboxSource(store.outbox), inbox, log);
  link.start();

  const http = await buildIntranetHttp(() => ({
    gateway: 'internal', link: link?.connected ? 'up' : 'down', outbox: store.outbox.count(), cases: store.cases.count(),
  }));
  await http.listen({ host: cfg.intranet.host, port: cfg.intranet.port });
  const addr = http.server.address();
  const intranetPort = typeof addr === 'object' && addr ? addr.port : cfg.intranet.port;
  log.info({ intranetPort, dialing: cfg.link.url }, 'internal gateway started');
  return {
    intranetPort,
    async stop() {
      link?.stop();
      await http.close();
      store.db.close();
    },
  };
}
