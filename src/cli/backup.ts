// `ferry backup --out FILE` (online, while the gateway runs) and `ferry restore --from FILE` (with the
// gateway stopped). The database is the one the config names (dataDir, resolved against the config
// file's directory), so an operator cannot back up or overwrite the wrong file by standing elsewhere.
import { join } from 'node:path';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { EXTERNAL_MIGRATIONS } from '../external/store.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { backupDatabase, restoreDatabase, type BackupCheck } from '../store/backup.js';
import { FerryError } from '../errors.js';
import { parse } from './args.js';

export const BACKUP_USAGE = `  ferry backup --config config/internal.yaml --out /backup/internal-2026-12-03.sqlite [--json]   online, consistent, 0600
  ferry restore --config config/internal.yaml --from /backup/internal-2026-12-03.sqlite   gateway stopped; the replaced file is kept
`;

function gatewayDb(config: string) {
  const gw = loadAnyGatewayConfig(config);
  const internal = gw.role === 'internal';
  return { role: gw.role, file: join(gw.cfg.dataDir, internal ? 'internal.sqlite' : 'external.sqlite'), migrations: internal ? INTERNAL_MIGRATIONS : EXTERNAL_MIGRATIONS };
}

const describe = (c: BackupCheck) => `schema ${c.schemaVersion}, ${c.tables} tables, ${c.bytes} bytes, sha256 ${c.sha256}`;

export async function backupCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', default: 'config/internal.yaml' }, out: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (!values.out) throw new FerryError('FERRY_ERR_CLI_USAGE', 'backup needs --out FILE (a new file)');
  const g = gatewayDb(values.config!);
  const c = await backupDatabase(g.file, values.out, g.migrations);
  if (values.json) process.stdout.write(JSON.stringify({ role: g.role, from: g.file, out: values.out, ...c }) + '\n');
  else process.stdout.write(`ferry: backed up ${g.role} ${g.file} to ${values.out}: ${describe(c)} (integrity_check ok)\n`);
  return 0;
}

export async function restoreCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', default: 'config/internal.yaml' }, from: { type: 'string' } });
  if (!values.from) throw new FerryError('FERRY_ERR_CLI_USAGE', 'restore needs --from FILE (a file made by ferry backup)');
  const g = gatewayDb(values.config!);
  const r = restoreDatabase(g.file, values.from, g.migrations, new Date());
  process.stdout.write(`ferry: restored ${g.role} ${g.file} from ${values.from}: ${describe(r.check)}\n`);
  if (r.keptAs) process.stdout.write(`ferry: the replaced database is kept as ${r.keptAs} (and its -wal): delete it once the gateway runs well\n`);
  // What crossed the link after the backup is replayed by the peer (PROTOCOL.md §6 rule 13), within its
  // retention window; a gap beyond it is alarmed on the peer, so the operator is told where to look.
  process.stdout.write(`ferry: on its next link session the gateway asks the peer to replay what it acknowledged after this backup (kept link.replayRetentionHours, default 72 h); duplicates are dropped. Check the peer's log and ferry_replay_gap_packets_total for a replay gap (a backup older than the peer's retention), and \`ferry quarantine list\` before reopening\n`);
  return 0;
}
