// The internal gateway process: dials out to the external gateway, opens and re-checks every packet,
// stamps it with the intranet TSA once time is trusted, checks it against the domain policy, and
// hands it to the approval desk; the desk's events and the catalogue go back out as packets.
import type { InternalConfig } from '../config/gateway-config.js';
import { loadGatewayKeys, loadTls } from '../gateway/keys.js';
import { createInbox } from '../gateway/inbox.js';
import { RejectedPackets } from '../store/rejected-packets.js';
import { outboxSource } from '../gateway/outbox-source.js';
import { OutboxHeld } from '../store/outbox-held.js';
import { catalogueResync } from '../gateway/catalogue-resync.js';
import { startRejectedReplay } from '../gateway/rejected-replay.js';
import type { Logger } from '../gateway/logger.js';
import { admitPackets } from '../gateway/admit.js';
import { loadPolicy } from '../gateway/policy.js';
import { LinkClient } from '../link/client.js';
import type { TimeTrust } from '../time/time-trust.js';
import { loadCatalogue } from '../approval/catalogue.js';
import { loadCalendar } from '../approval/calendar.js';
import { createApprovalDesk, createStaffAuth, deskSettings, registerStaffApi, startSupervisionMonitor } from '../desk/index.js';
import { deliverSubmission, prepareSubmission, queueSubmission } from './deliver-submission.js';
import { deliverAction, prepareAction, queueAction } from './deliver-action.js';
import { createDrain, publishCatalogue } from './approval-wiring.js';
import { prepareTokenSigner } from '../time/tsa-token.js';
import { notificationText, startNotifier } from './notifier.js';
import { buildIntranetHttp } from './intranet-http.js';
import { Stamper } from './stamper.js';
import { openInternalStore } from './store.js';
import { createTsa } from './tsa-service.js';
import { auditHooks, startAudit } from '../gateway/audit.js';
import { SignatureAnchorer, TsaAnchorer } from '../audit/anchor.js';
import { staffActionEntry, type StaffAuditFn } from '../audit/staff-action.js';
import { X509Certificate } from 'node:crypto';
import { InspectPool } from '../gateway/inspect-pool.js';
import { LoopDelay } from '../gateway/loop-delay.js';
import { loadCertificate, loadPrivateKey } from '../pki/key-files.js';
import { createGatewayMetrics } from '../gateway/metrics.js';
import { observeHttp } from '../gateway/http-metrics.js';
import { startOperatorListener } from '../gateway/operator-http.js';
import { internalProbe } from './probe.js';

export interface RunningInternal { intranetPort: number; operatorPort: number; stop(): Promise<void> }

