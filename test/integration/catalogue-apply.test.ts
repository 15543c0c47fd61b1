// `ferry catalogue import --apply` against the two real gateway processes: the county sample goes in,
// the running internal gateway validates it again, swaps it, audits it and publishes it through the
// link, and the external gateway's API serves the new items — neither process restarted. A case filed
// before keeps the terms of the item it was filed under. A same-day item on the generic form is then
// filed through the applicant API and decided at the window in one step.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalogueSheet } from '../../src/catalogue-io/sheet-read.js';
import { intranetCall, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';

const SAMPLE = 'config/catalogue/county-sample.xlsx';
const PASSWORD = 'correct horse battery staple 42';
let pair: Pair;
let itemsDir: string;
let cfg: string;
const secrets = new CaseSecrets();
const pdf = (n: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${n}\ntrailer << /Root 1 0 R >>\n%%EOF\n`).toString('base64');
const material = (id: string) => ({ fileName: `${id}.pdf`, mediaType: 'application/pdf', materialId: id, contentBase64: pdf(id) });
const ferry = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${pair.internal.log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  itemsDir = join(mkdtempSync(join(tmpdir(), 'ferry-items-')), 'items');
  cpSync('config/items', itemsDir, { recursive: true });
  pair = await startPair({ policyFile: policyWithoutRateLimits(), itemsDir });
  cfg = join(pair.dir, 'internal.yaml');
  await pair.waitLinkUp();
}, 120_000);
afterAll(async () => { await pair?.stop(); });

describe('ferry catalogue import --apply, against running gateways', () => {
  let filedBefore = '';
  const pids: number[] = [];

  it('files a case under the catalogue in force (SCJG-001 promised in 3 days)', async () => {
    pids.push(pair.external.proc.pid!, pair.internal.proc.pid!);
    const body = JSON.stringify({
      itemCode: 'SCJG-001',
      applicant: { type: 'enterprise', name: '清河茶业有限公司', idNumber: '91330100MA2QH0001', phone: '+86 571 8888 0000' },
      fields: {
        companyName: '清河茶业有限公司', companyType: '有限责任公司', registeredCapital: 100, legalRepresentative: '王清河',
        legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
      },
      attachments: ['application', 'articles', 'shareholder-ids', 'officer-appointments', 'name-approval', 'premises-proof'].map(material),
    });
    const sub = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(sub.status, JSON.stringify(sub.json)).toBe(202);
    filedBefore = sub.json.caseId;
    await until('the case reaches the desk', async () => {
      const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${filedBefore}`, pair.ca, undefined, secrets.header(filedBefore));
      return r.status === 200 && r.json.status === 'received' ? true : undefined;
    });
    expect((await httpsCall('GET', `${pair.apiUrl}/api/v1/items/FGW-001`, pair.ca)).status).toBe(404);
  });

  it('refuses a faulty sheet with every fault named, and changes nothing', async () => {
    const bad = join(pair.dir, 'bad.csv');
    writeFileSync(bad, '事项编码,名称\nX-1,y\n');
    const r = ferry(['catalogue', 'import', bad, '--apply', '--config', cfg]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('ferry: FERRY_ERR_CATALOGUE_SHEET: 事项!B1: header must be 事项名称 (got "名称")');
    expect(r.stderr).toContain('nothing applied');
  });

  it('prints the diff, writes the source, and the internal gateway takes it without a restart', () => {
    const r = ferry(['catalogue', 'import', SAMPLE, '--apply', '--config', cfg]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${SAMPLE}: 312 items, 36 departments, 0 faults`);
    expect(r.stdout).toContain('+ FGW-001  政府投资项目审批（项目建议书、可行性研究报告）');
    expect(r.stdout).toContain('~ SCJG-001  企业设立登记（三证合一、一照一码）: promisedDays 3 → 5');
    expect(r.stdout).toContain('308 added, 0 removed, 1 changed');
    expect(r.stdout).toMatch(/internal gateway reloaded: 312 items, sha256 [0-9a-f]{64}/);
  });

  it('the external API serves the new items, with both gateway processes the same as before', async () => {
    const item = await until('FGW-001 on the external API', async () => {
      const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/items/FGW-001`, pair.ca);
      return r.status === 200 ? r.json : undefined;
    });
    expect(item).toMatchObject({ code: 'FGW-001', statutoryDays: 60, promisedDays: 3 });
    const all = await httpsCall('GET', `${pair.apiUrl}/api/v1/items`, pair.ca);
    expect(all.json.items.length).toBe(312);
    expect((await httpsCall('GET', `${pair.apiUrl}/api/v1/items/SCJG-001`, pair.ca)).json.promisedDays).toBe(5);
    expect([pair.external.proc.pid, pair.internal.proc.pid]).toEqual(pids);
    expect([pair.external.proc.exitCode, pair.internal.proc.exitCode]).toEqual([null, null]);
    expect(pair.internal.log.join('\n')).toContain('catalogue reloaded');
  });

  it('keeps the open case on the item version it was filed under, and audits the change', () => {
    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT state FROM approval_cases WHERE case_id = ?').get(filedBefore) as { state: string };
      expect(JSON.parse(row.state).item.promisedDays).toBe(3);
      const audit = db.prepare("SELECT detail FROM audit_entries WHERE action = 'config.change' AND detail LIKE '%catalogueSha256%'").all() as { detail: string }[];
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.detail)).toMatchObject({ items: 312, changed: ['SCJG-001'], removed: [] });
    } finally {
      db.close();
    }
  });

  it('a same-day item on the generic form is filed online and decided at the window in one step', async () => {
    const sample = await readCatalogueSheet(SAMPLE);
    if (!sample.ok) throw new Error(sample.errors.join('\n'));
    const it0 = sample.catalogue.items.find((i) => i.sameDay === true && i.leadDepartment.code === 'civ')!;
    const add = ferry(['staff', 'add', '--config', cfg, '--id', 'civ.win', '--name', '民政窗口', '--department', 'civ', '--roles', 'window'], { FERRY_STAFF_PASSWORD: PASSWORD });
    expect(add.status, add.stderr).toBe(0);
    const body = JSON.stringify({
      itemCode: it0.code, applicant: { type: 'person', name: '王明', idNumber: '33012319800101123X', phone: '+86 138 0000 0000' },
      fields: { request: '办理' }, attachments: it0.materials.map((m) => material(m.id)),
    });
    const sub = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(sub.status, JSON.stringify(sub.json)).toBe(202);
    const caseId = sub.json.caseId as string;
    const login = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name: 'civ.win', password: PASSWORD }));
    expect(login.status, JSON.stringify(login.json)).toBe(200);
    const token = (login.json as { token: string }).token;
    await until('the case at the desk', async () => {
      const r = await intranetCall(pair, 'POST', `/api/v1/staff/cases/${caseId}/actions`, JSON.stringify({ type: 'decide-on-the-spot', verdict: 'approve' }), { authorization: `Bearer ${token}` });
      if (r.status === 200) return true;
      expect(r.status, JSON.stringify(r.json)).toBe(404); // not delivered yet
      return undefined;
    });
    const seen = await until('the decision on the applicant side', async () => {
      const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${caseId}`, pair.ca, undefined, secrets.header(caseId));
      return r.status === 200 && r.json.status === 'decided-approved' ? r.json : undefined;
    });
    expect(seen.status).toBe('decided-approved');
  });

  it('exports the catalogue in force, which imports back with no change (xlsx and csv); --help shows the commands', () => {
    for (const ext of ['xlsx', 'csv']) {
      const out = join(pair.dir, `export.${ext}`);
      const e = ferry(['catalogue', 'export', '--out', out, '--config', cfg]);
      expect(e.status, e.stderr).toBe(0);
      expect(e.stdout).toContain(`${out}: 312 items`);
      const i = ferry(['catalogue', 'import', out, '--config', cfg]);
      expect(i.status, i.stderr).toBe(0);
      expect(i.stdout).toContain('0 added, 0 removed, 0 changed');
    }
    const help = ferry(['catalogue', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('ferry catalogue import FILE.xlsx|FILE.csv [--apply]');
    const usage = ferry(['catalogue', 'frobnicate']);
    expect([usage.status, usage.stderr]).toEqual([2, 'ferry: FERRY_ERR_CLI_USAGE: catalogue import|export (got frobnicate)\n']);
  });
});
