// One live link between the gateways: the same on both ends. Sends outbox packets pipelined within a
// window, acknowledges received packets only after the sink has committed them, refuses back the ones
// it could not open (to a peer that understands refusals), answers heartbeats, and stops reading the
// socket while the local inbox is over its high-water mark.
import type WebSocket from 'ws';
import { encodeFrame, decodeFrame, encodePacketFrameParts, type Frame } from './frame-codec.js';
import {
  DEFAULT_BACKLOG_HIGH, DEFAULT_BACKLOG_LOW, DEFAULT_DEAD_AFTER_MS, DEFAULT_HEALTHY_SESSION_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_WINDOW,
  DEFAULT_WINDOW_BYTES, HELLO_TIMEOUT_MS, SUPPORTED_VERSIONS,
} from './limits.js';
import { FEATURE_REPLAY, ReplayCursor } from './replay.js';

export * from './session-contract.js';
import type {
  AuditHeadFrame, IncomingPacket, PacketSink, PacketSource, RefusedPacket, SessionLog, SessionOptions, SinkResult,
} from './session-contract.js';
import { FEATURE_KEY_ANNOUNCE, FEATURE_REFUSAL } from './session-contract.js';

export class LinkSession {
  private readonly window: number;
  private readonly windowBytes: number;
  private peerWindow = 0;
  private ready = false;
  private closed = false;
  private cursor = 0;
  private readonly inFlight = new Map<string, number>(); // packet id hex -> bytes
  private inFlightBytes = 0;
  private pending: IncomingPacket[] = [];
  private flushScheduled = false;
  /** A batch is being committed asynchronously: later frames wait in `pending`. */
  private accepting = false;
  private paused = false;
  private lastHeard = Date.now();
  /** Wall-clock ms of the last frame the peer sent (any type); null until the first. Unlike lastHeard,
   *  never moved by our own read pause: it is what the operator's "last frame seen" reports. */
  private lastFrame: number | null = null;
  private healthy = false;
  /** The peer announced FEATURE_REFUSAL: refused packets go back as Refusal frames, not acks. */
  private peerTakesRefusals = false;
  private peerTakesAnnounce = false;
  /** A replay the peer asked for, sent ahead of the outbox until its retained packets run out. */
  private replaying: ReplayCursor | null = null;
  private replayServed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  readonly stats = { sent: 0, acked: 0, received: 0, acksSent: 0, refused: 0, refusalsSent: 0 };

