// Runs the two gateways as real child processes (the compiled `ferry` CLI), each with its own config,
// SQLite file and the dev PKI, on free loopback ports. `npm test` builds dist/ first (pretest).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { freePort } from './ports.js';
import { Agent } from 'node:https';
import { httpsCall, type HttpResult } from './https-client.js';

// The project root, whether this runs from test/ (vitest) or from dist/test/ (the benchmark).
function projectRoot(): string {
  let dir = resolve(fileURLToPath(import.meta.url), '..');
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.build.json')) === false) dir = resolve(dir, '..');
  return dir;
}
const ROOT = projectRoot();
const BIN = join(ROOT, 'bin/ferry.js');
export const TEST_POLICY_OID = '2.25.1234567890';

export interface GatewayProc { proc: ChildProcess; log: string[]; exited: Promise<number | null> }

export interface Pair {
  dir: string;
  ca: Buffer;
  apiUrl: string;
  /** https: the intranet listener serves the deployment CA's intranet-tls certificate. */
  intranetUrl: string;
  /** An HTTPS agent presenting the dev PKI's operator-client certificate (external /health details). */
  operator: Agent;
  /** The operator listeners (/metrics, /health with full detail), plain HTTP on loopback. */
  externalOperatorUrl: string;
  internalOperatorUrl: string;
  external: GatewayProc;
  internal: GatewayProc;
  startExternal(): GatewayProc;
  startInternal(): GatewayProc;
  waitLinkUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PairOptions {
  extraExternal?: string;
  /** The internal gateway's `time:` section; default: no NTP sources, stamp with a warning. */
  timeInternal?: string;
  timeExternal?: string;
  /** More top-level keys for internal.yaml (e.g. a notify: section). */
  extraInternal?: string;
  logLevel?: 'info' | 'warn';
  policyFile?: string;
  /** A different policy for the internal gateway (to test what only the inside refuses). */
  policyFileInternal?: string;
  /** Issue time of the dev PKI (default now); a past date lets a test seal packets dated days back. */
  pkiNow?: Date;
  /** More keys under internal.yaml's `intranet:` (e.g. `clientCerts: required`, `limits: {...}`). */
  intranetExtra?: string;
  /** The internal gateway's catalogue source (approval.items); default: the shipped config/items. */
  itemsDir?: string;
  /** More keys under external.yaml's `api:` (e.g. `limits: {...}`). */
  apiExtra?: string;
  /** operator.linkGraceSeconds on both gateways (default: the gateway's own default). */
  linkGraceSeconds?: number;
}

/** What `preparePair` wrote: the temp dir, the dev PKI, both config files and the ports in them. Tests
 *  that play one gateway themselves spawn only the other with `spawnGateway`. */
export interface PairFiles {
  dir: string;
  certs: string;
  ca: Buffer;
  apiUrl: string;
  intranetUrl: string;
  operator: Agent;
  externalOperatorUrl: string;
  internalOperatorUrl: string;
  linkPort: number;
  externalConfig: string;
  internalConfig: string;
}

export function spawnGateway(role: 'external' | 'internal', config: string): GatewayProc {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  // FERRY_CPU_PROF=<dir> writes a V8 CPU profile of each gateway (for `npm run bench` investigations).
  const prof = process.env.FERRY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FERRY_CPU_PROF}`] : [];
  // A test config that stamps on untrusted time is a demo config: only --demo lets it start.
  const demo = /whenUntrusted:\s*warn/.test(readFileSync(config, 'utf8')) ? ['--demo'] : [];
  const proc = spawn(process.execPath, [...prof, BIN, 'start', role, '--config', config, '--allow-root', ...demo], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const collect = (b: Buffer) => { for (const l of b.toString('utf8').split('\n')) if (l) log.push(l); };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, log, exited };
}

export async function preparePair(opts: PairOptions = {}): Promise<PairFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-it-'));
  const certs = join(dir, 'certs');
  await initDevPki(certs, opts.pkiNow ? { now: opts.pkiNow } : {});
  const [api, link, intranet, opExt, opInt] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const c = (f: string) => join(certs, f);
  const grace = opts.linkGraceSeconds ? `, linkGraceSeconds: ${opts.linkGraceSeconds}` : '';
  writeFileSync(join(dir, 'external.yaml'), `gateway: external
dataDir: ${join(dir, 'var/external')}
api: { host: 127.0.0.1, port: ${api}, tls: { cert: ${c('external-tls.crt')}, key: ${c('external-tls.key')} }${opts.apiExtra ? `, ${opts.apiExtra}` : ''} }
link:
  host: 127.0.0.1
  port: ${link}
  tls: { cert: ${c('external-tls.crt')}, key: ${c('external-tls.key')} }
  peer: { subjects: [ferry-internal-tls] }
  heartbeatMs: 500
  deadAfterMs: 2000
operator: { host: 127.0.0.1, port: ${opExt}${grace} }
keys: { ca: ${c('ca.crt')}, signCert: ${c('external-sign.crt')}, signKey: ${c('external-sign.key')}, encCert: ${c('external-enc.crt')}, encKey: ${c('external-enc.key')} }
peer: { encCert: ${c('internal-enc.crt')}, signerSubjects: [ferry-internal-sign] }
domains: { self: public, peer: intranet }
policy: ${opts.policyFile ?? join(ROOT, 'config/policy.yaml')}
log: { level: ${opts.logLevel ?? 'info'} }
${opts.timeExternal ?? ''}
${opts.extraExternal ?? ''}`);
  writeFileSync(join(dir, 'internal.yaml'), `gateway: internal
dataDir: ${join(dir, 'var/internal')}
link:
  url: wss://127.0.0.1:${link}/link
  tls: { cert: ${c('internal-tls.crt')}, key: ${c('internal-tls.key')} }
  peer: { subjects: [ferry-external-tls] }
  heartbeatMs: 500
  deadAfterMs: 2000
  backoffBaseMs: 50
  backoffCapMs: 500
intranet: { host: 127.0.0.1, port: ${intranet}, tls: { cert: ${c('intranet-tls.crt')}, key: ${c('intranet-tls.key')} }${opts.intranetExtra ? `, ${opts.intranetExtra}` : ''} }
operator: { host: 127.0.0.1, port: ${opInt}${grace} }
tsa: { cert: ${c('tsa.crt')}, key: ${c('tsa.key')}, policyOid: ${TEST_POLICY_OID}, accuracyMs: 500 }
approval: { items: ${opts.itemsDir ?? join(ROOT, 'config/items')}, calendar: ${join(ROOT, 'config/calendar')}, monitorIntervalSeconds: 5 }
keys: { ca: ${c('ca.crt')}, signCert: ${c('internal-sign.crt')}, signKey: ${c('internal-sign.key')}, encCert: ${c('internal-enc.crt')}, encKey: ${c('internal-enc.key')} }
peer: { encCert: ${c('external-enc.crt')}, signerSubjects: [ferry-external-sign] }
domains: { self: intranet, peer: public }
policy: ${opts.policyFileInternal ?? opts.policyFile ?? join(ROOT, 'config/policy.yaml')}
log: { level: ${opts.logLevel ?? 'info'} }
${opts.timeInternal ?? 'time: { sources: [], whenUntrusted: warn }'}
${opts.extraInternal ?? ''}
`);
  return {
    dir, certs, ca: readFileSync(c('ca.crt')),
    apiUrl: `https://127.0.0.1:${api}`,
    intranetUrl: `https://127.0.0.1:${intranet}`,
    operator: operatorAgent(certs),
    externalOperatorUrl: `http://127.0.0.1:${opExt}`,
    internalOperatorUrl: `http://127.0.0.1:${opInt}`,
    linkPort: link,
    externalConfig: join(dir, 'external.yaml'),
    internalConfig: join(dir, 'internal.yaml'),
  };
}

