// The external gateway process: applicant API, the link listener the internal gateway dials into,
// and the status cache the intranet's packets update.
import type { FastifyInstance } from 'fastify';
import type { ExternalConfig } from '../config/gateway-config.js';
import { loadTls, type GatewayKeys, type LoadedTls } from '../gateway/keys.js';
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
import { buildApi, type ReceiptCheck } from './api.js';
import { openExternalStore } from './store.js';
import { verifyTimeStampToken } from '../time/tsa-verify.js';
import { encodeGranted } from '../time/tsa-response.js';
import { loadPolicy } from '../gateway/policy.js';
import { RateLimiter } from '../policy/rate-limit.js';
import { observeHttp } from '../gateway/http-metrics.js';
import { externalProbe } from './probe.js';
import { inspectPoolFor } from '../gateway/inspect-pool.js';
import { startCryptoPool } from '../gateway/crypto-pool.js';
import { LoopDelay } from '../gateway/loop-delay.js';
import { startIntakeControls } from '../gateway/intake-gate-wiring.js';
import { startOperatorSurface } from '../gateway/operator-surface.js';
import { loadKeysWithRevocation, startKeyLifecycle } from '../gateway/key-lifecycle.js';
import type { RevocationService } from '../pki/crl-service.js';
import type { OperatorListener } from '../gateway/operator-http.js';
import { announceOver, keyAnnouncer, type AnnouncerDeps } from '../gateway/key-announce.js';
import { HARDENED_TLS_SERVER } from '../net/tls-profile.js';
import type { Server as HttpsServer } from 'node:https';

export interface RunningGateway { apiPort: number; linkPort: number; operatorPort: number; stop(): Promise<void> }

export async function startExternal(cfg: ExternalConfig, log: Logger, clock: Clock, configFile: string, trust?: TimeTrust): Promise<RunningGateway> {
  const { keys, revocation, metrics } = await loadKeysWithRevocation(cfg, log);
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
  const controls = startIntakeControls({ db: store.db, dataDir: cfg.dataDir, storage: cfg.storage, refusalWindowMs: cfg.audit.refusalWindowSeconds * 1000, audit, log, now: () => clock.now() });

  let link: LinkServer | null = null;
  const announce = announceOver({ keys, revocation: revocation.holder, dataDir: cfg.dataDir, log }, () => link);
  // Large packets are sealed and opened in a worker, never on this loop, and kept in the blob store.
  const crypto = startCryptoPool(keys, store.blobs, log);
  const { inbox, intake, sendAction } = wireExternalPath({
    store, keys, crypto, policy: current, clock, log, audit, maxRejected: cfg.maxRejected, maxOutbox: cfg.api.maxOutbox, peerDomain: cfg.domains.peer,
  });
  const linkReplay = startLinkReplay({ db: store.db, blobs: store.blobs, outbox: store.outbox, cfg: cfg.link, log, audit, registry: metrics.registry });
  link = new LinkServer({
    host: cfg.link.host, onReplayRequested: linkReplay.onReplayRequested, port: cfg.link.port, path: cfg.link.path, tls: linkTls, peer: { ...cfg.link.peer, revocation: revocation.holder }, limits: cfg.link.limits,
    gatewayId: 'external', window: cfg.link.window, heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    auditHead: audit.link.auditHead, onAuditHead: audit.link.onAuditHead,
    catalogueSha256: () => store.catalogue.current()?.sha256 ?? '', keyAnnouncer: keyAnnouncer(announce),
  }, linkReplay.serve(outboxSource(store.outbox, store.held, log, { ...delayedStatusHooks(store.status), countRefusal: metrics.packetRefused }, Date.now, { store: store.blobs, wake: () => link?.pump() })),
  inbox, log, metrics.link.onState);
  const replay = startRejectedReplay(inbox, log);
  audit.link.send = (h) => link?.sendAuditHead(h);
  const linkPort = await link.listen();

  const limiter = new RateLimiter(clock);
  const loop = new LoopDelay();
  const inspect = inspectPoolFor(cfg.inspect, log);
  const app: FastifyInstance = await buildApi({
    policy: current, limiter, inspect, catalogue: store.catalogue, sendAction,
    recordDecision: (allow, subject, detail) => audit.record(allow ? 'policy.allow' : 'policy.deny', subject, detail),
    caPem: keys.caPem,
    verifyReceipt: receiptVerifier(keys, revocation),
    asResponse: encodeGranted,
    tls: apiTls, limits: cfg.api.limits, maxBodyBytes: cfg.api.maxBodyBytes, clock, log, status: store.status, intake,
    idempotency: store.idempotency,
    ...controls.apiHooks,
    afterIntake: () => link?.pump(),
    health: () => ({ ...externalHealth(store, link), inspect: inspect.stats(), eventLoop: loop.report() }),
  });
  observeHttp(app, metrics.http, 'applicant');
  await inspect.ready();
  await app.listen({ host: cfg.api.host, port: cfg.api.port });
  const addr = app.server.address();
  const apiPort = typeof addr === 'object' && addr ? addr.port : cfg.api.port;
  const operator = await startOperatorSurface({ base: externalProbe(cfg, store, link, inbox.rejected, trust, { keys, linkTls: linkTls.leaf, apiTls: apiTls.leaf }),
    db: store.db, dataDir: cfg.dataDir, operator: cfg.operator, caFile: cfg.keys.ca, metrics, log, storage: controls.storage, intake: controls.gate });
  const lifecycle = keepKeys(cfg, { keys, revocation, log, operator, announce, link: () => link, linkTls, apiTls, app });
  log.info({ apiPort, linkPort }, 'external gateway listening');
  loop.ready();

  return {
    apiPort, linkPort, operatorPort: operator.port,
    async stop() {
      await lifecycle.stop();
      policy.stop();
      replay.stop();
      linkReplay.stop();
      await operator.close();
      await app.close();
      controls.stop();
      await inspect.close();
      await crypto.close();
      loop.stop();
      await link?.close();
      await audit.stop();
      store.db.close();
    },
  };
}

