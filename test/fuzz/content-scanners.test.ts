// Structure-aware fuzzing of the PDF and OFD scanners (outside review, "done when"). Mutations work on
// the syntax, not on random bits: nesting, key tokens, object-stream dictionaries (filters, /N,
// /First, /Type spelled with #xx), xref rows and offsets, comments, headers; for OFD, member encodings
// (UTF-16 with and without BOM, GB18030, UTF-32, UTF-7) and payload spellings (character references,
// tab splits, prefixes, late positions). The oracle is independent of the scanner:
//   PDF: every ACCEPTED mutant (up to a sample cap) is read by qpdf --json; no /OpenAction, /AA, /JS,
//        /JavaScript, /Launch, /EmbeddedFile(s), /RichMedia*, /XFA, /Encrypt may appear, and every
//        object qpdf finds must be in the scanner's inventory;
//   OFD: every member of an ACCEPTED mutant is decoded with TextDecoder in each encoding a reader
//        could use; no DOCTYPE/ENTITY, <script or javascript: may appear.
// Bounded: a fixed number of runs with a fixed seed (FERRY_FUZZ_SEED to explore), well under 60 s.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectAttachment, pdfInventory } from '../../src/policy/content/index.js';
import { OFD_XML, makeOfd, makePdf, ofdMembers, pageXml } from '../policy-content/samples.js';
import { ACTIVE_NAMES, hasTool, qpdfObjects, qpdfRewrite } from '../policy-content/pdf-tools.js';
import { JS_IN_OBJSTM, jsObjStm } from '../policy-content/pdf-variants.js';

const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20261203);
const QPDF_SAMPLE_CAP = 400;
const stats = { pdf: 0, pdfAccepted: 0, qpdfJudged: 0, ofd: 0, ofdAccepted: 0 };

const b = (s: string) => Buffer.from(s, 'latin1');

function pdfCorpus(): Buffer[] {
  const base = [
    makePdf(), makePdf({ objectStream: {} }), makePdf({ objectStream: { filter: 'none' } }),
    makePdf(JS_IN_OBJSTM), jsObjStm({ filter: 'none' }), jsObjStm({ typeEntry: '/Type /Obj#53tm' }),
  ];
  if (hasTool('qpdf')) {
    base.push(qpdfRewrite(makePdf(), ['--object-streams=generate']), qpdfRewrite(makePdf(JS_IN_OBJSTM), ['--object-streams=generate']));
    base.push(qpdfRewrite(makePdf(JS_IN_OBJSTM), ['--object-streams=generate', '--compress-streams=n']));
  }
  return base;
}

// Fragments a reader treats as syntax: the tokens of the review's triggers and their relatives.
const PDF_FRAGMENTS = [
  '['.repeat(70), ']'.repeat(70), '<< '.repeat(70), ' >>'.repeat(70), '1 0 ', '(k) ', '[/a] ', ')', ']', '>>', '<<', '(', '%c\n', '\n',
  '/Type /ObjStm ', '/Type /Obj#53tm ', '/Type 9 0 R ', '/N 1 /First 4 ', '/N 99 ', '/First 0 ', '/Filter /LZWDecode ', '/Filter 9 0 R ',
  '/DecodeParms << /Predictor 12 /Columns 7 >> ', '/F /Fl ', '/Length 3 ', 'stream\n', 'endstream', ' 9 0 obj ', '0obj', 'endobj', 'xref\n0 1\n',
  'trailer << /Prev 0 >>', 'startxref\n0\n', '/Prev 1 ', '/XRefStm 1 ', '#', '/J#61vaScript', '/OpenAction 8 0 R ',
];
const TOKENS = ['/Type', '/ObjStm', '/N ', '/First', '/Filter', '/FlateDecode', ' obj', 'endobj', 'stream', 'endstream', '/Length', '/W ', '/Index', '/Size', 'xref', 'trailer', 'startxref', '/XRef', '/Prev'];

type PdfOp =
  | { t: 'insert'; at: number; frag: number }
  | { t: 'replace'; token: number; nth: number; frag: number }
  | { t: 'escape'; token: number; nth: number }
  | { t: 'delete'; at: number; n: number }
  | { t: 'digit'; at: number; d: number };

const pdfOp: fc.Arbitrary<PdfOp> = fc.oneof(
  fc.record({ t: fc.constant('insert' as const), at: fc.nat(), frag: fc.nat() }),
  fc.record({ t: fc.constant('replace' as const), token: fc.nat(), nth: fc.nat({ max: 8 }), frag: fc.nat() }),
  fc.record({ t: fc.constant('escape' as const), token: fc.nat(), nth: fc.nat({ max: 8 }) }),
  fc.record({ t: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ t: fc.constant('digit' as const), at: fc.nat(), d: fc.nat({ max: 9 }) }),
);

