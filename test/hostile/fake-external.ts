// The test plays the external gateway: a real LinkServer (src/link/server.ts) with the external
// gateway's TLS certificate and pins, fed from an in-memory outbox whose acknowledgements the test
// awaits. The internal gateway acknowledges a packet only after committing it (PROTOCOL.md §6 rule 4),
// so an awaited ack means the packet's fate at the inbox is in SQLite.
import { LinkServer } from '../../src/link/server.js';
import type { IncomingPacket, OutgoingPacket, PacketSink, PacketSource } from '../../src/link/session.js';
import type { TlsMaterial } from '../../src/link/tls-material.js';

class MemoryOutbox implements PacketSource {
  private rows: OutgoingPacket[] = [];
  private seq = 0;
  private readonly waiting = new Map<string, () => void>();

  add(frameId: Buffer, bytes: Buffer): Promise<void> {
    const hex = frameId.toString('hex');
    if (this.waiting.has(hex)) throw new Error(`packet ${hex} is already waiting for its ack`);
    this.rows.push({ seq: ++this.seq, packetId: frameId, bytes });
    return new Promise((resolve) => this.waiting.set(hex, resolve));
  }

  after(seq: number, limit: number): OutgoingPacket[] {
    return this.rows.filter((r) => r.seq > seq).slice(0, limit);
  }

  acknowledge(ids: readonly Buffer[]): void {
    for (const id of ids) {
      const hex = id.toString('hex');
      this.rows = this.rows.filter((r) => !r.packetId.equals(id));
      this.waiting.get(hex)?.();
      this.waiting.delete(hex);
    }
  }
}

export class FakeExternal {
  readonly outbox = new MemoryOutbox();
  /** Packets the internal gateway sent out (status packets), in arrival order. */
  readonly received: IncomingPacket[] = [];
  private readonly server: LinkServer;

  constructor(o: { port: number; tls: TlsMaterial }) {
    const sink: PacketSink = {
      accept: (batch) => { this.received.push(...batch); return batch.map((p) => p.packetId); },
      backlog: () => 0,
    };
    const quiet = { info() {}, warn() {} };
    this.server = new LinkServer({
      host: '127.0.0.1', port: o.port, path: '/link', tls: o.tls, peer: { subjects: ['ferry-internal-tls'] },
      gatewayId: 'external', heartbeatMs: 500, deadAfterMs: 5000,
    }, this.outbox, sink, quiet);
  }

  listen(): Promise<number> { return this.server.listen(); }
  get connected(): boolean { return this.server.connected; }

  /** Sends one link frame carrying `bytes` under `frameId` and resolves once the peer acknowledged it. */
  async deliver(frameId: Buffer, bytes: Buffer): Promise<void> {
    const acked = this.outbox.add(frameId, bytes);
    this.server.pump();
    await acked;
  }

  close(): Promise<void> { return this.server.close(); }
}
