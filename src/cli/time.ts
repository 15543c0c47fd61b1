// `ferry time status --config F [--json]`: one poll of the configured NTP sources, shown the way
// `chronyc sources -v` / `chronyc tracking` show them. Exit 0 trusted, 1 degraded or untrusted.
import { FerryError } from '../errors.js';
import { loadConfigFile } from '../config/load.js';
import { externalSchema, internalSchema } from '../config/gateway-config.js';
import { TrustedClock } from '../time/trusted-clock.js';
import { formatTimeStatus } from '../time/format-status.js';
import { parse } from './args.js';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';

export async function timeCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'status') throw new FerryError('FERRY_ERR_CLI_USAGE', "time: unknown subcommand (status)");
  const { values } = parse(rest, { config: { type: 'string', default: 'config/internal.yaml' }, json: { type: 'boolean', default: false } });
  const file = values.config!;
  const role = (parseYaml(readFileSync(file, 'utf8')) as { gateway?: string })?.gateway;
  const t = role === 'external' ? loadConfigFile(file, externalSchema).time : loadConfigFile(file, internalSchema).time;
  if (t.sources.length === 0) {
    process.stderr.write(`ferry: ${file}: time.sources is empty: time is never trusted\n`);
    return 1;
  }
  const clock = new TrustedClock({
    sources: t.sources.map((s) => ({ ...(s.name ? { name: s.name } : {}), host: s.host, port: s.port })),
    quorum: t.quorum, toleranceMs: t.toleranceMs, maxOffsetMs: t.maxOffsetMs, hardLimitMs: t.hardLimitMs,
    maxDistanceMs: t.maxDistanceMs, pollIntervalMs: t.pollIntervalMs, timeoutMs: t.timeoutMs,
  });
  const status = await clock.poll();
  process.stdout.write(values.json ? JSON.stringify(status, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n' : formatTimeStatus(status) + '\n');
  return status.state === 'trusted' ? 0 : 1;
}
