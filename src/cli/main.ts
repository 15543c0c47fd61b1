// The `ferry` command. Exit codes: 0 ok, 1 a check failed, 2 usage or environment error.
import { readFileSync } from 'node:fs';
import { isFerryError } from '../errors.js';
import { certsCommand } from './certs.js';
import { startCommand } from './start.js';
import { timeCommand } from './time.js';
import { auditCommand } from './audit.js';
import { policyCommand } from './policy.js';
import { quarantineCommand } from './quarantine.js';
import { deskCommand, DESK_USAGE } from './desk.js';
import { logCommand } from './log.js';
import { backupCommand, restoreCommand, BACKUP_USAGE } from './backup.js';
import { configCommand, CONFIG_USAGE } from './config-check.js';
import { rejectedCommand, REJECTED_USAGE } from './rejected.js';
import { outboxCommand, OUTBOX_USAGE } from './outbox.js';
import { statusCommand, STATUS_USAGE } from './status.js';
import { intakeCommand, INTAKE_USAGE } from './intake.js';
import { caseTraceCommand, CASE_TRACE_USAGE } from './case-trace.js';
import { catalogueCommand, CATALOGUE_EXAMPLE, CATALOGUE_USAGE } from './catalogue.js';

export const USAGE = `ferry — secure exchange between an applicant network and an approval intranet

Usage:
  ferry --version | <command> --help
  ferry start external --config config/external.yaml [--allow-root]
  ferry start internal --config config/internal.yaml [--allow-root]
  ferry start demo                  both gateways on this machine, dev PKI made on first run
  ferry certs init --dir certs [--force] [--days 398] [--san intranet.example.gov] [--crl-url http://host/crl/ca.crl]
  ferry certs show --dir certs [--json]
  ferry certs import --p12 op.p12 --role external-tls --dir certs [--password-file F] [--ca certs/ca.crt]
  ferry certs revoke --dir certs --serial HEX | --cert FILE [--reason keyCompromise] [--days 7] [--json]   new CRL in certs/ca.crl
  ferry certs crl --dir certs [--days 7]   re-issue the CRL with a fresh nextUpdate (from a timer)
  ferry config check --config /etc/ferry/internal.yaml [--user ferry] [--json]   check without starting (like nginx -t)
  ferry time status --config config/internal.yaml [--json]
  ferry policy check config/policy.yaml
  ferry policy explain config/policy.yaml --from public --to intranet --kind submission [--item SCJG-001] [--attachment a.pdf]
  ferry quarantine list --config config/internal.yaml [--state held] [--json]
  ferry quarantine release|reject <packet> --config config/internal.yaml --operator NAME --reason "WHY"
${STATUS_USAGE}${INTAKE_USAGE}${REJECTED_USAGE}${OUTBOX_USAGE}  ferry audit verify --config config/internal.yaml [--peer var/external/external.sqlite] [--json]   (--help for pins by file)
  ferry audit export --db var/internal/internal.sqlite --from 2026-11-01 --to 2026-11-30 --out bundle --ca certs/ca.crt --sign-cert certs/internal-sign.crt [--tsa-cert certs/tsa.crt --tsa-policy OID]
${CATALOGUE_USAGE}  ferry staff add|list|disable ... --config config/internal.yaml
  ferry case list|show|act ... --config config/internal.yaml
${CASE_TRACE_USAGE}  ferry supervision report --month 2026-11 [--json] --config config/internal.yaml
  ferry log mask F20261203-7K3MQ9XD2B4C6E8G [--json]   the token a case number appears as in logs
${BACKUP_USAGE}
Examples:
  npx ferry certs init --dir ./certs && npx ferry certs show --dir ./certs
`;

/** The release, from the package.json installed beside dist/ (/usr/lib/ferry in the .deb). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version} (node ${process.versions.node})`;
}

/** `ferry <cmd> --help`: the usage lines of that command (from the one USAGE text) and an example. */
function commandHelp(cmd: string): string | undefined {
  if (cmd === 'config') return CONFIG_USAGE;
  if (cmd === 'catalogue') return `Usage:\n${CATALOGUE_USAGE}${CATALOGUE_EXAMPLE}\nExit codes: 0 ok, 1 the sheet has faults (nothing written), 2 usage or environment error. Paths inside a config file resolve against that file's directory.\n`;
  const lines = (USAGE + DESK_USAGE).split('\n').filter((l) => l.startsWith(`  ferry ${cmd} `));
  if (lines.length === 0) return undefined;
  return `Usage:\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 a check failed, 2 usage or environment error. Paths inside a config file resolve against that file's directory.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') { process.stdout.write(version() + '\n'); return 0; }
  if (cmd && (rest.includes('--help') || rest.includes('-h'))) {
    const help = commandHelp(cmd);
    if (help) { process.stdout.write(help); return 0; }
  }
  try {
    switch (cmd) {
      case 'start': return await startCommand(rest);
      case 'certs': return await certsCommand(rest);
      case 'time': return await timeCommand(rest);
      case 'audit': return await auditCommand(rest);
      case 'policy': return await policyCommand(rest);
      case 'quarantine': return await quarantineCommand(rest);
      case 'rejected': return await rejectedCommand(rest);
      case 'outbox': return await outboxCommand(rest);
      case 'status': return await statusCommand(rest);
      case 'intake': return await intakeCommand(rest);
      case 'catalogue': return await catalogueCommand(rest);
      case 'config': return await configCommand(rest);
      case 'case': return rest[0] === 'trace' ? await caseTraceCommand(rest.slice(1)) : await deskCommand(cmd, rest);
      case 'staff': case 'supervision': return await deskCommand(cmd, rest);
      case 'log': return await logCommand(rest);
      case 'backup': return await backupCommand(rest);
      case 'restore': return await restoreCommand(rest);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(USAGE); return cmd ? 0 : 2;
      default:
        process.stderr.write(`ferry: unknown command '${cmd.slice(0, 40)}' (ferry --help lists the commands)\n`); return 2;
    }
  } catch (e) {
    if (isFerryError(e)) { process.stderr.write(`ferry: ${e.code}: ${e.message}\n`); return 2; }
    process.stderr.write(`ferry: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}