function nthIndex(s: string, token: string, nth: number): number {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    const next = s.indexOf(token, at + 1);
    if (next < 0) return at;
    at = next;
  }
  return at;
}

function applyPdf(pdf: Buffer, ops: PdfOp[]): Buffer {
  let s = pdf.toString('latin1');
  for (const op of ops) {
    // Edits stay before the final %%EOF, where the scanner reads structure (data after it is refused anyway).
    const end = Math.max(1, s.lastIndexOf('%%EOF'));
    if (op.t === 'insert') { const at = op.at % end; s = s.slice(0, at) + PDF_FRAGMENTS[op.frag % PDF_FRAGMENTS.length]! + s.slice(at); }
    else if (op.t === 'delete') { const at = op.at % end; s = s.slice(0, at) + s.slice(Math.min(end, at + op.n)); }
    else if (op.t === 'digit') {
      // Offsets and counts are digits: change one (xref offsets, /Length, /N, /First, header numbers).
      const digits = [...s.slice(0, end).matchAll(/\d/g)];
      if (digits.length > 0) { const m = digits[op.at % digits.length]!; s = s.slice(0, m.index) + String(op.d) + s.slice(m.index! + 1); }
    } else {
      const token = TOKENS[op.token % TOKENS.length]!;
      const at = nthIndex(s, token, op.nth);
      if (at < 0) continue;
      const by = op.t === 'escape'
        ? token.replace(/([A-Za-z])([A-Za-z]*)$/, (_m, c: string, rest: string) => `#${c.charCodeAt(0).toString(16)}${rest}`)
        : PDF_FRAGMENTS[op.frag % PDF_FRAGMENTS.length]!;
      s = s.slice(0, at) + by + s.slice(at + token.length);
    }
  }
  return b(s);
}

const accepted: Buffer[] = [];

afterAll(() => {
  console.log(`content fuzz seed ${SEED}: ${stats.pdf} PDF mutants (${stats.pdfAccepted} accepted, ${stats.qpdfJudged} judged by qpdf), `
    + `${stats.ofd} OFD mutants (${stats.ofdAccepted} accepted)`);
});

describe('structure-aware fuzzing of the PDF scanner, judged by qpdf', () => {
  const corpus = pdfCorpus();

  it('mutants of nesting, key tokens, object streams, xref data and #-escaped names: nothing accepted is active', async () => {
    const samples = fc.sample(fc.tuple(fc.nat(), fc.array(pdfOp, { minLength: 1, maxLength: 4 })), { numRuns: 1500, seed: SEED });
    for (const [which, ops] of samples) {
      const mutant = applyPdf(corpus[which % corpus.length]!, ops);
      const v = await inspectAttachment({ fileName: 'a.pdf', bytes: mutant });
      stats.pdf++;
      if (!v.ok) {
        expect(v.code.startsWith('FERRY_ERR_CONTENT_')).toBe(true);
        continue;
      }
      stats.pdfAccepted++;
      accepted.push(mutant);
    }
    expect(stats.pdf).toBe(1500);
  });

  it('qpdf finds no active content in any accepted mutant, and nothing the scanner did not inventory', async () => {
    if (!hasTool('qpdf')) return;
    for (const mutant of accepted.slice(0, QPDF_SAMPLE_CAP)) {
      const view = qpdfObjects(mutant);
      if (view === undefined) continue; // qpdf cannot read it at all: no reader-visible content to judge
      stats.qpdfJudged++;
      const active = ACTIVE_NAMES.exec(view.json);
      if (active !== null) throw new Error(`accepted, but qpdf sees ${active[0]}:\n${mutant.toString('latin1').slice(0, 3000)}`);
      const inv = await pdfInventory(mutant);
      expect(inv.ok).toBe(true);
      if (inv.ok) {
        const missed = view.objects.filter((n) => !inv.value.topLevel.has(n) && !inv.value.compressed.has(n));
        if (missed.length > 0 && process.env.FERRY_FUZZ_DUMP) (await import("node:fs")).writeFileSync(process.env.FERRY_FUZZ_DUMP, mutant);
        if (missed.length > 0) throw new Error(`qpdf finds objects ${missed.join(', ')} that the scanner never saw:\n${mutant.toString('latin1').slice(0, 3000)}`);
      }
    }
    expect(stats.qpdfJudged).toBeGreaterThan(50);
  });
});

// ---------- OFD ----------

