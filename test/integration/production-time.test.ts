// A production start never stamps on untrusted time: the shipped configs hold (with NTP placeholders an
// operator must replace), `whenUntrusted: warn` is refused unless the start carries --demo (which only
// `ferry start demo` passes), and the refusal names the file, the key and the fix — exit code 2.
// Real `ferry` processes; nothing is bound before the refusal.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { externalSchema, internalSchema } from '../../src/config/gateway-config.js';
import { checkProductionTime } from '../../src/config/production-time.js';
import { demoConfigText, writeDemoConfig } from '../../src/config/demo-config.js';
import { intranetCall, preparePair, spawnGateway, type GatewayProc } from '../helpers/gateways.js';

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', timeout: 30_000 });
const running: GatewayProc[] = [];
afterAll(async () => {
  for (const g of running) if (g.proc.exitCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
});

describe('the shipped configs are production configs', () => {
  it.each([['config/internal.yaml', internalSchema], ['config/external.yaml', externalSchema]] as const)('%s holds while time is untrusted and names placeholder NTP sources', (file, schema) => {
    const cfg = loadConfigFile(file, schema as typeof internalSchema);
    expect(cfg.time.whenUntrusted).toBe('hold');
    expect(cfg.time.sources.length).toBeGreaterThanOrEqual(3);
    expect(cfg.time.sources.every((s) => s.host.endsWith('.invalid'))).toBe(true);
  });

  it.each(['internal', 'external'])('`ferry start %s` with the shipped file unedited is refused: exit 2, naming time.sources', (role) => {
    const r = ferry(['start', role, '--config', `config/${role}.yaml`, '--allow-root']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`FERRY_ERR_CONFIG: config/${role}.yaml: time.sources[0].host: ntp1.replace-me.invalid is a placeholder`);
  });
});

describe('whenUntrusted: warn is the demo\'s alone', () => {
  it.each(['internal', 'external'] as const)('a production start of the %s gateway with warn is refused with exit 2, naming the file, the key and the fix', async (role) => {
    const files = await preparePair(); // the test configs say `whenUntrusted: warn`
    const file = role === 'internal' ? files.internalConfig : files.externalConfig;
    if (role === 'external') expect(readFileSync(file, 'utf8')).not.toContain('whenUntrusted'); // external: add it
    const cfgFile = role === 'internal' ? file : (() => {
      const f = join(files.dir, 'external-warn.yaml');
      writeFileSync(f, readFileSync(file, 'utf8') + '\ntime: { sources: [], whenUntrusted: warn }\n');
      return f;
    })();
    const r = ferry(['start', role, '--config', cfgFile, '--allow-root']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${cfgFile}: time.whenUntrusted: warn`);
    expect(r.stderr).toContain('set time.whenUntrusted: hold');
    expect(r.stderr).toContain('ferry start demo');
  });

  it('the same file starts with --demo (what `ferry start demo` passes)', async () => {
    const files = await preparePair();
    const g = spawnGateway('internal', files.internalConfig); // the helper passes --demo for a warn config
    running.push(g);
    const until = Date.now() + 20_000;
    for (;;) {
      const h = await intranetCall(files, 'GET', '/health').then((x) => x.json as { time: { state: string } }).catch(() => null);
      if (h) { expect(h.time.state).toBe('untrusted'); break; }
      if (g.proc.exitCode !== null || Date.now() > until) throw new Error(`did not start:\n${g.log.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('the demo writes its own copies of the shipped configs beside them, changing only the time section', () => {
    for (const [role, schema] of [['internal', internalSchema], ['external', externalSchema]] as const) {
      const out = writeDemoConfig(role);
      expect(out).toBe(join('config', `${role}.demo.yaml`)); // beside the shipped file: relative paths resolve alike
      const demo = loadConfigFile(out, schema as typeof internalSchema);
      const shipped = loadConfigFile(`config/${role}.yaml`, schema as typeof internalSchema);
      expect(demo.time).toMatchObject({ sources: [], whenUntrusted: 'warn' });
      expect({ ...demo, time: null }).toEqual({ ...shipped, time: null });
      expect(() => checkProductionTime(demo.time, out, false)).toThrow(/time\.whenUntrusted: warn/);
      expect(() => checkProductionTime(demo.time, out, true)).not.toThrow();
      expect(readFileSync(out, 'utf8')).toMatch(/^# Written by `ferry start demo` from config\/\w+\.yaml: DEMO ONLY/);
    }
    expect(() => demoConfigText('a: [', 'x.yaml')).toThrow(/x\.yaml: not valid YAML/);
  });

  it('start demo passes --demo and the demo configs (the only caller that does)', () => {
    const src = readFileSync('src/cli/start.ts', 'utf8');
    expect(src.match(/'--demo'/g)).toHaveLength(1);
    expect(src).toMatch(/'--config', configs\[role\], '--demo'/);
  });
});
