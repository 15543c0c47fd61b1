// `ferry config check --config FILE [--user ferry] [--json]`: check a gateway's config and everything
// it names without starting (like `nginx -t`). The units' ExecReload runs it before the HUP, so a bad
// change is refused with the old config still in force. Exit 0 ok (warnings allowed), 1 a check
// failed, 2 usage or the config file cannot be read.
import { existsSync } from 'node:fs';
import { FerryError } from '../errors.js';
import { checkConfigFile, localUid, type CheckLine } from './config-check-lines.js';
import { parse } from './args.js';

export const CONFIG_USAGE = `Usage:
  ferry config check --config /etc/ferry/internal.yaml [--user ferry] [--json]

Checks the config (either role; read from its gateway: key), the keys (exist, owner-only, match their
certificates; with --user, owned by that user), the certificates (parse; fit their role and chain to
keys.ca by the same check as ferry start; not expired; warn under 30 days), the policy, the catalogue
and calendar (internal) and the NTP sources.
Relative paths resolve against the config file's directory. Opens no database, writes nothing.
One line per check: ok / warn / FAIL, the key, the file, and the fix. Exit 0 ok, 1 a check failed, 2 usage.

Example:
  ferry config check --config /etc/ferry/internal.yaml --user ferry && systemctl reload ferry-internal
`;

export async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') { process.stdout.write(CONFIG_USAGE); return 0; }
  if (sub !== 'check') throw new FerryError('FERRY_ERR_CLI_USAGE', `config: unknown subcommand '${sub ?? ''}' (check)\n${CONFIG_USAGE}`);
  const { values } = parse(rest, { config: { type: 'string' }, user: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) { process.stdout.write(CONFIG_USAGE); return 0; }
  if (!values.config) throw new FerryError('FERRY_ERR_CLI_USAGE', 'config check needs --config <gateway yaml>');
  if (!existsSync(values.config)) throw new FerryError('FERRY_ERR_CONFIG', `${values.config}: cannot read: ENOENT`);
  let serviceUid: number | undefined;
  if (values.user !== undefined) {
    serviceUid = /^\d+$/.test(values.user) ? Number(values.user) : localUid(values.user);
    if (serviceUid === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', `--user ${values.user}: no such user in /etc/passwd`);
  }
  const lines = checkConfigFile(values.config, { now: new Date(), serviceUid, serviceUser: values.user });
  const failed = lines.some((l) => l.level === 'FAIL');
  if (values.json) process.stdout.write(JSON.stringify({ config: values.config, ok: !failed, checks: lines }, null, 2) + '\n');
  else {
    process.stdout.write(lines.map(formatLine).join('\n') + '\n');
    const n = (lv: CheckLine['level']) => lines.filter((l) => l.level === lv).length;
    process.stdout.write(`${values.config}: ${failed ? 'FAILED' : 'OK'} — ${n('ok')} ok, ${n('warn')} warn, ${n('FAIL')} FAIL\n`);
  }
  return failed ? 1 : 0;
}

/** `FAIL  keys.signKey         /etc/ferry/certs/internal-sign.key: does not exist — fix: ...` */
export function formatLine(l: CheckLine): string {
  const where = l.file ? `${l.file}: ` : '';
  return `${l.level.padEnd(5)} ${l.key.padEnd(18)} ${where}${l.detail}${l.fix && l.level !== 'ok' ? ` — fix: ${l.fix}` : ''}`;
}
