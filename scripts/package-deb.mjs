#!/usr/bin/env node
// `npm run package`: the offline release, a Debian package built with dpkg-deb alone.
//   /usr/lib/ferry/{bin,dist/src,node_modules,package.json,config/{items,calendar,policy.yaml},web,docs}
//   /usr/bin/ferry (launcher), /lib/systemd/system/ferry-{external,internal}.service (from deploy/),
//   /etc/ferry/{external,internal,policy}.yaml (production templates, conffiles), DEBIAN/{control,
//   conffiles,postinst,prerm,postrm} (from deploy/debian/).
// Production dependencies are installed into the staging copy only (`npm ci --omit=dev` from the
// lockfile); the project's own node_modules is never touched. The .deb needs no network to install.
// Usage: node scripts/package-deb.mjs [--out DIR] [--no-build]     prints the .deb path last.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'dist', 'deb');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const log = (s) => process.stderr.write(`package-deb: ${s}\n`);
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });

if (!args.includes('--no-build')) { log('npm run build'); run('npm', ['run', 'build'], { cwd: ROOT }); }
for (const f of ['dist/src/cli/main.js', 'bin/ferry.js', 'package-lock.json']) {
  if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing`);
}

const stage = mkdtempSync(join(tmpdir(), 'ferry-deb-'));
const root = join(stage, 'root');
const lib = join(root, 'usr/lib/ferry');
try {
  // --- the release tree ---
  mkdirSync(lib, { recursive: true });
  cpSync(join(ROOT, 'bin/ferry.js'), join(lib, 'bin/ferry.js'));
  cpSync(join(ROOT, 'dist/src'), join(lib, 'dist/src'), { recursive: true, filter: (s) => !s.endsWith('.map') });
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(lib, f));
  cpSync(join(ROOT, 'config/items'), join(lib, 'config/items'), { recursive: true });
  cpSync(join(ROOT, 'config/calendar'), join(lib, 'config/calendar'), { recursive: true });
  cpSync(join(ROOT, 'config/policy.yaml'), join(lib, 'config/policy.yaml'));
  cpSync(join(ROOT, 'web'), join(lib, 'web'), { recursive: true }); // the pages' style sheet and wording
  cpSync(join(ROOT, 'docs'), join(lib, 'docs'), { recursive: true });

  // --- production dependencies, from the lockfile, into the staging copy ---
  // --ignore-scripts: the root "prepare" would need the dev toolchain; native addons are handled below.
  log('npm ci --omit=dev (staging copy)');
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: lib, env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
  });
  buildNativeAddons(lib);
  rmSync(join(lib, 'package-lock.json'), { force: true });
  rmSync(join(lib, '.npmrc'), { force: true });

  // --- launcher, units, config templates ---
  const deb = join(ROOT, 'deploy/debian');
  cpSync(join(deb, 'ferry'), join(root, 'usr/bin/ferry'));
  chmodSync(join(root, 'usr/bin/ferry'), 0o755);
  mkdirSync(join(root, 'lib/systemd/system'), { recursive: true });
  for (const role of ['external', 'internal']) {
    // deploy/ names the manual install directory /opt/ferry; the package installs to /usr/lib/ferry.
    const unit = readFileSync(join(ROOT, `deploy/ferry-${role}.service`), 'utf8').replaceAll('/opt/ferry', '/usr/lib/ferry');
    writeFileSync(join(root, `lib/systemd/system/ferry-${role}.service`), unit);
  }
  mkdirSync(join(root, 'etc/ferry'), { recursive: true });
  cpSync(join(deb, 'etc/external.yaml'), join(root, 'etc/ferry/external.yaml'));
  cpSync(join(deb, 'etc/internal.yaml'), join(root, 'etc/ferry/internal.yaml'));
  cpSync(join(ROOT, 'config/policy.yaml'), join(root, 'etc/ferry/policy.yaml'));

  // --- DEBIAN/ ---
  const control = join(root, 'DEBIAN');
  mkdirSync(control);
  normaliseModes(root);
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim(); // native addon inside
  const sizeKb = execFileSync('du', ['-sk', '--exclude=DEBIAN', root], { encoding: 'utf8' }).split('\t')[0];
  writeFileSync(join(control, 'control'), readFileSync(join(deb, 'control.in'), 'utf8')
    .replace('@VERSION@', pkg.version).replace('@ARCH@', arch).replace('@SIZE@', sizeKb));
  // Every file under /etc is a conffile: dpkg keeps an operator's edits across upgrades.
  const conffiles = walk(join(root, 'etc')).map((f) => '/' + relative(root, f));
  writeFileSync(join(control, 'conffiles'), conffiles.join('\n') + '\n');
  for (const s of ['postinst', 'prerm', 'postrm']) { cpSync(join(deb, s), join(control, s)); chmodSync(join(control, s), 0o755); }

  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `ferry_${pkg.version}_${arch}.deb`);
  log(`dpkg-deb --build → ${out}`);
  // gzip: every dpkg reads it, and it packs ~60 MB of node_modules in seconds (xz takes minutes).
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(out + '\n');
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** Native addons (install scripts were skipped): reuse the project's build of the same version and
 *  Node ABI, which the lockfile pins; otherwise compile in the staging copy. */
function buildNativeAddons(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (!path || meta.dev || !meta.hasInstallScript) continue;
    const staged = join(dir, path);
    const mine = join(ROOT, path);
    const sameVersion = existsSync(join(mine, 'package.json'))
      && JSON.parse(readFileSync(join(mine, 'package.json'), 'utf8')).version === meta.version;
    if (sameVersion && existsSync(join(mine, 'build/Release'))) {
      log(`${path}@${meta.version}: reusing the project's build/Release`);
      cpSync(join(mine, 'build/Release'), join(staged, 'build/Release'), { recursive: true, filter: (s) => !/\.(o|d|mk|a)$|\/obj(\.target)?(\/|$)|\/\.deps(\/|$)|test_extension/.test(s) });
    } else if (existsSync(join(staged, 'prebuilds'))) {
      log(`${path}@${meta.version}: uses its shipped prebuilds`);
    } else {
      log(`${path}@${meta.version}: npm rebuild`);
      run('npm', ['rebuild', meta.name ?? path.split('node_modules/').pop()], { cwd: dir, env: { ...process.env, npm_config_nodedir: '/usr' } });
    }
  }
}

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  }).sort();
}

/** Directories 0755, files 0644, executables 0755: whatever the build machine's umask was. */
function normaliseModes(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const st = statSync(p);
    if (st.isDirectory()) { chmodSync(p, 0o755); normaliseModes(p); } else chmodSync(p, st.mode & 0o111 ? 0o755 : 0o644);
  }
}
