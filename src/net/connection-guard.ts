// Bounds on what one client, and all clients together, can hold open on a listener (STYLE §10):
//  - connections per remote address (counted at TCP accept, before any TLS work) and in total;
//  - a TLS handshake deadline, a header deadline, a short keep-alive, an idle deadline;
//  - a minimum upload rate instead of one long fixed request timeout: a 48 MiB submission over a slow
//    but honest link keeps going as long as it moves, while a client that trickles bytes to hold a
//    slot (slow-body "slowloris") is cut after one window.
// At a limit the socket is destroyed without an answer (nothing is cheaper to refuse), and counted.
import type { Server as HttpsServer } from 'node:https';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections allowed from one remote address. */
  readonly maxPerAddress: number;
  /** Open connections allowed in total (node's server.maxConnections). */
  readonly maxTotal: number;
  /** From TCP accept to a finished TLS handshake. */
  readonly handshakeTimeoutMs: number;
  /** From the first byte of a request to the end of its headers. */
  readonly headersTimeoutMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  readonly idleTimeoutMs: number;
  /** A request body must arrive at least this fast, judged over each rateWindowMs. */
  readonly minBodyBytesPerSecond: number;
  readonly rateWindowMs: number;
}

/** The applicant API: township centres sit behind one NAT address with many counters, so the per-address
 *  cap is generous; the rate floor is well under a poor 3G uplink (~50 KiB/s). */
export const APPLICANT_LIMITS: ConnectionLimits = Object.freeze({
  maxPerAddress: 32,
  maxTotal: 2048,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  minBodyBytesPerSecond: 8 * 1024,
  rateWindowMs: 10_000,
});

/** The intranet listener: staff workstations and a few systems. */
export const INTRANET_LIMITS: ConnectionLimits = Object.freeze({ ...APPLICANT_LIMITS, maxPerAddress: 64, maxTotal: 1024 });

/** The link listener has one legitimate peer holding one connection; a few more cover a reconnect
 *  racing the old socket's close. */
export const LINK_LIMITS: ConnectionLimits = Object.freeze({
  ...APPLICANT_LIMITS, maxPerAddress: 4, maxTotal: 16, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 0,
});

/** Longest time a whole request may take: headers plus the largest body at the minimum rate. */
export function requestTimeoutFor(limits: ConnectionLimits, maxBodyBytes: number): number {
  return limits.headersTimeoutMs + Math.ceil((maxBodyBytes / limits.minBodyBytesPerSecond) * 1000) + limits.rateWindowMs;
}

export interface GuardStats {
  refusedPerAddress: number;
  refusedTotal: number;
  slowBodies: number;
}

/** Options only accepted when the server is made: the TLS handshake deadline (node's default is
 *  120 s), and how often node sweeps connections for the header and request deadlines (default 30 s,
 *  which would let a stalled header block live for 30 s whatever headersTimeout says). */
export function tlsServerTimeouts(limits: ConnectionLimits): { handshakeTimeout: number; connectionsCheckingInterval: number } {
  return {
    handshakeTimeout: limits.handshakeTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
  };
}

/** Applies `limits` to a node http(s) server that has not started listening yet. */
export function guardConnections(server: HttpServer | HttpsServer, limits: ConnectionLimits, maxBodyBytes: number): GuardStats {
  const stats: GuardStats = { refusedPerAddress: 0, refusedTotal: 0, slowBodies: 0 };
  const open = new Map<string, number>();
  let total = 0;
  server.headersTimeout = limits.headersTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.requestTimeout = requestTimeoutFor(limits, maxBodyBytes);
  server.setTimeout(limits.idleTimeoutMs);

  // 'connection' fires at TCP accept, before TLS: a refused client costs no handshake.
  server.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress ?? '?';
    const n = open.get(addr) ?? 0;
    if (total >= limits.maxTotal) { stats.refusedTotal++; socket.destroy(); return; }
    if (n >= limits.maxPerAddress) { stats.refusedPerAddress++; socket.destroy(); return; }
    open.set(addr, n + 1);
    total++;
    socket.once('close', () => {
      total--;
      const left = (open.get(addr) ?? 1) - 1;
      if (left <= 0) open.delete(addr); else open.set(addr, left);
    });
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && !(declared > 0)) return;
    // The socket's byte counter, not a 'data' listener: reading the body is the framework's job, and
    // a listener would switch the stream to flowing mode under it.
    const socket = req.socket;
    let last = socket.bytesRead;
    const floor = (limits.minBodyBytesPerSecond * limits.rateWindowMs) / 1000;
    const timer = setInterval(() => {
      if (req.complete) { clearInterval(timer); return; }
      const now = socket.bytesRead;
      if (now - last < floor) {
        stats.slowBodies++;
        clearInterval(timer);
        socket.destroy();
        return;
      }
      last = now;
    }, limits.rateWindowMs);
    timer.unref();
    res.once('close', () => clearInterval(timer));
  });
  return stats;
}
