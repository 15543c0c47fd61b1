// The outside review's holes (items 1 and 4) replayed against the REAL external gateway over real
// HTTPS: the two PDF triggers that carried an /OpenAction → JavaScript into the intranet, their
// variants, and OFD members in UTF-16 and other encodings. Each must be refused with its code and
// nothing may reach the outbox. The internal gateway's re-check calls the same inspectAttachment on
// the same bytes (src/policy/check-submission.ts), so each row is also judged directly here; then the
// internal gateway is started and must record exactly the one accepted control case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { httpStatus, type FerryErrorCode } from '../../src/errors.js';
import { inspectAttachment } from '../../src/policy/content/index.js';
import { intranetCall, operatorHealth, preparePair, primeCatalogue, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { OFD_ROWS } from '../policy-content/ofd-xml-cases.js';
import { FAIL_CLOSED_ROWS } from '../policy-content/pdf-fail-closed-cases.js';
import { hasTool, qpdfRewrite } from '../policy-content/pdf-tools.js';
import { makePdf } from '../policy-content/samples.js';
import { send } from './https-raw.js';
import { withFile } from './submissions.js';

interface Row { name: string; fileName: string; bytes: Buffer; code: FerryErrorCode }

// Every PDF row (the two review triggers first) and every OFD row of the unit tables.
const ROWS: Row[] = [
  ...FAIL_CLOSED_ROWS.map((r) => ({ name: `PDF: ${r.what}`, fileName: 'charter.pdf', bytes: r.bytes(), code: r.code })),
  ...OFD_ROWS.map((r) => ({ name: `OFD: ${r.what}`, fileName: 'licence.ofd', bytes: r.bytes(), code: r.code })),
];

let files: PairFiles;
let external: GatewayProc;
let internal: GatewayProc | null = null;
let acceptedCase = '';

async function health(): Promise<Record<string, any>> {
  return operatorHealth(files.externalOperatorUrl);
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { const v = await f(); if (v !== undefined) return v; } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`${what} not reached in ${timeoutMs} ms\n${external.log.slice(-15).join('\n')}\n${internal?.log.slice(-15).join('\n') ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  files = await preparePair({ logLevel: 'warn' });
  external = spawnGateway('external', files.externalConfig);
  await until('external gateway listening', async () => ((await health()).gateway === 'external' ? true : undefined));
  await primeCatalogue(files);
});

afterAll(async () => {
  for (const g of [external, internal]) {
    if (g && g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
  }
});

describe('the review\'s PDF and OFD holes at the real gateways', () => {
  it('control: a qpdf-generated PDF with object streams and a predicted xref stream is accepted', async () => {
    const pdf = hasTool('qpdf') ? qpdfRewrite(makePdf(), ['--object-streams=generate']) : makePdf({ objectStream: {} });
    const r = await send(files.apiUrl, files.ca, { body: withFile('charter.pdf', pdf) });
    expect(r.status, r.text.slice(0, 300)).toBe(202);
    acceptedCase = r.json.caseId;
  });

  it.each(ROWS)('$name → $code', async (row) => {
    const direct = await inspectAttachment({ fileName: row.fileName, bytes: row.bytes });
    expect(direct.ok ? 'accepted' : direct.code, 'the re-check the internal gateway runs').toBe(row.code);
    const r = await send(files.apiUrl, files.ca, { body: withFile(row.fileName, row.bytes) });
    expect(r.status, r.text.slice(0, 300)).toBe(httpStatus(row.code));
    expect(r.json.error.code).toBe(row.code);
    expect(r.json.error.rule).toBe('content');
    expect(external.proc.exitCode, 'the external gateway exited').toBeNull();
  });

  it('the review triggers are answered 422 FERRY_ERR_CONTENT_PDF_UNSCANNABLE', () => {
    expect(ROWS[0]!.code).toBe('FERRY_ERR_CONTENT_PDF_UNSCANNABLE');
    expect(ROWS[1]!.code).toBe('FERRY_ERR_CONTENT_PDF_UNSCANNABLE');
    expect(httpStatus('FERRY_ERR_CONTENT_PDF_UNSCANNABLE')).toBe(422);
  });

  it('nothing refused reached the outbox, and the intranet records only the control case', async () => {
    expect((await health()).outbox).toBe(1);
    internal = spawnGateway('internal', files.internalConfig);
    await until('the control case recorded on the intranet', async () => {
      const i = (await intranetCall(files, 'GET', '/health')).json as Record<string, number>;
      return i.cases === 1 && (await health()).outbox === 0 ? true : undefined;
    });
    const db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT case_id FROM intranet_cases').pluck().all()).toEqual([acceptedCase]);
      expect(db.prepare('SELECT COUNT(*) FROM quarantine').pluck().get()).toBe(0);
    } finally { db.close(); }
  });
});
