// The internal gateway process: dials out to the external gateway, opens and re-checks every packet,
// stamps it with the intranet TSA once time is trusted, records cases in the intranet store and sends
// their status (with the applicant's receipt token) back out.
import type { InternalConfig } from '../config/gateway-config.js';
import { loadGatewayKeys, loadTls } from '../gateway/keys.js';
import { createInbox } from '../gateway/inbox.js';
import { outboxSource } from '../gateway/outbox-source.js';
import type { Logger } from '../gateway/logger.js';
import { LinkClient } from '../link/client.js';
import type { TimeTrust } from '../time/time-trust.js';
import { checkQueuedSubmission, deliverSubmission, queueSubmission, submissionReceiptData } from './deliver-submission.js';
import { buildIntranetHttp } from './intranet-http.js';
import { Stamper } from './stamper.js';
import { openInternalStore } from './store.js';
import { createTsa } from './tsa-service.js';
import { admitPackets } from '../gateway/admit.js';
import { loadPolicy } from '../gateway/policy.js';

export interface RunningInternal { intranetPort: number; stop(): Promise<void> }

export async function startInternal(cfg: InternalConfig, log: Logger, trust: TimeTrust): Promise<RunningInternal> {
  const keys = loadGatewayKeys(cfg.keys, cfg.peer);
  const tls = loadTls(cfg.link.tls, cfg.keys.ca);
  const store = openInternalStore(cfg.dataDir);
  const policy = loadPolicy(cfg.policy, log);
  const current = () => policy.holder.current();
  const deps = { store, keys: keys.seal, policy: current };
  const { tsa } = createTsa(cfg.tsa, cfg.keys.ca, store.db, trust, (e) => log.error({ stage: 'tsa', err: String(e) }, 'TSA fault'));

  let link: LinkClient | null = null;
  const stamper = new Stamper({
    db: store.db, queue: store.stampQueue, tsa, trust, whenUntrusted: cfg.time.whenUntrusted, log,
    handlers: { submission: deliverSubmission(deps) },
    receiptData: (q) => (q.kind === 'submission' ? submissionReceiptData(q.body) : null),
    check: checkQueuedSubmission(deps),
    refuse: (q, code, detail, rule) => {
      store.quarantine.hold({ packetId: q.packetId.toString('hex'), code, rule, detail, bytes: q.packet, receivedAt: Date.now() });
      log.warn({ packet: q.packetId.toString('hex'), case: q.caseId, from: q.fromDomain, stage: 'policy', code, rule, detail }, 'packet quarantined');
    },
    afterCommit: () => link?.pump(),
  });
  const inbox = createInbox({
    db: store.db, clock: trust, log, quarantine: store.quarantine, admit: admitPackets('internal', current),
    open: { keys: keys.open, signers: keys.signers },
    handlers: { submission: queueSubmission(deps) },
    afterCommit: () => stamper.kick(),
    backlog: () => store.stampQueue.count(),
  });
  link = new LinkClient({
    url: cfg.link.url, tls, peer: cfg.link.peer, gatewayId: 'internal', window: cfg.link.window,
    heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    backoffBaseMs: cfg.link.backoffBaseMs, backoffCapMs: cfg.link.backoffCapMs,
  }, outboxSource(store.outbox), inbox, log);
  link.start();
  stamper.kick();

  const http = await buildIntranetHttp({
    health: () => ({
      gateway: 'internal', link: link?.connected ? 'up' : 'down', outbox: store.outbox.count(), cases: store.cases.count(),
      waitingForStamp: store.stampQueue.count(), time: { state: trust.state(), reason: trust.reason() },
    }),
    respondTsa: (req) => (trust.state() !== 'untrusted' ? tsa.respond(req) : null),
    untrustedReason: () => trust.reason(),
  });
  await http.listen({ host: cfg.intranet.host, port: cfg.intranet.port });
  const addr = http.server.address();
  const intranetPort = typeof addr === 'object' && addr ? addr.port : cfg.intranet.port;
  log.info({ intranetPort, dialing: cfg.link.url, time: trust.state() }, 'internal gateway started');
  return {
    intranetPort,
    async stop() {
      policy.stop();
      stamper.stop();
      link?.stop();
      await http.close();
      store.db.close();
    },
  };
}
