// The shipped systemd units stay sandboxed: systemd's own exposure score, offline.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

describe.each(['external', 'internal'])('deploy/ferry-%s.service', (role) => {
  const unit = `deploy/ferry-${role}.service`;
  it('scores at most 2.0 (OK) on systemd-analyze security', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    const m = /Overall exposure level for .*: ([0-9.]+)/.exec(out);
    expect(m, out.slice(-400)).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.0);
  });
  it('runs as the dedicated user with no capabilities and no new privileges', () => {
    const text = readFileSync(unit, 'utf8');
    for (const line of ['User=ferry', 'CapabilityBoundingSet=\n', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX']) {
      expect(text).toContain(line);
    }
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m); // V8's JIT needs W^X exceptions
  });
  it('caps memory and tasks', () => {
    const text = readFileSync(unit, 'utf8');
    const bytes = (v: string) => Number(/^(\d+)([KMG]?)$/.exec(v)![1]) * ({ '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[/^(\d+)([KMG]?)$/.exec(v)![2]!]!;
    const max = /^MemoryMax=(\S+)$/m.exec(text)?.[1];
    expect(max, 'MemoryMax=').toBeDefined();
    expect(bytes(max!)).toBeGreaterThanOrEqual(512 << 20); // room for 48 MiB bodies and the worker pool
    expect(bytes(max!)).toBeLessThanOrEqual(8 * (1 << 30));
    const tasks = Number(/^TasksMax=(\d+)$/m.exec(text)?.[1]);
    expect(tasks).toBeGreaterThanOrEqual(32);
    expect(tasks).toBeLessThanOrEqual(1024);
  });
  it('denies every address and allows no catch-all back (the allow list actually restricts)', () => {
    const text = readFileSync(unit, 'utf8');
    expect(text).toMatch(/^IPAddressDeny=any$/m);
    const allowed = [...text.matchAll(/^IPAddressAllow=(.*)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    expect(allowed.length).toBeGreaterThan(0);
    for (const a of allowed) expect(['any', '0.0.0.0/0', '::/0', '0.0.0.0', '::'], a).not.toContain(a);
    // systemd agrees: an allow list exists and it is not "any".
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    expect(out).toMatch(/IPAddressDeny=\s+Service defines IP address allow list with only localhost entries/);
  });
});
