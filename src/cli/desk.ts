// `ferry staff | case | supervision ...`: the approval desk's commands, run against the internal
// gateway's SQLite file named by its config (the running gateway picks up their events). Commands that
// change desk state are audited in the gateway's chain with the gateway's trusted time: the clock is
// built from the same time: section and polled once before the command runs.
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { internalSchema } from '../config/gateway-config.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { caseCommand, splitConfigArg, staffCommand, supervisionCommand } from '../desk/index.js';
import { cliTrustedClock } from './trusted-time.js';

/** Subcommands that write desk state (and so audit entries). Read-only ones need no NTP round. */
const WRITES: Record<string, readonly string[]> = { staff: ['add', 'disable'], case: ['act'], supervision: [] };

export async function deskCommand(which: 'staff' | 'case' | 'supervision', args: string[]): Promise<number> {
  const { config, rest } = splitConfigArg(args);
  const cfg = loadConfigFile(config, internalSchema);
  const writes = WRITES[which]!.includes(rest[0] ?? '');
  const time = writes ? await cliTrustedClock(cfg.time) : null;
  try {
    const ctx = { dbFile: join(cfg.dataDir, 'internal.sqlite'), migrations: INTERNAL_MIGRATIONS, config: cfg.approval, ...(time ? { clock: time.clock } : {}) };
    const run = which === 'staff' ? staffCommand : which === 'case' ? caseCommand : supervisionCommand;
    return await run(rest, ctx);
  } finally {
    await time?.stop();
  }
}
