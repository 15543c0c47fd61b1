// The PDF scanner fails closed (outside review, item 1): whatever it cannot account for (an object
// that does not parse, a stream a reader could use as an object stream that it cannot decode, an xref
// entry that points at nothing it saw) is refused, never skipped. And its view is checked against
// independent parsers: every object qpdf (and MuPDF) finds in a PDF Ferry accepts, Ferry saw.

import { describe, expect, it } from 'vitest';
import { inspectAttachment, pdfInventory } from '../../src/policy/content/index.js';
import { unpredictPng } from '../../src/policy/content/pdf-predictor.js';
import { FAIL_CLOSED_ROWS, expectInventoryCovers, image } from './pdf-fail-closed-cases.js';
import { hasTool, mutoolClean, qpdfObjects, qpdfRewrite } from './pdf-tools.js';
import { incrementalUpdate, objStmBody } from './pdf-variants.js';
import { makePdf } from './samples.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** qpdf-made and MuPDF-made rewrites of the valid samples: xref streams with PNG predictors, object
 *  streams, linearized files, QDF with comments, incremental updates. */
function validCorpus(): Array<[string, Buffer]> {
  const base: Array<[string, Buffer]> = [
    ['makePdf()', makePdf()],
    ['makePdf with an object stream and an xref stream', makePdf({ objectStream: {} })],
    ['makePdf with an unfiltered object stream', makePdf({ objectStream: { filter: 'none' } })],
    ['makePdf with a web link and an image', makePdf({ extra: { 6: '<< /Type /Action /S /URI /URI (https://www.gov.cn/) >>', 7: image(b('')) } })],
    ['an incremental update with /Prev', incrementalUpdate(makePdf())],
    ['an incremental update over an xref stream (/Prev to a stream)', incrementalUpdateOverStream()],
  ];
  if (!hasTool('qpdf') || !hasTool('mutool')) return base;
  const out = [...base];
  for (const [name, pdf] of base.slice(0, 4)) {
    out.push([`qpdf --object-streams=generate of ${name}`, qpdfRewrite(pdf, ['--object-streams=generate'])]);
    out.push([`qpdf --linearize of ${name}`, qpdfRewrite(pdf, ['--linearize'])]);
    out.push([`qpdf --linearize --object-streams=generate of ${name}`, qpdfRewrite(pdf, ['--linearize', '--object-streams=generate'])]);
    out.push([`qpdf --qdf of ${name}`, qpdfRewrite(pdf, ['--qdf', '--object-streams=disable'])]);
    out.push([`qpdf --compress-streams=n --object-streams=generate of ${name}`, qpdfRewrite(pdf, ['--compress-streams=n', '--object-streams=generate'])]);
    out.push([`mutool clean -z of ${name}`, mutoolClean(pdf, ['-z'])]);
    out.push([`mutool clean -gggg -z of ${name}`, mutoolClean(pdf, ['-gggg', '-z'])]);
  }
  return out;
}

/** makePdf's xref-stream file plus an update whose classic table's /Prev is the xref stream. */
function incrementalUpdateOverStream(): Buffer {
  const pdf = makePdf({ objectStream: {} });
  const prev = Number(/startxref\n(\d+)/.exec(pdf.toString('latin1'))![1]);
  const size = Number(/\/Size (\d+)/.exec(pdf.toString('latin1'))![1]);
  const obj = b('10 0 obj\n<< /Producer (update) >>\nendobj\n');
  const xrefAt = pdf.length + obj.length;
  return Buffer.concat([pdf, obj, b(`xref\n10 1\n${String(pdf.length).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${Math.max(size, 11)} /Root 1 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`)]);
}

async function verdictOf(bytes: Buffer): Promise<string> {
  const v = await inspectAttachment({ fileName: 'a.pdf', bytes });
  return v.ok ? 'accepted' : `${v.code}: ${v.detail}`;
}

