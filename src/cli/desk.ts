// `ferry staff | case | supervision ...`: the approval desk's commands, run against the internal
// gateway's SQLite file named by its config (the running gateway picks up their events).
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { internalSchema } from '../config/gateway-config.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { caseCommand, splitConfigArg, staffCommand, supervisionCommand } from '../desk/index.js';

export async function deskCommand(which: 'staff' | 'case' | 'supervision', args: string[]): Promise<number> {
  const { config, rest } = splitConfigArg(args);
  const cfg = loadConfigFile(config, internalSchema);
  const ctx = { dbFile: join(cfg.dataDir, 'internal.sqlite'), migrations: INTERNAL_MIGRATIONS, config: cfg.approval };
  const run = which === 'staff' ? staffCommand : which === 'case' ? caseCommand : supervisionCommand;
  return run(rest, ctx);
}
