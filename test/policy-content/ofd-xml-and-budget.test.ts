// OFD XML members are decoded before they are judged, in full, on every path (outside review, item 4),
// and one request's attachments share one decode budget.

import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { DEFAULT_REQUEST_INFLATE_BYTES, inspectAttachment, type DecodeBudget } from '../../src/policy/content/index.js';
import { OFD_ROWS, OFD_VALID } from './ofd-xml-cases.js';
import { makeOfd, makePdf, noise, ofdMembers } from './samples.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const MiB = 1024 * 1024;

async function verdictOf(fileName: string, bytes: Buffer, budget?: DecodeBudget): Promise<string> {
  const v = await inspectAttachment({ fileName, bytes }, undefined, undefined, budget);
  return v.ok ? 'accepted' : `${v.code}: ${v.detail}`;
}

describe('OFD XML members: decoded, whole, every path', () => {
  it.each(OFD_ROWS.map((r) => [r.what, r] as const))('refuses %s', async (_what, row) => {
    expect(await verdictOf('a.ofd', row.bytes())).toMatch(new RegExp(`^${row.code}: `));
  });

  it.each(OFD_VALID.map(([what, bytes]) => [what, bytes] as const))('accepts %s', async (_what, bytes) => {
    expect(await verdictOf('a.ofd', bytes())).toBe('accepted');
  });

  it('top-level text: UTF-16 without BOM, a DTD after 64 KiB, and UTF-32 XML get their own codes', async () => {
    const late = `<?xml version="1.0"?><r>${' '.repeat(70 * 1024)}</r><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`;
    expect(await verdictOf('a.pdf', Buffer.from(late, 'utf16le'))).toMatch(/^FERRY_ERR_CONTENT_XML_DTD: /);
    const u32 = Buffer.alloc(40);
    '<?xml version="1.0"?>'.split('').forEach((c, i) => i < 10 && u32.writeUInt32BE(c.charCodeAt(0), i * 4));
    expect(await verdictOf('a.pdf', u32)).toMatch(/^FERRY_ERR_CONTENT_XML_ENCODING: /);
    expect(await verdictOf('a.pdf', Buffer.from(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">${' '.repeat(70 * 1024)}<script>1</script></svg>`, 'utf16le'))).toMatch(/^FERRY_ERR_CONTENT_SCRIPT: /);
  });
});

describe('a per-request decode budget shared by every inflate', () => {
  it('exports a default and a registered code with HTTP 422', () => {
    expect(DEFAULT_REQUEST_INFLATE_BYTES).toBe(256 * MiB);
    expect(ERRORS.FERRY_ERR_CONTENT_BUDGET.status).toBe(422);
  });

  it('pays PDF object streams and xref streams from the budget and refuses when it runs out', async () => {
    const pdf = makePdf({ objectStream: { members: { 8: `<< /Pad (${'A'.repeat(100_000)}) >>` } } });
    const budget: DecodeBudget = { inflatedBytesLeft: 1_000_000 };
    expect(await verdictOf('a.pdf', pdf, budget)).toBe('accepted');
    const used = 1_000_000 - budget.inflatedBytesLeft;
    expect(used).toBeGreaterThan(100_000);
    expect(await verdictOf('a.pdf', pdf, { inflatedBytesLeft: 50_000 })).toMatch(/^FERRY_ERR_CONTENT_BUDGET: /);
  });

  it('pays zip members from the budget: two OFDs that each fit alone do not fit one shared budget', async () => {
    const big = Buffer.from(`<r>${noise(1536 * 1024, 9).toString('hex')}</r>`); // 3 MiB of XML text, ~2:1
    const ofd = makeOfd([...ofdMembers(), { name: 'Doc_0/Res/big.xml', data: big }]);
    const alone: DecodeBudget = { inflatedBytesLeft: 5 * MiB };
    expect(await verdictOf('a.ofd', ofd, alone)).toBe('accepted');
    expect(alone.inflatedBytesLeft).toBeLessThan(5 * MiB - big.length);
    const shared: DecodeBudget = { inflatedBytesLeft: 5 * MiB };
    expect(await verdictOf('a.ofd', ofd, shared)).toBe('accepted');
    expect(await verdictOf('b.ofd', ofd, shared)).toMatch(/^FERRY_ERR_CONTENT_BUDGET: /);
  });

  it('without a budget argument each call gets a fresh default one (the signature is otherwise unchanged)', async () => {
    for (let i = 0; i < 3; i++) expect(await verdictOf('a.pdf', makePdf({ objectStream: {} }))).toBe('accepted');
    expect(await verdictOf('a.pdf', b('not a pdf'))).toMatch(/^FERRY_ERR_CONTENT_UNKNOWN_TYPE: /);
  });
});
