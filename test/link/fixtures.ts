// Real parts for link tests: a dev PKI on disk, SQLite outboxes and receiver tables in temp dirs,
// LinkServer/LinkClient pairs on port 0, and a raw ws peer that speaks (or misspeaks) the frames by hand.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { openDb, type Db } from '../../src/store/db.js';
import { Outbox, OUTBOX_SQL } from '../../src/store/outbox.js';
import { outboxSource } from '../../src/gateway/outbox-source.js';
import { LinkServer, type LinkServerOptions } from '../../src/link/server.js';
import { LinkClient, type LinkClientOptions } from '../../src/link/client.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/link/frame-codec.js';
import type { IncomingPacket, OutgoingPacket, PacketSink, PacketSource, SessionLog } from '../../src/link/session.js';
import type { TlsMaterial } from '../../src/link/tls-material.js';

export const EXTERNAL_CN = 'ferry-external-tls';
export const INTERNAL_CN = 'ferry-internal-tls';

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Pki { ca: string; external: TlsMaterial; internal: TlsMaterial }

/** A fresh dev PKI (its own CA) written by `initDevPki`, read back as the link's TLS material. */
export async function makePki(dir: string): Promise<Pki> {
  const f = await initDevPki(dir);
  const ca = readFileSync(f.ca.cert, 'utf8');
  const mat = (role: 'external-tls' | 'internal-tls'): TlsMaterial =>
    ({ key: readFileSync(f[role].key, 'utf8'), cert: readFileSync(f[role].cert, 'utf8'), ca });
  return { ca, external: mat('external-tls'), internal: mat('internal-tls') };
}

// ---- logs ----

export interface LogLine { level: 'info' | 'warn'; obj: Record<string, unknown>; msg: string; at: number }
export interface RecordingLog extends SessionLog { lines: LogLine[]; find(msg: string): LogLine[] }

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (obj: object, msg: string) =>
    { lines.push({ level, obj: obj as Record<string, unknown>, msg, at: performance.now() }); };
  return { lines, info: push('info'), warn: push('warn'), find: (msg) => lines.filter((l) => l.msg === msg) };
}

// ---- the sending side: a real SQLite outbox, instrumented ----

/** Counts what the session takes from the outbox and what it acknowledges, so the test can see the
 *  sender's unacknowledged packets without reaching into the session. */
export interface SourceTrace {
  inFlight: Set<string>;
  maxInFlight: number;
  taken: number;
  acked: number;
  /** Ids acknowledged while the receiver's table did not hold them yet (must stay empty). */
  ackedBeforeCommit: string[];
  reset(): void;
}

export interface SendingSide { db: Db; outbox: Outbox; source: PacketSource; trace: SourceTrace }

export function openOutbox(file: string, committedAtPeer?: (id: Buffer) => boolean): SendingSide {
  const db = openDb(file, [{ version: 1, sql: OUTBOX_SQL }]);
  const outbox = new Outbox(db);
  const inner = outboxSource(outbox);
  const trace: SourceTrace = {
    inFlight: new Set(), maxInFlight: 0, taken: 0, acked: 0, ackedBeforeCommit: [],
    reset() { this.inFlight.clear(); },
  };
  const source: PacketSource = {
    after(seq: number, limit: number): OutgoingPacket[] {
      const rows = inner.after(seq, limit);
      for (const r of rows) trace.inFlight.add(r.packetId.toString('hex'));
      trace.taken += rows.length;
      trace.maxInFlight = Math.max(trace.maxInFlight, trace.inFlight.size);
      return rows;
    },
    acknowledge(ids: readonly Buffer[]): void {
      for (const id of ids) {
        if (committedAtPeer && !committedAtPeer(id)) trace.ackedBeforeCommit.push(id.toString('hex'));
        trace.inFlight.delete(id.toString('hex'));
      }
      trace.acked += ids.length;
      inner.acknowledge(ids);
    },
  };
  return { db, outbox, source, trace };
}

