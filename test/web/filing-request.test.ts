// The web forms' adapter into the ingress pipeline, in-process with fastify and @fastify/multipart:
// the JSON request it builds from streamed parts is byte-for-byte what the API's own parser accepts,
// with every file's bytes intact across chunk boundaries; the same form builds the same bytes (what
// makes a double submit one case); limits refuse with the API's codes, naming the file; the case
// secret is checked before a file is read; a refusal of attachments[i] lands on the i-th file's input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { readMultipart } from '../../src/external/multipart-ingress.js';
import { actionRequest, submissionRequest } from '../../src/web/filing-request.js';
import { placeErrors } from '../../src/web/filing-errors.js';
import { parseSubmission } from '../../src/policy/submission-shape.js';
import { parseApplicantAction } from '../../src/policy/applicant-action.js';
import type { PublishedItem } from '../../src/published/item.js';

const ITEM = {
  code: 'SCJG-001', name: '企业设立登记', materials: [{ id: 'application', name: '申请书', tolerable: false }, { id: 'articles', name: '章程', tolerable: false }],
  form: [
    { name: 'companyName', label: '企业名称', type: 'string', required: true, maxLength: 50 },
    { name: 'registeredCapital', label: '注册资本', type: 'number', required: true, integer: false },
  ],
} as unknown as PublishedItem;

