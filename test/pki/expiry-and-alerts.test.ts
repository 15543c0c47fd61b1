// Expiry warnings (one log line per certificate per UTC day from 30 days ahead) as a pure rule, then
// from a real gateway process whose dev PKI was issued 375 days ago (its 398-day certificates have 23
// left); and the revocation alert rules judged by promtool (Debian package prometheus).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { dueWarnings, EXPIRY_WARN_DAYS } from '../../src/pki/expiry-watch.js';
import { preparePair, spawnGateway } from '../helpers/gateways.js';
import { hasTool } from '../helpers/tools.js';
import { tempDir } from './helpers.js';

const DAY = 86_400_000;
let tmp: ReturnType<typeof tempDir>;
let leaf: X509Certificate;
beforeAll(async () => {
  tmp = tempDir('expiry');
  await initDevPki(join(tmp.dir, 'certs'));
  leaf = new X509Certificate(readFileSync(join(tmp.dir, 'certs', 'external-tls.crt')));
});
afterAll(() => tmp.cleanup());

describe('dueWarnings', () => {
  const at = (daysBeforeExpiry: number, hour = 12) => {
    const d = new Date(new Date(leaf.validTo).getTime() - daysBeforeExpiry * DAY);
    d.setUTCHours(hour);
    return d;
  };
  it('says nothing more than 30 days ahead, then once per certificate per UTC day, and marks the expired', () => {
    const seen = new Set<string>();
    const certs = [{ role: 'link_tls', cert: leaf }];
    expect(dueWarnings(certs, new Date(new Date(leaf.validTo).getTime() - (EXPIRY_WARN_DAYS + 1) * DAY), seen)).toEqual([]);
    const first = dueWarnings(certs, at(20, 1), seen);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ role: 'link_tls', expired: false });
    expect(first[0]!.daysLeft).toBeGreaterThanOrEqual(19);
    expect(dueWarnings(certs, at(20, 23), seen)).toEqual([]);      // same UTC day: nothing new
    expect(dueWarnings(certs, at(19, 1), seen)).toHaveLength(1);   // the next day: one line
    expect(dueWarnings(certs, at(-1), seen)[0]).toMatchObject({ expired: true });
    expect(seen.size).toBe(1);                                       // bounded: only today's keys kept
  });
});

describe('a real gateway whose certificates expire in 23 days', () => {
  it('logs one warning per certificate in force at start, naming the role and the days left', async () => {
    const files = await preparePair({ pkiNow: new Date(Date.now() - 375 * DAY) });
    const g = spawnGateway('external', files.externalConfig);
    try {
      const end = Date.now() + 20_000;
      const lines = () => g.log.filter((l) => l.includes('"rule":"cert-expiry"'));
      while (Date.now() < end && !['sign', 'enc', 'peer_enc', 'link_tls', 'api_tls'].every((r) => lines().some((l) => l.includes(`"role":"${r}"`)))) {
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const r of ['sign', 'enc', 'peer_enc', 'link_tls', 'api_tls']) {
        const line = lines().find((l) => l.includes(`"role":"${r}"`));
        expect(line, `${r}\n${g.log.slice(-10).join('\n')}`).toBeDefined();
        expect(line).toMatch(/expires in 2[23] days/);
      }
      expect(lines().some((l) => l.includes('"role":"ca"'))).toBe(false); // ten years left
    } finally {
      g.proc.kill('SIGTERM');
      await g.exited;
    }
  }, 40_000);
});

describe('revocation alert rules (promtool)', () => {
  if (!hasTool('promtool')) throw new Error('promtool is required (Debian package prometheus)');
  it('pass promtool check rules and fire on a stale list, a list about to go stale, and failing loads', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/ferry-pki-alerts.yml'], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = spawnSync('promtool', ['test', 'rules', 'deploy/prometheus/ferry-pki-alerts.test.yml'], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });
});
