// `ferry audit verify | export`: re-check a gateway's audit chain; write a bundle a supervision office
// verifies with openssl and coreutils alone.
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { auditExportCommand, auditVerifyCommand, ttyProgress } from '../audit/commands.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { anchorPolicyOf } from '../internal/tsa-service.js';
import { loadCertificates } from '../pki/key-files.js';
import { verifyTimeStampToken } from '../time/tsa-verify.js';
import { parse } from './args.js';

export const AUDIT_VERIFY_USAGE = `ferry audit verify --config config/internal.yaml [--peer var/external/external.sqlite] [--json]
ferry audit verify --db FILE --ca ca.crt --sign-cert sign.crt [--sign-cert old-sign.crt] [--tsa-policy OID] [--peer PEER_DB] [--expect-head SEQ:HASH] [--json]
  --config      takes the database, CA, signing certificate and (internal) the TSA anchor policy from the gateway's config
  --peer        the OTHER gateway's database: every head of this chain it holds must be in this chain, with the same hash
  exit 0: every anchor kind verified against the pins; 1: a check failed or could not be made; 2: usage or environment`;

/** Pins from the gateway's config: what `ferry audit verify --config` checks against. */
function fromConfig(file: string): { db: string; ca: string; signCert: string; anchorPolicyOid?: string } {
  const g = loadAnyGatewayConfig(file);
  return g.role === 'internal'
    ? { db: join(g.cfg.dataDir, 'internal.sqlite'), ca: g.cfg.keys.ca, signCert: g.cfg.keys.signCert, anchorPolicyOid: anchorPolicyOf(g.cfg.tsa) }
    : { db: join(g.cfg.dataDir, 'external.sqlite'), ca: g.cfg.keys.ca, signCert: g.cfg.keys.signCert };
}

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') {
    const { values } = parse(rest, {
      config: { type: 'string' }, db: { type: 'string' }, ca: { type: 'string' }, 'sign-cert': { type: 'string', multiple: true },
      'tsa-policy': { type: 'string' }, peer: { type: 'string' }, 'expect-head': { type: 'string' }, json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    });
    if (values.help) { process.stdout.write(`${AUDIT_VERIFY_USAGE}\n`); return 0; }
    const c = values.config ? fromConfig(values.config) : null;
    const db = values.db ?? c?.db;
    const ca = values.ca ?? c?.ca;
    const signCerts = values['sign-cert'] ?? (c ? [c.signCert] : []);
    const anchorPolicyOid = values['tsa-policy'] ?? c?.anchorPolicyOid;
    if (!db) throw new FerryError('FERRY_ERR_CLI_USAGE', `audit verify needs --config or --db\n${AUDIT_VERIFY_USAGE}`);
    const trusted = ca ? loadCertificates(ca) : [];
    const r = await auditVerifyCommand({
      db, ...(ca ? { ca: [ca] } : {}), signCerts, json: values.json!,
      ...(anchorPolicyOid ? { anchorPolicyOid } : {}),
      ...(values.peer ? { peerDb: values.peer } : {}),
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
      ca: { type: 'string' }, 'sign-cert': { type: 'string' }, 'tsa-cert': { type: 'string' }, 'tsa-policy': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (!values.db || !values.from || !values.to || !values.out || !values.ca || !values['sign-cert']) {
      throw new FerryError('FERRY_ERR_CLI_USAGE', 'audit export needs --db --from --to --out --ca --sign-cert [--tsa-cert --tsa-policy]');
    }
    const r = auditExportCommand({
      db: values.db, from: values.from, to: values.to, out: values.out, ca: values.ca, signCert: values['sign-cert'],
      ...(values['tsa-cert'] ? { tsaCert: values['tsa-cert'] } : {}), ...(values['tsa-policy'] ? { anchorPolicyOid: values['tsa-policy'] } : {}),
      json: values.json!,
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr.replace(/^(?=.)/gm, 'ferry: ')); // like every other ferry error line
    return r.exitCode;
  }
  throw new FerryError('FERRY_ERR_CLI_USAGE', 'audit: unknown subcommand (verify, export)');
}
