// The restore drill of issue 13, against the real gateway processes: cases are filed continuously; the
// intranet is backed up mid-load; filing goes on, so cases are delivered (and acknowledged) after the
// backup; the intranet is stopped, restored from the backup and restarted. The external side kept the
// acknowledged packets (outbox_retained) and the restored intranet asks for a replay from its older
// watermark: every case that got a 202 is delivered exactly once, and both audit chains verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { send } from '../hostile/https-raw.js';

const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try { const v = await f(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Files cases two at a time until stopped; keeps the case id of every 202. */
function fileContinuously(pair: Pair) {
  const accepted: string[] = [];
  const refused: number[] = [];
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const r = await send(pair.apiUrl, pair.ca, { body: sampleSubmission(n++) });
      if (r.status === 202) accepted.push(r.json.caseId as string); else refused.push(r.status);
    }
  };
  const done = Promise.all([worker(), worker()]);
  return { accepted, refused, async stop() { running = false; await done; } };
}

function readOnly<T>(file: string, f: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try { return f(db); } finally { db.close(); }
}

const intranetCaseIds = (file: string) => new Set(readOnly(file, (db) => db.prepare('SELECT case_id FROM intranet_cases').pluck().all() as string[]));

describe('restore drill under load', () => {
  let pair: Pair;
  let internalYaml: string;
  let externalYaml: string;
  const internalDb = () => join(pair.dir, 'var/internal/internal.sqlite');
  const externalDb = () => join(pair.dir, 'var/external/external.sqlite');
  const inside = async () => (await operatorHealth(pair.internalOperatorUrl)).cases as number;
  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn' });
    await pair.waitLinkUp();
    internalYaml = join(pair.dir, 'internal.yaml');
    externalYaml = join(pair.dir, 'external.yaml');
  }, 60_000);
  afterAll(async () => { await pair?.stop(); });

  it('delivers every case that got a 202 exactly once after the intranet is restored from a mid-load backup', async () => {
    const load = fileContinuously(pair);
    await until('10 cases inside', async () => ((await inside()) >= 10 ? true : undefined));

    const backup = join(pair.dir, 'internal-midload.sqlite');
    const b = ferry(['backup', '--config', internalYaml, '--out', backup]);
    expect(b.status, b.stderr).toBe(0);
    const inBackup = intranetCaseIds(backup);

    // Filing goes on: cases delivered now are acknowledged to the external side and not in the backup.
    await until('10 more cases delivered after the backup', async () => ((await inside()) >= inBackup.size + 10 ? true : undefined));
    pair.internal.proc.kill('SIGTERM');
    await pair.internal.exited;
    // The intranet is down; the external side keeps answering 202 and queues.
    const atStop = load.accepted.length;
    await until('5 more cases filed while the intranet is down', async () => (load.accepted.length >= atStop + 5 ? true : undefined));
    await load.stop();
    expect(load.refused).toEqual([]);

    const lostByRestore = [...intranetCaseIds(internalDb())].filter((id) => !inBackup.has(id));
    expect(lostByRestore.length).toBeGreaterThanOrEqual(10);
    // They were acknowledged: gone from the external outbox, kept in its retained table.
    const retainedCases = readOnly(externalDb(), (db) => new Set(db.prepare('SELECT case_id FROM outbox_retained').pluck().all() as string[]));
    const queuedCases = readOnly(externalDb(), (db) => new Set(db.prepare('SELECT case_id FROM outbox').pluck().all() as string[]));
    for (const id of lostByRestore) { expect(retainedCases.has(id), id).toBe(true); expect(queuedCases.has(id), id).toBe(false); }

    const r = ferry(['restore', '--config', internalYaml, '--from', backup]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/replay/);
    expect(r.stdout).not.toMatch(/are not in it/);

    pair.startInternal();
    await pair.waitLinkUp(60_000);
    const want = load.accepted.length;
    await until(`${want} cases inside`, async () => ((await inside()) >= want ? true : undefined), 120_000);
    // Settle: a duplicate delivered late would show up here.
    await until('the external outbox drained', async () => ((await operatorHealth(pair.externalOperatorUrl)).outbox === 0 ? true : undefined) ?? undefined);
    pair.internal.proc.kill('SIGTERM');
    await pair.internal.exited;

    readOnly(internalDb(), (db) => {
      const gatewayCases = db.prepare('SELECT case_id, COUNT(*) AS n FROM intranet_cases GROUP BY case_id').all() as { case_id: string; n: number }[];
      const deskCases = new Set(db.prepare('SELECT case_id FROM approval_cases').pluck().all() as string[]);
      // Exactly once: one packet.in audit entry per submission case (a second delivery would add one).
      const packetIn = new Map<string, number>();
      for (const d of db.prepare("SELECT detail FROM audit_entries WHERE action = 'packet.in'").pluck().all() as string[]) {
        const x = JSON.parse(d) as { kind: string; case: string };
        if (x.kind === 'submission') packetIn.set(x.case, (packetIn.get(x.case) ?? 0) + 1);
      }
      expect(gatewayCases.length).toBe(want);
      expect(new Set(gatewayCases.map((c) => c.case_id))).toEqual(new Set(load.accepted));
      expect(deskCases).toEqual(new Set(load.accepted));
      for (const id of load.accepted) expect(packetIn.get(id), id).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM quarantine').pluck().get()).toBe(0);
      const requested = db.prepare("SELECT detail FROM audit_entries WHERE action = 'link.replay'").pluck().all() as string[];
      expect(requested.map((d) => JSON.parse(d) as { role: string; fromSeq: number }).some((d) => d.role === 'requested' && d.fromSeq > 0)).toBe(true);
    });
    readOnly(externalDb(), (db) => {
      const served = (db.prepare("SELECT detail FROM audit_entries WHERE action = 'link.replay'").pluck().all() as string[]).map((d) => JSON.parse(d) as { role: string; packets: number; gap: number });
      expect(served.some((d) => d.role === 'served' && d.packets >= lostByRestore.length && d.gap === 0)).toBe(true);
    });

    for (const yaml of [internalYaml, externalYaml]) {
      const v = ferry(['audit', 'verify', '--config', yaml]);
      expect(v.status, `${yaml}: ${v.stdout}${v.stderr}`).toBe(0);
    }
  }, 300_000);
});
