// `ferry policy explain`: the steps decide() takes, ending in decide()'s own verdict. Attachment types
// come from an injected detector; here the real file-type sniffer (magic bytes) stands in for the
// content inspector.
import { describe, expect, it } from 'vitest';
import { deflateSync, crc32 } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { explain, type DetectType, type ExplainQuery } from '../../src/policy/explain.js';
import { decide } from '../../src/policy/decide.js';
import { KIND_NAMES } from '../../src/seal/packet-kind.js';
import { samplePolicy } from './sample.js';

const policy = samplePolicy();
const sniff: DetectType = async (bytes) => {
  const t = await fileTypeFromBuffer(bytes);
  return t?.ext === 'jpg' ? 'jpeg' : t?.ext;
};

function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', Buffer.from('00000001000000010802000000', 'hex')),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

const q = (x: Partial<ExplainQuery>): ExplainQuery => ({ from: 'public', to: 'intranet', kind: 'submission', ...x });
const verdict = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe('policy explain', () => {
  it('tells an allowed submission step by step and names the rule', async () => {
    const text = await explain(policy, q({ itemCode: 'SCJG-001', bytes: 40_000, attachmentFile: { name: 'charter.pdf', bytes: PDF } }), sniff);
    expect(text).toMatch(/^policy config\/policy\.yaml \(sha256 [0-9a-f]{16}…\): 7 domains, 5 rules, deny by default$/m);
    expect(text).toContain('1. source domain "public": declared at line 16 (external network: applicants on the internet');
    expect(text).toContain('3. rules connecting public -> intranet, in file order: public-apply (line 58: submission, supplement); public-evaluate (line 74: evaluation)');
    expect(text).toContain('4. kind "submission": the first rule that carries it is public-apply (line 58)');
    expect(text).toContain(`attachment "charter.pdf": content identified as pdf; attachments.perItem.SCJG-001 allows pdf, jpeg, png, ofd — ok`);
    expect(text).toContain('rate limits (counted by the running gateway, not here): perApplicant 10/d, perSourceAddress 120/h');
    expect(text).not.toContain('FAILS');
    expect(verdict(text)).toBe('verdict: ALLOW by rule public-apply');
  });

  it('says which check fails for a photo sent with a project filing', async () => {
    const text = await explain(policy, q({ itemCode: 'FGW-002', attachmentFile: { name: 'site.jpg', bytes: JPEG } }), sniff);
    expect(text).toContain('attachment "site.jpg": content identified as jpeg; attachments.perItem.FGW-002 allows pdf, ofd — FAILS');
    expect(verdict(text)).toBe('verdict: DENY by rule public-apply: FERRY_ERR_POLICY_ATTACHMENT_TYPE: attachments[0]: jpeg is not allowed for item FGW-002 (allowed: pdf, ofd)');
  });

  it('refuses what the sniffer cannot identify, whatever its name says', async () => {
    const text = await explain(policy, q({ itemCode: 'SCJG-001', attachmentFile: { name: 'licence.pdf', bytes: SVG } }), sniff);
    expect(text).toContain('content identified as nothing allowed (unknown type)');
    expect(verdict(text)).toMatch(/^verdict: DENY by rule public-apply: FERRY_ERR_POLICY_ATTACHMENT_TYPE: .*not identified/);
  });

  it('explains a default deny and stops at the failing step', async () => {
    const text = await explain(policy, q({ to: 'dept-tax' }), sniff);
    expect(text).toContain('3. rules connecting public -> dept-tax: none — FAILS (deny by default)');
    expect(text).not.toContain('4.');
    expect(verdict(text)).toBe('verdict: DENY by default-deny (no rule allows it): FERRY_ERR_POLICY_DIRECTION: no rule carries anything public -> dept-tax');
  });

  it('mentions outbound correlation for an outbound kind', async () => {
    const status = await explain(policy, q({ from: 'dept-market', to: 'public', kind: 'status', bytes: 300 }), sniff);
    expect(status).toContain('outbound correlation: the packet must answer a case that came in from outside');
    const cat = await explain(policy, q({ from: 'intranet', to: 'public', kind: 'catalogue', bytes: 300 }), sniff);
    expect(cat).toContain('outbound correlation: catalogue is in outbound.allowUnsolicited, it needs no case');
  });

  it('never disagrees with decide(): every domain pair × kind, with and without each attachment', async () => {
    const domains = [...policy.domains.keys(), 'township-nowhere'];
    const files = [undefined, { name: 'a.pdf', bytes: PDF }, { name: 'b.png', bytes: png() }, { name: 'c.svg', bytes: SVG }];
    let cases = 0;
    for (const from of domains) for (const to of domains) for (const kind of [...KIND_NAMES, 'bogus']) for (const f of files) {
      const query = q({ from, to, kind, itemCode: 'FGW-002', bytes: 1000, ...(f ? { attachmentFile: f } : {}) });
      const text = await explain(policy, query, sniff);
      const type = f ? await sniff(f.bytes) : undefined;
      const d = decide(policy, { from, to, kind, itemCode: 'FGW-002', bytes: 1000, ...(f ? { attachments: [{ type, bytes: f.bytes.length }] } : {}) });
      const v = verdict(text);
      expect(v.startsWith(d.allow ? `verdict: ALLOW by rule ${d.rule}` : 'verdict: DENY by ')).toBe(true);
      if (!d.allow) expect(v).toContain(d.code);
      expect(text.includes('FAILS')).toBe(!d.allow);
      cases++;
    }
    expect(cases).toBe(8 * 8 * 8 * 4);
  });
});
