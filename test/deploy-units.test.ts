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
});
