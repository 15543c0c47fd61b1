// The checks behind `ferry config check` (the command and its output are config-check.ts): everything
// a gateway needs before it starts — config, keys, certificates, policy, catalogue and calendar,
// trusted-time sources — checked without starting it (like `nginx -t`),
// so `systemctl reload` can refuse a bad change before the HUP reaches the running gateway. Opens no
// database and writes nothing. Each check is one line: ok / warn / FAIL, the key and file, and a fix.
import { statSync, readFileSync } from 'node:fs';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { isFerryError } from '../errors.js';
import { loadAnyGatewayConfig, type AnyGatewayConfig } from '../config/load-gateway.js';
import { requireRoleFit } from '../gateway/keys.js';
import { loadCertificates, loadPrivateKey, readCertificateFile } from '../pki/key-files.js';
import { verifyChain } from '../pki/chain.js';
import { certFacts } from '../pki/cert-extensions.js';
import { EXPIRY_WARNING_DAYS } from '../pki/inspect.js';
import { keyMatchesCertificate, timeStampingUsageProblem } from '../pki/role-fit.js';
import type { FerryRole } from '../pki/roles.js';
import { resolveTimeConfig } from '../time/time-config.js';
import { formatIssues, loadPolicyFile } from '../policy/policy-file.js';
import { loadCalendar, loadCatalogue } from '../approval/index.js';
import { crlLines } from './config-check-crl.js';

export type CheckLevel = 'ok' | 'warn' | 'FAIL';
export interface CheckLine {
  readonly level: CheckLevel;
  /** The config key checked (`keys.signCert`), or `config`, `node`. */
  readonly key: string;
  /** The file or directory the key names ('' when none). */
  readonly file: string;
  readonly detail: string;
  /** What the operator should do (FAIL and warn lines). */
  readonly fix?: string;
}

/** The Node.js range this release is built and tested for (package.json "engines"). */
export const NODE_RANGE = { minMajor: 20, minMinor: 15, belowMajor: 21 } as const;

const DAY_MS = 86_400_000;

/** Hints for a config the schema refused, by the key it names: the operator TODOs of the templates. */
const SCHEMA_FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/tsa\.policyOid/, "set tsa.policyOid to your organisation's TSA policy OID; without a registered arc use 2.25.<a UUID as one decimal integer> (ITU-T X.667): python3 -c 'import uuid; print(\"2.25.%d\" % uuid.uuid4().int)'"],
  [/unknown key/, 'remove or correct the key (a typo must not fall back to a default)'],
];

export interface CheckOptions {
  readonly now: Date;
  /** The uid of the service user (`--user ferry`): a key file it does not own is refused, since a 0600
   *  key owned by root is one the gateway cannot read. */
  readonly serviceUid?: number | undefined;
  /** Its name, for the fix line. */
  readonly serviceUser?: string | undefined;
  readonly nodeVersion?: string;
}

