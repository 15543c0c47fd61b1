// External side: accepts the internal gateway's outbound connection. Mutual TLS 1.3, pinned peer,
// one live session at a time (a reconnecting peer replaces its stale session).
import { createServer, type Server } from 'node:https';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { DEFAULT_MAX_PACKET_BYTES } from '../seal/limits.js';
import { checkPeer, LINK_SERVER_PEER_ROLE, type PeerPinConfig } from './peer-identity.js';
import { LinkSession, type AuditHeadFrame, type PacketSink, type PacketSource, type SessionLog, type SessionOptions } from './session.js';
import { TLS_BASE, type TlsMaterial } from './tls-material.js';
import { guardConnections, LINK_LIMITS, tlsServerTimeouts, type ConnectionLimits } from '../net/connection-guard.js';

export interface LinkServerOptions extends SessionOptions {
  host: string;
  port: number;
  path: string;
  tls: TlsMaterial;
  peer: PeerPinConfig;
  /** Connection caps and deadlines on the link port (default LINK_LIMITS: one peer, a few sockets). */
  limits?: ConnectionLimits;
}

export class LinkServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private session: LinkSession | null = null;
  /** Last frame of an ended session: the age keeps growing while the link is down. */
  private lastFrameOfEnded: number | null = null;
  /** The certificate the live session's peer presented, for recheckPeer. */
  private peerCert: DetailedPeerCertificate | null = null;
  /** The certificate this side presented on the live session (a reload changes it for the next one). */
  private ownCert: DetailedPeerCertificate | null = null;

  constructor(private readonly opts: LinkServerOptions, source: PacketSource, sink: PacketSink,
    private readonly log: SessionLog, onState?: (up: boolean) => void) {
    this.server = createServer({
      ...TLS_BASE, key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca,
      requestCert: true, rejectUnauthorized: true, ...tlsServerTimeouts(opts.limits ?? LINK_LIMITS),
    }, (_req, res) => { res.writeHead(426).end(); });
    // The link port faces the external network: bound it like the applicant port (no request bodies).
    guardConnections(this.server, opts.limits ?? LINK_LIMITS, 0);
    this.server.on('tlsClientError', (e) => log.warn({ err: e.message }, 'link TLS handshake refused'));
    this.wss = new WebSocketServer({
      server: this.server, path: opts.path, maxPayload: DEFAULT_MAX_PACKET_BYTES + 1024, perMessageDeflate: false,
      verifyClient: (info, cb) => {
        const why = checkPeer((info.req.socket as TLSSocket).getPeerCertificate(), { ...opts.peer, role: LINK_SERVER_PEER_ROLE });
        if (why) { log.warn({ reason: why }, 'link peer refused'); cb(false, 403, 'peer not pinned'); return; }
        cb(true);
      },
    });
    this.wss.on('connection', (ws, req) => {
      if (this.session) this.session.close('replaced by a new connection');
      this.peerCert = (req.socket as TLSSocket).getPeerCertificate(true);
      this.ownCert = (req.socket as TLSSocket).getCertificate() as DetailedPeerCertificate | null;
      const s = new LinkSession(ws, source, sink, log, opts, (reason) => {
        this.lastFrameOfEnded = Math.max(this.lastFrameOfEnded ?? 0, s.lastFrameAt ?? 0) || null;
        if (this.session === s) { this.session = null; onState?.(false); }
        log.info({ reason }, 'link down');
      });
      this.session = s;
      onState?.(true);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  pump(): void { this.session?.pump(); }

  /** Checks the live session's peer again (after a CRL refresh or a reload): a peer revoked since the
   *  handshake loses its session now, and its next handshake is refused. */
  recheckPeer(): void {
    if (!this.session || !this.peerCert) return;
    const why = checkPeer(this.peerCert, { ...this.opts.peer, role: LINK_SERVER_PEER_ROLE });
    if (why) { this.log.warn({ reason: why }, 'link peer no longer acceptable; closing the session'); this.session.close(why.slice(0, 120)); }
  }

  /** New TLS material (SIGHUP): the next handshake presents it; the live session keeps the old one. */
  setTls(tls: TlsMaterial): void {
    this.server.setSecureContext({ ...TLS_BASE, key: tls.key, cert: tls.cert, ca: tls.ca });
  }
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

  async close(): Promise<void> {
    this.session?.close();
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => { this.server.close(() => r()); this.server.closeAllConnections(); });
  }
}