describe('the PDF scanner refuses what it cannot account for', () => {
  it.each(FAIL_CLOSED_ROWS.map((r) => [r.what, r] as const))('%s', async (_what, row) => {
    expect(await verdictOf(row.bytes())).toMatch(new RegExp(`^${row.code}: `));
  });

  it('the rows marked so are real holes: qpdf reads those files and reaches the JavaScript', () => {
    if (!hasTool('qpdf')) return;
    for (const row of FAIL_CLOSED_ROWS.filter((r) => r.qpdfSees !== undefined)) {
      const view = qpdfObjects(row.bytes());
      expect(view, row.what).toBeDefined();
      expect(view!.json, row.what).toContain(row.qpdfSees);
    }
  });

  it('a 2-byte predictor row with filter type 5 is refused, types 0-4 decode as PNG defines them', () => {
    expect(unpredictPng(Buffer.from([5, 1]), 1)).toMatch(/filter type 5/);
    expect(unpredictPng(Buffer.from([0, 1]), 2)).toMatch(/whole predictor rows/);
    // Up (2) over rows [1 2] then [+1 +1] → [2 3]; Sub (1): [5 +1] → [5 6]; Average and Paeth on row 2.
    expect([...(unpredictPng(Buffer.from([2, 1, 2, 2, 1, 1, 1, 5, 1]), 2) as Buffer)]).toEqual([1, 2, 2, 3, 5, 6]);
    expect([...(unpredictPng(Buffer.from([0, 10, 20, 3, 1, 1]), 2) as Buffer)]).toEqual([10, 20, 6, 14]); // (0+10)/2+1, (6+20)/2+1
    expect([...(unpredictPng(Buffer.from([0, 10, 20, 4, 1, 1]), 2) as Buffer)]).toEqual([10, 20, 11, 21]);
  });

  it('an xref stream with the TIFF predictor (2) is refused; its PNG-predicted original is accepted', async () => {
    if (!hasTool('qpdf')) return;
    const gen = qpdfRewrite(makePdf(), ['--object-streams=generate']);
    expect(gen.toString('latin1')).toContain('/Predictor 12');
    expect(await verdictOf(gen)).toBe('accepted');
    const tiff = Buffer.from(gen.toString('latin1').replace('/Predictor 12', '/Predictor 02'), 'latin1');
    expect(await verdictOf(tiff)).toMatch(/^FERRY_ERR_CONTENT_PDF_UNSCANNABLE: .*Predictor 2/);
  });

  it('a stream data /Length lie cannot hide an object stream: both ends are looked at', async () => {
    // /Length says 5, so a reader that trusts it sees a tiny stream; the endstream search finds the rest.
    const hidden = objStmBody({ 9: '<< /S /JavaScript /JS (x) >>' }, (h) => `/Type /ObjStm /N 1 /First ${h.length}`, (d) => d);
    const lying = Buffer.from(hidden.toString('latin1').replace(/\/Length \d+/, '/Length 5'), 'latin1');
    expect(await verdictOf(makePdf({ extra: { 6: lying } }))).toMatch(/^FERRY_ERR_CONTENT_PDF_(SCRIPT|UNSCANNABLE): /);
  });
});

describe('Ferry\'s view of a PDF covers what independent parsers find', () => {
  it('accepts every valid and qpdf/MuPDF-rewritten PDF, and its inventory holds every object qpdf and mutool list', async () => {
    const corpus = validCorpus();
    if (hasTool('qpdf')) expect(corpus.length).toBeGreaterThan(20);
    for (const [name, pdf] of corpus) {
      expect(`${name}: ${await verdictOf(pdf)}`).toBe(`${name}: accepted`);
      await expectInventoryCovers(name, pdf);
    }
  });

  it('counts compressed objects: qpdf\'s object-stream output puts most objects in the inventory\'s compressed set', async () => {
    if (!hasTool('qpdf')) return;
    const inv = await pdfInventory(qpdfRewrite(makePdf(), ['--object-streams=generate']));
    expect(inv.ok).toBe(true);
    if (inv.ok) expect(inv.value.compressed.size).toBeGreaterThanOrEqual(3);
  });
});