export function checkConfigFile(file: string, opts: CheckOptions): CheckLine[] {
  const out: CheckLine[] = [nodeLine(opts.nodeVersion ?? process.versions.node)];
  let gw: AnyGatewayConfig;
  try {
    gw = loadAnyGatewayConfig(file);
  } catch (e) {
    const msg = isFerryError(e) ? e.message : String(e);
    const fix = SCHEMA_FIXES.find(([re]) => re.test(msg))?.[1] ?? 'correct the file (every fault names the key)';
    out.push({ level: 'FAIL', key: 'config', file, detail: msg, fix });
    return out;
  }
  out.push({ level: 'ok', key: 'config', file, detail: `${gw.role} gateway config is valid (paths resolved against ${file}'s directory)` });
  const cfg = gw.cfg;
  const c = new Checker(out, opts);

  out.push(dataDirLine(cfg.dataDir));
  // The same role checks start makes (loadGatewayKeys, loadTls: requireRoleFit), so this refuses what
  // start refuses; the applicant API and operator certificates may come from a public CA and are only
  // checked against their keys, as at start.
  const ca = c.caFile('keys.ca', cfg.keys.ca);
  c.pair('keys.signCert', cfg.keys.signCert, 'keys.signKey', cfg.keys.signKey, ca, { role: 'packet-signer' });
  c.pair('keys.encCert', cfg.keys.encCert, 'keys.encKey', cfg.keys.encKey, ca, { role: 'packet-encryption' });
  c.pair('link.tls.cert', cfg.link.tls.cert, 'link.tls.key', cfg.link.tls.key, ca, { role: gw.role === 'external' ? 'external-gateway-link' : 'internal-gateway-link' });
  if (gw.role === 'external') {
    c.pair('api.tls.cert', gw.cfg.api.tls.cert, 'api.tls.key', gw.cfg.api.tls.key, undefined);
  } else {
    c.pair('intranet.tls.cert', gw.cfg.intranet.tls.cert, 'intranet.tls.key', gw.cfg.intranet.tls.key, ca, { role: 'intranet-server' });
    // The TSA's own rule (RFC 3161 §2.3), as the TimeStampAuthority checks it at start.
    c.pair('tsa.cert', gw.cfg.tsa.cert, 'tsa.key', gw.cfg.tsa.key, ca, { extra: (cert) => {
      const p = timeStampingUsageProblem(certFacts(cert));
      return p ? `${p.code}: ${p.detail}` : undefined;
    } });
  }
  if (cfg.operator.tls) c.pair('operator.tls.cert', cfg.operator.tls.cert, 'operator.tls.key', cfg.operator.tls.key, undefined);
  c.cert('peer.encCert', cfg.peer.encCert, ca, { role: 'packet-encryption' });
  out.push(...crlLines(cfg.pki, cfg.keys.ca, opts.now));

  const pol = loadPolicyFile(cfg.policy);
  out.push(pol.ok
    ? { level: 'ok', key: 'policy', file: cfg.policy, detail: `${pol.policy.domains.size} domains, ${pol.policy.rules.length} rules, sha256 ${pol.policy.sha256}` }
    : { level: 'FAIL', key: 'policy', file: cfg.policy, detail: formatIssues(pol).replace(/\n/g, '; '), fix: `ferry policy explain ${cfg.policy} ... shows how a packet is decided` });

  if (gw.role === 'internal') {
    // RFC 2606 reserves .invalid: the package template's placeholder for the external gateway.
    const host = new URL(gw.cfg.link.url).hostname;
    out.push(host.endsWith('.invalid')
      ? { level: 'FAIL', key: 'link.url', file, detail: `${gw.cfg.link.url} is the template's placeholder`, fix: "set link.url to the external gateway's link address (wss://host:8444/link)" }
      : { level: 'ok', key: 'link.url', file, detail: `dials ${gw.cfg.link.url}` });
    out.push(...approvalLines(gw.cfg.approval.items, gw.cfg.approval.calendar, opts.now));
  }
  out.push(...timeLines(cfg.time));
  if (cfg.allowRoot) out.push({ level: 'warn', key: 'allowRoot', file, detail: 'the gateway may run as root', fix: 'remove allowRoot: the units run as the ferry user' });
  return out;
}

function nodeLine(version: string): CheckLine {
  const [maj = 0, min = 0] = version.split('.').map(Number);
  const ok = maj === NODE_RANGE.minMajor ? min >= NODE_RANGE.minMinor : maj > NODE_RANGE.minMajor && maj < NODE_RANGE.belowMajor;
  const want = `>= ${NODE_RANGE.minMajor}.${NODE_RANGE.minMinor} and < ${NODE_RANGE.belowMajor}`;
  return ok
    ? { level: 'ok', key: 'node', file: process.execPath, detail: `Node.js ${version} (${want})` }
    : { level: 'FAIL', key: 'node', file: process.execPath, detail: `Node.js ${version} is outside ${want}: native modules (better-sqlite3) are built for Node 20`, fix: `install Node.js 20 (${want})` };
}

