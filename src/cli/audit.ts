// `ferry audit verify | export`: re-check a gateway's audit chain; write a bundle a supervision office
// verifies with openssl and coreutils alone.
import { FerryError } from '../errors.js';
import { auditExportCommand, auditVerifyCommand, ttyProgress } from '../audit/commands.js';
import { loadCertificates } from '../pki/key-files.js';
import { verifyTimeStampToken } from '../time/tsa-verify.js';
import { parse } from './args.js';

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') {
    const { values } = parse(rest, { db: { type: 'string' }, ca: { type: 'string' }, 'expect-head': { type: 'string' }, json: { type: 'boolean', default: false } });
    if (!values.db) throw new FerryError('FERRY_ERR_CLI_USAGE', 'audit verify needs --db <gateway sqlite file>');
    const trusted = values.ca ? loadCertificates(values.ca) : [];
    const r = await auditVerifyCommand({
      db: values.db, ...(values.ca ? { ca: [values.ca] } : {}), json: values.json!,
      ...(values['expect-head'] ? { expectHead: values['expect-head'] } : {}),
      ...(trusted.length ? { checkTimeStamp: (token: Buffer, data: Buffer) => verifyTimeStampToken(token, { data, trusted }) } : {}),
      onProgress: ttyProgress(process.stderr, 'checked'),
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr.replace(/^(?=.)/gm, 'ferry: ')); // like every other ferry error line
    return r.exitCode;
  }
  if (sub === 'export') {
    const { values } = parse(rest, {
      db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' },
      ca: { type: 'string' }, 'sign-cert': { type: 'string' }, 'tsa-cert': { type: 'string' }, json: { type: 'boolean', default: false },
    });
    if (!values.db || !values.from || !values.to || !values.out || !values.ca || !values['sign-cert']) {
      throw new FerryError('FERRY_ERR_CLI_USAGE', 'audit export needs --db --from --to --out --ca --sign-cert [--tsa-cert]');
    }
    const r = auditExportCommand({
      db: values.db, from: values.from, to: values.to, out: values.out, ca: values.ca, signCert: values['sign-cert'],
      ...(values['tsa-cert'] ? { tsaCert: values['tsa-cert'] } : {}), json: values.json!,
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr.replace(/^(?=.)/gm, 'ferry: ')); // like every other ferry error line
    return r.exitCode;
  }
  throw new FerryError('FERRY_ERR_CLI_USAGE', 'audit: unknown subcommand (verify, export)');
}
