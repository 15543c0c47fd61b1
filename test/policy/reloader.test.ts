// Reload (SIGHUP): a valid new policy replaces the old one and the changes are listed; a bad or
// missing file is refused whole and the old policy stays in force.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyHolder } from '../../src/policy/reloader.js';
import { loadPolicyOrThrow } from '../../src/policy/policy-file.js';
import { decide } from '../../src/policy/decide.js';
import { sampleText } from './sample.js';

let dir: string;
let file: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ferry-policy-')); file = join(dir, 'policy.yaml'); writeFileSync(file, sampleText()); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const evaluation = { from: 'public', to: 'intranet', kind: 'evaluation', bytes: 100 } as const;

describe('policy reload', () => {
  it('keeps the old policy when the new file is invalid, and says where it is wrong', () => {
    const holder = new PolicyHolder(loadPolicyOrThrow(file));
    const before = holder.current();
    writeFileSync(file, sampleText().replace('kinds: [evaluation]', 'kinds: [evaluaton]'));
    const r = holder.tryReload();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:77: rules\\[1\\]\\.kinds\\[0\\]: unknown packet kind "evaluaton"`));
    expect(holder.current()).toBe(before);
    expect(decide(holder.current(), evaluation)).toEqual({ allow: true, rule: 'public-evaluate' });
  });

  it('keeps the old policy when the file disappears', () => {
    const holder = new PolicyHolder(loadPolicyOrThrow(file));
    const before = holder.current();
    rmSync(file);
    expect(holder.tryReload()).toEqual({ ok: false, error: `${file}: cannot read: ENOENT` });
    expect(holder.current()).toBe(before);
  });

  it('swaps in a valid policy and lists what changed', () => {
    const holder = new PolicyHolder(loadPolicyOrThrow(file));
    const next = sampleText()
      .replace('  intranet:\n', '  township-dongxi:\n    clientCert: { subjects: [dongxi-township-centre] }\n  intranet:\n')
      .replace('  - id: public-evaluate\n    from: [public]\n    to: [intranet]\n    kinds: [evaluation]            # "one case, one evaluation": a rating and a comment, no files\n    maxBytes: 16 KiB\n    rate:\n      perApplicant: 30/d\n      perSourceAddress: 300/h\n', '')
      .replace('perApplicant: 10/d           # an applicant', 'perApplicant: 5/d           # an applicant')
      .replace('maxFutureSeconds: 300', 'maxFutureSeconds: 60');
    writeFileSync(file, next);
    const r = holder.tryReload(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.changes).toEqual([
      'domain added: township-dongxi',
      'rule changed: public-apply (rate)',
      'rule changed: township-apply (from)',
      'rule changed: intranet-to-township (to)',
      'rule removed: public-evaluate',
      'freshness.maxFutureSeconds: 300 -> 60',
    ]);
    expect(r.sha256).toBe(holder.current().sha256);
    expect(decide(holder.current(), evaluation)).toMatchObject({ allow: false, rule: 'default-deny', code: 'FERRY_ERR_POLICY_KIND' });
  });

  it('reports rule order changes, since the first matching rule decides', () => {
    const holder = new PolicyHolder(loadPolicyOrThrow(file));
    const text = sampleText();
    const a = text.indexOf('  - id: intranet-to-public');
    const b = text.indexOf('  # Extended mode');
    const swapped = text.slice(0, a) + text.slice(b) + '\n' + text.slice(a, b).trimEnd() + '\n';
    const r = new PolicyHolder(holder.current(), () => swapped).tryReload(file);
    expect(r).toEqual({ ok: true, sha256: expect.any(String), changes: ['rule order changed'] });
  });

  it('an unchanged file reloads with no changes', () => {
    const holder = new PolicyHolder(loadPolicyOrThrow(file));
    expect(holder.tryReload()).toEqual({ ok: true, sha256: holder.current().sha256, changes: [] });
  });
});