function dataDirLine(dir: string): CheckLine {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) return { level: 'FAIL', key: 'dataDir', file: dir, detail: 'exists but is not a directory', fix: 'point dataDir at a directory' };
    if ((st.mode & 0o007) !== 0) return { level: 'warn', key: 'dataDir', file: dir, detail: `mode ${(st.mode & 0o777).toString(8)}: others can reach case data`, fix: `chmod 0750 ${dir}` };
    return { level: 'ok', key: 'dataDir', file: dir, detail: 'directory exists' };
  } catch {
    // Not a fault: the gateway (or systemd's StateDirectory=) creates it at first start.
    return { level: 'warn', key: 'dataDir', file: dir, detail: 'does not exist yet; the gateway creates it at first start', fix: 'nothing, or create it owned by the service user' };
  }
}

function approvalLines(items: string, calendar: string, now: Date): CheckLine[] {
  const lines: CheckLine[] = [];
  try {
    const cat = loadCatalogue(items);
    lines.push({ level: 'ok', key: 'approval.items', file: items, detail: `${cat.items.length} items (${cat.items.map((i) => i.code).join(', ')})` });
  } catch (e) {
    lines.push({ level: 'FAIL', key: 'approval.items', file: items, detail: isFerryError(e) ? e.message : String(e), fix: 'one valid item file per approval item (docs/DESK.md)' });
  }
  try {
    const cal = loadCalendar(calendar);
    const years = cal.years.map((y) => y.year);
    const year = now.getUTCFullYear();
    if (!years.includes(year)) {
      lines.push({ level: 'FAIL', key: 'approval.calendar', file: calendar, detail: `no calendar for ${year} (loaded: ${years.join(', ')}): deadlines cannot be computed`, fix: `install cn-${year}.yaml` });
    } else if (!years.includes(year + 1) && Date.UTC(year + 1, 0, 1) - now.getTime() < 60 * DAY_MS) {
      lines.push({ level: 'warn', key: 'approval.calendar', file: calendar, detail: `no calendar for ${year + 1} yet (loaded: ${years.join(', ')})`, fix: `install cn-${year + 1}.yaml before January` });
    } else {
      lines.push({ level: 'ok', key: 'approval.calendar', file: calendar, detail: `years ${years.join(', ')}` });
    }
  } catch (e) {
    lines.push({ level: 'FAIL', key: 'approval.calendar', file: calendar, detail: isFerryError(e) ? e.message : String(e), fix: 'one valid cn-<year>.yaml per year' });
  }
  return lines;
}

function timeLines(time: AnyGatewayConfig['cfg']['time']): CheckLine[] {
  const { whenUntrusted, sources, ...rest } = time;
  // The clock's own check, given the sources as the gateway gives them (an empty name = host:port).
  const r = resolveTimeConfig({ ...rest, sources: sources.map((s) => ({ ...(s.name ? { name: s.name } : {}), host: s.host, port: s.port })) });
  const lines: CheckLine[] = [];
  if (!r.ok) {
    // With no sources, time is never trusted: under `hold` nothing is ever stamped or delivered.
    lines.push({
      level: 'FAIL', key: 'time.sources', file: '', detail: r.detail,
      fix: 'list the intranet NTP servers under time.sources ({ host, port: 123 }), at least time.quorum of them (operator TODO of the template)',
    });
  } else {
    lines.push({ level: 'ok', key: 'time.sources', file: '', detail: `${r.value.sources.length} sources, quorum ${r.value.quorum} (ferry time status polls them)` });
  }
  if (whenUntrusted === 'warn') lines.push({ level: 'warn', key: 'time.whenUntrusted', file: '', detail: 'warn: stamps with untrusted time (demo only)', fix: 'production: whenUntrusted: hold' });
  return lines;
}

