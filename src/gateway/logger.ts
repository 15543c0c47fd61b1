// Structured logs: one JSON object a line on stdout (journald keeps them). Fields name the packet,
// case, stage, rule and code; never a key, a password or a submission's personal data.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level: string): Logger {
  return pino({
    name, level,
    base: { gateway: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['key', 'password', '*.key', '*.password', 'body', 'requestBody'], remove: true },
  });
}
