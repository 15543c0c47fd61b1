// Every tamper at every position of a small chain, fed to verifyChain as plain rows (the "rows"
// source: what a copy, a backup or a test hands it without SQLite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ENTRY_COLUMNS, type AuditRow } from '../../src/audit/chain.js';
import { verifyChain, type VerifyResult } from '../../src/audit/verify.js';
import { encodeEntry, sha256 } from '../../src/audit/canonical.js';
import { fill, openStore, tempDir } from './helpers.js';

const N = 12;
let tmp: ReturnType<typeof tempDir>;
let base: AuditRow[];

beforeAll(() => {
  tmp = tempDir('audit-pos');
  const s = openStore(tmp.dir);
  fill(s.log, N);
  s.db.close();
  const db = new Database(s.file, { readonly: true });
  base = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries ORDER BY seq`).all() as AuditRow[];
  db.close();
});
afterAll(() => tmp.cleanup());

function forged(seq: number, prevHash: Buffer, subject: string, like: AuditRow): AuditRow {
  const canonical = encodeEntry({ ...like, seq, prevHash, subject });
  return { ...like, seq, prevHash, subject, canonical, hash: sha256(canonical) };
}
const renumber = (rows: AuditRow[]): AuditRow[] => rows.map((r, i) => ({ ...r, seq: i + 1 }));
const run = (rows: AuditRow[]): Promise<VerifyResult> => verifyChain({ entries: rows, anchors: [] });
const at = (k: number): AuditRow => base[k - 1]!;

describe('verifyChain at every position (rows source, no anchors)', () => {
  it('accepts the untouched rows', async () => {
    expect(await run(base)).toMatchObject({ ok: true, entries: N, head: { seq: N, hash: at(N).hash } });
  });

  for (let k = 1; k < N; k++) {
    it(`entry ${k}: altered and re-hashed → altered ${k}; deleted → removed ${k}; forged after it → inserted ${k + 1}; swapped with the next → reordered ${k}`, async () => {
      const alt = base.map((r) => (r.seq === k ? forged(k, r.prevHash, 'F-CHANGED', r) : r));
      expect(await run(alt)).toMatchObject({ ok: false, firstBad: k, kind: 'altered' });

      const gone = base.filter((r) => r.seq !== k);
      expect(await run(gone)).toMatchObject({ ok: false, firstBad: k, kind: 'removed' });
      expect(await run(renumber(gone))).toMatchObject({ ok: false, firstBad: k, kind: 'removed' });

      const ins = renumber([...base.slice(0, k), forged(k + 1, at(k).hash, 'F-FORGED', at(k)), ...base.slice(k)]);
      expect(await run(ins)).toMatchObject({ ok: false, firstBad: k + 1, kind: 'inserted' });

      // The forged twin placed after the original it mimics (same predecessor): the next row follows the original.
      const fork = renumber([...base.slice(0, k), forged(k, at(k).prevHash, 'F-TWIN', at(k)), ...base.slice(k)]);
      expect(await run(fork)).toMatchObject({ ok: false, firstBad: k + 1, kind: 'inserted' });

      const swapped = renumber([...base.slice(0, k - 1), at(k + 1), at(k), ...base.slice(k + 1)]);
      expect(await run(swapped)).toMatchObject({ ok: false, firstBad: k, kind: 'reordered' });

      const replay = [...base, { ...at(k), seq: N + 1 }];
      expect(await run(replay)).toMatchObject({ ok: false, firstBad: N + 1, kind: 'inserted' });
    });
  }

  it('cannot tell, without an anchor, a changed, cut or extended tail from a genuine one (why anchors exist)', async () => {
    const last = at(N);
    expect(await run(base.map((r) => (r.seq === N ? forged(N, r.prevHash, 'F-CHANGED', r) : r)))).toMatchObject({ ok: true });
    expect(await run(base.slice(0, N - 1))).toMatchObject({ ok: true, entries: N - 1 });
    expect(await run([...base, forged(N + 1, last.hash, 'F-APPENDED', last)])).toMatchObject({ ok: true, entries: N + 1 });
    // …and a head kept elsewhere reveals each of them.
    const expectedHead = { seq: N, hash: last.hash };
    const cut = await verifyChain({ entries: base.slice(0, N - 1), anchors: [] }, { expectedHead });
    expect(cut).toMatchObject({ ok: false, firstBad: N, kind: 'removed' });
  });

  it('reports an exact copy of the newest entry as an inserted replay', async () => {
    const r = await run([...base, { ...at(N), seq: N + 1 }]);
    expect(r).toMatchObject({ ok: false, firstBad: N + 1, kind: 'inserted' });
    if (!r.ok) expect(r.detail).toMatch(`copy of entry ${N}`);
  });

  it('verifies a segment from a given seq and prefix hash, and refuses a wrong prefix', async () => {
    const seg = base.slice(4);
    expect(await verifyChain({ entries: seg, anchors: [] }, { start: { seq: 5, prevHash: at(4).hash } })).toMatchObject({ ok: true, entries: N - 4 });
    expect(await verifyChain({ entries: seg, anchors: [] }, { start: { seq: 5, prevHash: at(3).hash } })).toMatchObject({ ok: false, firstBad: 5, kind: 'altered' });
  });

  it('reports progress while streaming', async () => {
    const seen: number[] = [];
    await verifyChain({ entries: base, anchors: [], total: N }, { progressEvery: 5, onProgress: (c) => seen.push(c) });
    expect(seen).toEqual([5, 10, 12]);
  });
});