/** Puts `n` packets of `size` random bytes in the outbox in one transaction; returns id hex -> bytes. */
export function fillOutbox(side: SendingSide, n: number, size = 256): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  side.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = randomBytes(16);
      const bytes = randomBytes(size);
      side.outbox.add(id, 'test', `case-${i}`, bytes, Date.now());
      out.set(id.toString('hex'), bytes);
    }
  })();
  return out;
}

// ---- the receiving side: a real SQLite table ----

const RECEIVED_SQL = `
CREATE TABLE received (
  packet_id BLOB PRIMARY KEY,
  bytes     BLOB NOT NULL,
  processed INTEGER NOT NULL
) WITHOUT ROWID;`;

/**
 * A PacketSink over a real table: INSERT OR IGNORE by packet id inside one transaction per batch,
 * then returns every id of the batch (new and duplicate alike) for acknowledgement.
 * Knobs for fault tests: `holdAll` commits but acknowledges nothing; `failNextCommits` throws from
 * inside the transaction (after the inserts, so SQLite must roll them back); `queueMode` leaves rows
 * unprocessed so `backlog()` grows until `drain()`.
 */
export class TableSink implements PacketSink {
  readonly db: Db;
  delivered = 0;
  duplicates = 0;
  commits = 0;
  holdAll = false;
  failNextCommits = 0;
  queueMode = false;
  onCommitted: ((batch: readonly IncomingPacket[]) => void) | null = null;
  private readonly insert;
  private readonly hasStmt;
  private readonly countStmt;
  private readonly backlogStmt;
  private readonly commit;

  constructor(file: string) {
    this.db = openDb(file, [{ version: 1, sql: RECEIVED_SQL }]);
    this.insert = this.db.prepare('INSERT OR IGNORE INTO received (packet_id, bytes, processed) VALUES (?, ?, ?)');
    this.hasStmt = this.db.prepare('SELECT 1 FROM received WHERE packet_id = ?');
    this.countStmt = this.db.prepare('SELECT COUNT(*) AS n FROM received');
    this.backlogStmt = this.db.prepare('SELECT COUNT(*) AS n FROM received WHERE processed = 0');
    this.commit = this.db.transaction((batch: readonly IncomingPacket[]) => {
      let fresh = 0;
      for (const p of batch) fresh += this.insert.run(p.packetId, p.bytes, this.queueMode ? 0 : 1).changes;
      if (this.failNextCommits > 0) { this.failNextCommits--; throw new Error('SQLITE_IOERR: simulated disk error'); }
      return fresh;
    });
  }

  accept(batch: readonly IncomingPacket[]): Buffer[] {
    const fresh = this.commit(batch);
    this.commits++;
    this.delivered += fresh;
    this.duplicates += batch.length - fresh;
    this.onCommitted?.(batch);
    return this.holdAll ? [] : batch.map((p) => p.packetId);
  }

  backlog(): number { return (this.backlogStmt.get() as { n: number }).n; }
  drain(): void { this.db.prepare('UPDATE received SET processed = 1 WHERE processed = 0').run(); }
  has(id: Buffer): boolean { return this.hasStmt.get(id) !== undefined; }
  count(): number { return (this.countStmt.get() as { n: number }).n; }
  rows(): Map<string, Buffer> {
    const rows = this.db.prepare('SELECT packet_id AS id, bytes FROM received').all() as Array<{ id: Buffer; bytes: Buffer }>;
    return new Map(rows.map((r) => [r.id.toString('hex'), r.bytes]));
  }
}

// ---- link ends ----

export interface End { log: RecordingLog; states: Array<{ up: boolean; at: number }>; ups(): number }

function stateRecorder(): Pick<End, 'states' | 'ups'> & { onState: (up: boolean) => void } {
  const states: End['states'] = [];
  return { states, ups: () => states.filter((s) => s.up).length, onState: (up) => { states.push({ up, at: performance.now() }); } };
}

export interface ServerEnd extends End { server: LinkServer; port: number }
export interface ClientEnd extends End { client: LinkClient }