type Part = { name: string; value: string } | { name: string; fileName: string; type: string; bytes: Buffer };
const BOUNDARY = '----ferryTestBoundary7MA4YWxkTrZu0gW';
function multipartBody(parts: Part[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    out.push(Buffer.from(`--${BOUNDARY}\r\n`));
    if ('value' in p) out.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    else out.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.fileName}"\r\nContent-Type: ${p.type}\r\n\r\n`), p.bytes, Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff));

describe('the multipart adapter into the ingress pipeline', () => {
  let app: FastifyInstance;
  let calls: string[][] = [];
  beforeAll(async () => {
    app = Fastify();
    await app.register(multipart);
    app.post('/file', async (req) => {
      const r = await readMultipart(req, { maxRequestBytes: Number(req.headers['x-max'] ?? 64 << 20) });
      if (!r.ok) return { refusal: r.refusal };
      const built = submissionRequest(ITEM, r.value);
      return { body: built.body.toString('utf8'), files: built.files };
    });
    app.post('/act', async (req) => {
      const r = await readMultipart(req, {
        maxRequestBytes: 64 << 20,
        beforeFiles: (fields) => {
          calls.push([...fields.keys()]);
          return fields.get('secret') === 'right' ? null : { status: 404, code: 'FERRY_ERR_API_CASE_ACCESS', detail: 'no' };
        },
      });
      if (!r.ok) return { refusal: r.refusal };
      return { body: actionRequest('supplement', r.value).body.toString('utf8') };
    });
    await app.ready();
  });
  afterAll(async () => { await app.close(); });

  const post = async (url: string, parts: Part[], headers: Record<string, string> = {}) => {
    const r = await app.inject({ method: 'POST', url, payload: multipartBody(parts), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers } });
    return r.json() as { body?: string; files?: { field: string; fileName: string }[]; refusal?: { code: string; detail: string; field?: string; fileName?: string } };
  };
  const form = (a: Buffer, b: Buffer): Part[] => [
    { name: 'idem', value: 'tok-1' }, { name: 'applicant.type', value: 'enterprise' }, { name: 'applicant.name', value: '清河茶业' },
    { name: 'applicant.idNumber', value: '91330100MA2QH0001' }, { name: 'applicant.phone', value: '+86 571 8888 0000' }, { name: 'applicant.email', value: '' },
    { name: 'fields.companyName', value: '清河茶业有限公司' }, { name: 'fields.registeredCapital', value: '100' },
    { name: 'material.application', fileName: '申请书.pdf', type: 'application/pdf', bytes: a },
    { name: 'material.unlisted', fileName: 'x.pdf', type: 'application/pdf', bytes: bytes(10, 9) },
    { name: 'material.articles', fileName: '章程.jpg', type: 'image/jpeg', bytes: b },
  ];

  // Sizes around base64's 3-byte groups and the stream's chunk sizes (64 KiB).
  for (const [n, m] of [[1, 2], [3, 4], [65_535, 65_536], [65_537, 200_001]] as const) {
    it(`builds the API's JSON request with files of ${n} and ${m} bytes intact, and the API's parser accepts it`, async () => {
      const a = bytes(n, 1);
      const b = bytes(m, 2);
      const r = await post('/file', form(a, b));
      expect(r.refusal).toBeUndefined();
      const parsed = parseSubmission(Buffer.from(r.body!, 'utf8'));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.itemCode).toBe('SCJG-001');
      expect(parsed.value.applicant).toEqual({ type: 'enterprise', name: '清河茶业', idNumber: '91330100MA2QH0001', phone: '+86 571 8888 0000', email: null });
      expect(parsed.value.fields).toEqual({ companyName: '清河茶业有限公司', registeredCapital: 100 });
      expect(parsed.value.attachments.map((x) => [x.fileName, x.mediaType, x.materialId])).toEqual([['申请书.pdf', 'application/pdf', 'application'], ['章程.jpg', 'image/jpeg', 'articles']]);
      expect(parsed.value.attachments[0]!.bytes.equals(a)).toBe(true);
      expect(parsed.value.attachments[1]!.bytes.equals(b)).toBe(true);
      expect(r.files).toEqual([{ field: 'material.application', fileName: '申请书.pdf' }, { field: 'material.articles', fileName: '章程.jpg' }]);
    });
  }

  it('builds the same bytes from the same form (a double submit repeats its Idempotency-Key over identical bytes)', async () => {
    const one = await post('/file', form(bytes(5000, 1), bytes(7000, 2)));
    const two = await post('/file', form(bytes(5000, 1), bytes(7000, 2)));
    expect(one.body).toBe(two.body);
  });

  it('leaves an empty file input out, and keeps a number that does not read as one as text for the API to name', async () => {
    const parts = form(bytes(10, 1), bytes(10, 2)).map((p) => (p.name === 'material.articles' ? { ...p, fileName: '', bytes: Buffer.alloc(0) } : p))
      .map((p) => (p.name === 'fields.registeredCapital' ? { name: p.name, value: '一百' } : p));
    const r = await post('/file', parts);
    const doc = JSON.parse(r.body!);
    expect(doc.attachments).toHaveLength(1);
    expect(doc.fields.registeredCapital).toBe('一百');
  });

  it('refuses a form larger than the request limit from its Content-Length, before reading it', async () => {
    const r = await post('/file', form(bytes(4000, 1), bytes(10, 2)), { 'x-max': '2000' });
    expect(r.refusal).toMatchObject({ code: 'FERRY_ERR_API_TOO_LARGE' });
  });

  it('refuses an empty file, naming it', async () => {
    const r = await post('/file', [{ name: 'material.application', fileName: '空.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) }, { name: 'applicant.name', value: 'x' }]);
    // An empty file with a name is the applicant's mistake, not an empty input.
    expect(r.refusal ?? null).toMatchObject({ code: 'FERRY_ERR_API_BAD_ATTACHMENT', field: 'material.application', fileName: '空.pdf' });
  });

  it('refuses a body that is not multipart with the API media-type code', async () => {
    const r = await app.inject({ method: 'POST', url: '/file', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('checks the case secret when the first file starts, and reads no file after a refusal', async () => {
    calls = [];
    const wrong = await post('/act', [{ name: 'secret', value: 'wrong' }, { name: 'material.application', fileName: 'a.pdf', type: 'application/pdf', bytes: bytes(100_000, 3) }]);
    expect(wrong.refusal).toMatchObject({ code: 'FERRY_ERR_API_CASE_ACCESS' });
    expect(calls).toEqual([['secret']]);
    const right = await post('/act', [{ name: 'secret', value: 'right' }, { name: 'material.application', fileName: 'a.pdf', type: 'application/pdf', bytes: bytes(10, 3) }]);
    const action = parseApplicantAction(Buffer.from(right.body!, 'utf8'));
    expect(action.ok && action.value).toMatchObject({ type: 'supplement', materials: ['application'] });
    expect(right.body).not.toContain('right'); // the secret is never part of the sealed request
  });

  it('places a refusal of attachments[i] on the i-th file input with its name, and each form problem on its field', () => {
    const files = [{ field: 'material.application', fileName: '申请书.pdf' }, { field: 'material.articles', fileName: '营业执照.pdf' }];
    const p = placeErrors('FERRY_ERR_CONTENT_EXECUTABLE', 'attachments[1]: declared application/pdf but the content is a Windows executable', files);
    expect(p.byField.get('material.articles')).toBe('营业执照.pdf：declared application/pdf but the content is a Windows executable（FERRY_ERR_CONTENT_EXECUTABLE）');
    expect(p.byField.has('material.application')).toBe(false);
    const f = placeErrors('FERRY_ERR_API_FORM', 'fields.companyName: is required; fields.registeredCapital: must be a number', files);
    expect([...f.byField.keys()]).toEqual(['fields.companyName', 'fields.registeredCapital']);
    const g = placeErrors('FERRY_ERR_POLICY_RATE', 'rule public: too many submissions from this address', files);
    expect(g.general).toEqual(['rule public: too many submissions from this address（FERRY_ERR_POLICY_RATE）']);
  });
});
