// Every process a test starts (gateways, chronyd, tools) inherits FERRY_TEST_RUN from here. After the
// run, any process still carrying this run's mark outlived its test: it is killed and the run fails,
// naming it, so a leaked chronyd or gateway cannot go unnoticed (or hold a port for the next run).
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

const MARK = 'FERRY_TEST_RUN';

export function setup(): void {
  process.env[MARK] = randomBytes(8).toString('hex');
}

function marked(run: string): { pid: number; cmd: string }[] {
  const needle = `${MARK}=${run}\0`;
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      if (/vitest|tinypool/.test(cmd)) continue; // the runner's own workers, on their way out
      out.push({ pid, cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

export async function teardown(): Promise<void> {
  const run = process.env[MARK];
  if (!run) return;
  let left = marked(run);
  // A child told to stop in a test's last afterAll may still be exiting: give it a moment.
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = marked(run);
  }
  if (left.length === 0) return;
  for (const p of left) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
  process.exitCode = 1;
  throw new Error(`${left.length} process(es) started by tests outlived the run (killed now):\n${left.map((p) => `  ${p.pid} ${p.cmd}`).join('\n')}`);
}
