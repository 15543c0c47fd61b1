// The CLI's side of the gateway's status socket (src/gateway/status-socket-protocol.ts): one request,
// one answer line, then close. Every way of not getting an answer is one typed error naming the socket.
import { connect } from 'node:net';
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig, type AnyGatewayConfig } from '../config/load-gateway.js';
import {
  CLIENT_TIMEOUT_MS, STATUS_PROTOCOL_VERSION, statusSocketPath, type StatusAnswer, type StatusCommand,
} from '../gateway/status-socket-protocol.js';

/** Answers up to this size are read (a status report is a few KiB). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export function socketOf(configFile: string): { gw: AnyGatewayConfig; file: string } {
  const gw = loadAnyGatewayConfig(configFile);
  return { gw, file: statusSocketPath(gw.cfg.dataDir, gw.role) };
}

export function askGateway(file: string, cmd: StatusCommand, extra: Record<string, string> = {}): Promise<StatusAnswer> {
  return new Promise((resolve, reject) => {
    const unreachable = (why: string) => reject(new FerryError('FERRY_ERR_OPS_SOCKET', `${file}: ${why}`));
    const s = connect(file);
    let buf = '';
    const timer = setTimeout(() => { s.destroy(); unreachable(`no answer within ${CLIENT_TIMEOUT_MS / 1000} s`); }, CLIENT_TIMEOUT_MS);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ v: STATUS_PROTOCOL_VERSION, cmd, ...extra }) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_ANSWER_BYTES) { clearTimeout(timer); s.destroy(); unreachable('answer too long'); return; }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.end();
      try {
        const a = JSON.parse(buf.slice(0, nl)) as StatusAnswer;
        if (a.v !== STATUS_PROTOCOL_VERSION) { unreachable(`the gateway speaks protocol ${String(a.v)}, this ferry ${STATUS_PROTOCOL_VERSION}`); return; }
        resolve(a);
      } catch { unreachable('the answer is not one JSON line'); }
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = e.code === 'ENOENT' ? 'no socket: is the gateway running with this config?'
        : e.code === 'ECONNREFUSED' ? 'nobody listens: the gateway is not running (a stale socket file)'
          : e.code === 'EACCES' ? 'permission denied: run as the gateway\'s user (or root)' : e.message;
      unreachable(why);
    });
    s.on('close', () => { clearTimeout(timer); if (!buf.includes('\n')) unreachable('the gateway closed the connection without answering'); });
  });
}