  constructor(
    private readonly ws: WebSocket,
    private readonly source: PacketSource,
    private readonly sink: PacketSink,
    private readonly log: SessionLog,
    private readonly opts: SessionOptions,
    private readonly onClose: (reason: string) => void,
    /** Called once, when the session has proved healthy (first ack either way, or time up). */
    private readonly onHealthy?: () => void,
  ) {
    this.window = opts.window ?? DEFAULT_WINDOW;
    this.windowBytes = opts.windowBytes ?? DEFAULT_WINDOW_BYTES;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // A local fault while handling a frame (a full disk under an audit entry or an ack's delete) ends
      // this session with 1011, which the dialer counts as a failed attempt; it never ends the process.
      try { this.onMessage(data, isBinary); } catch (e) { this.abort(1011, `local fault handling a frame: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim()); }
    });
    ws.on('close', (code, reason) => this.finish(`closed ${code} ${reason.toString()}`));
    ws.on('error', (e) => this.log.warn({ err: e.message }, 'link socket error'));
    this.send({
      type: 'hello', versions: [...SUPPORTED_VERSIONS], gatewayId: opts.gatewayId, window: this.window,
      features: [...(source.refuse ? [FEATURE_REFUSAL] : []), ...(opts.keyAnnouncer ? [FEATURE_KEY_ANNOUNCE] : []), ...(source.replay ? [FEATURE_REPLAY] : [])], catalogueSha256: opts.catalogueSha256?.() ?? '',
    });
    const helloTimer = setTimeout(() => { if (!this.ready) this.abort(4002, 'no hello from peer'); }, HELLO_TIMEOUT_MS);
    this.timers.push(helloTimer);
    const hb = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const dead = opts.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
    this.timers.push(setInterval(() => {
      if (Date.now() - this.lastHeard > dead) { this.abort(4003, `FERRY_ERR_LINK_TIMEOUT: peer silent for ${dead} ms`); return; }
      this.send({ type: 'heartbeat', sentAtMs: Date.now(), reply: false });
      // Rows another process put in the outbox (`ferry outbox retry`) have no in-process event.
      this.pump();
    }, hb));
  }

  get isReady(): boolean { return this.ready && !this.closed; }

  /** When the peer last sent a frame (ms since the epoch), or null if it has sent none yet. */
  get lastFrameAt(): number | null { return this.lastFrame; }

  /** Call when the outbox has new packets. */
  pump(): void {
    if (!this.ready || this.closed) return;
    const limit = Math.min(this.window, this.peerWindow || this.window);
    while (this.inFlight.size < limit && this.inFlightBytes < this.windowBytes) {
      const n = Math.min(limit - this.inFlight.size, 64);
      // A replay goes first: the peer is missing these, and they are older than anything in the outbox.
      const replay = this.replaying && this.source.replay ? this.replaying.next(this.source.replay, n) : null;
      if (this.replaying && !replay) { this.log.info({ stage: 'replay', fromSeq: this.replaying.fromSeq, sent: this.replaying.sent }, 'replay sent'); this.replaying = null; }
      const rows = replay ?? this.source.after(this.cursor, n);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (!replay) this.cursor = row.seq;
        const id = row.packetId.toString('hex');
        if (this.inFlight.has(id)) continue;
        this.inFlight.set(id, row.bytes.length);
        this.inFlightBytes += row.bytes.length;
        this.send({ type: 'packet', packet: row.bytes, packetId: row.packetId, seq: row.seq });
        this.stats.sent++;
        if (replay) this.replaying!.sent++;
        if (this.inFlightBytes >= this.windowBytes) return;
      }
    }
  }

  close(reason = 'shutdown'): void {
    this.abort(1001, reason);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.lastHeard = Date.now();
    this.lastFrame = this.lastHeard;
    if (!isBinary) { this.abort(1003, 'FERRY_ERR_LINK_FRAME: text frame'); return; }
    const v = decodeFrame(data);
    if (!v.ok) { this.abort(1007, `${v.code}: ${v.detail}`); return; }
    const f = v.value;
    if (!this.ready && f.type !== 'hello' && f.type !== 'heartbeat') { this.abort(1002, 'FERRY_ERR_LINK_FRAME: frame before hello'); return; }
    switch (f.type) {
      case 'hello': return this.onHello(f);
      case 'packet': return this.onPacket(f.packetId, f.packet, f.seq);
      case 'ack': return this.onAck(f.packetIds);
      case 'heartbeat':
        if (!f.reply) this.send({ type: 'heartbeat', sentAtMs: f.sentAtMs, reply: true });
        return;
      case 'auditHead':
        this.opts.onAuditHead?.(f);
        return;
      case 'refusal': return this.onRefusal(f);
      case 'keyAnnounce':
        // Only between sides that both listed the feature: anything else is a protocol error.
        if (!this.opts.keyAnnouncer || !this.peerTakesAnnounce) { this.abort(1002, 'FERRY_ERR_LINK_FRAME: key announcement without the feature'); return; }
        this.opts.keyAnnouncer.receive(f);
        return;
      case 'replayRequest': return this.onReplayRequest(f.fromSeq);
    }
  }

  private onHello(f: Extract<Frame, { type: 'hello' }>): void {
    if (this.ready) { this.abort(1002, 'FERRY_ERR_LINK_FRAME: second hello'); return; }
    if (!f.versions.some((x) => SUPPORTED_VERSIONS.includes(x))) {
      this.abort(4001, `FERRY_ERR_LINK_VERSION: peer offers ${f.versions.join(',')}`); return;
    }
    this.peerWindow = Math.max(1, f.window);
    this.peerTakesRefusals = (f.features ?? []).includes(FEATURE_REFUSAL);
    this.peerTakesAnnounce = (f.features ?? []).includes(FEATURE_KEY_ANNOUNCE);
    this.ready = true;
    this.log.info({ peer: f.gatewayId, window: Math.min(this.window, this.peerWindow), refusals: this.peerTakesRefusals }, 'link up');
    this.opts.onPeerHello?.({ gatewayId: f.gatewayId, features: f.features ?? [], catalogueSha256: f.catalogueSha256 ?? '' });
    this.source.sessionStarted?.();
    const healthyTimer = setTimeout(() => this.markHealthy(), this.opts.healthyAfterMs ?? DEFAULT_HEALTHY_SESSION_MS);
    this.timers.push(healthyTimer);
    const head = this.opts.auditHead?.();
    if (head) this.sendAuditHead(head);
    this.sendKeyAnnounce();
    // Every session, not only after a restore: a watermark at the sender's head asks for nothing but
    // the out-of-order packets (cheap), and no operator has to remember to ask.
    const from = (f.features ?? []).includes(FEATURE_REPLAY) ? this.sink.replayFrom?.() ?? 0 : 0;
    if (from > 0) {
      this.send({ type: 'replayRequest', fromSeq: from });
      this.log.info({ stage: 'replay', fromSeq: from }, 'replay requested from the peer');
      this.opts.onReplayRequested?.(from);
    }
    this.pump();
  }

  /** The peer asks for the retained packets after its watermark (rule 13). One per session: a peer that
   *  asks again (a bug, or a pinned peer misbehaving) would otherwise make us resend the whole
   *  retention window and write an audit entry per request. */
  private onReplayRequest(fromSeq: number): void {
    if (!this.source.replay) { this.log.warn({ stage: 'replay', fromSeq }, 'replay request ignored: this side keeps no acknowledged packets'); return; }
    if (this.replayServed) { this.log.warn({ stage: 'replay', fromSeq }, 'replay request ignored: one per session'); return; }
    this.replayServed = true;
    this.source.replay.begin(fromSeq);
    this.replaying = new ReplayCursor(fromSeq);
    this.pump();
  }

  /** Announces this side's encryption certificate (after Hello, and after a reload). */
  sendKeyAnnounce(): void {
    if (!this.ready || !this.peerTakesAnnounce) return;
    const a = this.opts.keyAnnouncer?.make();
    if (a) this.send({ type: 'keyAnnounce', ...a });
  }

  /** Sends an audit head to the peer (unacknowledged: the newest is sent again on the next Hello). */
  sendAuditHead(h: AuditHeadFrame): void {
    if (this.ready) this.send({ type: 'auditHead', ...h });
  }

  private onPacket(packetId: Buffer, bytes: Buffer, seq: number | undefined): void {
    this.stats.received++;
    this.pending.push(seq ? { packetId, bytes, seq } : { packetId, bytes });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Frames that arrived in the same I/O turn share one SQLite transaction and one ack frame.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.accepting || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let r: SinkResult | Promise<SinkResult>;
    try {
      r = this.sink.accept(batch);
    } catch (e) {
      this.commitFailed(e, batch.length);
      return;
    }
    if (!(r instanceof Promise)) { this.answer(r); return; }
    this.accepting = true;
    r.then((v) => { this.accepting = false; if (!this.closed) this.answer(v); this.flush(); },
      (e: unknown) => { this.accepting = false; this.commitFailed(e, batch.length); });
  }

  /** The store failed (disk full, I/O error): acknowledge nothing; the peer resends after reconnect. */
  private commitFailed(e: unknown, n: number): void {
    this.log.warn({ err: (e as Error).message, batch: n }, 'inbox commit failed; dropping link');
    this.abort(1011, 'inbox commit failed');
  }

  private answer(r: SinkResult): void {
    let ids: Buffer[];
    let refused: RefusedPacket[] = [];
    if (Array.isArray(r)) ids = r;
    else { ids = [...r.acks]; refused = r.refused; }
    // A peer from before refusals deletes on ack only: it gets today's ack (the packet is kept here).
    if (!this.peerTakesRefusals) { ids.push(...refused.map((x) => x.packetId)); refused = []; }
    for (const x of refused) { this.send({ type: 'refusal', packetId: x.packetId, code: x.code, detail: x.detail }); this.stats.refusalsSent++; }
    if (ids.length) { this.send({ type: 'ack', packetIds: ids }); this.stats.acksSent += ids.length; }
    if (ids.length || refused.length) this.markHealthy();
    this.applyBackpressure();
  }

  private applyBackpressure(): void {
    const backlog = this.sink.backlog();
    if (!this.paused && backlog >= (this.opts.backlogHigh ?? DEFAULT_BACKLOG_HIGH)) {
      this.paused = true;
      this.ws.pause();
      this.log.warn({ backlog }, 'inbox full: link reading paused');
      const t = setInterval(() => {
        if (this.closed) { clearInterval(t); return; }
        // Paused reading also stops heartbeats from arriving; the pause is ours, not the peer's death.
        this.lastHeard = Date.now();
        const now = this.sink.backlog();
        if (now <= (this.opts.backlogLow ?? DEFAULT_BACKLOG_LOW)) {
          clearInterval(t);
          this.paused = false;
          this.ws.resume();
          this.log.info({ backlog: now }, 'inbox drained: link reading resumed');
        }
      }, 100);
      this.timers.push(t);
    }
  }

  private onAck(ids: Buffer[]): void {
    const known: Buffer[] = [];
    for (const id of ids) {
      const hex = id.toString('hex');
      const size = this.inFlight.get(hex);
      if (size === undefined) continue;
      this.inFlight.delete(hex);
      this.inFlightBytes -= size;
      known.push(id);
    }
    if (known.length) {
      this.source.acknowledge(known);
      this.stats.acked += known.length;
      this.markHealthy();
    }
    this.pump();
  }

  /** The peer could not open a packet we sent: it leaves the window and is held by the source. */
  private onRefusal(f: Extract<Frame, { type: 'refusal' }>): void {
    const hex = f.packetId.toString('hex');
    const size = this.inFlight.get(hex);
    if (size === undefined || !this.source.refuse) { this.pump(); return; } // not ours (or not asked for): ignored, like an ack
    this.inFlight.delete(hex);
    this.inFlightBytes -= size;
    this.stats.refused++;
    this.source.refuse([{ packetId: f.packetId, code: f.code, detail: f.detail }]);
    this.markHealthy();
    this.pump();
  }

  private markHealthy(): void {
    if (this.healthy || this.closed) return;
    this.healthy = true;
    this.onHealthy?.();
  }

  private send(f: Frame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (f.type === 'packet') {
      // Two fragments of one message: the head, then the packet's bytes as they are (no copy of a
      // large packet into a frame buffer on the loop). Nothing is sent between them: this is sync.
      const [head, packet] = encodePacketFrameParts(f.packetId, f.packet, f.seq);
      this.ws.send(head, { binary: true, fin: false });
      this.ws.send(packet, { binary: true, fin: true });
      return;
    }
    this.ws.send(encodeFrame(f), { binary: true });
  }

  private abort(code: number, reason: string): void {
    if (this.closed) return;
    this.log.warn({ code, reason }, 'link closing');
    try {
      if (code === 1001 || code === 1000) this.ws.close(code, reason.slice(0, 120));
      else { this.ws.close(code, reason.slice(0, 120)); setTimeout(() => this.ws.terminate(), 1000).unref(); }
    } catch { this.ws.terminate(); }
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.onClose(reason);
  }
}
