// The whole approval workflow through both real gateways: the applicant reads the catalogue, submits
// with one material missing, gets the one-time notice, supplements, the window accepts, three
// departments approve in parallel, the lead decides, the result is issued, the case closes, and the
// applicant rates it once. Staff work through the intranet staff API with real logins; every event
// reaches the applicant as a packet; both audit chains verify afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { intranetCall, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { createServer, type Server } from 'node:http';

let pair: Pair;
const secrets = new CaseSecrets();
// The SMS provider is outside the system: a test double that fails its first two calls.
const sms: { key: string; body: any; status: number }[] = [];
let smsServer: Server;
const PASSWORD = 'correct horse battery staple 42';
const pdf = (n: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${n}\ntrailer << /Root 1 0 R >>\n%%EOF\n`).toString('base64');
const material = (id: string) => ({ fileName: `${id}.pdf`, mediaType: 'application/pdf', materialId: id, contentBase64: pdf(id) });
const ferry = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

beforeAll(async () => {
  smsServer = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      const status = sms.length < 2 ? 503 : 200;
      sms.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(data), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => smsServer.listen(0, '127.0.0.1', r));
  const smsPort = (smsServer.address() as { port: number }).port;
  pair = await startPair({
    policyFile: policyWithoutRateLimits(),
    extraInternal: `notify: { url: http://127.0.0.1:${smsPort}/sms, backoffBaseMs: 50, backoffCapMs: 200 }`,
  });
  await pair.waitLinkUp();
  const cfg = join(pair.dir, 'internal.yaml');
  const staff: [string, string, string][] = [
    ['aic.win', 'aic', 'window'], ['aic.lead', 'aic', 'lead'],
    ['aic.a', 'aic', 'officer'], ['aic.b', 'aic', 'officer'], ['qts.a', 'qts', 'officer'], ['qts.b', 'qts', 'officer'],
    ['tax.a', 'tax', 'officer'], ['tax.b', 'tax', 'officer'], ['sup.li', 'supervision', 'supervisor'],
  ];
  for (const [id, dept, role] of staff) {
    const r = ferry(['staff', 'add', '--config', cfg, '--id', id, '--name', id, '--department', dept, '--roles', role], { FERRY_STAFF_PASSWORD: PASSWORD });
    expect(r.status, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => { await pair?.stop(); smsServer?.close(); });

async function staffCall(token: string | null, method: string, path: string, body?: unknown) {
  const res = await intranetCall(pair, method, path, body ? JSON.stringify(body) : undefined, token ? { authorization: `Bearer ${token}` } : {});
  return { status: res.status, json: (res.json ?? null) as any };
}
async function login(name: string) {
  const r = await staffCall(null, 'POST', '/api/v1/staff/login', { name, password: PASSWORD });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.token as string;
}
async function act(token: string, caseId: string, command: unknown) {
  const r = await staffCall(token, 'POST', `/api/v1/staff/cases/${caseId}/actions`, command);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
}
async function applicantSees(caseId: string, pred: (s: any) => boolean, what: string) {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${caseId}`, pair.ca, undefined, secrets.header(caseId));
    if (r.status === 200 && pred(r.json)) return r.json;
    if (Date.now() > until) throw new Error(`applicant never saw ${what}: ${JSON.stringify(r.json)}\n${pair.internal.log.slice(-10).join('\n')}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
const hasEvent = (type: string) => (s: any) => s.history.some((h: any) => h.event?.type === type);

describe('approval workflow end to end', () => {
  let caseId = '';

  it('publishes the catalogue to applicants before they apply', async () => {
    const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/items/SCJG-001`, pair.ca);
    expect(r.status).toBe(200);
    expect(r.json.materials.map((m: any) => m.id)).toContain('name-approval');
    expect(r.json.form.map((f: any) => f.name)).toContain('companyName');
  });

  it('refuses a form that does not match the item, naming the field', async () => {
    const body = JSON.stringify({
      itemCode: 'SCJG-001', applicant: { type: 'enterprise', name: '清河茶业', idNumber: '91330100MA2XXXXX', phone: '+86 571 8888 0000' },
      fields: { companyName: '清河茶业有限公司' },
    });
    const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('FERRY_ERR_API_FORM');
    expect(r.json.error.message).toContain('fields.companyType');
  });

  it('runs notice, supplement, parallel approval by three departments, decision, result, closure and one evaluation', async () => {
    const body = JSON.stringify({
      itemCode: 'SCJG-001',
      applicant: { type: 'enterprise', name: '清河茶业有限公司', idNumber: '91330100MA2QH0001', phone: '+86 571 8888 0000' },
      fields: {
        companyName: '清河茶业有限公司', companyType: '有限责任公司', registeredCapital: 100, legalRepresentative: '王清河',
        legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
      },
      attachments: ['application', 'articles', 'shareholder-ids', 'officer-appointments', 'premises-proof'].map(material),
    });
    const sub = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(sub.status, JSON.stringify(sub.json)).toBe(202);
    caseId = sub.json.caseId;
    await applicantSees(caseId, (s) => s.status === 'received', 'the receipt');

    // One-time notice: everything missing, at once.
    const win = await login('aic.win');
    await act(win, caseId, { type: 'notify', materials: [{ id: 'name-approval', reason: '未提交企业名称预先核准通知书' }], reason: '材料不全' });
    const noticed = await applicantSees(caseId, hasEvent('notice'), 'the one-time notice');
    const notice = noticed.history.find((h: any) => h.event?.type === 'notice').event;
    expect(notice.materials.map((m: any) => m.materialId)).toEqual(['name-approval']);
    expect(JSON.stringify(noticed)).not.toContain('王清河'); // no personal data travels out

    // The applicant supplements through the external gateway.
    const sup = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${caseId}/actions`, pair.ca,
      JSON.stringify({ type: 'supplement', materials: ['name-approval'], attachments: [material('name-approval')] }), secrets.header(caseId));
    expect(sup.status, JSON.stringify(sup.json)).toBe(202);
    await applicantSees(caseId, (s) => s.status === 'supplemented', 'the supplement recorded');

    // Acceptance starts three departments at the same instant, each with an A and a B officer.
    const assignments = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };
    await act(win, caseId, { type: 'accept', assignments });
    const accepted = await applicantSees(caseId, hasEvent('accepted'), 'acceptance');
    expect(accepted.history.find((h: any) => h.event?.type === 'accepted').event.departments).toHaveLength(3);

    const lead = await login('aic.lead');
    await act(await login('aic.b'), caseId, { type: 'give-opinion', verdict: 'approve', reason: '符合登记条件' }); // B stands in for A
    const early = await staffCall(lead, 'POST', `/api/v1/staff/cases/${caseId}/actions`, { type: 'decide' });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('FERRY_ERR_APPROVAL_OPINIONS_PENDING');
    await act(await login('qts.a'), caseId, { type: 'give-opinion', verdict: 'approve' });
    await act(await login('tax.a'), caseId, { type: 'give-opinion', verdict: 'approve' });
    await act(lead, caseId, { type: 'decide', reason: '三部门均同意' });
    const decided = await applicantSees(caseId, hasEvent('decision'), 'the decision');
    expect(decided.history.find((h: any) => h.event?.type === 'decision').event.outcome).toBe('approved');

    await act(win, caseId, { type: 'issue-result', documentNo: 'QX-SCJG-2026-0001' });
    await applicantSees(caseId, hasEvent('result-ready'), 'the result');
    // The result document is signed by the internal gateway; openssl is the judge.
    const result = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${caseId}/result`, pair.ca, undefined, secrets.header(caseId));
    expect(result.status).toBe(200);
    writeFileSync(join(pair.dir, 'result.p7s'), result.body);
    const v = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(pair.dir, 'result.p7s'), '-CAfile', join(pair.dir, 'certs/ca.crt'), '-purpose', 'any'], { encoding: 'utf8' });
    expect(v.stderr).toContain('Verification successful');
    expect(JSON.parse(v.stdout)).toMatchObject({ format: 'ferry-result/1', caseId, outcome: 'approved', documentNo: 'QX-SCJG-2026-0001' });
    await act(win, caseId, { type: 'close' });
    await applicantSees(caseId, hasEvent('closed'), 'closure');

    // One case, one evaluation — by the applicant, through the external gateway; staff cannot enter it.
    const ev = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${caseId}/actions`, pair.ca, JSON.stringify({ type: 'evaluate', score: 5, comment: '一次办好' }), secrets.header(caseId));
    expect(ev.status).toBe(202);
    const staffEval = await staffCall(win, 'POST', `/api/v1/staff/cases/${caseId}/actions`, { type: 'evaluate', score: 1 });
    expect(staffEval.status).toBe(400); // not a staff command at all (办评分开)
    expect(staffEval.json.error.code).toBe('FERRY_ERR_APPROVAL_COMMAND');
    const again = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${caseId}/actions`, pair.ca, JSON.stringify({ type: 'evaluate', score: 1 }), secrets.header(caseId));
    expect(again.status).toBe(202); // accepted for transport; the intranet refuses the second one
    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
    const until = Date.now() + 15_000;
    let held = 0;
    while (Date.now() < until) {
      held = (db.prepare("SELECT COUNT(*) AS n FROM quarantine WHERE code = 'FERRY_ERR_APPROVAL_EVALUATED'").get() as { n: number }).n;
      if (held === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const evals = db.prepare('SELECT score FROM evaluations WHERE case_id = ?').all(caseId) as { score: number }[];
    db.close();
    expect(evals).toEqual([{ score: 5 }]);
    expect(held).toBe(1);
  }, 120_000);

  it('takes a tolerated material the applicant committed to (容缺受理) through both gateways to the desk, not to quarantine', async () => {
    const body = JSON.stringify({
      itemCode: 'SCJG-001',
      applicant: { type: 'enterprise', name: '清河茶业二厂', idNumber: '91330100MA2QH0002', phone: '+86 571 8888 0000' },
      fields: {
        companyName: '清河茶业二厂有限公司', companyType: '有限责任公司', registeredCapital: 50, legalRepresentative: '王清河',
        legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶加工', address: '清河镇茶园路2号',
      },
      // Everything but the premises proof, which the item lets the window tolerate against a commitment.
      attachments: ['application', 'articles', 'shareholder-ids', 'officer-appointments', 'name-approval'].map(material),
    });
    const sub = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(sub.status, JSON.stringify(sub.json)).toBe(202);
    const id = sub.json.caseId as string;
    await applicantSees(id, (s) => s.status === 'received', 'the receipt');
    const chinaToday = new Date(Date.now() + 8 * 3600_000);
    const commitBy = new Date(chinaToday.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    await act(await login('aic.win'), id, {
      type: 'accept', tolerated: [{ materialId: 'premises-proof', commitBy }],
      assignments: { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } },
    });
    await applicantSees(id, hasEvent('accepted'), 'acceptance');

    const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${id}/actions`, pair.ca,
      JSON.stringify({ type: 'supply-committed', materialId: 'premises-proof', attachments: [material('premises-proof')] }), secrets.header(id));
    expect(r.status, JSON.stringify(r.json)).toBe(202);
    expect(r.json.action).toBe('supply-committed');

    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
    try {
      const until = Date.now() + 20_000;
      let tolerated: { materialId: string; supplied?: { seq: number } }[] = [];
      while (Date.now() < until) {
        const row = db.prepare('SELECT state FROM approval_cases WHERE case_id = ?').get(id) as { state: string };
        tolerated = JSON.parse(row.state).acceptance.tolerated;
        if (tolerated[0]?.supplied) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(tolerated).toHaveLength(1);
      expect(tolerated[0]!.materialId).toBe('premises-proof');
      expect(tolerated[0]!.supplied, pair.internal.log.slice(-10).join('\n')).toBeDefined();
      const files = db.prepare("SELECT material_id AS m, seq FROM case_attachments WHERE case_id = ? AND material_id = 'premises-proof'").all(id) as { m: string; seq: number }[];
      expect(files).toEqual([{ m: 'premises-proof', seq: tolerated[0]!.supplied!.seq }]);
      const held = db.prepare("SELECT COUNT(*) AS n FROM quarantine WHERE code LIKE 'FERRY_ERR_APPROVAL_%' OR code LIKE 'FERRY_ERR_DESK_%'").get() as { n: number };
      expect(held.n).toBe(1); // only the second evaluation of the first case, nothing from this one
    } finally { db.close(); }

    // The old list form, and a file for another material, are refused at the door with the field named.
    const old = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${id}/actions`, pair.ca,
      JSON.stringify({ type: 'supply-committed', materials: ['premises-proof'] }), secrets.header(id));
    expect([old.status, old.json.error.code, old.json.error.message]).toEqual([400, 'FERRY_ERR_API_FIELD', 'materials: is not a known field for this action']);
    const other = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${id}/actions`, pair.ca,
      JSON.stringify({ type: 'supply-committed', materialId: 'premises-proof', attachments: [material('articles')] }), secrets.header(id));
    expect([other.status, other.json.error.message]).toEqual([400, 'attachments[0].materialId: must be the materialId of this action']);
  }, 120_000);

  it('notifies the applicant by SMS for every event, retrying a failing provider without holding up the case', async () => {
    const until = Date.now() + 15_000;
    const want = ['notice', 'accepted', 'decision', 'result-ready', 'closed'];
    const delivered = () => new Set(sms.filter((m) => m.status === 200).map((m) => m.body.event));
    while (Date.now() < until && !want.every((t) => delivered().has(t))) await new Promise((r) => setTimeout(r, 100));
    expect([...delivered()].sort()).toEqual([...want].sort());
    expect(sms.slice(0, 2).map((m) => m.status)).toEqual([503, 503]); // the first tries failed, and were retried
    expect(sms.every((m) => m.body.to === '+86 571 8888 0000' && m.key === m.body.eventId)).toBe(true);
    const ok = sms.filter((m) => m.status === 200);
    expect(new Set(ok.map((m) => m.key)).size).toBe(ok.length); // each event sent once it succeeded
  });

  it('reports the month per department and keeps both audit chains intact', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const r = ferry(['supervision', 'report', '--month', month, '--json', '--config', join(pair.dir, 'internal.yaml')]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('aic');
    for (const side of ['internal', 'external']) {
      const v = ferry(['audit', 'verify', '--db', join(pair.dir, `var/${side}/${side}.sqlite`), '--ca', join(pair.dir, 'certs/ca.crt')]);
      expect(v.status, v.stdout + v.stderr).toBe(0);
    }
    const board = await staffCall(null, 'GET', '/api/v1/board');
    expect(board.status).toBe(200);
    expect(JSON.stringify(board.json)).not.toContain('清河茶业');
    writeFileSync(join(pair.dir, 'board.json'), JSON.stringify(board.json));
  });
});
