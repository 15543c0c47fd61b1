// `ferry backup` while the internal gateway runs, and `ferry restore` with it stopped, against the
// real processes: a restored intranet database holds every case of the backup, the gateway starts on
// it, and packets the external side still held are delivered after. Refusals name the file and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { send } from '../hostile/https-raw.js';

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try { const v = await f(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ferry backup and restore', () => {
  let pair: Pair;
  let internalYaml: string;
  const cases = async () => (await operatorHealth(pair.internalOperatorUrl)).cases as number;
  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn' });
    await pair.waitLinkUp();
    internalYaml = join(pair.dir, 'internal.yaml');
  }, 60_000);
  afterAll(async () => { await pair?.stop(); });

  it('backs up online, refuses to overwrite or to restore under a live gateway, and restores with nothing lost', async () => {
    for (let i = 0; i < 3; i++) expect((await send(pair.apiUrl, pair.ca, { body: sampleSubmission(i) })).status).toBe(202);
    await until('3 cases inside', async () => ((await cases()) >= 3 ? true : undefined));

    const backup = join(pair.dir, 'internal-backup.sqlite');
    const b = ferry(['backup', '--config', internalYaml, '--out', backup, '--json']);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ role: 'internal', out: backup });
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const again = ferry(['backup', '--config', internalYaml, '--out', backup]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`${backup} exists`);

    const live = ferry(['restore', '--config', internalYaml, '--from', backup]);
    expect(live.status).toBe(2);
    expect(live.stderr).toMatch(new RegExp(`internal\\.sqlite is open in pid ${pair.internal.proc.pid}`));

    // Stop the intranet; two more cases wait in the external outbox meanwhile; the database is lost.
    pair.internal.proc.kill('SIGTERM');
    await pair.internal.exited;
    for (let i = 3; i < 5; i++) expect((await send(pair.apiUrl, pair.ca, { body: sampleSubmission(i) })).status).toBe(202);
    const dbFile = join(pair.dir, 'var/internal/internal.sqlite');
    writeFileSync(dbFile, 'this disk failed');

    const r = ferry(['restore', '--config', internalYaml, '--from', backup]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored internal .* schema \d+/);
    const kept = /kept as (\S+)/.exec(r.stdout)![1]!;
    expect(existsSync(kept)).toBe(true);
    expect(statSync(dbFile).mode & 0o777).toBe(0o600);

    pair.startInternal();
    await pair.waitLinkUp(30_000);
    await until('5 cases inside', async () => ((await cases()) >= 5 ? true : undefined));
    expect(await cases()).toBe(5);
    const v = ferry(['audit', 'verify', '--config', internalYaml]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  }, 180_000);

  it('refuses to restore what is not an intact backup of this role', () => {
    const junk = join(pair.dir, 'junk.sqlite');
    writeFileSync(junk, 'not sqlite at all');
    const a = ferry(['restore', '--config', internalYaml, '--from', junk]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain(`${junk} is not a SQLite database`);
    const externalDb = join(pair.dir, 'var/external/external.sqlite');
    const copy = join(pair.dir, 'external-copy.sqlite');
    copyFileSync(externalDb, copy);
    const b = ferry(['restore', '--config', internalYaml, '--from', copy]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/is not a backup of this gateway's role: no table/);
    const c = ferry(['restore', '--config', internalYaml, '--from', join(pair.dir, 'missing.sqlite')]);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('missing.sqlite does not exist');
  });
});

