// Internal side: dials OUT to the external gateway (the intranet accepts no inbound connection) and
// keeps the link up: reconnect with capped exponential backoff and jitter, pinned server identity.
import WebSocket from 'ws';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { DEFAULT_MAX_PACKET_BYTES } from '../seal/limits.js';
import { createBackoff } from './backoff.js';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './limits.js';
import { checkPeer, LINK_CLIENT_PEER_ROLE, type PeerPinConfig } from './peer-identity.js';
import { LinkSession, type AuditHeadFrame, type PacketSink, type PacketSource, type PeerHello, type SessionLog, type SessionOptions } from './session.js';
import { TLS_BASE, type TlsMaterial } from './tls-material.js';

export interface LinkClientOptions extends SessionOptions {
  url: string;          // wss://host:port/link
  tls: TlsMaterial;
  peer: PeerPinConfig;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The external gateway's Hello named the catalogue it serves ("" for none): the internal gateway
   *  republishes when it differs from what it last published (src/gateway/catalogue-resync.ts). */
  onPeerCatalogue?: (sha256: string) => void;
}

export class LinkClient {
  private session: LinkSession | null = null;
  private ws: WebSocket | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff;
  /** Last frame of an ended session: the age keeps growing while the link is down. */
  private lastFrameOfEnded: number | null = null;
  /** The certificate the server presented on the live session, for recheckPeer. */
  private peerCert: PeerCertificate | null = null;
  /** The certificate this side presented on the live session. */
  private ownCert: PeerCertificate | null = null;

  constructor(private readonly opts: LinkClientOptions, private readonly source: PacketSource,
    private readonly sink: PacketSink, private readonly log: SessionLog, private readonly onState?: (up: boolean) => void) {
    this.backoff = createBackoff(opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS, opts.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS);
  }

  start(): void { this.dial(); }

  pump(): void { this.session?.pump(); }
  sendAuditHead(h: AuditHeadFrame): void { this.session?.sendAuditHead(h); }
  /** Announces this side's encryption certificate again (after a reload). */
  sendKeyAnnounce(): void { this.session?.sendKeyAnnounce(); }
  /** The link certificate this side presented on the live session (our key announcement names it). */
  get ownCertificateDer(): Buffer | null { return this.session && this.ownCert?.raw ? Buffer.from(this.ownCert.raw) : null; }
  /** The link certificate the peer presented on the live session (a key announcement is bound to it). */
  get peerCertificateDer(): Buffer | null { return this.session && this.peerCert?.raw ? Buffer.from(this.peerCert.raw) : null; }
  get connected(): boolean { return this.session?.isReady ?? false; }
  /** When the peer last sent a frame (ms since the epoch) on this or an earlier session; null if never. */
  get lastFrameAt(): number | null { return this.session?.lastFrameAt ?? this.lastFrameOfEnded; }

  /** Checks the live session's peer again (after a CRL refresh or a reload): a peer revoked since the
   *  handshake loses its session now; the redial's handshake then refuses it. */
  recheckPeer(): void {
    if (!this.session || !this.peerCert) return;
    const why = checkPeer(this.peerCert, { ...this.opts.peer, role: LINK_CLIENT_PEER_ROLE });
    if (why) { this.log.warn({ reason: why }, 'link peer no longer acceptable; closing the session'); this.session.close(why.slice(0, 120)); }
  }

  /** New TLS material (SIGHUP). The client presents its certificate only in a handshake, so the live
   *  session is closed and redialled with it; what was in flight is resent (unacked packets stay in
   *  the outbox, and the receiver drops duplicates by packet id). */
  setTls(tls: TlsMaterial): void {
    (this.opts as { tls: TlsMaterial }).tls = tls;
    if (this.session) this.session.close('link TLS material reloaded; redialling with it');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.session?.close();
    this.ws?.terminate();
  }

  private dial(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, {
      ...TLS_BASE, key: this.opts.tls.key, cert: this.opts.tls.cert, ca: this.opts.tls.ca,
      maxPayload: DEFAULT_MAX_PACKET_BYTES + 1024, perMessageDeflate: false, handshakeTimeout: 10_000,
      // Replaces the hostname check: the peer is known by its pinned certificate identity.
      checkServerIdentity: ((_host: string, cert: PeerCertificate) => {
        const why = checkPeer(cert, { ...this.opts.peer, role: LINK_CLIENT_PEER_ROLE });
        if (!why) this.peerCert = cert;
        return why ? new Error(why) : undefined;
      }) as unknown as (servername: string, cert: unknown) => boolean,
    });
    this.ws = ws;
    ws.on('upgrade', (res) => { this.ownCert = (res.socket as TLSSocket).getCertificate() as PeerCertificate | null; });
    let opened = false;
    ws.on('open', () => {
      opened = true;
      const opts = { ...this.opts, onPeerHello: (h: PeerHello) => { this.opts.onPeerHello?.(h); this.opts.onPeerCatalogue?.(h.catalogueSha256); } };
      this.session = new LinkSession(ws, this.source, this.sink, this.log, opts, (reason) => {
        this.lastFrameOfEnded = this.session?.lastFrameAt ?? this.lastFrameOfEnded;
        this.session = null;
        this.onState?.(false);
        this.log.info({ reason }, 'link down');
        this.retry();
      }, () => {
        // Reset only once the session proved healthy (an ack, or DEFAULT_HEALTHY_SESSION_MS up): a peer
        // that upgrades and then refuses (another version, 1011 when it cannot commit) is a failed dial.
        this.backoff.reset();
      });
      this.onState?.(true);
    });
    ws.on('error', (e) => { this.log.warn({ err: e.message }, 'link dial failed'); });
    ws.on('close', () => { if (!opened) this.retry(); });
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff.next();
    this.timer = setTimeout(() => { this.timer = null; this.dial(); }, delay);
  }
}
