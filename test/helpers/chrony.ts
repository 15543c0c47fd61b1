// A real NTP server for tests: Debian's chronyd on 127.0.0.1, serving its own idea of time with
// `local stratum N`, started with -x so it never touches the system clock. A server that is
// deliberately wrong runs under libfaketime (Debian package `faketime`), which shifts every clock
// chronyd reads, so its receive and transmit timestamps are both off by offsetSeconds.
//
// Needs: apt-get install -y chrony faketime (faketime only for offsetSeconds ≠ 0).

import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSystemClock } from '../../src/time/local-clock.js';
import { querySntp } from '../../src/time/sntp-client.js';

export interface ChronyServerOptions {
  /** UDP port on 127.0.0.1; a free one is picked when omitted (and re-picked if it turns out taken). */
  port?: number;
  /** Serve time this many seconds off true time (needs libfaketime). Default 0. */
  offsetSeconds?: number;
  /** The stratum this server claims (`local stratum N`). Default 3. */
  stratum?: number;
  /** Leave out `local`: chronyd then has no reference and answers "unsynchronised" (LI 3, stratum 0). */
  unsynchronised?: boolean;
}

export interface ChronyServer {
  readonly port: number;
  /** chronyd's stderr so far, for failure messages. */
  log(): string;
  /** SIGTERM, wait for exit (SIGKILL after 3 s), remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const live = new Set<ChildProcess>();
// If the test process dies first, take the daemons with it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startChronyServer(opts: ChronyServerOptions = {}): Promise<ChronyServer> {
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freeUdpPort());
    try {
      return await startOn(port, opts);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function startOn(port: number, opts: ChronyServerOptions): Promise<ChronyServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-chronyd-'));
  const conf = path.join(dir, 'chrony.conf');
  const lines = [
    '# Ferry test NTP server: serves its own clock on loopback only.',
    ...(opts.unsynchronised ? [] : [`local stratum ${opts.stratum ?? 3}`]),
    'allow 127.0.0.1',
    'bindaddress 127.0.0.1',
    `port ${port}`,
    // No command port and no Unix command socket: several instances must not share /run/chrony.
    'cmdport 0',
    'bindcmdaddress /',
    `pidfile ${path.join(dir, 'chronyd.pid')}`,
    `driftfile ${path.join(dir, 'chrony.drift')}`,
  ];
  await writeFile(conf, lines.join('\n') + '\n');

  const env: NodeJS.ProcessEnv = { ...process.env };
  const offset = opts.offsetSeconds ?? 0;
  if (offset !== 0) {
    // Preload libfaketime into chronyd itself (the `faketime` wrapper forks, so its pid is not chronyd's).
    env.LD_PRELOAD = findLibfaketime();
    env.FAKETIME = `${offset > 0 ? '+' : ''}${offset}`;
  }
  // -x: never adjust the system clock; -d: stay in the foreground, log to stderr.
  // As root keep root (-u root: no dependence on _chrony reading the temp dir); otherwise -U.
  const userArgs = process.getuid?.() === 0 ? ['-u', 'root'] : ['-U'];
  const child = spawn(chronydPath(), ['-x', '-d', ...userArgs, '-f', conf], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
    live.delete(child);
  });
  child.once('error', () => undefined); // spawn failure shows up as an exit and in the ready check

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exitedEarly) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(kill);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when it answers (for an unsynchronised server: answers that it is unsynchronised).
  const clock = createSystemClock();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const r = await querySntp({ host: '127.0.0.1', port }, { timeoutMs: 200, clock });
    const answered = r.ok || (r.code !== 'FERRY_ERR_TIME_TIMEOUT' && r.code !== 'FERRY_ERR_TIME_SOCKET');
    if (answered) {
      if (r.ok && Math.abs(r.offsetMs - offset * 1000) > 2_000) {
        await stop();
        throw new Error(`chronyd on ${port} serves offset ${r.offsetMs} ms, expected ${offset * 1000} ms: libfaketime did not take effect`);
      }
      break;
    }
    if (exitedEarly || Date.now() > deadline) {
      await stop();
      throw new Error(`chronyd did not start serving on 127.0.0.1:${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  return { port, log: () => stderr, stop };
}

function chronydPath(): string {
  // /usr/sbin is not on a non-root PATH on Debian.
  return existsSync('/usr/sbin/chronyd') ? '/usr/sbin/chronyd' : 'chronyd';
}

function findLibfaketime(): string {
  const candidates = ['/usr/lib/faketime/libfaketime.so.1'];
  for (const entry of safeReaddir('/usr/lib')) {
    if (entry.includes('-linux-')) candidates.push(path.join('/usr/lib', entry, 'faketime', 'libfaketime.so.1'));
  }
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error('libfaketime not found: apt-get install -y faketime');
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A UDP port free on 127.0.0.1 right now (the kernel's pick; the caller retries if it is taken later). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