export async function startInternal(cfg: InternalConfig, log: Logger, trust: TimeTrust, configFile: string): Promise<RunningInternal> {
  const keys = loadGatewayKeys(cfg.keys, cfg.peer);
  const tls = loadTls(cfg.link.tls, cfg.keys.ca);
  const store = openInternalStore(cfg.dataDir);
  const metrics = createGatewayMetrics('internal');
  const { tsa, cert: tsaCert } = createTsa(cfg.tsa, cfg.keys.ca, store.db, trust, (e) => log.error({ stage: 'tsa', err: String(e) }, 'TSA fault'), metrics.tokenIssued);
  // The chain head is anchored with the intranet TSA (RFC 3161) while time is trusted, and signed always.
  const audit = startAudit({
    db: store.db, gateway: 'internal', clock: trust, log, configFile,
    anchorers: [
      new SignatureAnchorer(loadPrivateKey(cfg.keys.signKey), new X509Certificate(keys.seal.signCertDer)),
      new TsaAnchorer(async (digest) => {
        if (trust.state() === 'untrusted') throw new Error('time not trusted: no RFC 3161 anchor now');
        // Under the anchor policy OID, which POST /tsa never issues under (src/time/tsa-issue.ts).
        return tsa.stamp(digest, 'SHA-256', { certReq: true, purpose: 'audit-anchor' });
      }),
    ],
    certificates: { sign: new X509Certificate(keys.seal.signCertDer), tls: loadCertificate(cfg.link.tls.cert), tsa: tsaCert, ca: loadCertificate(cfg.keys.ca) },
    intervalMs: cfg.audit.anchorIntervalMs, peerSigners: keys.signers,
  });
  const hooks = auditHooks(audit, store);
  trust.onChange((state, reason) => audit.record('time.trust', state, { reason }));
  const policy = loadPolicy(cfg.policy, log, (e) => audit.record('config.change', cfg.policy, e.ok ? { policySha256: e.sha256, changes: e.changes } : { refused: e.error.slice(0, 1000) }));
  const current = () => policy.holder.current();

  const catalogue = loadCatalogue(cfg.approval.items);
  const calendar = loadCalendar(cfg.approval.calendar);
  const settings = deskSettings(cfg.approval);
  const departments = [...new Set(catalogue.items.flatMap((i) => [i.leadDepartment, ...i.parallelDepartments].map((d) => d.code)))];
  const staffAudit: StaffAuditFn = (action, subject, detail) => { const e = staffActionEntry(action, subject, detail); audit.record(e.action, e.subject, e.detail); };
  const desk = createApprovalDesk({ db: store.db, catalogue, calendar, clock: trust, settings, log, audit: staffAudit });
  const auth = createStaffAuth({ db: store.db, clock: trust, settings, log, departments, audit: staffAudit });
  const drainDeps = {
    db: store.db, store, desk, keys: keys.seal, policy: current, log, maxOutbox: cfg.maxOutbox, intranetDomain: cfg.domains.self,
    resultSigner: prepareTokenSigner(loadPrivateKey(cfg.keys.signKey), new X509Certificate(keys.seal.signCertDer)),
    notify: (e: Parameters<typeof notificationText>[0]) => {
      const text = notificationText(e);
      if (text) store.notifications.add(e.eventId, e.caseId, e.type, text, Date.now());
    },
  };
  const phoneStmt = store.db.prepare('SELECT applicant FROM case_submissions WHERE case_id = ?').pluck();
  const notifier = startNotifier({
    db: store.db, queue: store.notifications, cfg: cfg.notify, log,
    phoneOf: (caseId) => { const a = phoneStmt.get(caseId) as string | undefined; return a ? (JSON.parse(a) as { phone?: string }).phone ?? null : null; },
  });
  const drain = createDrain(drainDeps);
  const rejected = new RejectedPackets(store.db, cfg.maxRejected);

  let link: LinkClient | null = null;
  const flushOut = () => { drain(); link?.pump(); };
  const loop = new LoopDelay();
  // The re-check parses and inspects every applicant packet again, in workers: the stamp stage then
  // never holds the loop that answers the link's heartbeats.
  const inspect = new InspectPool({
    workers: cfg.inspect.workers, maxQueue: cfg.inspect.maxQueue, deadlineMs: cfg.inspect.deadlineMs,
    inflateBudgetBytes: cfg.inspect.requestInflateBytes, busyRetryAfterSeconds: cfg.inspect.busyRetryAfterSeconds, log,
  });
  const deps = { store, keys: keys.seal, policy: current, desk, inspect };
  const stamper = new Stamper({
    db: store.db, queue: store.stampQueue, tsa, trust, whenUntrusted: cfg.time.whenUntrusted, log,
    handlers: { submission: deliverSubmission(deps), supplement: deliverAction(deps), evaluation: deliverAction(deps) },
    prepare: (() => { const sub = prepareSubmission(deps); const act = prepareAction(deps); return (q) => (q.kind === 'submission' ? sub(q) : act(q)); })(),
    refuse: (q, code, detail, rule) => {
      const id = q.packetId.toString('hex');
      if (store.quarantine.hold({ packetId: id, code, rule, detail, bytes: q.packet, receivedAt: Date.now() })) {
        log.warn({ packet: id, case: q.caseId, from: q.fromDomain, stage: 'policy', code, rule, detail }, 'packet quarantined');
        return;
      }
      // Released from quarantine, and a check the release did not waive refused it: it is not delivered.
      // The quarantine decision is final, so the new refusal is kept (and audited) as a rejection.
      rejected.add(id, code, `after release from quarantine: rule ${rule}: ${detail}`, q.packet, Date.now());
      audit.record('packet.refused', id, { code, rule, detail: detail.slice(0, 500), afterRelease: true });
      log.warn({ packet: id, case: q.caseId, from: q.fromDomain, stage: 'policy', code, rule, detail }, 'released packet refused again');
    },
    afterCommit: flushOut,
  });
  const inbox = createInbox({
    db: store.db, clock: trust, log, quarantine: store.quarantine, admit: admitPackets('internal', current), rejected, ...hooks,
    open: { keys: keys.open, signers: keys.signers },
    handlers: { submission: queueSubmission(deps), supplement: queueAction(deps), evaluation: queueAction(deps) },
    afterCommit: () => stamper.kick(),
    backlog: () => store.stampQueue.count(),
  });
  link = new LinkClient({
    url: cfg.link.url, tls, peer: cfg.link.peer, gatewayId: 'internal', window: cfg.link.window,
    heartbeatMs: cfg.link.heartbeatMs, deadAfterMs: cfg.link.deadAfterMs,
    backoffBaseMs: cfg.link.backoffBaseMs, backoffCapMs: cfg.link.backoffCapMs,
    auditHead: audit.link.auditHead, onAuditHead: audit.link.onAuditHead,
    onPeerCatalogue: catalogueResync(store.db, () => publishCatalogue({ ...drainDeps, catalogue }), log),
  }, outboxSource(store.outbox, new OutboxHeld(store.db), log, { countRefusal: metrics.packetRefused }), inbox, log, metrics.link.onState);
  const replay = startRejectedReplay(inbox, log);
  audit.link.send = (h) => link?.sendAuditHead(h);
  publishCatalogue({ ...drainDeps, catalogue });
  link.start();
  stamper.kick();
  // Staff actions taken through the CLI (another process) leave events in the table: pick them up.
  const drainTimer = setInterval(flushOut, 1000);
  const monitor = startSupervisionMonitor({ db: store.db, clock: trust, settings: settings.supervision, calendar, log, intervalMs: cfg.approval.monitorIntervalSeconds * 1000 });

  const operator = await startOperatorListener(cfg.operator, internalProbe(cfg, store, link, rejected, trust, catalogue.items.length), metrics, cfg.keys.ca, log);
  const http = await buildIntranetHttp({
    health: () => ({ ...operator.health().body, inspect: inspect.stats(), eventLoop: loop.report() }),
    respondTsa: (req) => (trust.state() !== 'untrusted' ? tsa.respond(req) : null),
    untrustedReason: () => trust.reason(),
    register: (app) => registerStaffApi(app, { desk, auth, log, afterAction: flushOut }),
    tls: loadTls(cfg.intranet.tls, cfg.keys.ca), clientCerts: cfg.intranet.clientCerts, limits: cfg.intranet.limits,
  });
  observeHttp(http, metrics.http, 'intranet');
  await inspect.ready();
  await http.listen({ host: cfg.intranet.host, port: cfg.intranet.port });
  const addr = http.server.address();
  const intranetPort = typeof addr === 'object' && addr ? addr.port : cfg.intranet.port;
  log.info({ intranetPort, dialing: cfg.link.url, time: trust.state(), items: catalogue.items.length }, 'internal gateway started');
  loop.ready();
  return {
    intranetPort, operatorPort: operator.port,
    async stop() {
      clearInterval(drainTimer);
      replay.stop();
      notifier.stop();
      monitor.stop();
      policy.stop();
      stamper.stop();
      await inspect.close();
      loop.stop();
      link?.stop();
      await operator.close();
      await http.close();
      await audit.stop();
      store.db.close();
    },
  };
}
