// Structured logs: one JSON object a line on stdout (journald keeps them). Fields name the packet,
// case, stage, rule and code; never a key, a password, an applicant's case secret or a submission's
// personal data. Case numbers are masked here, once, for every log site on both gateways
// (src/gateway/case-mask.ts): a case number must not be readable from a log.
import { pino, type Logger } from 'pino';
import { maskCaseId, maskLogValue } from './case-mask.js';
import { withoutQuotedInput } from './quoted-input.js';

export type { Logger };

export function createLogger(name: string, level: string): Logger {
  return pino({
    name, level,
    base: { gateway: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => {
        const o = maskLogValue(obj) as Record<string, unknown>;
        // A refusal's detail may quote the client's input; the log keeps it unquoted.
        if (typeof o['detail'] === 'string') o['detail'] = withoutQuotedInput(o['detail']);
        return o;
      },
    },
    // The message text too: a site may interpolate a case number into it.
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskCaseId(a) : a)) as Parameters<typeof method>;
        return method.apply(this, masked);
      },
    },
    redact: {
      paths: ['key', 'password', '*.key', '*.password', 'body', 'requestBody', 'secret', '*.secret', 'headers', '*.headers'],
      remove: true,
    },
  });
}
