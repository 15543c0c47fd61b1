// `ferry certs init | show | import | revoke | crl`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { importP12 } from '../pki/p12-import.js';
import { initDevPki, MAX_TLS_DAYS } from '../pki/dev-ca.js';
import { describeCertificates, formatCertTable } from '../pki/inspect.js';
import { loadCertificates } from '../pki/key-files.js';
import { parse } from './args.js';
import { keepPreviousFiles } from '../gateway/previous-keys.js';
import { readCaDb } from '../pki/ca-db.js';
import { CRL_REASON_NAMES, type CrlReason } from '../pki/crl.js';
import { DEFAULT_CRL_DAYS, revokeDevCertificate, writeDevCrl } from '../pki/dev-ca-crl.js';

function crlDays(v: string | undefined): number {
  const d = v === undefined ? DEFAULT_CRL_DAYS : Number(v);
  if (!Number.isInteger(d) || d < 1 || d > 366) throw new FerryError('FERRY_ERR_CLI_USAGE', `--days must be a whole number from 1 to 366 (the CRL's nextUpdate), got ${v}`);
  return d;
}

export async function certsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'init': {
      const { values } = parse(rest, {
        dir: { type: 'string', default: 'certs' }, force: { type: 'boolean', default: false }, days: { type: 'string' },
        // --san: the intranet listener's configured host (intranet.host in internal.yaml), repeatable.
        san: { type: 'string', multiple: true }, 'crl-url': { type: 'string' },
      });
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_TLS_DAYS)) {
        throw new FerryError('FERRY_ERR_CLI_USAGE', `--days must be a whole number from 1 to ${MAX_TLS_DAYS} (CA/Browser Forum ceiling)`);
      }
      const files = await initDevPki(values.dir!, {
        force: values.force!, ...(days ? { days } : {}), intranetHosts: values.san ?? [],
        ...(values['crl-url'] ? { crlUrl: values['crl-url'] } : {}),
      });
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
    case 'import': {
      const { values } = parse(rest, {
        p12: { type: 'string' }, role: { type: 'string' }, dir: { type: 'string', default: 'certs' },
        'password-file': { type: 'string' }, force: { type: 'boolean', default: false }, ca: { type: 'string' },
      });
      if (!values.p12 || !values.role) throw new FerryError('FERRY_ERR_CLI_USAGE', 'certs import needs --p12 <file> and --role <name> [--ca <file>]');
      // The CA the certificate must chain to: --ca, or the directory's own ca.crt when there is one.
      const caFile = values.ca ?? (existsSync(join(values.dir!, 'ca.crt')) ? join(values.dir!, 'ca.crt') : undefined);
      const ca = caFile ? loadCertificates(caFile) : undefined;
      // Never a password on the command line: it would show in ps and in shell history.
      const password = values['password-file']
        ? readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '')
        : process.env.FERRY_P12_PASSWORD ?? '';
      // Rotation with overlap: the files being replaced stay as *.prev (the gateway still opens with them).
      const kept = values.force ? keepPreviousFiles(values.dir!, values.role) : [];
      const out = await importP12(values.p12, password, values.dir!, values.role, { force: values.force!, ...(ca ? { ca } : {}) });
      if (kept.length) process.stdout.write(`kept the previous files: ${kept.join(', ')}\n`);
      process.stdout.write(`imported ${values.p12} as ${values.role}: ${out.subject} (${out.keyType}), sha256 ${out.sha256}\n`
        + `  certificate ${out.cert}\n  key         ${out.key} (mode 0600)\n${out.chain ? `  chain       ${out.chain} (${out.chainLength})\n` : ''}`);
      return 0;
    }
    case 'revoke': {
      // Like `openssl ca -revoke FILE -crl_reason R` followed by `openssl ca -gencrl`, in one step.
      const { values } = parse(rest, {
        dir: { type: 'string', default: 'certs' }, serial: { type: 'string' }, cert: { type: 'string' },
        reason: { type: 'string', default: 'unspecified' }, days: { type: 'string' }, json: { type: 'boolean', default: false },
      });
      if (Boolean(values.serial) === Boolean(values.cert)) throw new FerryError('FERRY_ERR_CLI_USAGE', 'certs revoke needs exactly one of --serial HEX or --cert FILE');
      if (!(CRL_REASON_NAMES as readonly string[]).includes(values.reason!)) {
        throw new FerryError('FERRY_ERR_CLI_USAGE', `--reason must be one of ${CRL_REASON_NAMES.join(', ')} (got ${values.reason})`);
      }
      const out = await revokeDevCertificate(values.dir!, {
        ...(values.serial ? { serial: values.serial } : {}), ...(values.cert ? { cert: values.cert } : {}),
        reason: values.reason as CrlReason, now: new Date(), days: crlDays(values.days),
      });
      process.stdout.write(values.json ? JSON.stringify({ ...out, nextUpdate: out.nextUpdate.toISOString() }) + '\n'
        : `revoked serial ${out.serial} (${out.subject}), reason ${values.reason}\n`
          + `CRL number ${out.crlNumber} written to ${out.file} (${out.revoked} revoked; next update ${out.nextUpdate.toISOString()})\n`
          + 'gateways pick it up at their next pki.crl refresh, or now with: systemctl reload ferry-internal ferry-external\n');
      return 0;
    }
    case 'crl': {
      // Re-issues the CRL with a fresh nextUpdate (run from a timer well within --days).
      const { values } = parse(rest, { dir: { type: 'string', default: 'certs' }, days: { type: 'string' } });
      const out = await writeDevCrl(values.dir!, readCaDb(values.dir!), new Date(), crlDays(values.days));
      process.stdout.write(`CRL number ${out.crlNumber} written to ${out.file} (${out.revoked} revoked; next update ${out.nextUpdate.toISOString()})\n`);
      return 0;
    }
    default:
      throw new FerryError('FERRY_ERR_CLI_USAGE', `certs: unknown subcommand '${sub ?? ''}' (init, show, import, revoke, crl)`);
  }
}
