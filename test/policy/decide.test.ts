// The decision table of the shipped policy: each row a packet, the rule expected to decide it and,
// for a refusal, the code. Every decision names its rule.
import { describe, expect, it } from 'vitest';
import { decide, type DecideInput } from '../../src/policy/decide.js';
import { KiB, MiB, policyFrom, samplePolicy } from './sample.js';

const policy = samplePolicy();
const att = (type: string | undefined, bytes = 100 * KiB) => ({ type, bytes });
const many = (n: number, type = 'pdf') => Array.from({ length: n }, () => att(type));

type Row = [name: string, input: DecideInput, rule: string, code?: string, detail?: RegExp];
const sub = (x: Partial<DecideInput> = {}): DecideInput => ({ from: 'public', to: 'intranet', kind: 'submission', bytes: 4 * KiB, ...x });
const out = (x: Partial<DecideInput> = {}): DecideInput => ({ from: 'intranet', to: 'public', kind: 'status', bytes: 512, ...x });

const ROWS: Row[] = [
  // ---- allowed ----
  ['a public submission without attachments', sub(), 'public-apply'],
  ['a public supplement', sub({ kind: 'supplement' }), 'public-apply'],
  ['a public evaluation goes by its own rule', sub({ kind: 'evaluation', bytes: 2 * KiB }), 'public-evaluate'],
  ['SCJG-001 accepts a JPEG photo of an ID card', sub({ itemCode: 'SCJG-001', attachments: [att('jpeg')] }), 'public-apply'],
  ['SCJG-001 accepts an OFD document', sub({ itemCode: 'SCJG-001', attachments: [att('ofd'), att('png')] }), 'public-apply'],
  ['FGW-002 accepts PDF and OFD', sub({ itemCode: 'FGW-002', attachments: [att('pdf'), att('ofd')] }), 'public-apply'],
  ['an item without a perItem entry gets the rule-wide types', sub({ itemCode: 'XK-777', attachments: [att('png')] }), 'public-apply'],
  ['no item code: the rule-wide types', sub({ attachments: [att('pdf')] }), 'public-apply'],
  ['a township centre files a case (extended mode)', sub({ from: 'township-qinghe', itemCode: 'SCJG-001', attachments: [att('pdf')] }), 'township-apply'],
  ['a township centre sends an evaluation', sub({ from: 'township-baishi', kind: 'evaluation' }), 'township-apply'],
  ['status goes out to the public', out(), 'intranet-to-public'],
  ['a department sends a decision with its PDF licence', out({ from: 'dept-market', kind: 'decision', attachments: [att('pdf')] }), 'intranet-to-public'],
  ['the catalogue goes out to the public', out({ kind: 'catalogue', bytes: 2 * MiB }), 'intranet-to-public'],
  ['a decision with an OFD licence goes to the township that filed', out({ to: 'township-qinghe', kind: 'decision', attachments: [att('ofd')] }), 'intranet-to-township'],
  ['a notice from the tax bureau to a township', out({ from: 'dept-tax', to: 'township-baishi', kind: 'notice' }), 'intranet-to-township'],
  ['exactly maxBytes is allowed', sub({ bytes: 48 * MiB }), 'public-apply'],
  ['exactly maxCount attachments are allowed', sub({ attachments: many(32) }), 'public-apply'],
  ['an attachment of exactly attachments.maxBytes is allowed', sub({ attachments: [att('pdf', 16 * MiB)] }), 'public-apply'],
  ['an empty status (0 bytes) is allowed', out({ bytes: 0 }), 'intranet-to-public'],
  // ---- refused by default: no rule carries it ----
  ['public may not send to a department directly', sub({ to: 'dept-market' }), 'default-deny', 'FERRY_ERR_POLICY_DIRECTION', /public -> dept-market/],
  ['public to public is no crossing', sub({ to: 'public', kind: 'status' }), 'default-deny', 'FERRY_ERR_POLICY_DIRECTION'],
  ['a township may not send to another township', sub({ from: 'township-qinghe', to: 'township-baishi' }), 'default-deny', 'FERRY_ERR_POLICY_DIRECTION'],
  ['the intranet does not send submissions', out({ kind: 'submission' }), 'default-deny', 'FERRY_ERR_POLICY_KIND', /intranet-to-public/],
  ['the public does not send decisions', sub({ kind: 'decision' }), 'default-deny', 'FERRY_ERR_POLICY_KIND'],
  ['townships get no catalogue packets', out({ to: 'township-qinghe', kind: 'catalogue' }), 'default-deny', 'FERRY_ERR_POLICY_KIND'],
  ['an undeclared township is refused', sub({ from: 'township-dongxi' }), 'default-deny', 'FERRY_ERR_POLICY_DOMAIN', /township-dongxi/],
  ['an undeclared destination is refused', out({ to: 'internet' }), 'default-deny', 'FERRY_ERR_POLICY_DOMAIN'],
  ['an undeclared department is refused', out({ from: 'dept-police' }), 'default-deny', 'FERRY_ERR_POLICY_DOMAIN'],
  ['an unknown kind is refused', sub({ kind: 'statu' }), 'default-deny', 'FERRY_ERR_POLICY_KIND', /statu/],
  // ---- refused by the limits of the rule that carries it ----
  ['one byte over maxBytes', sub({ bytes: 48 * MiB + 1 }), 'public-apply', 'FERRY_ERR_POLICY_TOO_LARGE'],
  ['an evaluation is small', sub({ kind: 'evaluation', bytes: 16 * KiB + 1 }), 'public-evaluate', 'FERRY_ERR_POLICY_TOO_LARGE'],
  ['a negative size is refused, not trusted', sub({ from: 'township-qinghe', bytes: -1 }), 'township-apply', 'FERRY_ERR_POLICY_TOO_LARGE'],
  ['an evaluation carries no attachments', sub({ kind: 'evaluation', attachments: [att('pdf')] }), 'public-evaluate', 'FERRY_ERR_POLICY_ATTACHMENT_COUNT', /carries no attachments/],
  ['33 attachments are one too many', sub({ attachments: many(33) }), 'public-apply', 'FERRY_ERR_POLICY_ATTACHMENT_COUNT'],
  ['an attachment one byte over 16 MiB', sub({ attachments: [att('pdf'), att('pdf', 16 * MiB + 1)] }), 'public-apply', 'FERRY_ERR_POLICY_ATTACHMENT_SIZE', /attachments\[1\]/],
  ['FGW-002 refuses a JPEG', sub({ itemCode: 'FGW-002', attachments: [att('pdf'), att('jpeg')] }), 'public-apply', 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', /attachments\[1\]: jpeg is not allowed for item FGW-002 \(allowed: pdf, ofd\)/],
  ['FGW-002 refuses a PNG from a township too', sub({ from: 'township-baishi', itemCode: 'FGW-002', attachments: [att('png')] }), 'township-apply', 'FERRY_ERR_POLICY_ATTACHMENT_TYPE'],
  ['an unidentified attachment is refused, never guessed', sub({ itemCode: 'SCJG-001', attachments: [att(undefined)] }), 'public-apply', 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', /not identified/],
  ['a zip (or anything off the list) is refused', sub({ attachments: [att('zip')] }), 'public-apply', 'FERRY_ERR_POLICY_ATTACHMENT_TYPE'],
  ['a status with a PNG is refused outbound', out({ attachments: [att('png')] }), 'intranet-to-public', 'FERRY_ERR_POLICY_ATTACHMENT_TYPE'],
  ['a decision with five documents is refused', out({ to: 'township-qinghe', kind: 'decision', attachments: many(5) }), 'intranet-to-township', 'FERRY_ERR_POLICY_ATTACHMENT_COUNT'],
];

describe('decide() on the shipped policy', () => {
  it('has a table of at least 30 decisions, both allowed and refused', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
    expect(ROWS.filter((r) => !r[3]).length).toBeGreaterThanOrEqual(10);
    expect(ROWS.filter((r) => r[3]).length).toBeGreaterThanOrEqual(10);
  });
  it.each(ROWS)('%s', (_name, input, rule, code, detail) => {
    const d = decide(policy, input);
    expect(d.rule).toBe(rule);
    if (!code) {
      expect(d).toEqual({ allow: true, rule });
      return;
    }
    expect(d.allow).toBe(false);
    if (d.allow) return;
    expect(d.code).toBe(code);
    expect(d.detail.length).toBeGreaterThan(0);
    if (detail) expect(d.detail).toMatch(detail);
  });
});

describe('decide(): first matching rule decides', () => {
  const text = `
version: 1
domains:
  township-qinghe: { clientCert: { subjects: [qinghe] } }
  township-baishi: { clientCert: { subjects: [baishi] } }
  intranet:
freshness: { maxAgeSeconds: 60, maxFutureSeconds: 5 }
outbound: { requireCorrelation: true }
rules:
  - { id: qinghe-big, from: [township-qinghe], to: [intranet], kinds: [submission], maxBytes: 2 MiB }
  - { id: townships, from: [township-*], to: [intranet], kinds: [submission, supplement], maxBytes: 1 MiB }
`;
  const p = policyFrom(text);
  it('a narrow rule above a broad one overrides it for its domain only', () => {
    expect(decide(p, { from: 'township-qinghe', to: 'intranet', kind: 'submission', bytes: 1.5 * MiB })).toEqual({ allow: true, rule: 'qinghe-big' });
    expect(decide(p, { from: 'township-baishi', to: 'intranet', kind: 'submission', bytes: 1.5 * MiB })).toMatchObject({ allow: false, rule: 'townships', code: 'FERRY_ERR_POLICY_TOO_LARGE' });
  });
  it('a kind the narrow rule lacks falls through to the broad rule', () => {
    expect(decide(p, { from: 'township-qinghe', to: 'intranet', kind: 'supplement', bytes: 10 })).toEqual({ allow: true, rule: 'townships' });
  });
  it('a rule without an attachments section allows none', () => {
    expect(decide(p, { from: 'township-qinghe', to: 'intranet', kind: 'submission', bytes: 10, attachments: [{ type: 'pdf', bytes: 1 }] }))
      .toMatchObject({ allow: false, rule: 'qinghe-big', code: 'FERRY_ERR_POLICY_ATTACHMENT_COUNT' });
  });
});