type Enc = 'utf8' | 'utf16le-bom' | 'utf16be-bom' | 'utf16le' | 'utf16be' | 'gb18030' | 'utf32' | 'utf7';
const ENCS: Enc[] = ['utf8', 'utf16le-bom', 'utf16be-bom', 'utf16le', 'utf16be', 'gb18030', 'utf32', 'utf7'];
const PAYLOADS = [
  '', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', '<!ENTITY e "x">', '<script>1</script>', '<svg:script>1</svg:script>',
  '<ofd:URI URI="javascript:alert(1)"/>', '<ofd:URI URI="&#x6A;avascript:1"/>', '<ofd:URI URI="java&#9;script:1"/>', '<ofd:URI URI="java\nscript:1"/>',
  '<ofd:URI URI="javascript&#58;1"/>', '<ofd:URI URI="JAVASCRIPT:1"/>', '<![CDATA[<script>1</script>]]>', '<ofd:URI URI="https://www.gov.cn/"/>',
];

function encode(text: string, enc: Enc): Buffer {
  const decl = (name: string) => text.replace('encoding="UTF-8"', `encoding="${name}"`);
  switch (enc) {
    case 'utf8': return Buffer.from(text);
    case 'utf16le-bom': return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(decl('UTF-16'), 'utf16le')]);
    case 'utf16be-bom': return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(decl('UTF-16'), 'utf16le').swap16()]);
    case 'utf16le': return Buffer.from(decl('UTF-16'), 'utf16le');
    case 'utf16be': return Buffer.from(decl('UTF-16'), 'utf16le').swap16();
    case 'gb18030': return Buffer.from(decl('GB18030').replace(/[^\x00-\x7f]/g, '?'), 'latin1');
    case 'utf32': { const t = decl('UTF-32'); const out = Buffer.alloc(t.length * 4); for (let i = 0; i < t.length; i++) out.writeUInt32BE(t.charCodeAt(i) & 0xffff, i * 4); return out; }
    case 'utf7': return Buffer.from(decl('UTF-7').replace(/</g, '+ADw-'), 'latin1');
  }
}

/** The independent oracle: every reading a reader could take, references resolved, white space dropped. */
function activeInAnyReading(data: Buffer): string | undefined {
  const readings: string[] = [];
  for (const label of ['utf-8', 'utf-16le', 'utf-16be', 'gb18030']) {
    readings.push(new TextDecoder(label, { fatal: false }).decode(data));
  }
  for (const r of readings) {
    const text = r.replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d))).toLowerCase();
    if (/<!doctype|<!entity/.test(text)) return 'a DTD';
    if (/<([\w.-]+:)?script[\s>/]/.test(text)) return 'a script element';
    if (/javascript:/.test(text.replace(/[\t\n\r]/g, ''))) return 'a javascript: URI';
  }
  return undefined;
}

describe('structure-aware fuzzing of the OFD scanner, judged by TextDecoder readings', () => {
  it('member encodings × payload spellings × positions: nothing accepted carries a DTD or script', async () => {
    const arb = fc.record({ enc: fc.nat(), payload: fc.nat(), padKiB: fc.constantFrom(0, 1, 70), member: fc.nat({ max: 2 }) });
    for (const c of fc.sample(arb, { numRuns: 500, seed: SEED })) {
      const enc = ENCS[c.enc % ENCS.length]!;
      const payload = PAYLOADS[c.payload % PAYLOADS.length]!;
      const pad = c.padKiB === 0 ? '' : `<!-- ${'x'.repeat(c.padKiB * 1024)} -->`;
      const members = ofdMembers();
      const target = c.member === 0 ? 'OFD.xml' : c.member === 1 ? 'Doc_0/Pages/Page_0/Content.xml' : 'Doc_0/Res/extra.xml';
      const text = target === 'OFD.xml'
        ? OFD_XML.replace('</ofd:DocBody>', `</ofd:DocBody>${pad}${payload.startsWith('<!') ? '' : payload}`).replace('?>', payload.startsWith('<!') ? `?>${payload}` : '?>')
        : pageXml(pad + (payload.startsWith('<!') ? '' : payload)).replace('?>', payload.startsWith('<!') ? `?>${payload}` : '?>');
      const data = encode(text, enc);
      const all = [...members.filter((m) => m.name !== target), { name: target, data, method: data.length > 64 * 1024 ? 0 : 8 }];
      const v = await inspectAttachment({ fileName: 'a.ofd', bytes: makeOfd(all) });
      stats.ofd++;
      if (!v.ok) continue;
      stats.ofdAccepted++;
      for (const m of all) {
        const found = activeInAnyReading(m.data);
        if (found !== undefined) throw new Error(`accepted an OFD whose member ${m.name} (${enc}) holds ${found}`);
      }
    }
    expect(stats.ofdAccepted).toBeGreaterThan(0);
  });
});
