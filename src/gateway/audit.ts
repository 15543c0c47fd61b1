// The gateway's audit chain: one AuditLog in its SQLite file, appended in the same transactions as the
// packets and decisions it records, anchored every ten minutes (signature; RFC 3161 on the intranet),
// with start/stop, config and certificate changes recorded at start.
import { withoutQuotedInput } from './quoted-input.js';
import { createHash, type X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Db } from '../store/db.js';
import { AuditLog } from '../audit/chain.js';
import { startAnchoring, type AnchorSchedule } from '../audit/anchor-schedule.js';
import type { Anchorer } from '../audit/anchor.js';
import type { AuditAction } from '../audit/actions.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from './logger.js';
import type { SentPacket } from './outbound.js';
import type { Quarantine } from '../store/quarantine.js';
import type { OpenedPacket } from '../seal/open.js';
import { newestOwnHead, PeerHeads, type PeerSignerCheck, type SignedHead } from '../audit/peer-heads.js';
import { DEFAULT_ANCHOR_INTERVAL_MS } from '../audit/limits.js';

/** What the link needs from the audit chain: the newest own head to send at each Hello, and where the
 *  peer's heads go. `send` is set once the link exists, to send each new signature anchor at once. */
export interface AuditLinkHooks {
  auditHead(): SignedHead | null;
  onAuditHead(h: SignedHead): void;
  send: ((h: SignedHead) => void) | null;
}

export interface GatewayAudit {
  log: AuditLog;
  /** Appends in its own transaction (or as a savepoint inside the caller's). Never throws to the caller. */
  record(action: AuditAction, subject: string, detail?: Record<string, unknown>, actor?: string): void;
  /** Heads to and from the peer gateway over the link (PROTOCOL.md §6 rule 9). */
  link: AuditLinkHooks;
  stop(): Promise<void>;
}

export interface AuditStart {
  db: Db; gateway: string; clock: Clock; log: Logger; anchorers: Anchorer[];
  configFile: string; certificates: Record<string, X509Certificate>; intervalMs?: number;
  /** The peer gateway's pinned signing identity: heads it sends are checked against it. */
  peerSigners: PeerSignerCheck;
}

export function startAudit(o: AuditStart): GatewayAudit {
  const audit = new AuditLog(o.db);
  const actor = `gateway:${o.gateway}`;
  const record: GatewayAudit['record'] = (action, subject, detail = {}, who = actor) => {
    try {
      audit.append({ at: o.clock.now(), actor: who, action, subject, detail });
    } catch (e) {
      // The audit chain failing is an incident, not a reason to crash mid-transaction elsewhere.
      o.log.error({ stage: 'audit', action, err: (e as Error).message }, 'audit append failed');
      throw e;
    }
  };

  const configSha256 = createHash('sha256').update(readFileSync(o.configFile)).digest('hex');
  const certs = Object.fromEntries(Object.entries(o.certificates).map(([k, c]) => [k, c.fingerprint256]));
  const last = o.db.prepare("SELECT detail FROM audit_entries WHERE action = 'gateway.start' ORDER BY seq DESC LIMIT 1").pluck().get() as string | undefined;
  const before = last ? (JSON.parse(last) as { configSha256?: string; certs?: Record<string, string> }) : null;
  o.db.transaction(() => {
    if (before && before.configSha256 !== configSha256) record('config.change', o.configFile, { from: before.configSha256, to: configSha256 });
    if (before && JSON.stringify(before.certs) !== JSON.stringify(certs)) record('cert.change', 'certificates', { from: before.certs ?? {}, to: certs });
    // The interval in force is in the chain, so `ferry audit verify` holds the anchors to it.
    record('gateway.start', o.gateway, { configSha256, certs, pid: process.pid, anchorIntervalMs: o.intervalMs ?? DEFAULT_ANCHOR_INTERVAL_MS });
  })();

  const peerHeads = new PeerHeads(o.db, o.peerSigners);
  const link: AuditLinkHooks = {
    auditHead: () => newestOwnHead(o.db),
    onAuditHead: (h) => {
      let v: ReturnType<PeerHeads['receive']>;
      try {
        v = peerHeads.receive(h, o.clock.now());
      } catch (e) {
        // The store failed (disk full): the head is lost, the next one replaces it; the link stays up.
        o.log.error({ stage: 'audit', err: (e as Error).message }, 'peer audit head not kept');
        return;
      }
      if (!v.ok) { o.log.error({ stage: 'audit', code: v.code, detail: v.detail }, 'peer audit head refused'); return; }
      const { record: r, stored, regress } = v.value;
      if (regress) o.log.error({ stage: 'audit', code: 'FERRY_ERR_AUDIT_PEER_MISMATCH', seq: r.seq, detail: regress }, 'peer audit chain went back: kept both heads');
      else if (stored) o.log.info({ stage: 'audit', peerHeadSeq: r.seq, at: new Date(r.at).toISOString() }, 'peer audit head kept');
    },
    send: null,
  };
  const schedule: AnchorSchedule = startAnchoring(audit, o.anchorers, {
    clock: o.clock, actor, ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}),
    onError: (err, kind) => o.log.warn({ stage: 'audit', kind, err: String(err) }, 'audit anchor failed; will retry'),
    onAnchor: () => {
      const h = link.send ? newestOwnHead(o.db) : null;
      if (h) link.send?.(h);
    },
  });
  return {
    log: audit,
    record,
    link,
    async stop() {
      record('gateway.stop', o.gateway, { pid: process.pid });
      await schedule.stop();
    },
  };
}

/** Hooks the chain into the quarantine, the inbox's outcomes and the way out (outbound.ts). */
export function auditHooks(a: GatewayAudit, store: { quarantine: Quarantine }) {
  // Details quote no input into the chain (src/gateway/quoted-input.ts): it is append-only.
  store.quarantine.onHold = (h) => a.record('packet.refused', h.packetId, { code: h.code, rule: h.rule, detail: withoutQuotedInput(h.detail), held: true });
  return {
    onSent: (p: SentPacket) => a.record('packet.out', p.packetId.toString('hex'), { kind: p.kind, case: p.caseId, bytes: p.bytes, to: p.to, rule: p.rule }),
    onAccepted: (p: OpenedPacket) => a.record('packet.in', p.packetId.toString('hex'), { kind: p.kind, case: p.caseId, from: p.fromDomain, to: p.toDomain, signer: p.signerSubject }),
    onRejected: (id: string | null, code: string, detail: string) => a.record('packet.refused', id ?? '', { code, detail: withoutQuotedInput(detail), held: false }),
  };
}
