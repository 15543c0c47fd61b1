// Wires replay after a restore (PROTOCOL.md §6 rule 13) into a gateway: acknowledged packets move
// from the outbox to outbox_retained at the ack, are pruned by age and byte cap on a timer, and are
// sent again when the peer asks. A request from below the retention window is answered with what is
// retained AND an alarm (error log naming the gap, ferry_replay_gap_packets_total, audit entry): never silence.
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import { OutboxRetained, type RetainedBlobs } from '../store/outbox-retained.js';
import type { PacketSource } from '../link/session.js';
import type { ReplaySource } from '../link/replay.js';
import type { GatewayAudit } from './audit.js';

/** How often retained packets are pruned: a minute is fine-grained against hours of retention. */
export const REPLAY_PRUNE_INTERVAL_MS = 60_000;

export interface ReplayConfig { readonly replayRetentionHours: number; readonly replayRetentionMaxBytes: number }

export interface ReplayLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LinkReplayDeps {
  db: Db; outbox: Outbox; cfg: ReplayConfig; log: ReplayLog; audit: Pick<GatewayAudit, 'record'>;
  /** The gateway's metrics registry: ferry_replay_gap_packets_total is registered in it. */
  registry: Registry;
  /** Large retained packets are read back from here (their bytes stay in the blob file). */
  blobs?: RetainedBlobs;
  now?: () => number;
}

export interface LinkReplay {
  retained: OutboxRetained;
  /** `source` with replay served from the retained packets. */
  serve(source: PacketSource): PacketSource;
  /** The session option that audits this side's own request. */
  onReplayRequested(fromSeq: number): void;
  /** Prunes now (also run every REPLAY_PRUNE_INTERVAL_MS until stop). */
  prune(): void;
  stop(): void;
}

export function startLinkReplay(d: LinkReplayDeps): LinkReplay {
  const now = d.now ?? Date.now;
  const retained = new OutboxRetained(d.db, d.blobs);
  d.outbox.onAcknowledge((id) => retained.retain(id, now()));
  const gapPackets = new Counter({
    name: 'ferry_replay_gap_packets_total', registers: [d.registry],
    help: 'Packets a restored peer asked to have replayed that were already pruned from retention (lost unless re-filed).',
  });
  gapPackets.inc(0);
  const maxAgeMs = d.cfg.replayRetentionHours * 3_600_000;
  const prune = () => {
    const r = retained.prune(now(), maxAgeMs, d.cfg.replayRetentionMaxBytes);
    if (r.pruned) d.log.info({ stage: 'replay', pruned: r.pruned, prunedThrough: r.prunedThrough }, 'retained packets pruned');
  };
  prune();
  const timer = setInterval(prune, REPLAY_PRUNE_INTERVAL_MS);
  timer.unref();

  const replay: ReplaySource = {
    begin(fromSeq) {
      const p = retained.plan(fromSeq);
      if (p.gap > 0) {
        gapPackets.inc(p.gap);
        d.log.error({ stage: 'replay', fromSeq, gapFrom: fromSeq + 1, gapTo: p.prunedThrough, gap: p.gap, retainedFrom: p.retainedFrom, packets: p.packets },
          `replay gap: the peer asks from seq ${fromSeq + 1} but seqs up to ${p.prunedThrough} were pruned (${p.gap} packets cannot be replayed; raise link.replayRetentionHours and check cases filed in that span)`);
      } else {
        d.log.info({ stage: 'replay', fromSeq, packets: p.packets }, 'replay requested by the peer');
      }
      d.audit.record('link.replay', `from-seq:${fromSeq}`, { role: 'served', fromSeq, packets: p.packets, gap: p.gap, retainedFrom: p.retainedFrom, prunedThrough: p.prunedThrough });
    },
    after: (fromSeq, cursor, limit) => retained.after(fromSeq, cursor, limit),
  };
  return {
    retained,
    serve: (source) => ({ ...source, replay }),
    onReplayRequested(fromSeq) {
      d.audit.record('link.replay', `from-seq:${fromSeq}`, { role: 'requested', fromSeq });
    },
    prune,
    stop() { clearInterval(timer); },
  };
}
