// The receiving end of the link, common to both gateways: open each packet, drop duplicates by id,
// keep refused packets with their reason, hand the rest to the kind's handler, and commit the whole
// batch in one SQLite transaction before any of it is acknowledged.
//
// A large packet (above DEFAULT_OFFLOAD_BYTES) is opened in a crypto worker BEFORE the transaction
// (a better-sqlite3 transaction cannot span an await), at the same trusted-clock reading the commit
// then uses; the verdict is the same openPacket's, only computed elsewhere. Small packets are opened
// inside the commit, as before.
import type { Db } from '../store/db.js';
import { LinkWatermark, SeenPackets } from '../store/seen-packets.js';
import { RejectedPackets } from '../store/rejected-packets.js';
import { openPacket, type OpenContext, type OpenedPacket } from '../seal/open.js';
import type { KindName } from '../seal/packet-kind.js';
import type { IncomingPacket, PacketSink, RefusedPacket, SinkResult } from '../link/session.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from './logger.js';
import type { FerryErrorCode } from '../errors.js';
import type { Quarantine } from '../store/quarantine.js';
import { withSavepoint } from '../store/savepoint.js';
import type { OpenResult } from '../seal/open.js';
import type { CryptoPool } from './crypto-pool.js';
import { DEFAULT_OFFLOAD_BYTES } from './crypto-limits.js';
import type { BlobStore } from '../store/blobs.js';

/** A handler runs inside the batch transaction. It returns null when the packet is delivered, or a
 *  refusal (code + detail) when its content breaks a rule; the packet is then kept as rejected. */
export type KindHandler = (p: OpenedPacket, now: number, raw: Buffer) => { code: FerryErrorCode; detail: string } | null;

/** A check of an opened, authentic packet before its handler runs (freshness, domain policy). A
 *  refusal puts the packet in quarantine: kept, not delivered, for an operator to release or reject. */
export type Admit = (p: OpenedPacket, now: Date) => { code: FerryErrorCode; detail: string; rule: string } | null;

export interface InboxOptions {
  db: Db;
  open: Omit<OpenContext, 'now'>;
  clock: Clock;
  admit: Admit;
  quarantine: Quarantine;
  handlers: Partial<Record<KindName, KindHandler>>;
  log: Logger;
  /** Called after a batch commits (e.g. to pump the outbox the handlers wrote to). */
  afterCommit?: () => void;
  /** Packets taken but not yet delivered (the stamp queue): the link slows the sender above a mark. */
  backlog?: () => number;
  /** Records each packet taken in (inside the batch transaction). */
  onAccepted?: (p: OpenedPacket) => void;
  /** Where refused packets are kept (digest + bounded prefix, capped); default: the default cap. */
  rejected?: RejectedPackets;
  /** Records each packet that failed to open (kept in rejected_packets). */
  onRejected?: (packetId: string | null, code: FerryErrorCode, detail: string) => void;
  /** Opens packets above `offloadBytes` off the loop; without it every packet is opened in the commit. */
  crypto?: Pick<CryptoPool, 'open'>;
  /** Default DEFAULT_OFFLOAD_BYTES. */
  offloadBytes?: number;
  /** A large packet that opened is written here (fsync'd) before the batch commits, so a handler's
   *  row can name it instead of holding its bytes (the stamp queue); released after the commit if no
   *  row does (a duplicate, a refusal). */
  blobs?: Pick<BlobStore, 'put' | 'release'>;
}

/** The inbox as the link sees it, with `acceptNow` for a caller that must stay synchronous (a retry
 *  of one rejected packet an operator asked for): it opens every packet on the loop. */
export type Inbox = PacketSink & { rejected: RejectedPackets; acceptNow(batch: readonly IncomingPacket[]): SinkResult; replayFrom(): number };