export async function startPair(opts: PairOptions = {}): Promise<Pair> {
  const { dir, ca, apiUrl, intranetUrl, operator, externalOperatorUrl, internalOperatorUrl, externalConfig, internalConfig } = await preparePair(opts);
  const pair: Pair = {
    dir, ca, apiUrl, intranetUrl, operator, externalOperatorUrl, internalOperatorUrl,
    external: spawnGateway('external', externalConfig),
    internal: spawnGateway('internal', internalConfig),
    startExternal() { pair.external = spawnGateway('external', externalConfig); return pair.external; },
    startInternal() { pair.internal = spawnGateway('internal', internalConfig); return pair.internal; },
    async waitLinkUp(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          const h = await operatorHealth(pair.externalOperatorUrl);
          // Up, and the intranet's catalogue has arrived (ingress checks forms against it), and the
          // intranet listener answers (it binds after the link dials: tests call it next).
          if (h.link === 'up' && h.catalogue && (await intranetCall(pair, 'GET', '/health')).status === 200) return;
        } catch { /* not listening yet */ }
        if (Date.now() > until) {
          throw new Error(`link not up after ${timeoutMs} ms\nexternal:\n${pair.external.log.slice(-20).join('\n')}\ninternal:\n${pair.internal.log.slice(-20).join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      for (const g of [pair.external, pair.internal]) {
        if (g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
      }
    },
  };
  return pair;
}

/** An agent that presents the operator-client certificate of the dev PKI in `certs`. */
export function operatorAgent(certs: string): Agent {
  return new Agent({
    ca: readFileSync(join(certs, 'ca.crt')), cert: readFileSync(join(certs, 'operator-client.crt')),
    key: readFileSync(join(certs, 'operator-client.key')), keepAlive: false,
  });
}

/** The external gateway's /health with details (link, outbox, catalogue): they are shown only to a
 *  client certificate with the operator role; the public gets `{status}`. */
export function externalHealth(p: { apiUrl: string; ca: Buffer; operator: Agent }): Promise<HttpResult> {
  return httpsCall('GET', `${p.apiUrl}/health`, p.ca, undefined, {}, p.operator);
}

/** A request to the intranet listener (HTTPS, the deployment CA). */
export function intranetCall(p: { intranetUrl: string; ca: Buffer }, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return httpsCall(method, `${p.intranetUrl}${path}`, p.ca, body, headers);
}

/** The full health document of a gateway's operator listener (any status: 503 still has a body). */
export async function operatorHealth(operatorUrl: string): Promise<Record<string, any>> {
  const r = await fetch(`${operatorUrl}/health`);
  return (await r.json()) as Record<string, any>;
}

export function sampleSubmission(i = 0, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    itemCode: 'SCJG-001',
    applicant: { type: 'enterprise', name: `Qinghe Tea Co. ${i}`, idNumber: `9133010${String(i).padStart(6, '0')}`, phone: '+86 571 8888 0000' },
    fields: {
      companyName: `清河茶业有限公司${i}`, companyType: '有限责任公司', registeredCapital: 100 + i,
      legalRepresentative: '王清河', legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
    },
    attachments: [{ fileName: 'charter.pdf', mediaType: 'application/pdf', contentBase64: Buffer.from(`%PDF-1.4\n% case ${i}\n%%EOF\n`).toString('base64') }],
    ...extra,
  });
}

/** For tests that run the external gateway alone: let the real internal gateway start, publish its
 *  catalogue over the link (ingress checks forms against it), and stop again. */
export async function primeCatalogue(files: PairFiles, timeoutMs = 20_000): Promise<void> {
  const internal = spawnGateway('internal', files.internalConfig);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const h = await operatorHealth(files.externalOperatorUrl);
        if (h.catalogue && h.outbox === 0) break;
      } catch { /* not up yet */ }
      if (Date.now() > until) throw new Error(`catalogue never arrived\n${internal.log.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    internal.proc.kill('SIGTERM');
    await internal.exited;
  }
}
