// `ferry time status --config F [--json]`: one poll of the configured NTP sources, shown the way
// `chronyc sources -v` / `chronyc tracking` show them. Exit 0 trusted, 1 degraded or untrusted.
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { newTrustedClock } from '../gateway/time.js';
import { formatTimeStatus } from '../time/format-status.js';
import { parse } from './args.js';

export async function timeCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'status') throw new FerryError('FERRY_ERR_CLI_USAGE', "time: unknown subcommand (status)");
  const { values } = parse(rest, { config: { type: 'string', default: 'config/internal.yaml' }, json: { type: 'boolean', default: false } });
  const file = values.config!;
  const t = loadAnyGatewayConfig(file).cfg.time;
  if (t.sources.length === 0) {
    process.stderr.write(`ferry: ${file}: time.sources is empty: time is never trusted\n`);
    return 1;
  }
  const status = await newTrustedClock(t).poll();
  process.stdout.write(values.json ? JSON.stringify(status, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n' : formatTimeStatus(status) + '\n');
  return status.state === 'trusted' ? 0 : 1;
}