export function createInbox(o: InboxOptions): Inbox {
  const seen = new SeenPackets(o.db);
  const watermark = new LinkWatermark(o.db);
  const rejected = o.rejected ?? new RejectedPackets(o.db);
  const step = withSavepoint<{ code: FerryErrorCode; detail: string }>(o.db);

  const commit = o.db.transaction((batch: readonly IncomingPacket[], now: Date, opened: readonly (OpenResult | null)[]) => {
    const acks: Buffer[] = [];
    // Could not open or verify: kept here AND refused back, so the sender holds it (PROTOCOL.md §6 rule 10).
    const refused: RefusedPacket[] = [];
    for (const [i, f] of batch.entries()) {
      const frameId = f.packetId.toString('hex');
      const r = opened[i] ?? openPacket(f.bytes, { ...o.open, now });
      if (!r.ok) {
        rejected.add(r.packetId ?? null, r.code, r.detail, f.bytes, now.getTime());
        o.onRejected?.(r.packetId ?? frameId, r.code, r.detail);
        o.log.warn({ packet: r.packetId ?? frameId, stage: 'open', code: r.code, detail: r.detail }, 'packet refused');
        refused.push({ packetId: f.packetId, code: r.code, detail: r.detail });
        continue;
      }
      const p = r.packet;
      const id = p.packetId.toString('hex');
      const refuse = (code: FerryErrorCode, detail: string, rule: string) => {
        o.quarantine.hold({ packetId: id, code, rule, detail, bytes: f.bytes, receivedAt: now.getTime() });
        seen.record(p.packetId, p.kind, p.caseId, code, now.getTime());
        o.log.warn({ packet: id, case: p.caseId, kind: p.kind, from: p.fromDomain, to: p.toDomain, stage: 'check', code, rule, detail }, 'packet quarantined');
      };
      if (id !== frameId) {
        const detail = `frame names packet ${frameId}, header ${id}`;
        rejected.add(id, 'FERRY_ERR_LINK_FRAME', detail, f.bytes, now.getTime());
        refused.push({ packetId: f.packetId, code: 'FERRY_ERR_LINK_FRAME', detail });
        continue;
      }
      acks.push(f.packetId);
      // Committed from here on (delivered, duplicate or quarantined): the replay watermark moves with it.
      if (f.seq) watermark.advance(p.fromDomain, f.seq, now.getTime());
      if (seen.has(p.packetId)) { o.log.info({ packet: id, case: p.caseId, stage: 'dedupe' }, 'duplicate packet dropped'); continue; }
      const bar = o.admit(p, now);
      if (bar) { refuse(bar.code, bar.detail, bar.rule); continue; }
      const handler = o.handlers[p.kind];
      if (!handler) { refuse('FERRY_ERR_POLICY_KIND', `no delivery for kind ${p.kind} on this gateway`, 'default-deny'); continue; }
      const verdict = step(() => handler(p, now.getTime(), f.bytes));
      if (verdict) { refuse(verdict.code, verdict.detail, 'delivery'); continue; }
      seen.record(p.packetId, p.kind, p.caseId, 'delivered', now.getTime());
      o.onAccepted?.(p);
      o.log.info({ packet: id, case: p.caseId, kind: p.kind, stage: 'deliver' }, 'packet delivered');
    }
    return { acks, refused };
  });

  const offload = o.offloadBytes ?? DEFAULT_OFFLOAD_BYTES;
  const acceptNow = (batch: readonly IncomingPacket[]): SinkResult => {
    const r = commit(batch, o.clock.now(), []);
    o.afterCommit?.();
    return r;
  };
  return {
    rejected,
    acceptNow,
    accept(batch) {
      const crypto = o.crypto;
      return crypto && batch.some((f) => f.bytes.length > offload) ? acceptOffloaded(o, seen, commit, batch, crypto, offload) : acceptNow(batch);
    },
    backlog: o.backlog ?? (() => 0),
    replayFrom: () => watermark.high(),
  };
}

function pick(c: Omit<OpenContext, 'now'>): { maxPacketBytes?: number; maxBodyBytes?: number } {
  return { ...(c.maxPacketBytes !== undefined ? { maxPacketBytes: c.maxPacketBytes } : {}), ...(c.maxBodyBytes !== undefined ? { maxBodyBytes: c.maxBodyBytes } : {}) };
}

type BatchCommit = (batch: readonly IncomingPacket[], now: Date, opened: readonly (OpenResult | null)[]) => SinkResult;

/** Opens the large packets in the worker, then commits the batch at the same clock reading. The
 *  worker hands each packet's bytes back (they moved there): the batch keeps those. */
async function acceptOffloaded(o: InboxOptions, seen: Pick<SeenPackets, 'has'>, commit: BatchCommit, batch: readonly IncomingPacket[], crypto: Pick<CryptoPool, 'open'>, offload: number): Promise<SinkResult> {
  const now = o.clock.now();
  const frames = [...batch];
  const written: Buffer[] = [];
  const opened = await Promise.all(frames.map(async (f, i) => {
    if (f.bytes.length <= offload) return null;
    const r = await crypto.open(f.bytes, { now, ...pick(o.open) });
    frames[i] = { packetId: f.packetId, bytes: r.bytes };
    // A duplicate (a resend, a replay) is acknowledged without being stored: no write, fsync and unlink.
    if (r.result.ok && o.blobs && !seen.has(r.result.packet.packetId)) written.push(await o.blobs.put(r.bytes, r.sha256));
    return r.result;
  }));
  try {
    return commit(frames, now, opened);
  } finally {
    for (const digest of written) o.blobs?.release(digest);
    o.afterCommit?.();
  }
}
