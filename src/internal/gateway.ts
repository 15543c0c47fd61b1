// The internal gateway process: dials out to the external gateway, opens and re-checks every packet,
// stamps it with the intranet TSA once time is trusted, checks it against the domain policy, and
// hands it to the approval desk; the desk's events and the catalogue go back out as packets.
import type { InternalConfig } from '../config/gateway-config.js';
import { loadTls, type GatewayKeys, type LoadedTls } from '../gateway/keys.js';
import { outboxSource } from '../gateway/outbox-source.js';
import { startLinkReplay } from '../gateway/link-replay.js';
import { catalogueResync } from '../gateway/catalogue-resync.js';
import { startRejectedReplay } from '../gateway/rejected-replay.js';
import { registerBoard } from '../web/board-routes.js';
import { registerWorkbench } from '../web/workbench-routes.js';
import { hallBoard } from './hall-board.js';
import type { Logger } from '../gateway/logger.js';
import { loadPolicy } from '../gateway/policy.js';
import type { GatewayAudit } from '../gateway/audit.js';
import { LinkClient } from '../link/client.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { Db } from '../store/db.js';
import { applicantPhone } from '../desk/store/applicant-phone.js';
import { CatalogueHolder } from '../catalogue-io/catalogue-holder.js';
import { startCatalogueReload } from './catalogue-reload.js';
import { loadCalendar } from '../approval/calendar.js';
import { createApprovalDesk, createStaffAuth, deskSettings, registerStaffApi, startSupervisionMonitor } from '../desk/index.js';
import { prepareTokenSigner } from '../time/tsa-token.js';
import { startNotifier } from './notifier.js';
import { buildIntranetHttp } from './intranet-http.js';
import { openInternalStore, type InternalStore } from './store.js';
import { createTsa } from './tsa-service.js';
import { startInternalAudit } from './audit-start.js';
import { wirePacketPath } from './packet-path.js';
import { staffActionEntry, type StaffAuditFn } from '../audit/staff-action.js';
import { inspectPoolFor } from '../gateway/inspect-pool.js';
import { startCryptoPool } from '../gateway/crypto-pool.js';
import { LoopDelay } from '../gateway/loop-delay.js';
import { observeHttp } from '../gateway/http-metrics.js';
import { internalProbe } from './probe.js';
import { StorageWatch } from '../gateway/storage-watch.js';
import { startOperatorSurface } from '../gateway/operator-surface.js';
import { loadKeysWithRevocation, startKeyLifecycle } from '../gateway/key-lifecycle.js';
import type { RevocationService } from '../pki/crl-service.js';
import type { OperatorListener } from '../gateway/operator-http.js';
import type { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { announceOver, keyAnnouncer, type AnnouncerDeps } from '../gateway/key-announce.js';
import { HARDENED_TLS_SERVER } from '../net/tls-profile.js';
import type { Server as HttpsServer } from 'node:https';

export interface RunningInternal { intranetPort: number; operatorPort: number; stop(): Promise<void> }

export async function startInternal(cfg: InternalConfig, log: Logger, trust: TimeTrust, configFile: string): Promise<RunningInternal> {
  const { keys, revocation, metrics } = await loadKeysWithRevocation(cfg, log);
  const tls = loadTls(cfg.link.tls, keys, 'internal-gateway-link');
  // Every key file is read and judged before anything starts: a refusal later would leave timers running.
  const intranetTls = loadTls(cfg.intranet.tls, keys, 'intranet-server');
  const store = openInternalStore(cfg.dataDir);
  const { tsa, cert: tsaCert } = createTsa(cfg.tsa, keys.ca, store.db, trust, (e) => log.error({ stage: 'tsa', err: String(e) }, 'TSA fault'), metrics.tokenIssued);
  const audit = startInternalAudit({ cfg, keys, linkCert: tls.leaf, db: store.db, trust, tsa, tsaCert, log, configFile });
  trust.onChange((state, reason) => audit.record('time.trust', state, { reason }));
  const policy = loadPolicy(cfg.policy, log, (e) => audit.record('config.change', cfg.policy, e.ok ? { policySha256: e.sha256, changes: e.changes } : { refused: e.error.slice(0, 1000) }));
  const current = () => policy.holder.current();
  const opened = openDesk(cfg, store.db, trust, log, audit);
  const { holder, catalogue, calendar, settings, desk } = opened;
  const notifier = startNotifier({ db: store.db, queue: store.notifications, cfg: cfg.notify, log, phoneOf: applicantPhone(store.db) });
  const loop = new LoopDelay();
  // The re-check parses and inspects every applicant packet again, in workers: the stamp stage then
  // never holds the loop that answers the link's heartbeats.
  const inspect = inspectPoolFor(cfg.inspect, log);
  // Large packets are sealed and opened in a worker, never on this loop, and kept in the blob store.
  const crypto = startCryptoPool(keys, store.blobs, log);
  let link: LinkClient | null = null;
  const announce = announceOver({ keys, revocation: revocation.holder, dataDir: cfg.dataDir, log }, () => link);
  const path = wirePacketPath({
    db: store.db, store, keys, crypto, policy: current, trust, log, audit, desk, inspect, tsa, catalogue,
    intranetDomain: cfg.domains.self, maxOutbox: cfg.maxOutbox, maxRejected: cfg.maxRejected, whenUntrusted: cfg.time.whenUntrusted,
    resultSigner: prepareTokenSigner(keys.signKey, keys.signCert),
    pump: () => link?.pump(),
  });
  const linkReplay = startLinkReplay({ db: store.db, blobs: store.blobs, outbox: store.outbox, cfg: cfg.link, log, audit, registry: metrics.registry });
  link = new LinkClient({
    url: cfg.link.url, onReplayRequested: linkReplay.onReplayRequested, tls, peer: { ...cfg.link.peer, revocation: revocation.holder }, gatewayId: 'internal', window: cfg.link.window,
    heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    backoffBaseMs: cfg.link.backoffBaseMs, backoffCapMs: cfg.link.backoffCapMs,
    auditHead: audit.link.auditHead, onAuditHead: audit.link.onAuditHead,
    onPeerCatalogue: catalogueResync(store.db, path.republishCatalogue, log), keyAnnouncer: keyAnnouncer(announce),
  }, linkReplay.serve(outboxSource(store.outbox, path.held, log, { countRefusal: metrics.packetRefused }, Date.now, { store: store.blobs, wake: () => link?.pump() })),
  path.inbox, log, metrics.link.onState);
  const replay = startRejectedReplay(path.inbox, log);
  audit.link.send = (h) => link?.sendAuditHead(h);
  path.flushOut(); link.start(); path.stamper.kick();
  // Staff actions taken through the CLI (another process) leave events in the table: pick them up.
  const drainTimer = setInterval(path.flushOut, 1000);
  const monitor = startSupervisionMonitor({ db: store.db, clock: trust, settings: settings.supervision, calendar, log, intervalMs: cfg.approval.monitorIntervalSeconds * 1000 });

  const operator = await startOperatorSurface({ base: internalProbe(cfg, store, link, path.inbox.rejected, trust, () => catalogue.items.length, { keys, linkTls: tls.leaf, tsa: tsaCert }),
    db: store.db, dataDir: cfg.dataDir, operator: cfg.operator, caFile: cfg.keys.ca, metrics, log, storage: StorageWatch.started(cfg.dataDir, cfg.storage, log), intake: null });
  // After the status socket, which refuses a second gateway on this dataDir before a live file is removed.
  const catalogueReload = await startCatalogueReload({ holder, dir: cfg.approval.items, dataDir: cfg.dataDir, audit, log, republish: path.flushOut });
  const http = await buildIntranetHttp({
    health: () => ({ ...operator.health().body, inspect: inspect.stats(), eventLoop: loop.report() }),
    respondTsa: (req) => (trust.state() !== 'untrusted' ? tsa.respond(req) : null),
    untrustedReason: () => trust.reason(),
    register: intranetRoutes(opened, store, trust, log, path.flushOut),
    tls: intranetTls, clientCerts: cfg.intranet.clientCerts, limits: cfg.intranet.limits,
  });
  observeHttp(http, metrics.http, 'intranet');
  await inspect.ready();
  await http.listen({ host: cfg.intranet.host, port: cfg.intranet.port });
  const addr = http.server.address();
  const intranetPort = typeof addr === 'object' && addr ? addr.port : cfg.intranet.port;
  const lifecycle = keepKeys(cfg, { keys, revocation, log, operator, announce, link: () => link, tls, intranetTls, tsaCert, http });
  log.info({ intranetPort, dialing: cfg.link.url, time: trust.state(), items: catalogue.items.length }, 'internal gateway started');
  loop.ready();
  return {
    intranetPort, operatorPort: operator.port,
    async stop() {
      await lifecycle.stop();
      clearInterval(drainTimer);
      for (const part of [replay, linkReplay, notifier, monitor, policy, path.stamper]) part.stop();
      await inspect.close();
      await crypto.close();
      loop.stop();
      link?.stop();
      await Promise.all([operator.close(), catalogueReload.close()]);
      await http.close();
      await audit.stop();
      store.db.close();
    },
  };
}

/** Expiry warnings and SIGHUP reload over the internal gateway's key material and listeners. */
function keepKeys(cfg: InternalConfig, d: { keys: GatewayKeys; revocation: RevocationService; log: Logger; operator: OperatorListener; announce: AnnouncerDeps;
  link: () => LinkClient | null; tls: LoadedTls; intranetTls: LoadedTls; tsaCert: X509Certificate; http: FastifyInstance }): { stop(): void } {
  return startKeyLifecycle({
    keys: d.keys, keyFiles: cfg.keys, peerFiles: cfg.peer, revocation: d.revocation.holder, revocationService: d.revocation, log: d.log, operator: d.operator, announce: d.announce, link: d.link,
    fixedCerts: [{ role: 'tsa', cert: d.tsaCert }],
    listeners: [
      { name: 'link TLS', label: 'link_tls', files: cfg.link.tls, role: 'internal-gateway-link', leaf: d.tls.leaf, apply: (t) => d.link()?.setTls(t) },
      { name: 'intranet TLS', label: 'intranet_tls', files: cfg.intranet.tls, role: 'intranet-server', leaf: d.intranetTls.leaf,
        apply: (t) => (d.http.server as HttpsServer).setSecureContext({ ...HARDENED_TLS_SERVER, key: t.key, cert: t.cert, ca: t.ca }) },
    ],
  });
}

/** The approval desk this gateway hosts: catalogue, calendar, settings, the desk and staff sign-in,
 *  every staff action written to the audit chain. */
function openDesk(cfg: InternalConfig, db: Db, trust: TimeTrust, log: Logger, audit: GatewayAudit) {
  const holder = new CatalogueHolder(cfg.approval.items);
  const catalogue = holder.view;
  const calendar = loadCalendar(cfg.approval.calendar);
  const settings = deskSettings(cfg.approval);
  const departments = [...new Set(catalogue.items.flatMap((i) => [i.leadDepartment, ...i.parallelDepartments].map((d) => d.code)))];
  const staffAudit: StaffAuditFn = (action, subject, detail) => { const e = staffActionEntry(action, subject, detail); audit.record(e.action, e.subject, e.detail); };
  const desk = createApprovalDesk({ db, catalogue, calendar, clock: trust, settings, log, audit: staffAudit });
  const auth = createStaffAuth({ db, clock: trust, settings, log, departments, audit: staffAudit });
  return { holder, catalogue, calendar, settings, desk, auth };
}

/** The intranet listener's people: the staff API, the hall board and the workbench, over one desk. */
function intranetRoutes(o: ReturnType<typeof openDesk>, store: InternalStore, trust: TimeTrust, log: Logger, flush: () => void) {
  return async (app: FastifyInstance): Promise<void> => {
    await registerStaffApi(app, { desk: o.desk, auth: o.auth, log, afterAction: flush });
    registerBoard(app, hallBoard(o.desk, o.catalogue, trust));
    registerWorkbench(app, { desk: o.desk, auth: o.auth, clock: trust, log, yellowShare: o.settings.supervision.yellowShare, requestBody: (id) => store.cases.requestBody(id), afterAction: flush });
  };
}
