// The CLI desk commands (`ferry staff add|disable`, `ferry case act`) write into the internal gateway's
// audit chain the same staff.action entries the staff API does, dated by the trusted clock built from
// internal.yaml's time: section — here three chronyd that all serve time 600 s ahead of the host, so an
// entry dated by the host clock is told apart from one dated by the NTP quorum.
//
// Needs: chrony and faketime (Debian packages `chrony`, `faketime`); with CI set a missing one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openInternalStore } from '../../src/internal/store.js';
import { deskCommand } from '../../src/cli/desk.js';
import { verifyChain } from '../../src/audit/verify.js';
import { AuditLog } from '../../src/audit/chain.js';
import { staffActionEntry } from '../../src/audit/staff-action.js';
import { preparePair, type PairFiles } from '../helpers/gateways.js';
import { startChronyServer, type ChronyServer } from '../helpers/chrony.js';

// Inside the 60 s ceiling of time.hardLimitMs (set to it below), and far outside the 30 s slack of the bounds.
const AHEAD_S = 45;
let files: PairFiles;
const ntp: ChronyServer[] = [];
const dbFile = () => join(files.dir, 'var/internal/internal.sqlite');

interface Entry { seq: number; at: number; actor: string; action: string; subject: string; detail: string }
const entries = (): Entry[] => {
  const d = new Database(dbFile(), { readonly: true });
  try { return d.prepare('SELECT seq, at, actor, action, subject, detail FROM audit_entries ORDER BY seq').all() as Entry[]; } finally { d.close(); }
};

beforeAll(async () => {
  for (let i = 0; i < 3; i++) ntp.push(await startChronyServer({ offsetSeconds: AHEAD_S }));
  const src = ntp.map((s, i) => `{ name: ntp${i}, host: 127.0.0.1, port: ${s.port} }`).join(', ');
  files = await preparePair({ timeInternal: `time:\n  sources: [${src}]\n  quorum: 2\n  timeoutMs: 500\n  hardLimitMs: 60000` });
  writeFileSync(join(files.dir, 'pw'), 'Qingxi-2026-audit-cli\n', { mode: 0o600 });
  // Commands never create a database: the gateway does on its first start (its store, as it opens it).
  openInternalStore(join(files.dir, 'var/internal')).db.close();
}, 60_000);
afterAll(async () => { for (const s of ntp) await s.stop(); });

const run = (which: 'staff' | 'case', args: string[]) => deskCommand(which, [...args, '--config', files.internalConfig]);

describe('CLI desk commands in the audit chain', () => {
  it('staff add, staff disable and case act each append the staff API’s entries, dated by the NTP quorum', async () => {
    const before = Date.now();
    expect(await run('staff', ['add', '--id', 'aic.ops', '--name', 'Ops', '--department', 'aic', '--roles', 'window', '--password-file', join(files.dir, 'pw')])).toBe(0);
    expect(await run('case', ['act', 'F-NO-SUCH-CASE', '--as', 'aic.ops', '--command', '{"type":"accept"}', '--password-file', join(files.dir, 'pw')])).toBe(1);
    expect(await run('staff', ['disable', 'aic.ops'])).toBe(0);
    const after = Date.now();

    const got = entries().map((e) => ({ actor: e.actor, action: e.action, subject: e.subject, detail: JSON.parse(e.detail) as Record<string, unknown> }));
    // Exactly what the gateway's staff API path writes for the same acts (one mapping: staffActionEntry).
    const api = (a: string, s: string, d: Record<string, unknown>) => { const e = staffActionEntry(a, s, d); return { action: e.action, subject: e.subject, detail: e.detail }; };
    expect(got.map(({ actor: _a, ...rest }) => rest)).toMatchObject([
      api('staff.create', 'aic.ops', { department: 'aic', roles: ['window'], by: 'cli' }),
      api('staff.login', 'aic.ops', {}),
      api('case.refused', 'F-NO-SUCH-CASE', { actor: 'aic.ops', event: 'accept' }),
      api('staff.logout', 'aic.ops', {}),
      api('staff.disable', 'aic.ops', { by: 'cli' }),
    ]);
    for (const e of got) expect(e.actor).toMatch(/^cli:/);
    // Dated by the quorum (600 s ahead), not by the host clock.
    for (const e of entries()) {
      expect(e.at).toBeGreaterThanOrEqual(before + AHEAD_S * 1000 - 30_000);
      expect(e.at).toBeLessThanOrEqual(after + AHEAD_S * 1000 + 30_000);
    }
    // And the chain they form is whole.
    const d = new Database(dbFile(), { readonly: true });
    try { expect(await verifyChain(d)).toMatchObject({ ok: true, entries: 5 }); } finally { d.close(); }
  }, 60_000);

  it('read-only commands write nothing', async () => {
    const n = entries().length;
    expect(await run('staff', ['list', '--json'])).toBe(0);
    expect(entries().length).toBe(n);
  });

  it('with the gateway’s own appends interleaved, the chain stays one chain (the write lock serialises them)', async () => {
    // A second writer on the same file, as the running gateway would be, appending between CLI runs.
    const d = new Database(dbFile());
    d.pragma('busy_timeout = 5000');
    const gw = new AuditLog(d);
    try {
      for (let i = 0; i < 3; i++) {
        gw.append({ at: new Date(), actor: 'gateway:internal', action: 'policy.allow', subject: `p${i}`, detail: {} });
        expect(await run('staff', ['add', '--id', `aic.b${i}`, '--name', 'B', '--department', 'aic', '--roles', 'window', '--password-file', join(files.dir, 'pw')])).toBe(0);
      }
      expect(await verifyChain(d)).toMatchObject({ ok: true });
    } finally { d.close(); }
  }, 60_000);
});
