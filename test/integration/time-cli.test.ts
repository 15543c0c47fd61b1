// `ferry time status` against real chronyd: reads like chronyc, exit code says the verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChronyServer, type ChronyServer } from '../helpers/chrony.js';

const servers: ChronyServer[] = [];
let dir: string;
beforeAll(async () => {
  for (let i = 0; i < 3; i++) servers.push(await startChronyServer());
  servers.push(await startChronyServer({ offsetSeconds: 300 }));
  dir = mkdtempSync(join(tmpdir(), 'ferry-timecli-'));
});
afterAll(async () => { for (const s of servers) await s.stop(); });

function config(sources: ChronyServer[], names: string[]): string {
  const f = join(dir, `internal-${names.join('-')}.yaml`);
  // Only the time section is read by `ferry time status`; the rest must still be a valid config.
  writeFileSync(f, `gateway: internal
dataDir: ${dir}/var
link: { url: wss://127.0.0.1:1/link, tls: { cert: a, key: b }, peer: { subjects: [x] } }
intranet: { host: 127.0.0.1, port: 0, tls: { cert: c/intranet-tls.crt, key: c/intranet-tls.key } }
tsa: { cert: a, key: b, policyOid: 2.25.1 }
keys: { ca: a, signCert: a, signKey: a, encCert: a, encKey: a }
peer: { encCert: a, signerSubjects: [x] }
domains: { self: intranet, peer: public }
policy: config/policy.yaml
time:
  sources: [${sources.map((s, i) => `{ name: ${names[i]}, host: 127.0.0.1, port: ${s.port} }`).join(', ')}]
  quorum: 2
  timeoutMs: 500
`);
  return f;
}
const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });

describe('ferry time status', () => {
  it('marks the wrong source as a falseticker and exits 0 when the quorum is trusted', () => {
    const r = ferry(['time', 'status', '--config', config(servers, ['ntp-a', 'ntp-b', 'ntp-c', 'ntp-wrong'])]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\^x ntp-wrong/m);
    expect(r.stdout).toMatch(/^\^[*+] ntp-a/m);
    expect(r.stdout).toMatch(/State\s*:\s*trusted/);
  });
  it('exits 1 and says why without a quorum', () => {
    const r = ferry(['time', 'status', '--config', config([servers[0]!, servers[3]!], ['ntp-a', 'ntp-wrong'])]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/State\s*:\s*untrusted/);
  });
  it('prints JSON for scripts', () => {
    const r = ferry(['time', 'status', '--json', '--config', config(servers.slice(0, 3), ['a', 'b', 'c'])]);
    expect(JSON.parse(r.stdout).state).toBe('trusted');
  });
});