/** A leaf certificate file may carry its chain after the leaf (as at start): those are intermediates. */
interface CertFile { readonly leaf: X509Certificate; readonly intermediates: X509Certificate[] }

/** What a certificate must be beyond parsing: fit a Ferry role (as start checks it), or pass `extra`. */
interface CertCheck {
  readonly role?: FerryRole;
  readonly extra?: (c: X509Certificate) => string | undefined;
}

/** The config keys and files a certificate check is about, and the key when one was loaded. */
interface Where {
  readonly certKey: string;
  readonly certFile: string;
  readonly key?: KeyObject;
  readonly keyKey?: string;
  readonly keyFile?: string;
}

/** Certificate and key checks, sharing the CA certificates read once. */
class Checker {
  constructor(private readonly out: CheckLine[], private readonly opts: CheckOptions) {}

  private fail(key: string, file: string, e: unknown, fix: string): void {
    const msg = isFerryError(e) ? e.message : String(e);
    // The line already names the file; keep the loader's words after it.
    const why = msg.startsWith(file) ? msg.slice(file.length).replace(/^[:\s]+/, '') : msg;
    const missing = /does not exist/.test(why);
    this.out.push({ level: 'FAIL', key, file, detail: isFerryError(e) ? `${e.code}: ${why}` : why, fix: missing ? `install it (ferry certs import --role ... --dir ${dirOf(file)})` : fix });
  }

  caFile(key: string, file: string): X509Certificate[] | undefined {
    let certs: X509Certificate[];
    try {
      certs = loadCertificates(file);
    } catch (e) {
      this.fail(key, file, e, 'install the deployment CA certificate (PEM)');
      return undefined;
    }
    const line = this.expiry(key, file, certs[0]!, 'CA certificate');
    this.out.push(line);
    return certs;
  }

  /** A certificate alone (a peer's): as in pair(), without a key. */
  cert(key: string, file: string, ca: X509Certificate[] | undefined, check: CertCheck = {}): void {
    const cert = this.readCert(key, file);
    if (cert && this.fault(cert, ca, check, { certKey: key, certFile: file }) === null) this.out.push(this.certLine(key, file, cert, ca, check));
  }

  /** A certificate and its private key: the certificate parses, the key is owner-only (and owned by the
   *  service user), then the pair is judged as start judges it: with a role, requireRoleFit (key type,
   *  key matching the certificate, marker, usages, chain to keys.ca at `now`); without one, the chain
   *  to `ca` when given and the key matching. Then `extra`, and the certificate's expiry. */
  pair(certKey: string, certFile: string, keyKey: string, keyFile: string, ca: X509Certificate[] | undefined, check: CertCheck = {}): void {
    const cert = this.readCert(certKey, certFile);
    const key = this.readKey(keyKey, keyFile);
    const fault = cert ? this.fault(cert, ca, check, { certKey, certFile, ...(key ? { key, keyKey, keyFile } : {}) }) : 'cert';
    if (cert && fault === null) this.out.push(this.certLine(certKey, certFile, cert, ca, check));
    if (key && fault !== 'key') this.out.push({ level: 'ok', key: keyKey, file: keyFile, detail: fault === null ? `owner-only, matches ${certKey}` : 'owner-only' });
  }

  private readCert(key: string, file: string): CertFile | undefined {
    try {
      const [leaf, ...intermediates] = readCertificateFile(file).certs;
      return { leaf: leaf!, intermediates };
    } catch (e) {
      this.fail(key, file, e, 'a PEM or DER X.509 certificate');
      return undefined;
    }
  }

