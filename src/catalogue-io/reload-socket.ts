// How `ferry catalogue import --apply` tells the running internal gateway to take the new catalogue:
// a Unix socket in the gateway's data directory (owner-only, like the SQLite file beside it; no network
// listener, so nothing off the host can ask). The client writes one line, `reload`, and reads one JSON
// line back: the gateway's verdict after it validated again and swapped, or why it refused. SIGHUP
// does the same (systemctl reload), without an answer.

import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import type { ReloadOutcome } from './catalogue-holder.js';

export const RELOAD_SOCKET = 'catalogue.sock';
/** A request is one short word: anything longer is not a client of ours. */
const MAX_REQUEST_BYTES = 64;
const CLIENT_TIMEOUT_MS = 30_000;

export const reloadSocketPath = (dataDir: string): string => join(dataDir, RELOAD_SOCKET);

export async function listenForReload(dataDir: string, reload: () => ReloadOutcome): Promise<{ close(): Promise<void> }> {
  const path = reloadSocketPath(dataDir);
  // A socket file left by a gateway that died: nothing listens on it any more.
  rmSync(path, { force: true });
  const server: Server = createServer((sock) => {
    let got = '';
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('data', (chunk) => {
      got += chunk.toString('utf8');
      if (got.length > MAX_REQUEST_BYTES) { sock.destroy(); return; }
      if (!got.includes('\n')) return;
      const answer = got.trim() === 'reload' ? reload() : { ok: false, code: 'FERRY_ERR_CLI_USAGE', error: 'the only request is "reload"' };
      sock.end(JSON.stringify(answer) + '\n');
    });
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(path, () => { server.off('error', reject); resolve(); }); });
  chmodSync(path, 0o600);
  return {
    close: () => new Promise<void>((resolve) => { server.close(() => { rmSync(path, { force: true }); resolve(); }); }),
  };
}

/** Ask the gateway whose data directory is `dataDir` to reload; its verdict, or FERRY_ERR_CATALOGUE_RELOAD. */
export function requestReload(dataDir: string): Promise<ReloadOutcome> {
  const path = reloadSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let got = '';
    const fail = (why: string) => { sock.destroy(); reject(new FerryError('FERRY_ERR_CATALOGUE_RELOAD', `${path}: ${why}`)); };
    sock.setTimeout(CLIENT_TIMEOUT_MS, () => fail('no answer from the internal gateway'));
    sock.on('connect', () => sock.write('reload\n'));
    sock.on('data', (c) => { got += c.toString('utf8'); if (got.length > 1_000_000) fail('answer too long'); });
    sock.on('error', (e: NodeJS.ErrnoException) => fail(`the internal gateway is not reachable (${e.code ?? e.message}); is it running?`));
    sock.on('end', () => {
      try { resolve(JSON.parse(got) as ReloadOutcome); } catch { fail('the answer is not JSON'); }
    });
  });
}
