// `ferry certs init | show | import`.
import { FerryError } from '../errors.js';
import { initDevPki } from '../pki/dev-ca.js';
import { describeCertificates, formatCertTable } from '../pki/inspect.js';
import { parse } from './args.js';

export async function certsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'init': {
      const { values } = parse(rest, { dir: { type: 'string', default: 'certs' }, force: { type: 'boolean', default: false }, days: { type: 'string' } });
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new FerryError('FERRY_ERR_CLI_USAGE', '--days must be a positive integer');
      const files = await initDevPki(values.dir!, { force: values.force!, ...(days ? { days } : {}) });
      process.stdout.write(`development PKI written to ${values.dir} (${Object.keys(files).length} certificates; keys mode 0600)\n`);
      process.stdout.write(formatCertTable(describeCertificates(values.dir!, new Date())) + '\n');
      return 0;
    }
    case 'show': {
      const { values } = parse(rest, { dir: { type: 'string', default: 'certs' }, json: { type: 'boolean', default: false } });
      const rows = describeCertificates(values.dir!, new Date());
      process.stdout.write(values.json ? JSON.stringify(rows, null, 2) + '\n' : formatCertTable(rows) + '\n');
      return rows.some((r) => r.daysLeft < 0) ? 1 : 0;
    }
    default:
      throw new FerryError('FERRY_ERR_CLI_USAGE', `certs: unknown subcommand '${sub ?? ''}' (init, show, import)`);
  }
}
