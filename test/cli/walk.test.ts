// Every command and subcommand of `ferry`, walked from its own usage text (so a new command is walked
// without touching this file): `--help` exits 0 and prints its usage; an unknown option exits 2 with
// one `ferry:` line and no stack trace; `--version` answers. Then a table of ordinary mistakes (an
// unknown enum value, a bad number, a missing file): each is refused with exit 2 in one line that
// names the valid values or the file.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, USAGE } from '../../src/cli/main.js';
import { DESK_USAGE } from '../../src/cli/desk.js';

const BIN = join(import.meta.dirname, '../../bin/ferry.js');
// An empty working directory: a default relative path (config/external.yaml) must not resolve to the repo's.
const CWD = mkdtempSync(join(tmpdir(), 'ferry-walk-'));
/** Runs the CLI as a child process (async, so the walk runs a few at a time on a loaded machine). */
const ferry = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, cwd: CWD }, (e, stdout, stderr) => {
    resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
  });
});

/** [command, subcommand | null] for every usage line `  ferry <cmd> [<sub>|<sub>...] ...`. */
function commands(): [string, string | null][] {
  const out = new Map<string, [string, string | null]>();
  for (const line of (USAGE + DESK_USAGE).split('\n')) {
    const m = /^ {2}ferry ([a-z]+)(?: ([a-z][a-z|-]*))?/.exec(line);
    if (!m || m[1] === 'help') continue;
    const subs = m[2] && !m[2].startsWith('-') && !/^(config|dir|db)$/.test(m[2]) ? m[2].split('|') : [null];
    for (const s of subs) out.set(`${m[1]} ${s ?? ''}`, [m[1]!, s]);
  }
  return [...out.values()];
}

/** The walk calls the CLI's entry point in-process (bin/ferry.js only calls main() and exits with
 *  its code): the same paths, without a Node start per case on a shared 2-core machine. */
async function inProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((c: string | Uint8Array) => { out.push(String(c)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
  const cwd = process.cwd();
  try {
    process.chdir(CWD);
    return { status: await main(args), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(cwd);
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

const oneFerryLine = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ferry: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
};

describe('every ferry command and subcommand', () => {
  const all = commands();
  it('finds the commands in the usage text', () => {
    expect(all.length).toBeGreaterThan(25);
    expect(all).toContainEqual(['status', null]);
    expect(all).toContainEqual(['intake', 'pause']);
    expect(all).toContainEqual(['case', 'trace']);
  });

  it('answers --version and -V', async () => {
    for (const v of ['--version', '-V']) {
      const r = await ferry(v);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^ferry \d+\.\d+\.\d+ \(node \d+/);
    }
  });

  it.each(all.map(([c, s]) => [[c, s].filter(Boolean).join(' '), c, s] as const))('%s --help: exit 0 and its usage', async (_n, c, s) => {
    const r = await inProcess([c, ...(s ? [s] : []), '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage/);
    expect(r.stdout).toContain(`ferry ${c}`);
    expect(r.stderr).toBe('');
  });

  it.each(all.map(([c, s]) => [[c, s].filter(Boolean).join(' '), c, s] as const))('%s --bogus: exit 2, one ferry: line', async (_n, c, s) => {
    const r = await inProcess([c, ...(s ? [s] : []), '--bogus']);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    oneFerryLine(r.stderr);
  });
});

describe('ordinary mistakes are refused in one line that names the valid values or the file', () => {
  it.concurrent.each([
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown subcommand', ['outbox', 'flush'], /held, retry, drop/],
    ['an unknown quarantine subcommand', ['quarantine', 'purge'], /list, release, reject/],
    ['an unknown intake subcommand', ['intake', 'hold'], /pause, resume, status/],
    ['an unknown start role', ['start', 'middle'], /external.*internal.*demo/],
    ['an unknown quarantine state', ['quarantine', 'list', '--state', 'limbo', '--config', '/nonexistent/internal.yaml'], /held.*released.*rejected/],
    ['an unknown rejected state', ['rejected', 'list', '--state', 'limbo', '--config', '/nonexistent/internal.yaml'], /one of/],
    ['a certificate lifetime that is not a number', ['certs', 'init', '--dir', join(CWD, 'c'), '--days', 'ten'], /--days/],
    ['a negative certificate lifetime', ['certs', 'init', '--dir', join(CWD, 'c'), '--days', '-5'], /--days/],
    ['a month that is not one', ['supervision', 'report', '--month', '2026-13', '--config', '/nonexistent/internal.yaml'], /month|nonexistent/],
    ['a missing config file', ['status', '--config', '/nonexistent/external.yaml'], /\/nonexistent\/external\.yaml/],
    ['a missing config file (start)', ['start', 'external', '--config', '/nonexistent/external.yaml'], /\/nonexistent\/external\.yaml/],
    ['a packet id that is not one', ['outbox', 'drop', 'xyz', '--config', '/nonexistent/external.yaml', '--operator', 'a', '--reason', 'b'], /nonexistent|32 hex/],
    ['a case that is not one', ['log', 'mask', 'F123'], /not a case number/],
  ])('%s', async (_what, args, names) => {
    const r = await ferry(...args);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    oneFerryLine(r.stderr);
    expect(r.stderr).toMatch(names);
  });
});
