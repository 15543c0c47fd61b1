// `ferry policy check`: the shipped policy is valid, and each broken variant of it is refused with a
// message that names the file, the LINE of the fault, the key path and what is wrong.
import { describe, expect, it } from 'vitest';
import { formatIssue, formatIssues, loadPolicyFile, parsePolicy } from '../../src/policy/policy-file.js';
import { SAMPLE_FILE, sampleText } from './sample.js';

const SAMPLE = sampleText();

/** The sample with one exact piece of text replaced (it must occur exactly once). */
function mutate(from: string, to: string): string {
  expect(SAMPLE.split(from).length, `"${from}" must occur once in the sample`).toBe(2);
  return SAMPLE.replace(from, to);
}
/** 1-based line of the first line containing `marker`. */
function lineOfText(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  expect(i, `marker "${marker}"`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

interface Broken { name: string; text: string; marker: string; path: string; message: RegExp }

const BROKEN: Broken[] = [
  { name: 'a misspelt packet kind', text: mutate('kinds: [status, notice, decision]', 'kinds: [status, notice, statu]'),
    marker: 'notice, statu]', path: 'rules[4].kinds[2]', message: /^unknown packet kind "statu"/ },
  { name: 'an unknown attachment type in perItem', text: mutate('FGW-002: [pdf, ofd]              #', 'FGW-002: [pdf, gif]              #'),
    marker: 'FGW-002: [pdf, gif]', path: 'rules[0].attachments.perItem.FGW-002[1]', message: /^unknown attachment type "gif"/ },
  { name: 'a rate with an unknown period', text: mutate('perApplicant: 10/d           # an applicant', 'perApplicant: 10/week           # an applicant'),
    marker: '10/week', path: 'rules[0].rate.perApplicant', message: /expected a rate like "20\/h"/ },
  { name: 'a key in the wrong case', text: mutate('    maxBytes: 16 KiB\n', '    maxbytes: 16 KiB\n'),
    marker: 'maxbytes: 16 KiB', path: 'rules[1].maxbytes', message: /^unknown key$/ },
  { name: 'a rule id used twice', text: mutate('  - id: public-evaluate\n', '  - id: public-apply      # copied\n'),
    marker: 'public-apply      # copied', path: 'rules[1].id', message: /already used by rules\[0\]/ },
  { name: 'a domain that is not declared', text: mutate('    from: [public]\n    to: [intranet]\n    kinds: [submission, supplement]', '    from: [public]\n    to: [dept-finance]\n    kinds: [submission, supplement]'),
    marker: 'to: [dept-finance]', path: 'rules[0].to[0]', message: /^unknown domain "dept-finance" \(declared: public, township-qinghe/ },
  { name: 'YAML: a mapping item out of column', text: mutate('      perApplicant: 30/d\n', '      perApplicant: 30/d\n     perSourceAddress: 1/s\n'),
    marker: '     perSourceAddress: 1/s', path: '', message: /^not valid YAML: All mapping items must start at the same column/ },
  { name: 'YAML: a key given twice', text: mutate('    maxBytes: 16 KiB\n', '    maxBytes: 16 KiB\n    maxBytes: 1 MiB\n'),
    marker: 'maxBytes: 1 MiB', path: '', message: /^not valid YAML: Map keys must be unique/ },
  { name: 'a township with no way to recognise it', text: mutate('    clientCert:\n      subjects: [baishi-township-centre]\n', ''),
    marker: 'township-baishi:', path: 'domains.township-baishi', message: /needs clientCert\.subjects and\/or clientCert\.sha256/ },
  { name: 'an outbound kind on an inbound rule', text: mutate('kinds: [submission, supplement]', 'kinds: [submission, decision]'),
    marker: 'kinds: [submission, decision]', path: 'rules[0].kinds[1]', message: /kind "decision" travels only out of the intranet/ },
  { name: 'perItem allowing a type the rule does not', text: mutate('      types: [pdf, jpeg, png, ofd]\n      perItem:\n        SCJG-001: [pdf, jpeg, png, ofd]   #', '      types: [pdf, jpeg, png]\n      perItem:\n        SCJG-001: [pdf, jpeg, png, ofd]   #'),
    marker: 'SCJG-001: [pdf, jpeg, png, ofd]   #', path: 'rules[0].attachments.perItem.SCJG-001[3]', message: /type "ofd" is not in attachments\.types/ },
  { name: 'a rule that can never decide anything', text: `${SAMPLE}\n  - id: late-evaluate\n    from: [public]\n    to: [intranet]\n    kinds: [evaluation]\n    maxBytes: 1 KiB\n`,
    marker: '- id: late-evaluate', path: 'rules[5]', message: /never used: .* decided earlier by public-evaluate/ },
  { name: 'a rule that does not cross the boundary', text: mutate('    to: [township-*]\n', '    to: [dept-tax]\n'),
    marker: 'to: [dept-tax]', path: 'rules[4].to', message: /across the boundary: from is internal, so to must be external/ },
  { name: 'a malformed fingerprint', text: mutate('sha256: ["CC:1B:A3:B4:2F:55:36:0F:A3:B0:DF:8E:84:7D:F4:B5:D0:6F:2A:85:9D:A7:7F:7E:FC:BD:AA:58:DA:B8:CC:E0"]', 'sha256: ["CC:1B:A3"]'),
    marker: 'sha256: ["CC:1B:A3"]', path: 'domains.township-qinghe.clientCert.sha256[0]', message: /SHA-256 fingerprint/ },
  { name: 'a missing required setting', text: mutate('  maxFutureSeconds: 300\n', ''),
    marker: 'freshness:', path: 'freshness.maxFutureSeconds', message: /^is required$/ },
  { name: 'perTownship on a rule no township uses', text: mutate('      perSourceAddress: 120/h', '      perTownship: 5/h'),
    marker: 'perTownship: 5/h', path: 'rules[0].rate.perTownship', message: /sources include no township/ },
  { name: 'an inbound kind sent unsolicited', text: mutate('allowUnsolicited: [catalogue]', 'allowUnsolicited: [catalogue, submission]'),
    marker: 'allowUnsolicited: [catalogue, submission]', path: 'outbound.allowUnsolicited[1]', message: /never travels out of the intranet/ },
  { name: 'a size in an ambiguous unit', text: mutate('    maxBytes: 16 KiB\n', '    maxBytes: 16 KB\n'),
    marker: 'maxBytes: 16 KB', path: 'rules[1].maxBytes', message: /expected bytes, e\.g\. 1048576 or "16 MiB"/ },
];

describe('policy file', () => {
  it('the shipped config/policy.yaml is valid', () => {
    const r = loadPolicyFile(SAMPLE_FILE);
    expect(r.ok ? '' : formatIssues(r)).toBe('');
    if (!r.ok) return;
    expect([...r.policy.domains.keys()]).toEqual(['public', 'township-qinghe', 'township-baishi', 'intranet', 'dept-market', 'dept-tax', 'dept-devreform']);
    expect(r.policy.rules.map((x) => x.id)).toEqual(['public-apply', 'public-evaluate', 'township-apply', 'intranet-to-public', 'intranet-to-township']);
    expect(r.policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.policy.domains.get('township-qinghe')!.clientCert!.sha256[0]).toBe('cc1ba3b42f55360fa3b0df8e847df4b5d06f2a859da77f7efcbdaa58dab8cce0');
    expect(r.policy.ruleById.get('public-apply')!.attachments!.perItem.get('FGW-002')).toEqual(['pdf', 'ofd']);
    expect(r.policy.ruleById.get('public-apply')!.rate.perApplicant).toEqual({ count: 10, periodMs: 86_400_000, text: '10/d' });
  });

  it('has at least 8 broken files to refuse', () => expect(BROKEN.length).toBeGreaterThanOrEqual(8));

  it.each(BROKEN)('refuses $name, naming its line', ({ text, marker, path, message }) => {
    const r = parsePolicy(text, SAMPLE_FILE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const first = r.errors[0]!;
    expect({ line: first.line, path: first.path }).toEqual({ line: lineOfText(text, marker), path });
    expect(first.message).toMatch(message);
    expect(formatIssue(SAMPLE_FILE, first)).toBe(`${SAMPLE_FILE}:${first.line}: ${path ? `${path}: ` : ''}${first.message}`);
  });

  it('prints the fault as file:line: path: message', () => {
    const r = parsePolicy(BROKEN[0]!.text, SAMPLE_FILE);
    expect(r.ok ? '' : formatIssues(r)).toMatch(new RegExp(`^config/policy\\.yaml:${lineOfText(BROKEN[0]!.text, 'notice, statu]')}: rules\\[4\\]\\.kinds\\[2\\]: unknown packet kind "statu"`));
  });

  it('reports every cross-field fault at once, in line order', () => {
    const text = SAMPLE.replace('  - id: public-evaluate\n', '  - id: public-apply\n').replace('    to: [township-*]\n', '    to: [dept-tax]\n')
      .replace('allowUnsolicited: [catalogue]', 'allowUnsolicited: [submission]');
    const r = parsePolicy(text, SAMPLE_FILE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['outbound.allowUnsolicited[0]', 'rules[1].id', 'rules[4].to']);
    const lines = r.errors.map((e) => e.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('names an unreadable file without a line', () => {
    const r = loadPolicyFile('/nonexistent/policy.yaml');
    expect(r.ok ? '' : formatIssues(r)).toBe('/nonexistent/policy.yaml: cannot read: ENOENT');
  });

  it('refuses an empty file and a second YAML document', () => {
    const empty = parsePolicy('', 'p.yaml');
    expect(empty.ok ? '' : formatIssues(empty)).toBe('p.yaml:1: (top level): expected a mapping');
    const two = parsePolicy(`${SAMPLE}---\nversion: 1\n`, 'p.yaml');
    expect(two.ok).toBe(false);
  });

  it('accepts a domain with no attributes and a rate with a multiplier', () => {
    const text = SAMPLE.replace('  dept-devreform:\n    description: development and reform bureau (project filing)\n', '  dept-devreform:\n')
      .replace('perSourceAddress: 300/h', 'perSourceAddress: 50/10m');
    const r = parsePolicy(text, 'p.yaml');
    expect(r.ok ? '' : formatIssues(r)).toBe('');
    if (r.ok) expect(r.policy.ruleById.get('public-evaluate')!.rate.perSourceAddress).toEqual({ count: 50, periodMs: 600_000, text: '50/10m' });
  });
});