/** Expiry warnings and SIGHUP reload over the external gateway's key material and listeners. */
function keepKeys(cfg: ExternalConfig, d: { keys: GatewayKeys; revocation: RevocationService; log: Logger; operator: OperatorListener; announce: AnnouncerDeps;
  link: () => LinkServer | null; linkTls: LoadedTls; apiTls: LoadedTls; app: FastifyInstance }): { stop(): void } {
  return startKeyLifecycle({
    keys: d.keys, keyFiles: cfg.keys, peerFiles: cfg.peer, revocation: d.revocation.holder, revocationService: d.revocation, log: d.log, operator: d.operator, announce: d.announce, link: d.link,
    listeners: [
      { name: 'link TLS', label: 'link_tls', files: cfg.link.tls, role: 'external-gateway-link', leaf: d.linkTls.leaf, apply: (t) => d.link()?.setTls(t) },
      { name: 'applicant API TLS', label: 'api_tls', files: cfg.api.tls, leaf: d.apiTls.leaf,
        apply: (t) => (d.app.server as HttpsServer).setSecureContext({ ...HARDENED_TLS_SERVER, key: t.key, cert: t.cert, ca: d.keys.caPem }) },
    ],
  });
}

/** The applicant's receipt is checked as any token is: to the CA, and against the CRLs in force now. */
function receiptVerifier(keys: GatewayKeys, revocation: RevocationService): ReceiptCheck {
  const trusted = [...keys.ca];
  return async (token, digest) => {
    const v = await verifyTimeStampToken(token, { digest, trusted, revocation: revocation.holder });
    return v.ok ? { genTime: v.value.genTime } : { code: v.code, detail: v.detail };
  };
}

function externalHealth(store: ReturnType<typeof openExternalStore>, link: LinkServer | null) {
  return {
    gateway: 'external', link: link?.connected ? 'up' : 'down', outbox: store.outbox.count(),
    catalogue: store.catalogue.current()?.sha256 ?? null, quarantined: store.quarantine.counts(),
  };
}
