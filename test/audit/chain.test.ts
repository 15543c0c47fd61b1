// The chain itself: the documented byte encoding, hashing that openssl reproduces, appends bound to
// the caller's transaction, and refusal of entries the format or vocabulary does not allow.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../src/audit/chain.js';
import { GENESIS_PREV, readEntryPrefix } from '../../src/audit/canonical.js';
import { FerryError } from '../../src/errors.js';
import { fill, openssl, openStore, T0, tempDir, type Store } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let s: Store;
beforeEach(() => {
  tmp = tempDir('audit-chain');
  s = openStore(tmp.dir);
});
afterEach(() => {
  s.db.close();
  tmp.cleanup();
});

const count = (): number => (s.db.prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n;

describe('AuditLog.append', () => {
  it('writes the documented canonical line, with a genesis prev of 32 zero bytes, and hashes it as openssl does', () => {
    const e = s.log.append({ at: new Date(T0), actor: 'gateway:external', action: 'packet.in', subject: 'F20261125-0001', detail: { z: 1, a: ['x', null, true], 'ü': 'ß' } });
    expect(e.seq).toBe(1);
    expect(e.prevHash.equals(GENESIS_PREV)).toBe(true);
    expect(e.canonical.toString('utf8')).toBe(
      `["ferry-audit/1","${'0'.repeat(64)}",1,"2026-11-25T08:00:00.000Z","gateway:external","packet.in","F20261125-0001",{"a":["x",null,true],"z":1,"ü":"ß"}]\n`,
    );
    const f = join(tmp.dir, 'e1');
    writeFileSync(f, e.canonical);
    expect(openssl(['dgst', '-sha256', '-r', f]).slice(0, 64)).toBe(e.hash.toString('hex'));
  });

  it('links each entry to the hash of the one before, at the fixed columns the export script cuts', () => {
    const es = fill(s.log, 5);
    for (let i = 1; i < es.length; i++) {
      expect(es[i]!.prevHash.equals(es[i - 1]!.hash)).toBe(true);
      expect(es[i]!.canonical.toString('latin1', 18, 82)).toBe(es[i - 1]!.hash.toString('hex'));
      expect(readEntryPrefix(es[i]!.canonical)).toEqual({ seq: i + 1, prev: es[i - 1]!.hash });
    }
    expect(s.log.head()).toEqual({ seq: 5, hash: es[4]!.hash });
  });

  it('keeps every entry on one line whatever the strings hold', () => {
    const e = s.log.append({ at: new Date(T0), actor: 'staff:a\nb', action: 'staff.action', subject: 'line\r\nbreak\u2028', detail: { t: '\n\t"\\' } });
    const text = e.canonical.toString('utf8');
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(JSON.parse(text)).toEqual(['ferry-audit/1', '0'.repeat(64), 1, '2026-11-25T08:00:00.000Z', 'staff:a\nb', 'staff.action', 'line\r\nbreak\u2028', { t: '\n\t"\\' }]);
  });

  it("rolls back with the caller's transaction, and the next entry takes the same seq", () => {
    fill(s.log, 2);
    const work = s.db.transaction(() => {
      s.log.append({ at: new Date(T0), actor: 'link', action: 'packet.in', subject: 'p1' });
      throw new Error('the packet commit failed');
    });
    expect(() => work()).toThrow('the packet commit failed');
    expect(count()).toBe(2);
    const e = s.db.transaction(() => s.log.append({ at: new Date(T0), actor: 'link', action: 'packet.in', subject: 'p2' }))();
    expect(e.seq).toBe(3);
  });

  it('refuses, as a programming fault, what the vocabulary or format does not allow', () => {
    const ok = { at: new Date(T0), actor: 'link', action: 'packet.in', subject: '' } as const;
    const bad: Array<[string, unknown]> = [
      ['an unknown action', { ...ok, action: 'packet.lost' }],
      ['audit.anchor without its token', { ...ok, action: 'audit.anchor' }],
      ['an empty actor', { ...ok, actor: '' }],
      ['a 257-character actor', { ...ok, actor: 'a'.repeat(257) }],
      ['an invalid date', { ...ok, at: new Date(NaN) }],
      ['a date before 1970', { ...ok, at: new Date(-1) }],
      ['a Date inside the detail', { ...ok, detail: { when: new Date() } }],
      ['a Buffer inside the detail', { ...ok, detail: { b: Buffer.from('x') } }],
      ['NaN inside the detail', { ...ok, detail: { n: NaN } }],
      ['undefined inside the detail', { ...ok, detail: { u: undefined } }],
      ['a detail over 16 KiB', { ...ok, detail: { s: 'x'.repeat(16 * 1024) } }],
      ['an array as the detail', { ...ok, detail: [1] }],
    ];
    for (const [what, input] of bad) {
      let err: unknown;
      try {
        s.log.append(input as Parameters<AuditLog['append']>[0]);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(FerryError);
      expect((err as FerryError).code, what).toBe('FERRY_ERR_AUDIT_ENTRY');
    }
    expect(count()).toBe(0);
  });

  it("refuses UPDATE and DELETE on its tables through the gateway's own connection", () => {
    fill(s.log, 2);
    expect(() => s.db.prepare("UPDATE audit_entries SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => s.db.prepare('DELETE FROM audit_entries WHERE seq = 2').run()).toThrow(/append-only/);
    expect(count()).toBe(2);
  });
});
