// The gateway's local status socket (protocol: status-socket-protocol.ts): `ferry status` and
// `ferry intake pause|resume` talk to the running gateway here, as chronyc talks to chronyd, instead
// of opening its database behind its back. A UNIX socket in dataDir, mode 0600: the filesystem's
// permissions are the authentication (dataDir itself is 0700). Bounded: line length, clients, idle time.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { FerryError, isFerryError } from '../errors.js';
import type { Logger } from './logger.js';
import type { IntakeGate } from './intake-gate.js';
import {
  MAX_REQUEST_LINE_BYTES, MAX_SOCKET_CLIENTS, SOCKET_IDLE_MS, STATUS_COMMANDS, STATUS_PROTOCOL_VERSION,
  type StatusAnswer, type StatusRequest,
} from './status-socket-protocol.js';

export interface StatusSocketDeps {
  readonly file: string;
  readonly report: () => Record<string, unknown>;
  /** The external gateway's intake gate; the internal gateway has none (its intake is the link). */
  readonly intake: IntakeGate | null;
  readonly log: Logger;
}

export interface StatusSocket { close(): Promise<void> }

const fail = (code: string, message: string): StatusAnswer => ({ v: STATUS_PROTOCOL_VERSION, ok: false, error: { code, message } });
const ok = (result: Record<string, unknown>): StatusAnswer => ({ v: STATUS_PROTOCOL_VERSION, ok: true, result });
const OPERATOR = /^[\p{L}\p{N}._@ -]{1,64}$/u;

/** Answers one request line. Exported for the protocol's table tests. */
export function answer(line: string, d: Pick<StatusSocketDeps, 'report' | 'intake'>): StatusAnswer {
  let req: Partial<StatusRequest>;
  try { req = JSON.parse(line) as Partial<StatusRequest>; } catch { return fail('FERRY_ERR_OPS_SOCKET', 'a request is one JSON object on one line'); }
  if (typeof req !== 'object' || req === null) return fail('FERRY_ERR_OPS_SOCKET', 'a request is one JSON object on one line');
  if (req.v !== STATUS_PROTOCOL_VERSION) return fail('FERRY_ERR_OPS_SOCKET', `protocol version ${String(req.v)} not spoken; this gateway speaks ${STATUS_PROTOCOL_VERSION}`);
  if (!STATUS_COMMANDS.includes(req.cmd as never)) return fail('FERRY_ERR_CLI_USAGE', `unknown command ${JSON.stringify(String(req.cmd)).slice(0, 40)}; one of: ${STATUS_COMMANDS.join(', ')}`);
  if (req.cmd === 'status') return ok(d.report());
  if (!d.intake) return fail('FERRY_ERR_CLI_USAGE', 'intake pause and resume are for the external gateway (the internal one takes its packets from the link)');
  const operator = typeof req.operator === 'string' ? req.operator.trim() : '';
  const reason = typeof req.reason === 'string' ? req.reason.trim() : '';
  if (!OPERATOR.test(operator)) return fail('FERRY_ERR_CLI_USAGE', '--operator: a name of 1-64 letters, digits, spaces or ._@-');
  if (reason.length === 0 || reason.length > 500) return fail('FERRY_ERR_CLI_USAGE', '--reason: say why, in 1-500 characters');
  const r = req.cmd === 'intake.pause' ? d.intake.pauseIntake(operator, reason) : d.intake.resumeIntake(operator, reason);
  return ok({ changed: r.changed, intake: r.facts });
}

/** A socket file left by a gateway that died is removed; one that answers belongs to a running
 *  gateway on the same dataDir, which is refused (two gateways on one SQLite file would be worse). */
async function clearStale(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(file);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new FerryError('FERRY_ERR_CONFIG', `status socket ${file} answers: another gateway runs on this dataDir`);
  unlinkSync(file);
}

export async function startStatusSocket(d: StatusSocketDeps): Promise<StatusSocket> {
  await clearStale(d.file);
  const clients = new Set<Socket>();
  const server: Server = createServer((sock) => {
    if (clients.size >= MAX_SOCKET_CLIENTS) { sock.end(JSON.stringify(fail('FERRY_ERR_OPS_SOCKET', 'too many clients; retry')) + '\n'); return; }
    clients.add(sock);
    sock.setTimeout(SOCKET_IDLE_MS, () => sock.destroy());
    sock.on('close', () => clients.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST_LINE_BYTES) { sock.end(JSON.stringify(fail('FERRY_ERR_OPS_SOCKET', `request line over ${MAX_REQUEST_LINE_BYTES} bytes`)) + '\n'); return; }
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let a: StatusAnswer;
        try { a = answer(line, d); } catch (e) {
          // A storage fault while pausing (a full disk) is answered, named, and logged; never a crash.
          a = fail(isFerryError(e) ? e.code : 'FERRY_ERR_OPS_SOCKET', (e as Error).message);
          d.log.error({ stage: 'status-socket', err: (e as Error).message }, 'status socket request failed');
        }
        sock.write(JSON.stringify(a) + '\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(d.file, () => { server.off('error', reject); resolve(); }); });
  chmodSync(d.file, 0o600);
  d.log.info({ socket: d.file }, 'status socket listening (ferry status)');
  return {
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
