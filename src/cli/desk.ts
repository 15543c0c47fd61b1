// `ferry staff | case | supervision ...`: the approval desk's commands, run against the internal
// gateway's SQLite file named by its config (the running gateway picks up their events). Commands that
// change desk state are audited in the gateway's chain with the gateway's trusted time: the clock is
// built from the same time: section and polled once before the command runs.
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { internalSchema } from '../config/gateway-config.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { caseCommand, splitConfigArg, staffCommand, supervisionCommand } from '../desk/index.js';
import { newTrustedClock, type TimeSection } from '../gateway/time.js';
import type { Clock } from '../time/clock.js';

/** Subcommands that write desk state (and so audit entries). Read-only ones need no NTP round. */
const WRITES: Record<string, readonly string[]> = { staff: ['add', 'disable'], case: ['act'], supervision: [] };

/** The time the gateway would use now: the NTP quorum's, after one poll. Untrusted (no quorum, or no
 *  sources): the local clock, as the running gateway's desk does, with the reason on stderr. */
async function deskClock(t: TimeSection): Promise<{ clock: Clock; stop: () => Promise<void> }> {
  if (t.sources.length === 0) {
    process.stderr.write('ferry: time.sources is empty: time is not trusted; the audit entry carries the local clock\n');
    return { clock: { now: () => new Date() }, stop: async () => {} };
  }
  const clock = newTrustedClock(t);
  const status = await clock.poll();
  if (status.state === 'untrusted') process.stderr.write(`ferry: time not trusted (${status.reason}); the audit entry carries the local clock\n`);
  return { clock, stop: () => clock.stop() };
}

export async function deskCommand(which: 'staff' | 'case' | 'supervision', args: string[]): Promise<number> {
  const { config, rest } = splitConfigArg(args);
  const cfg = loadConfigFile(config, internalSchema);
  const writes = WRITES[which]!.includes(rest[0] ?? '');
  const time = writes ? await deskClock(cfg.time) : null;
  try {
    const ctx = { dbFile: join(cfg.dataDir, 'internal.sqlite'), migrations: INTERNAL_MIGRATIONS, config: cfg.approval, ...(time ? { clock: time.clock } : {}) };
    const run = which === 'staff' ? staffCommand : which === 'case' ? caseCommand : supervisionCommand;
    return await run(rest, ctx);
  } finally {
    await time?.stop();
  }
}
