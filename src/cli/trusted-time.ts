// The time a CLI command that writes audit entries dates them with: what the running gateway would
// use now. The gateway's trusted clock is built from the same `time:` section and polled once; while
// it is untrusted (no quorum, or no sources) its now() is the local clock, as in the gateway, and the
// command says so on stderr.
import { newTrustedClock, type TimeSection } from '../gateway/time.js';
import type { Clock } from '../time/clock.js';

export interface CliClock { readonly clock: Clock; stop(): Promise<void> }

export async function cliTrustedClock(t: TimeSection, err: (s: string) => void = (s) => void process.stderr.write(s)): Promise<CliClock> {
  if (t.sources.length === 0) {
    err('ferry: time.sources is empty: time is not trusted; the audit entry carries the local clock\n');
    return { clock: { now: () => new Date() }, stop: async () => {} };
  }
  const clock = newTrustedClock(t);
  const status = await clock.poll();
  if (status.state === 'untrusted') err(`ferry: time not trusted (${status.reason}); the audit entry carries the local clock\n`);
  return { clock, stop: () => clock.stop() };
}