  private readKey(key: string, file: string): KeyObject | undefined {
    let k: KeyObject;
    try {
      k = loadPrivateKey(file); // refuses a missing, unreadable, group/other-accessible or encrypted key
    } catch (e) {
      this.fail(key, file, e, `a private key readable by its owner only: chmod 600 ${file}`);
      return undefined;
    }
    const owner = statSync(file).uid;
    if (this.opts.serviceUid !== undefined && owner !== this.opts.serviceUid) {
      this.out.push({ level: 'FAIL', key, file, detail: `owned by uid ${owner}: the service user (uid ${this.opts.serviceUid}) cannot read a 0600 key`, fix: `chown ${this.opts.serviceUser ?? this.opts.serviceUid} ${file}` });
      return undefined;
    }
    return k;
  }

  /** Which file fails the checks start makes (after pushing its FAIL line), or null when both pass. */
  private fault(cert: CertFile, ca: X509Certificate[] | undefined, check: CertCheck, w: Where): 'cert' | 'key' | null {
    if (check.role) {
      try {
        requireRoleFit({ role: check.role, cert: cert.leaf, ...(w.key ? { key: w.key } : {}), ...(ca ? { ca } : {}), intermediates: cert.intermediates, at: this.opts.now },
          w.keyFile ? { key: w.keyFile, cert: w.certFile } : { cert: w.certFile });
      } catch (e) {
        // requireRoleFit names the file at fault first: the key file (its type, or the pair), else the certificate.
        const aboutKey = w.keyKey !== undefined && w.keyFile !== undefined && isFerryError(e) && e.message.startsWith(w.keyFile);
        if (aboutKey) this.fail(w.keyKey!, w.keyFile!, e, `configure a ${check.role} key that belongs to ${w.certKey}`);
        else this.fail(w.certKey, w.certFile, e, `issue it for the ${check.role} role from the configured CA (keys.ca), valid now`);
        return aboutKey ? 'key' : 'cert';
      }
    } else if (ca) {
      const v = verifyChain(cert.leaf, ca, this.opts.now, { intermediates: cert.intermediates });
      if (!v.ok) {
        this.out.push({ level: 'FAIL', key: w.certKey, file: w.certFile, detail: `${v.code}: ${v.detail}`, fix: 'issue it from the configured CA (keys.ca), valid now' });
        return 'cert';
      }
    }
    if (!check.role && w.key && !keyMatchesCertificate(w.key, cert.leaf)) {
      this.out.push({ level: 'FAIL', key: w.keyKey!, file: w.keyFile!, detail: `does not match ${w.certKey} (${w.certFile})`, fix: 'configure the key that belongs to the certificate' });
      return 'key';
    }
    const problem = check.extra?.(cert.leaf);
    if (problem) {
      this.out.push({ level: 'FAIL', key: w.certKey, file: w.certFile, detail: problem, fix: 'issue a certificate for this purpose (docs/OPERATIONS.md "Certificates")' });
      return 'cert';
    }
    return null;
  }

  private certLine(key: string, file: string, cert: CertFile, ca: X509Certificate[] | undefined, check: CertCheck): CheckLine {
    return this.expiry(key, file, cert.leaf, check.role ? `fits ${check.role}, chains to keys.ca` : ca ? 'chains to keys.ca' : 'parses');
  }

  private expiry(key: string, file: string, cert: X509Certificate, what: string): CheckLine {
    const notAfter = new Date(cert.validTo);
    const days = Math.floor((notAfter.getTime() - this.opts.now.getTime()) / DAY_MS);
    if (days < 0) return { level: 'FAIL', key, file, detail: `expired ${notAfter.toISOString()}`, fix: 'renew it (docs/OPERATIONS.md "Rotation")' };
    if (days < EXPIRY_WARNING_DAYS) return { level: 'warn', key, file, detail: `${what}; expires in ${days} days (${notAfter.toISOString()})`, fix: 'renew it (docs/OPERATIONS.md "Rotation")' };
    return { level: 'ok', key, file, detail: `${what}, ${days} days left` };
  }
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i > 0 ? file.slice(0, i) : '.';
}

/** The uid of a system user from /etc/passwd (no NSS lookups: a closed intranet host has local users). */
export function localUid(name: string, passwd = '/etc/passwd'): number | undefined {
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
