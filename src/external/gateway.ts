// The external gateway process: applicant API, the link listener the internal gateway dials into,
// and the status cache the intranet's packets update.
import type { FastifyInstance } from 'fastify';
import type { ExternalConfig } from '../config/gateway-config.js';
import { loadGatewayKeys, loadTls } from '../gateway/keys.js';
import { outboxSource } from '../gateway/outbox-source.js';
import { startLinkReplay } from '../gateway/link-replay.js';
import { delayedStatusHooks } from './held-status.js';
import { startRejectedReplay } from '../gateway/rejected-replay.js';
import type { Logger } from '../gateway/logger.js';
import { LinkServer } from '../link/server.js';
import type { Clock } from '../time/clock.js';
import type { TimeTrust } from '../time/time-trust.js';
import { startAudit } from '../gateway/audit.js';
import { wireExternalPath } from './packet-path.js';
import { SignatureAnchorer } from '../audit/anchor.js';
import { buildApi } from './api.js';
import { openExternalStore } from './store.js';
import { verifyTimeStampToken } from '../time/tsa-verify.js';
import { encodeGranted } from '../time/tsa-response.js';
import { loadPolicy } from '../gateway/policy.js';
import { RateLimiter } from '../policy/rate-limit.js';
import { createGatewayMetrics } from '../gateway/metrics.js';
import { observeHttp } from '../gateway/http-metrics.js';
import { startOperatorListener } from '../gateway/operator-http.js';
import { externalProbe } from './probe.js';
import { inspectPoolFor } from '../gateway/inspect-pool.js';
import { LoopDelay } from '../gateway/loop-delay.js';

export interface RunningGateway { apiPort: number; linkPort: number; operatorPort: number; stop(): Promise<void> }

export async function startExternal(cfg: ExternalConfig, log: Logger, clock: Clock, configFile: string, trust?: TimeTrust): Promise<RunningGateway> {
  const keys = loadGatewayKeys(cfg.keys, cfg.peer);
  const apiTls = loadTls(cfg.api.tls, keys);
  const linkTls = loadTls(cfg.link.tls, keys, 'external-gateway-link');
  const store = openExternalStore(cfg.dataDir);
  const audit = startAudit({
    db: store.db, gateway: 'external', clock, log, configFile,
    anchorers: [new SignatureAnchorer(keys.signKey, keys.signCert)],
    certificates: { sign: keys.signCert, tls: linkTls.leaf, ca: keys.ca[0]! },
    intervalMs: cfg.audit.anchorIntervalMs, peerSigners: keys.signers,
  });
  trust?.onChange((state, reason) => audit.record('time.trust', state, { reason }));
  const policy = loadPolicy(cfg.policy, log, (e) => audit.record('config.change', cfg.policy, e.ok ? { policySha256: e.sha256, changes: e.changes } : { refused: e.error.slice(0, 1000) }));
  const current = () => policy.holder.current();

  const metrics = createGatewayMetrics('external');
  let link: LinkServer | null = null;
  const { inbox, intake, sendAction } = wireExternalPath({
    store, keys, policy: current, clock, log, audit, maxRejected: cfg.maxRejected, maxOutbox: cfg.api.maxOutbox, peerDomain: cfg.domains.peer,
  });
  const linkReplay = startLinkReplay({ db: store.db, outbox: store.outbox, cfg: cfg.link, log, audit, registry: metrics.registry });
  link = new LinkServer({
    host: cfg.link.host, onReplayRequested: linkReplay.onReplayRequested, port: cfg.link.port, path: cfg.link.path, tls: linkTls, peer: cfg.link.peer, limits: cfg.link.limits,
    gatewayId: 'external', window: cfg.link.window, heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    auditHead: audit.link.auditHead, onAuditHead: audit.link.onAuditHead,
    catalogueSha256: () => store.catalogue.current()?.sha256 ?? '',
  }, linkReplay.serve(outboxSource(store.outbox, store.held, log, { ...delayedStatusHooks(store.status), countRefusal: metrics.packetRefused })), inbox, log, metrics.link.onState);
  const replay = startRejectedReplay(inbox, log);
  audit.link.send = (h) => link?.sendAuditHead(h);
  const linkPort = await link.listen();

  const limiter = new RateLimiter(clock);
  const loop = new LoopDelay();
  const inspect = inspectPoolFor(cfg.inspect, log);
  const trusted = [...keys.ca];
  const app: FastifyInstance = await buildApi({
    policy: current, limiter, inspect, catalogue: store.catalogue, sendAction,
    recordDecision: (allow, subject, detail) => audit.record(allow ? 'policy.allow' : 'policy.deny', subject, detail),
    caPem: keys.caPem,
    verifyReceipt: async (token, digest) => {
      const v = await verifyTimeStampToken(token, { digest, trusted });
      return v.ok ? { genTime: v.value.genTime } : { code: v.code, detail: v.detail };
    },
    asResponse: encodeGranted,
    tls: apiTls, limits: cfg.api.limits, maxBodyBytes: cfg.api.maxBodyBytes, clock, log, status: store.status, intake,
    idempotency: store.idempotency,
    afterIntake: () => link?.pump(),
    health: () => ({
      gateway: 'external', link: link?.connected ? 'up' : 'down', outbox: store.outbox.count(),
      catalogue: store.catalogue.current()?.sha256 ?? null, quarantined: store.quarantine.counts(),
      inspect: inspect.stats(), eventLoop: loop.report(),
    }),
  });
  observeHttp(app, metrics.http, 'applicant');
  await inspect.ready();
  await app.listen({ host: cfg.api.host, port: cfg.api.port });
  const addr = app.server.address();
  const apiPort = typeof addr === 'object' && addr ? addr.port : cfg.api.port;
  const operator = await startOperatorListener(cfg.operator, externalProbe(cfg, store, link, inbox.rejected, trust, { keys, linkTls: linkTls.leaf, apiTls: apiTls.leaf }), metrics, cfg.keys.ca, log);
  log.info({ apiPort, linkPort }, 'external gateway listening');
  loop.ready();

  return {
    apiPort, linkPort, operatorPort: operator.port,
    async stop() {
      policy.stop();
      replay.stop();
      linkReplay.stop();
      await operator.close();
      await app.close();
      await inspect.close();
      loop.stop();
      await link?.close();
      await audit.stop();
      store.db.close();
    },
  };
}
