// One SNTP query over UDP: a fresh socket per query (so a fresh random source port, RFC 9109),
// connected to the server so the kernel drops datagrams from anyone else and reports ICMP
// "port unreachable" as ECONNREFUSED. Every outcome is a value; the socket is always closed and the
// whole query, name lookup included, ends within timeoutMs.

import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns';
import { fail, type FerryErrorCode } from '../errors.js';
import type { LocalClock } from './local-clock.js';
import { decodeReply, encodeRequest, UNAUTHENTICATED_REJECTS } from './sntp-packet.js';
import { sampleFromReply, type SntpSample } from './sntp-offset.js';

export type { LocalClock } from './local-clock.js';
export type { SntpSample } from './sntp-offset.js';

export interface SntpServer {
  readonly host: string;
  readonly port: number;
}

export interface SntpFailure {
  readonly ok: false;
  readonly code: FerryErrorCode;
  readonly detail: string;
}

export interface SntpQueryOptions {
  readonly timeoutMs: number;
  readonly clock: LocalClock;
  /** Source of the 64-bit transmit nonce; crypto.randomBytes unless a test pins it. */
  readonly random?: (size: number) => Uint8Array;
}

export function querySntp(server: SntpServer, opts: SntpQueryOptions): Promise<SntpSample | SntpFailure> {
  const where = `${server.host}:${server.port}`;
  const transmit = (opts.random ?? randomBytes)(8);
  const request = encodeRequest(transmit);

  return new Promise((resolve) => {
    let socket: dgram.Socket | null = null;
    let settled = false;
    let t1: number | null = null;
    // A datagram that failed before its origin was checked may be a spoof: remember it, keep waiting
    // for the genuine reply, and report it only if nothing better arrives before the timeout.
    let suspect: SntpFailure | null = null;

    const finish = (result: SntpSample | SntpFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket !== null) {
        const s = socket;
        s.removeAllListeners('message');
        s.removeAllListeners('error');
        s.on('error', () => undefined); // the query is over; a late ICMP error has nowhere to go
        try {
          s.close();
        } catch {
          // already closed by a failed bind or connect: nothing left to release
        }
      }
      resolve(result);
    };

    const timer = setTimeout(() => {
      finish(
        suspect !== null
          ? { ok: false, code: suspect.code, detail: `${where}: ${suspect.detail} (and no genuine reply within ${opts.timeoutMs} ms)` }
          : fail('FERRY_ERR_TIME_TIMEOUT', `${where}: no reply within ${opts.timeoutMs} ms`),
      );
    }, opts.timeoutMs);

    lookup(server.host, (err, address, family) => {
      if (settled) return;
      if (err !== null) {
        finish(fail('FERRY_ERR_TIME_SOCKET', `${where}: name lookup failed: ${err.code ?? err.message}`));
        return;
      }
      const s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      socket = s;
      s.on('error', (e: NodeJS.ErrnoException) => {
        finish(fail('FERRY_ERR_TIME_SOCKET', `${where}: ${e.code ?? e.message}${e.syscall ? ` (${e.syscall})` : ''}`));
      });
      s.on('message', (msg: Buffer) => {
        const t4 = opts.clock();
        if (t1 === null) return; // cannot happen on a connected socket before send; ignore rather than guess
        const verdict = decodeReply(msg, transmit);
        if (verdict.ok) {
          finish(sampleFromReply(verdict.value, t1, t4));
        } else if (UNAUTHENTICATED_REJECTS.has(verdict.code)) {
          suspect = { ok: false, code: verdict.code, detail: verdict.detail };
        } else {
          // The origin matched, so this is the server's genuine answer: it refuses, or is unfit.
          finish({ ok: false, code: verdict.code, detail: `${where}: ${verdict.detail}` });
        }
      });
      try {
        s.connect(server.port, address, () => {
          if (settled) return;
          t1 = opts.clock();
          s.send(request, (sendErr) => {
            if (sendErr) finish(fail('FERRY_ERR_TIME_SOCKET', `${where}: send failed: ${(sendErr as NodeJS.ErrnoException).code ?? sendErr.message}`));
          });
        });
      } catch (e) {
        // dgram validates the port synchronously (ERR_SOCKET_BAD_PORT); report it like any socket fault.
        finish(fail('FERRY_ERR_TIME_SOCKET', `${where}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`));
      }
    });
  });
}
