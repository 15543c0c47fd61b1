// The offline release: `scripts/package-deb.mjs` builds a .deb that installs with `dpkg -i` and no
// network, runs `ferry config check` against its own production templates, keeps the operator's config
// and the state across an upgrade, and leaves nothing behind after `dpkg --purge`.
// It installs into the real root: it runs as root (this machine and CI are throwaway machines); without
// root and without CI it is skipped with the reason; with CI set it fails when it cannot run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
const canRun = isRoot && hasTool('dpkg-deb') && hasTool('dpkg') && hasTool('runuser');
if (!isRoot && process.env.CI) throw new Error('test/ops/deb-package.test.ts must run as root in CI (it installs the .deb with dpkg -i)');
const why = canRun ? '' : ' (skipped: needs root and dpkg; this test installs into the real root)';

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): SpawnSyncReturns<string> {
  // dpkg-deb -c lists every file of production node_modules: far past spawnSync's 1 MiB default.
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, ...opts });
}
function ok(r: SpawnSyncReturns<string>): string {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const installed = () => /^Status: install ok installed/m.test(sh('dpkg', ['-s', 'ferry']).stdout);

describe.skipIf(!canRun)(`the offline Debian package${why}`, () => {
  const work = canRun ? mkdtempSync(join(tmpdir(), 'ferry-deb-test-')) : '';
  const cwd = canRun ? mkdtempSync(join(tmpdir(), 'ferry-deb-cwd-')) : '';
  let deb = '';

  beforeAll(() => {
    if (installed()) throw new Error('a ferry package is already installed on this machine: dpkg --purge ferry first');
    if (existsSync('/etc/ferry') || existsSync('/var/lib/ferry')) throw new Error('/etc/ferry or /var/lib/ferry exists: not a clean root');
    // dist/ is built by `npm test` (pretest) and .ci/run; the package step itself is what is under test.
    const out = ok(sh(process.execPath, [join(ROOT, 'scripts/package-deb.mjs'), '--no-build', '--out', work]));
    deb = out.trim().split('\n').pop()!;
  }, 180_000);

  afterAll(() => {
    if (installed()) sh('dpkg', ['--purge', 'ferry']);
    rmSync(work, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('declares the Node it needs, its conffiles and maintainer scripts (dpkg-deb -I)', () => {
    const info = ok(sh('dpkg-deb', ['-I', deb]));
    expect(info).toMatch(/^ Depends: nodejs \(>= 20\.15\), nodejs \(<< 21\)/m);
    expect(info).toMatch(/^ Package: ferry$/m);
    const ctrl = join(work, 'ctrl');
    ok(sh('dpkg-deb', ['--control', deb, ctrl]));
    const conffiles = readFileSync(join(ctrl, 'conffiles'), 'utf8');
    expect(conffiles.trim().split('\n').sort()).toEqual(['/etc/ferry/external.yaml', '/etc/ferry/internal.yaml', '/etc/ferry/policy.yaml']);
    for (const s of ['postinst', 'prerm', 'postrm']) expect(info).toContain(s);
  });

  it('holds dist/, production node_modules with the native addon, the units and templates; no dev tools (dpkg-deb -c)', () => {
    const list = ok(sh('dpkg-deb', ['-c', deb])).split('\n').map((l) => l.split(/\s+/).slice(5).join(' ').replace(/ -> .*/, ''));
    for (const f of [
      './usr/bin/ferry', './usr/lib/ferry/bin/ferry.js', './usr/lib/ferry/dist/src/cli/main.js', './usr/lib/ferry/package.json',
      './usr/lib/ferry/node_modules/better-sqlite3/build/Release/better_sqlite3.node', './usr/lib/ferry/node_modules/fastify/package.json',
      './usr/lib/ferry/config/calendar/cn-2026.yaml', './usr/lib/ferry/config/items/SCJG-001.yaml',
      './lib/systemd/system/ferry-external.service', './lib/systemd/system/ferry-internal.service',
      './etc/ferry/external.yaml', './etc/ferry/internal.yaml', './etc/ferry/policy.yaml',
    ]) expect(list, f).toContain(f);
    for (const dev of ['vitest', 'typescript', 'fast-check', '@hpke', 'protobufjs-cli']) {
      expect(list.filter((f) => f.startsWith(`./usr/lib/ferry/node_modules/${dev}/`)), dev).toEqual([]);
    }
    expect(list.filter((f) => /^\.\/usr\/lib\/ferry\/dist\/(test|bench)\/|^\.\/usr\/lib\/ferry\/dist\/.*\.map$|\/obj\.target\//.test(f))).toEqual([]);
  });

  it('installs with dpkg -i: /usr/bin/ferry, the ferry user, /var/lib/ferry 0750 ferry, units calling config check', () => {
    ok(sh('dpkg', ['-i', deb]));
    expect(ok(sh('/usr/bin/ferry', ['--version'], { cwd })).trim()).toMatch(/^ferry \d+\.\d+\.\d+ \(node 20\./);
    expect(sh('getent', ['passwd', 'ferry']).stdout).toMatch(/^ferry:x:\d+:\d+:.*:\/var\/lib\/ferry:\/usr\/sbin\/nologin$/m);
    const st = statSync('/var/lib/ferry');
    expect(st.mode & 0o777).toBe(0o750);
    expect(st.uid).toBe(Number(sh('id', ['-u', 'ferry']).stdout.trim()));
    for (const role of ['external', 'internal']) {
      const unit = readFileSync(`/lib/systemd/system/ferry-${role}.service`, 'utf8');
      expect(unit).toContain(`ExecReload=/usr/bin/ferry config check --config /etc/ferry/${role}.yaml\nExecReload=/bin/kill -HUP $MAINPID`);
      expect(unit).not.toContain('/opt/ferry');
      const analyse = sh('systemd-analyze', ['verify', `/lib/systemd/system/ferry-${role}.service`]);
      expect(analyse.stderr).not.toMatch(/is not executable|No such file/);
    }
  });

  it('config check refuses the untouched template, naming tsa.policyOid (the template has no sample OID)', () => {
    const r = sh('/usr/bin/ferry', ['config', 'check', '--config', '/etc/ferry/internal.yaml'], { cwd });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+config\s+\/etc\/ferry\/internal\.yaml: .*tsa\.policyOid: is required .*fix: .*2\.25\./m);
    const tpl = readFileSync('/etc/ferry/internal.yaml', 'utf8');
    expect(tpl).toMatch(/whenUntrusted: hold/);
    expect(tpl).not.toMatch(/^\s*policyOid:/m);
  });

  it('with the OID set, lists every remaining operator TODO: keys, NTP sources, link.url, catalogue', () => {
    writeFileSync('/etc/ferry/internal.yaml', readFileSync('/etc/ferry/internal.yaml', 'utf8').replace(/^  # policyOid: .*$/m, '  policyOid: 2.25.329800735698586629295641978511506172918'));
    const r = sh('/usr/bin/ferry', ['config', 'check', '--config', '/etc/ferry/internal.yaml'], { cwd });
    expect(r.status, r.stdout).toBe(1);
    for (const re of [
      /^FAIL\s+keys\.ca\s+\/etc\/ferry\/certs\/ca\.crt: .*does not exist/m,
      /^FAIL\s+keys\.signKey\s+\/etc\/ferry\/certs\/internal-sign\.key: .*does not exist/m,
      /^FAIL\s+tsa\.cert\s+\/etc\/ferry\/certs\/tsa\.crt/m,
      /^FAIL\s+time\.sources\s+.*at least one NTP server/m,
      /^FAIL\s+link\.url\s+.*placeholder/m,
      /^FAIL\s+approval\.items\s+\/etc\/ferry\/items: .*no item files/m,
      /^ok\s+policy\s+\/etc\/ferry\/policy\.yaml/m,
      /^ok\s+approval\.calendar\s+\/usr\/lib\/ferry\/config\/calendar/m,
    ]) expect(r.stdout).toMatch(re);
    expect(readdirSync(cwd)).toEqual([]); // nothing created in the working directory
  });

  it('after the runbook (keys for ferry, catalogue, NTP, link), passes as root and as the ferry user', () => {
    ok(sh('/usr/bin/ferry', ['certs', 'init', '--dir', '/etc/ferry/certs', '--force'], { cwd }));
    ok(sh('chown', ['-R', 'ferry:ferry', '/etc/ferry/certs']));
    for (const f of readdirSync('/usr/lib/ferry/config/items')) cpSync(join('/usr/lib/ferry/config/items', f), join('/etc/ferry/items', f));
    writeFileSync('/etc/ferry/internal.yaml', readFileSync('/etc/ferry/internal.yaml', 'utf8')
      .replace(/^  sources: \[\].*$/m, '  sources: [{ host: 127.0.0.1, port: 123 }, { host: ::1, port: 123 }]')
      .replace('wss://ferry-external.invalid:8444/link', 'wss://127.0.0.1:8444/link'));
    const asRoot = sh('/usr/bin/ferry', ['config', 'check', '--config', '/etc/ferry/internal.yaml', '--user', 'ferry'], { cwd });
    expect(asRoot.status, asRoot.stdout).toBe(0);
    expect(asRoot.stdout).not.toMatch(/^FAIL/m);
    // ExecReload runs as User=ferry: the service user reads its keys and config.
    const asFerry = sh('runuser', ['-u', 'ferry', '--', '/usr/bin/ferry', 'config', 'check', '--config', '/etc/ferry/internal.yaml'], { cwd: '/' });
    expect(asFerry.status, asFerry.stdout + asFerry.stderr).toBe(0);
    // A key left readable by others is refused by the same check.
    ok(sh('chmod', ['0644', '/etc/ferry/certs/tsa.key']));
    const loose = sh('/usr/bin/ferry', ['config', 'check', '--config', '/etc/ferry/internal.yaml'], { cwd });
    expect(loose.status).toBe(1);
    expect(loose.stdout).toMatch(/^FAIL\s+tsa\.key\s+\/etc\/ferry\/certs\/tsa\.key: .*mode 0644/m);
    ok(sh('chmod', ['0600', '/etc/ferry/certs/tsa.key']));
  });

  it('an upgrade keeps the edited config, the keys and the state', () => {
    ok(sh('install', ['-d', '-o', 'ferry', '-g', 'ferry', '-m', '0700', '/var/lib/ferry/internal']));
    writeFileSync('/var/lib/ferry/internal/internal.sqlite', 'state that must survive');
    const edited = readFileSync('/etc/ferry/internal.yaml', 'utf8');
    const keyBefore = readFileSync('/etc/ferry/certs/tsa.key');
    // The next release: same payload, higher version (dpkg-deb -R / -b, as a rebuilt package would be).
    const tree = join(work, 'next');
    ok(sh('dpkg-deb', ['-R', deb, tree]));
    const control = join(tree, 'DEBIAN/control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: (.*)$/m, 'Version: $1+1'));
    const next = join(work, 'ferry-next.deb');
    ok(sh('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, next]));
    ok(sh('dpkg', ['-i', next]));
    expect(sh('dpkg-query', ['-W', '-f', '${Version}', 'ferry']).stdout).toMatch(/\+1$/);
    expect(readFileSync('/etc/ferry/internal.yaml', 'utf8')).toBe(edited);
    expect(readFileSync('/var/lib/ferry/internal/internal.sqlite', 'utf8')).toBe('state that must survive');
    expect(readFileSync('/etc/ferry/certs/tsa.key').equals(keyBefore)).toBe(true);
    expect(sh('/usr/bin/ferry', ['config', 'check', '--config', '/etc/ferry/internal.yaml'], { cwd }).status).toBe(0);
  });

  it('remove keeps config and state; purge deletes them, the units and the command', () => {
    ok(sh('dpkg', ['-r', 'ferry']));
    expect(existsSync('/usr/bin/ferry')).toBe(false);
    expect(existsSync('/etc/ferry/internal.yaml')).toBe(true);
    expect(existsSync('/var/lib/ferry/internal/internal.sqlite')).toBe(true);
    ok(sh('dpkg', ['--purge', 'ferry']));
    for (const gone of ['/var/lib/ferry', '/etc/ferry', '/usr/lib/ferry', '/lib/systemd/system/ferry-internal.service', '/usr/bin/ferry']) {
      expect(existsSync(gone), gone).toBe(false);
    }
    expect(sh('dpkg', ['-s', 'ferry']).status).not.toBe(0);
  });
});
