// What a link session is given and what it gives back, on both ends: the local outbox as a packet
// source, the local inbox as a packet sink, the options, and the Hello features (PROTOCOL.md §6). Kept
// apart from the session's state machine (session.ts) so the gateways, the stores and the replay can
// name the contract without reading the machine.
import type { Frame } from './frame-codec.js';
import type { ReplaySource } from './replay.js';

export interface OutgoingPacket { seq: number; packetId: Buffer; bytes: Buffer }

/** A packet the receiver could not open or verify, refused back to its sender with the code. */
export interface RefusedPacket { packetId: Buffer; code: string; detail: string }

/** The link feature a side announces in Hello when its source takes refusals (PROTOCOL.md §6 rule 10). */
export const FEATURE_REFUSAL = 'refusal';
/** The link feature a side announces in Hello when it sends and takes KeyAnnounce frames (PROTOCOL.md §6a). */
export const FEATURE_KEY_ANNOUNCE = 'key-announce';

export type KeyAnnounceFrame = Omit<Extract<Frame, { type: 'keyAnnounce' }>, 'type'>;

/** The encryption-certificate announcement, both ways: what to announce, and what to do with the peer's. */
export interface KeyAnnouncer {
  /** This side's current announcement (signed), or null when there is nothing to announce. */
  make(): KeyAnnounceFrame | null;
  /** The peer's announcement; the receiver judges it (identity, chain, role, revocation) and adopts it or not. */
  receive(f: KeyAnnounceFrame): void;
}

/** The local outbox, as the link sees it. */
export interface PacketSource {
  after(seq: number, limit: number): OutgoingPacket[];
  acknowledge(ids: readonly Buffer[]): void;
  /** Keeps refused packets out of the send order (held) instead of deleting them. A source without it
   *  does not announce FEATURE_REFUSAL, and its peer acknowledges what it cannot open (the old rule). */
  refuse?(refused: readonly RefusedPacket[]): void;
  /** A new session is up (the peer may have restarted with fixed keys): put held packets back in line. */
  sessionStarted?(): void;
  /** Acknowledged packets kept for a peer restored from a backup. A source with it announces
   *  FEATURE_REPLAY and answers ReplayRequest (src/link/replay.ts). */
  replay?: ReplaySource;
}

/** `seq` is the sender's outbox seq when it sent one (a peer from before replay does not). */
export interface IncomingPacket { packetId: Buffer; bytes: Buffer; seq?: number }

/** What the inbox did with a committed batch: `acks` it took responsibility for (delivered, duplicate,
 *  quarantined), `refused` it could not open and kept as evidence. A plain array means all acks. */
export type SinkResult = Buffer[] | { acks: Buffer[]; refused: RefusedPacket[] };

/** The local inbox: commits a batch durably and says, per packet, ack or refuse. */
export interface PacketSink {
  /** May answer later (a large packet opened off the loop first): the session then holds further
   *  batches until this one has committed, so batches commit in the order they arrived. */
  accept(batch: readonly IncomingPacket[]): SinkResult | Promise<SinkResult>;
  backlog(): number;
  /** The highest sender seq this side has committed (its replay watermark); 0 asks for nothing. */
  replayFrom?(): number;
}

/** What the peer said about itself in its Hello. */
export interface PeerHello { gatewayId: string; features: readonly string[]; catalogueSha256: string }

export interface SessionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SessionOptions {
  gatewayId: string;
  window?: number;
  windowBytes?: number;
  heartbeatMs?: number;
  deadAfterMs?: number;
  backlogHigh?: number;
  backlogLow?: number;
  /** See DEFAULT_HEALTHY_SESSION_MS. */
  healthyAfterMs?: number;
  /** The peer's newest anchored audit head arrived (src/audit/peer-heads.ts checks and keeps it). */
  onAuditHead?: (h: AuditHeadFrame) => void;
  /** This side's newest anchored audit head, sent once the peer's Hello is accepted. */
  auditHead?: () => AuditHeadFrame | null;
  /** The catalogue hash this side serves, sent in Hello (external gateway); "" when none. */
  catalogueSha256?: () => string;
  /** The peer's Hello was accepted (the internal gateway republishes the catalogue when it differs). */
  onPeerHello?: (h: PeerHello) => void;
  /** Encryption-certificate announcements (FEATURE_KEY_ANNOUNCE); none: the feature is not offered. */
  keyAnnouncer?: KeyAnnouncer;
  /** This side asked the peer for a replay after `fromSeq` (for the audit trail). */
  onReplayRequested?: (fromSeq: number) => void;
}

export type AuditHeadFrame = Omit<Extract<Frame, { type: 'auditHead' }>, 'type'>;
