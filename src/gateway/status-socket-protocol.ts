// The local status socket's protocol, shared by the gateway (status-socket.ts) and the CLI
// (src/cli/status.ts, src/cli/intake.ts), in the manner of chronyc ↔ chronyd: a UNIX socket in the
// gateway's dataDir, mode 0600 (only the gateway's own user, and root, may connect), one JSON object
// a line each way. Every request and answer carries the protocol version `v`; a peer of another
// version is answered with an error that names both, never guessed at.
//   → {"v":1,"cmd":"status"}
//   ← {"v":1,"ok":true,"result":{...StatusReport}}
//   → {"v":1,"cmd":"intake.pause","operator":"NAME","reason":"WHY"}   (external gateway only)
//   ← {"v":1,"ok":false,"error":{"code":"FERRY_ERR_...","message":"..."}}
import { join } from 'node:path';

export const STATUS_PROTOCOL_VERSION = 1;
/** A request is a few hundred bytes; a line longer than this is not one (the connection is closed). */
export const MAX_REQUEST_LINE_BYTES = 4096;
/** A client that says nothing for this long is dropped: the socket is for a command, not a session. */
export const SOCKET_IDLE_MS = 5000;
/** Concurrent clients; an operator's shell and a monitoring script, not a crowd. */
export const MAX_SOCKET_CLIENTS = 8;
/** The CLI gives up on a gateway that does not answer within this time (exit 2, unreachable). */
export const CLIENT_TIMEOUT_MS = 5000;

export const STATUS_COMMANDS = ['status', 'intake.pause', 'intake.resume'] as const;
export type StatusCommand = (typeof STATUS_COMMANDS)[number];

export interface StatusRequest { v: number; cmd: StatusCommand; operator?: string; reason?: string }

export type StatusAnswer =
  | { v: number; ok: true; result: Record<string, unknown> }
  | { v: number; ok: false; error: { code: string; message: string } };

/** The socket of the gateway whose dataDir is `dataDir` (short: a UNIX socket path is at most 107 bytes). */
export function statusSocketPath(dataDir: string, gateway: 'external' | 'internal'): string {
  return join(dataDir, `${gateway}.sock`);
}
