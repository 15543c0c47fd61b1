// `ferry intake pause|resume|status`: drains the external gateway before maintenance. A paused gateway
// answers new submissions and actions 503 with Retry-After (FERRY_ERR_OPS_INTAKE_PAUSED) while
// statuses, receipts and the link keep flowing, so the outbox empties. The running gateway is asked
// over its status socket; the pause is durable (it survives a restart) and audited with the operator
// and the reason.
import { FerryError } from '../errors.js';
import { parse } from './args.js';
import { askGateway, socketOf } from './status-client.js';

export const INTAKE_USAGE = `  ferry intake pause|resume --config config/external.yaml --operator NAME --reason "WHY"   drain before maintenance (survives a restart)
  ferry intake status --config config/external.yaml [--json]
`;

const SUBS = ['pause', 'resume', 'status'] as const;

export async function intakeCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!SUBS.includes(sub as never)) throw new FerryError('FERRY_ERR_CLI_USAGE', `intake: unknown subcommand '${sub ?? ''}' (${SUBS.join(', ')})`);
  const { values } = parse(rest, {
    config: { type: 'string', default: 'config/external.yaml' }, operator: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false },
  });
  const { gw, file } = socketOf(values.config!);
  if (gw.role !== 'external') throw new FerryError('FERRY_ERR_CLI_USAGE', `intake: ${values.config} is the internal gateway's config; intake is paused on the external gateway`);
  if (sub === 'status') {
    const a = await askGateway(file, 'status');
    if (!a.ok) throw new FerryError('FERRY_ERR_OPS_SOCKET', `${a.error.code}: ${a.error.message}`);
    const intake = a.result['intake'] as { state: string; pause: { since: string; operator: string; reason: string } | null };
    process.stdout.write(values.json ? JSON.stringify(intake) + '\n'
      : `intake ${intake.state}${intake.pause ? ` since ${intake.pause.since} by ${intake.pause.operator}: ${intake.pause.reason}` : ''}\n`);
    return 0;
  }
  if (!values.operator || !values.reason?.trim()) throw new FerryError('FERRY_ERR_CLI_USAGE', `intake ${sub} needs --operator NAME and --reason "WHY" (both audited)`);
  const a = await askGateway(file, sub === 'pause' ? 'intake.pause' : 'intake.resume', { operator: values.operator, reason: values.reason });
  if (!a.ok) { process.stderr.write(`ferry: ${a.error.code}: ${a.error.message}\n`); return 2; }
  const r = a.result as { changed: boolean; intake: { state: string } };
  process.stdout.write(values.json ? JSON.stringify(r) + '\n'
    : `${r.changed ? '' : 'already '}${sub === 'pause' ? 'paused' : 'resumed'}: intake ${r.intake.state}\n`);
  return 0;
}
