// The external gateway process: applicant API, the link listener the internal gateway dials into,
// and the status cache the intranet's packets update.
import type { FastifyInstance } from 'fastify';
import type { ExternalConfig } from '../config/gateway-config.js';
import { loadGatewayKeys, loadTls } from '../gateway/keys.js';
import { createInbox } from '../gateway/inbox.js';
import { RejectedPackets } from '../store/rejected-packets.js';
import { decodeCatalogue, decodeStatus } from '../gateway/bodies.js';
import type { KindHandler } from '../gateway/inbox.js';
import { outboxSource } from '../gateway/outbox-source.js';
import type { Logger } from '../gateway/logger.js';
import { LinkServer } from '../link/server.js';
import type { Clock } from '../time/clock.js';
import type { TimeTrust } from '../time/time-trust.js';
import { auditHooks, startAudit } from '../gateway/audit.js';
import { SignatureAnchorer } from '../audit/anchor.js';
import { X509Certificate } from 'node:crypto';
import { loadPrivateKey, loadCertificate } from '../pki/key-files.js';
import { buildApi } from './api.js';
import { createActionIntake, createIntake } from './intake.js';
import { openExternalStore } from './store.js';
import { readFileSync } from 'node:fs';
import { loadCertificates } from '../pki/key-files.js';
import { verifyTimeStampToken } from '../time/tsa-verify.js';
import { encodeGranted } from '../time/tsa-response.js';
import { admitPackets } from '../gateway/admit.js';
import { loadPolicy } from '../gateway/policy.js';
import { RateLimiter } from '../policy/rate-limit.js';
import { createGatewayMetrics } from '../gateway/metrics.js';
import { observeHttp } from '../gateway/http-metrics.js';
import { startOperatorListener } from '../gateway/operator-http.js';
import { externalProbe } from './probe.js';
import { InspectPool } from '../gateway/inspect-pool.js';
import { LoopDelay } from '../gateway/loop-delay.js';

export interface RunningGateway { apiPort: number; linkPort: number; operatorPort: number; stop(): Promise<void> }

export async function startExternal(cfg: ExternalConfig, log: Logger, clock: Clock, configFile: string, trust?: TimeTrust): Promise<RunningGateway> {
  const keys = loadGatewayKeys(cfg.keys, cfg.peer);
  const apiTls = loadTls(cfg.api.tls, cfg.keys.ca);
  const linkTls = loadTls(cfg.link.tls, cfg.keys.ca);
  const store = openExternalStore(cfg.dataDir);
  const audit = startAudit({
    db: store.db, gateway: 'external', clock, log, configFile,
    anchorers: [new SignatureAnchorer(loadPrivateKey(cfg.keys.signKey), new X509Certificate(keys.seal.signCertDer))],
    certificates: { sign: new X509Certificate(keys.seal.signCertDer), tls: loadCertificate(cfg.link.tls.cert), ca: loadCertificate(cfg.keys.ca) },
    intervalMs: cfg.audit.anchorIntervalMs, peerSigners: keys.signers,
  });
  const hooks = auditHooks(audit, store);
  trust?.onChange((state, reason) => audit.record('time.trust', state, { reason }));
  const policy = loadPolicy(cfg.policy, log, (e) => audit.record('config.change', cfg.policy, e.ok ? { policySha256: e.sha256, changes: e.changes } : { refused: e.error.slice(0, 1000) }));
  const current = () => policy.holder.current();

  const metrics = createGatewayMetrics('external');
  let link: LinkServer | null = null;
  // Status, notices and decisions all carry a StatusBody; the event (if any) is kept for the applicant.
  const applyStatus: KindHandler = (p) => {
    const s = decodeStatus(p.body);
    if (!s.ok) return s;
    if (s.value.caseId !== p.caseId) return { code: 'FERRY_ERR_POLICY_CASE', detail: `body case ${s.value.caseId} vs header ${p.caseId}` };
    if (!store.status.apply(s.value.caseId, s.value.status, s.value.atMs, s.value.detail, p.packetId, s.value.receiptToken, s.value.eventJson || null)) {
      return { code: 'FERRY_ERR_POLICY_CASE', detail: `status for unknown case ${s.value.caseId}` };
    }
    return null;
  };
  const inbox = createInbox({
    db: store.db, clock, log, quarantine: store.quarantine, rejected: new RejectedPackets(store.db, cfg.maxRejected), ...hooks,
    admit: admitPackets('external', current, (caseId) => store.status.get(caseId) !== null),
    open: { keys: keys.open, signers: keys.signers },
    handlers: {
      status: applyStatus, notice: applyStatus, decision: applyStatus,
      catalogue: (p, now) => {
        const c = decodeCatalogue(p.body);
        if (!c.ok) return c;
        try { JSON.parse(c.value.itemsJson.toString('utf8')); } catch { return { code: 'FERRY_ERR_SEAL_MALFORMED', detail: 'catalogue items are not JSON' }; }
        store.catalogue.put(c.value.sha256, c.value.itemsJson, now);
        log.info({ stage: 'deliver', kind: 'catalogue', sha256: c.value.sha256 }, 'catalogue updated');
        return null;
      },
    },
  });
  link = new LinkServer({
    host: cfg.link.host, port: cfg.link.port, path: cfg.link.path, tls: linkTls, peer: cfg.link.peer, limits: cfg.link.limits,
    gatewayId: 'external', window: cfg.link.window, heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    auditHead: audit.link.auditHead, onAuditHead: audit.link.onAuditHead,
  }, outboxSource(store.outbox), inbox, log, metrics.link.onState);
  audit.link.send = (h) => link?.sendAuditHead(h);
  const linkPort = await link.listen();

  const intake = createIntake({
    store, keys: keys.seal, peerDomain: cfg.domains.peer, maxOutbox: cfg.api.maxOutbox,
  });
  const limiter = new RateLimiter(clock);
  const loop = new LoopDelay();
  const inspect = new InspectPool({
    workers: cfg.inspect.workers, maxQueue: cfg.inspect.maxQueue, deadlineMs: cfg.inspect.deadlineMs,
    inflateBudgetBytes: cfg.inspect.requestInflateBytes, busyRetryAfterSeconds: cfg.inspect.busyRetryAfterSeconds, log,
  });
  const sendAction = createActionIntake({ store, keys: keys.seal, peerDomain: cfg.domains.peer, maxOutbox: cfg.api.maxOutbox });
  const trusted = loadCertificates(cfg.keys.ca);
  const app: FastifyInstance = await buildApi({
    policy: current, limiter, inspect, catalogue: store.catalogue, sendAction,
    recordDecision: (allow, subject, detail) => audit.record(allow ? 'policy.allow' : 'policy.deny', subject, detail),
    caPem: readFileSync(cfg.keys.ca),
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
  const operator = await startOperatorListener(cfg.operator, externalProbe(cfg, store, link, inbox.rejected, trust), metrics, cfg.keys.ca, log);
  log.info({ apiPort, linkPort }, 'external gateway listening');
  loop.ready();

  return {
    apiPort, linkPort, operatorPort: operator.port,
    async stop() {
      policy.stop();
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
