// `ferry start external|internal|demo`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../errors.js';
import { loadConfigFile } from '../config/load.js';
import { externalSchema, internalSchema } from '../config/gateway-config.js';
import { createLogger } from '../gateway/logger.js';
import { hardenProcess } from '../gateway/host-checks.js';
import { initDevPki } from '../pki/dev-ca.js';
import { buildTimeTrust } from '../gateway/time.js';
import { startExternal } from '../external/gateway.js';
import { startInternal } from '../internal/gateway.js';
import { parse } from './args.js';
import { checkProductionTime } from '../config/production-time.js';
import { writeDemoConfig } from '../config/demo-config.js';
import { prepareDemoCatalogue } from '../catalogue-io/demo-catalogue.js';

/** What both roles do before their gateway starts: time policy, log level, process hardening, time. */
async function startRole<C extends { time: Parameters<typeof buildTimeTrust>[0] & Parameters<typeof checkProductionTime>[0]; log: { level: string }; allowRoot: boolean }>(
  cfg: C, values: { config?: string; demo?: boolean; 'allow-root'?: boolean }, log: ReturnType<typeof createLogger>,
  start: (cfg: C, trust: ReturnType<typeof buildTimeTrust>['trust']) => Promise<{ stop(): Promise<void> }>,
): Promise<{ running: { stop(): Promise<void> }; stopTime: () => Promise<void> }> {
  checkProductionTime(cfg.time, values.config!, values.demo!);
  log.level = cfg.log.level;
  hardenProcess(values['allow-root']! || cfg.allowRoot, log);
  const time = buildTimeTrust(cfg.time, log);
  return { running: await start(cfg, time.trust), stopTime: time.stop };
}

export async function startCommand(args: string[]): Promise<number> {
  const [role, ...rest] = args;
  if (role === 'demo') return startDemo(rest);
  if (role !== 'external' && role !== 'internal') throw new FerryError('FERRY_ERR_CLI_USAGE', 'start external|internal|demo');
  // --demo is passed only by `ferry start demo` (below): it is what lets `time.whenUntrusted: warn` run.
  const { values } = parse(rest, {
    config: { type: 'string', default: `config/${role}.yaml` }, 'allow-root': { type: 'boolean', default: false }, demo: { type: 'boolean', default: false },
  });
  const log = createLogger(role, 'info');
  const { running, stopTime } = role === 'external'
    ? await startRole(loadConfigFile(values.config!, externalSchema), values, log, (cfg, trust) => startExternal(cfg, log, trust, values.config!, trust))
    : await startRole(loadConfigFile(values.config!, internalSchema), values, log, (cfg, trust) => startInternal(cfg, log, trust, values.config!));
  log.info({ config: values.config }, 'started');
  await new Promise<void>((resolveStop) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      void stopTime();
      running.stop().then(() => { log.info({}, 'stopped'); resolveStop(); }, (e) => { log.error({ err: String(e) }, 'stop failed'); resolveStop(); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** Both gateways as two processes on this machine, as `npm start` runs them. */
async function startDemo(args: string[]): Promise<number> {
  const { values } = parse(args, { certs: { type: 'string', default: 'certs' } });
  const certs = values.certs!;
  if (!existsSync(join(certs, 'ca.crt'))) {
    await initDevPki(certs);
    process.stdout.write(`ferry: generated a development PKI in ${certs}/ (never use it in production)\n`);
  }
  const root = process.getuid?.() === 0;
  if (root) process.stdout.write('ferry: WARNING: running as root (development only); production units run as the ferry user\n');
  const bin = resolve(fileURLToPath(import.meta.url), '../../../../bin/ferry.js');
  const children: ChildProcess[] = [];
  // The shipped configs are production templates (time held until trusted, NTP placeholders); the demo
  // runs from copies with the demo time section, and says so.
  const items = await prepareDemoCatalogue();
  const configs = { external: writeDemoConfig('external'), internal: writeDemoConfig('internal', 'config', 'config', items) };
  process.stdout.write(`ferry: DEMO: time is never trusted; packets are stamped with a warning (configs: ${configs.external}, ${configs.internal})\n`);
  const launch = (role: 'external' | 'internal') => {
    const c = spawn(process.execPath, [bin, 'start', role, '--config', configs[role], '--demo', ...(root ? ['--allow-root'] : [])], { stdio: 'inherit' });
    children.push(c);
    return c;
  };
  launch('external');
  launch('internal');
  process.stdout.write(`ferry: portal        https://127.0.0.1:8443/  (the applicants' pages; trust ${certs}/ca.crt in the browser)
ferry: applicant API  https://127.0.0.1:8443/api/v1  (CA: ${certs}/ca.crt)
ferry: intranet       https://127.0.0.1:8318/health  (same CA)
ferry: hall board     https://127.0.0.1:8318/board  (the hall's screens: open cases, no personal data)
ferry: workbench      https://127.0.0.1:8318/workbench  (staff pages; make accounts with \`ferry staff add --config ${configs.internal} ...\`)
ferry: try   curl --cacert ${certs}/ca.crt https://127.0.0.1:8443/health
ferry: with  curl --cacert ${certs}/ca.crt --cert ${certs}/operator-client.crt --key ${certs}/operator-client.key https://127.0.0.1:8443/health  (link state)
ferry: operator      http://127.0.0.1:8445/health  http://127.0.0.1:8319/health  (/metrics on both)
`);
  return new Promise<number>((resolveExit) => {
    let exited = 0;
    let code = 0;
    const stopAll = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGTERM'); };
    process.once('SIGINT', stopAll);
    process.once('SIGTERM', stopAll);
    for (const c of children) {
      c.on('exit', (status) => {
        exited++;
        if (status) code = 1;
        stopAll(); // one gateway down means the demo is down: say so rather than half-run
        if (exited === children.length) resolveExit(code);
      });
    }
  });
}
