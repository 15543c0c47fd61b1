// Independent tools (qpdf, djpeg, testssl.sh, ...) judge what Ferry emits or accepts. On a developer
// machine a missing tool skips its check; in CI (`CI` set, as `.ci/run` runs) it fails the run instead,
// so a check can never silently stop happening because an install step went missing.
import { spawnSync } from 'node:child_process';

const seen = new Map<string, boolean>();

function onPath(tool: string): boolean {
  let found = seen.get(tool);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
    seen.set(tool, found);
  }
  return found;
}

/** True when `tool` is on the PATH; throws in CI when it is not (use with `it.skipIf(!hasTool(...))`). */
export function hasTool(tool: string): boolean {
  if (!/^[A-Za-z0-9._-]+$/.test(tool)) throw new Error(`hasTool: not a tool name: ${tool}`);
  const found = onPath(tool);
  if (!found && process.env.CI) {
    throw new Error(`${tool} is not installed, and CI must run every independent check: add its Debian package to .ci/run`);
  }
  return found;
}