export async function startServer(pki: Pki, source: PacketSource, sink: PacketSink,
  opts: Partial<LinkServerOptions> = {}, onState?: (up: boolean) => void): Promise<ServerEnd> {
  const log = recordingLog();
  const st = stateRecorder();
  const server = new LinkServer({
    host: '127.0.0.1', port: 0, path: '/link', tls: pki.external, peer: { subjects: [INTERNAL_CN] },
    gatewayId: 'external', ...opts,
  }, source, sink, log, (up) => { st.onState(up); onState?.(up); });
  const port = await server.listen();
  return { server, port, log, states: st.states, ups: st.ups };
}

export function startClient(pki: Pki, port: number, source: PacketSource, sink: PacketSink,
  opts: Partial<LinkClientOptions> = {}, onState?: (up: boolean) => void): ClientEnd {
  const log = recordingLog();
  const st = stateRecorder();
  const client = new LinkClient({
    url: `wss://127.0.0.1:${port}/link`, tls: pki.internal, peer: { subjects: [EXTERNAL_CN] },
    gatewayId: 'internal', backoffBaseMs: 20, backoffCapMs: 200, ...opts,
  }, source, sink, log, (up) => { st.onState(up); onState?.(up); });
  client.start();
  return { client, log, states: st.states, ups: st.ups };
}

// ---- a raw peer: real TLS + ws, frames written by hand ----

export interface RawPeer {
  ws: WebSocket;
  frames: Frame[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(f: Frame): void;
}

export async function rawPeer(port: number, tls: TlsMaterial): Promise<RawPeer> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/link`, {
    key: tls.key, cert: tls.cert, ca: tls.ca, minVersion: 'TLSv1.3', perMessageDeflate: false,
    // Node's contract is Error | undefined (ws's types say boolean): the raw peer needs only the chain.
    checkServerIdentity: (() => undefined) as unknown as () => boolean,
  });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => { const v = decodeFrame(data); if (v.ok) frames.push(v.value); });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: performance.now() })));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return { ws, frames, closed, send: (f) => ws.send(encodeFrame(f), { binary: true }) };
}

// ---- waiting ----

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000, stepMs = 5): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
  return performance.now() - t0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- one test's parts, closed in reverse order afterwards ----

export class Harness {
  private n = 0;
  private readonly cleanups: Array<() => void | Promise<void>> = [];
  readonly dir: string;
  /** Files go in a fresh directory under `parent`, so no test sees another's tables. */
  constructor(parent: string, readonly pki: Pki) { this.dir = mkdtempSync(join(parent, 't-')); }

  /** An outbox; with `peer`, every ack is checked against the peer's table (ack after commit). */
  outbox(peer?: TableSink): SendingSide {
    const s = openOutbox(join(this.dir, `out-${++this.n}.db`), peer ? (id) => peer.has(id) : undefined);
    this.cleanups.push(() => { s.db.close(); });
    return s;
  }
  sink(): TableSink {
    const k = new TableSink(join(this.dir, `in-${++this.n}.db`));
    this.cleanups.push(() => { k.db.close(); });
    return k;
  }
  async server(...a: Parameters<typeof startServer>): Promise<ServerEnd> {
    const s = await startServer(...a);
    this.cleanups.push(() => s.server.close());
    return s;
  }
  client(...a: Parameters<typeof startClient>): ClientEnd {
    const c = startClient(...a);
    this.cleanups.push(() => c.client.stop());
    return c;
  }
  defer(f: () => void | Promise<void>): void { this.cleanups.push(f); }
  async cleanup(): Promise<void> { while (this.cleanups.length) await this.cleanups.pop()!(); }
}

/** Ids whose bytes differ, or that are missing or extra, between what was sent and what a table holds
 *  (vitest's deep equality over thousands of Buffers takes seconds; this takes microseconds). */
export function rowDiff(sent: Map<string, Buffer>, got: Map<string, Buffer>): string[] {
  const bad: string[] = [];
  for (const [id, bytes] of sent) if (!got.get(id)?.equals(bytes)) bad.push(`missing or altered ${id}`);
  for (const id of got.keys()) if (!sent.has(id)) bad.push(`extra ${id}`);
  return bad;
}
