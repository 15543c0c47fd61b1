// The staff workbench in real Chromium against both real gateway processes (cases arrive from the
// external gateway over the link). Each role logs in with its own account; the window sends a one-time
// notice by ticking checkboxes, accepts with A/B officers per department; officers give opinions (B
// standing in for A once); the lead decides; the cashier records a fee at the catalogue amount; the
// supervisor sees the monthly report's SVG charts. A form posted without its CSRF token, with another
// session's token, or from another origin is refused with 403 FERRY_ERR_DESK_CSRF and changes nothing.
// Cookies carry HttpOnly, Secure, SameSite=Strict, Path=/ under the __Host- prefix; a material
// downloads as an attachment with nosniff. Every page: no console error, no CSP violation, no
// other-origin request, no serious or critical axe finding, and under 150 KB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { intranetCall, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { axeSerious, hasChromium, launch, spkiPin, watchedPage } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple 42';
const pdfBytes = (n: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${n}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
const material = (id: string) => ({ fileName: `${id}.pdf`, mediaType: 'application/pdf', materialId: id, contentBase64: pdfBytes(id).toString('base64') });
const STAFF: [string, string, string][] = [
  ['aic.win', 'aic', 'window'], ['aic.lead', 'aic', 'lead'], ['aic.a', 'aic', 'officer'], ['aic.b', 'aic', 'officer'],
  ['qts.a', 'qts', 'officer'], ['qts.b', 'qts', 'officer'], ['tax.a', 'tax', 'officer'], ['tax.b', 'tax', 'officer'],
  ['rer.win', 'rer', 'window'], ['rer.lead', 'rer', 'lead'], ['rer.a', 'rer', 'officer'], ['rer.b', 'rer', 'officer'],
  ['ltax.a', 'ltax', 'officer'], ['ltax.b', 'ltax', 'officer'], ['rer.cash', 'rer', 'cashier'], ['sup.li', 'supervision', 'supervisor'],
];
const MAX_PAGE_BYTES = 150 * 1024;

let pair: Pair;
let browser: Browser;
const secrets = new CaseSecrets();
/** Page → [bytes, ms from request to first byte (server render + loopback TLS), ms to load]: printed at the end. */
const figures = new Map<string, [number, number, number]>();

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${pair.internal.log.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function apiLogin(name: string): Promise<string> {
  const r = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name, password: PASSWORD }));
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.token as string;
}
async function apiAct(token: string, caseId: string, command: unknown): Promise<void> {
  const r = await intranetCall(pair, 'POST', `/api/v1/staff/cases/${caseId}/actions`, JSON.stringify(command), { authorization: `Bearer ${token}` });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}
async function caseStatus(token: string, caseId: string): Promise<string | undefined> {
  const r = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${caseId}`, undefined, { authorization: `Bearer ${token}` });
  return r.status === 200 ? r.json.status as string : undefined;
}

async function file(body: Record<string, unknown>): Promise<string> {
  const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, JSON.stringify(body)));
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.json.caseId as string;
}

interface Role { context: BrowserContext; page: Page; problems: string[] }

/** What a script outside the browser can send with this browser's cookies (Node's HTTPS, trusting
 *  only the deployment CA): the attacker's view of a forged request, with headers of its choosing. */
async function withCookies(context: BrowserContext, method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  return intranetCall(pair, method, path, form ? new URLSearchParams(form).toString() : undefined,
    { ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(cookie ? { cookie } : {}), ...headers });
}

/** A browser of its own per staff member, logged in through the login page. */
async function loginAs(name: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<Role> {
  const { page, problems } = await watchedPage(browser, pair.intranetUrl, { acceptDownloads: true, ...opts });
  // workbench.js asks before an irreversible step (not-accept, decide): the staff member says yes.
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${pair.intranetUrl}/workbench`);
  expect(new URL(page.url()).pathname).toBe('/workbench/login');
  await page.fill('#name', name);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${pair.intranetUrl}/workbench`), page.click('form.login button[type=submit]')]);
  return { context: page.context(), page, problems };
}

/** Load `path` and judge the page: status 200, no problem recorded, no serious axe finding, < 150 KB. */
async function visit(r: Role, path: string, label: string): Promise<void> {
  const res = await r.page.goto(`${pair.intranetUrl}${path}`);
  expect(res!.status(), label).toBe(200);
  await judge(r, label);
}

async function judge(r: Role, label: string): Promise<void> {
  // Bytes: the document and everything it loaded, as encoded on the wire; time: request to load event.
  const m = await r.page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    return { bytes: nav.encodedBodySize + res.reduce((a, e) => a + e.encodedBodySize, 0), ttfb: nav.responseStart - nav.requestStart, ms: (nav.loadEventEnd > 0 ? nav.loadEventEnd : nav.responseEnd) - nav.requestStart };
  })()`) as { bytes: number; ttfb: number; ms: number };
  figures.set(label, [m.bytes, Math.round(m.ttfb), Math.round(m.ms)]);
  expect(m.bytes, `${label} weight`).toBeLessThan(MAX_PAGE_BYTES);
  expect(await r.page.getAttribute('html', 'lang')).toBe('zh-CN');
  expect(await axeSerious(r.page), label).toEqual([]);
  expect(r.problems, label).toEqual([]);
}

/** Submit the action form for `type` on the case page now shown and wait for the answer page. */
async function submitStep(r: Role, type: string): Promise<void> {
  const form = r.page.locator(`form.action:has(input[name=type][value="${type}"])`);
  await Promise.all([r.page.waitForLoadState('load'), r.page.waitForURL(/\/workbench\/cases\/[^/]+(\?done=.*)?$/), form.locator('button[type=submit]').click()]);
}

const SCJG = (name: string, attachments: string[]) => ({
  itemCode: 'SCJG-001',
  applicant: { type: 'enterprise', name, idNumber: '91330100MA2WB0001', phone: '+86 571 8888 0000' },
  fields: {
    companyName: `${name}有限公司`, companyType: '有限责任公司', registeredCapital: 100, legalRepresentative: '王清河',
    legalRepresentativeIdNo: '33010219800101123X', businessScope: '茶叶种植、加工、销售', address: '清河镇茶园路1号',
  },
  attachments: attachments.map(material),
});

describe.skipIf(!hasChromium())('staff workbench in Chromium', () => {
  beforeAll(async () => {
    pair = await startPair({ policyFile: policyWithoutRateLimits(), logLevel: 'warn' });
    await pair.waitLinkUp();
    const cfg = join(pair.dir, 'internal.yaml');
    for (const [id, dept, role] of STAFF) {
      const r = spawnSync(process.execPath, ['bin/ferry.js', 'staff', 'add', '--config', cfg, '--id', id, '--name', id, '--department', dept, '--roles', role],
        { encoding: 'utf8', env: { ...process.env, FERRY_STAFF_PASSWORD: PASSWORD } });
      expect(r.status, r.stderr).toBe(0);
    }
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'intranet-tls.crt'))]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await pair?.stop();
    for (const [label, [bytes, ttfb, ms]] of figures) console.log(`workbench page ${label}: ${(bytes / 1024).toFixed(1)} KB, first byte ${ttfb} ms, loaded ${ms} ms`);
  });

  let caseId = '';

  it('refuses a wrong password on the login page with the one answer, and sets host-locked session cookies', async () => {
    const { page, problems } = await watchedPage(browser, pair.intranetUrl);
    await page.goto(`${pair.intranetUrl}/workbench/login`);
    const answers: [number, string][] = [];
    for (const [name, password] of [['aic.win', 'wrong password 12345'], ['nobody.here', PASSWORD]] as const) {
      await page.fill('#name', name);
      await page.fill('#password', password);
      const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/workbench/login') && r.request().method() === 'POST'), page.click('form.login button[type=submit]')]);
      answers.push([res.status(), (await page.textContent('.alert'))!]);
    }
    // An unknown name and a wrong password: the same status and the same words.
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]![0]).toBe(401);
    expect((await page.context().cookies()).find((c) => c.name === '__Host-ferry-staff')).toBeUndefined();
    expect(problems).toEqual([]);
    await page.context().close();

    const win = await loginAs('aic.win');
    const session = (await win.context.cookies()).find((c) => c.name === '__Host-ferry-staff');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/', domain: '127.0.0.1' });
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000); // ends with the session's lifetime
    expect(await win.page.evaluate('document.cookie')).toBe(''); // no script can read it
    await judge(win, 'queue (window, empty)');
    await win.context.close();
  }, 60_000);

  it('window: sends a one-time notice by ticking the missing material, then accepts with A and B per department', async () => {
    caseId = await file(SCJG('清河茶业', ['application', 'articles', 'shareholder-ids', 'officer-appointments', 'premises-proof']));
    const token = await apiLogin('aic.win');
    await until('the case inside', async () => (await caseStatus(token, caseId)) === 'received' ? true : undefined);

    const win = await loginAs('aic.win');
    await visit(win, '/workbench', 'queue (window)');
    expect(await win.page.textContent('table.to-accept')).toContain(caseId);
    // One queue implementation: the page lists what the bearer API's queue answers, in its order.
    const q = await intranetCall(pair, 'GET', '/api/v1/staff/queue', undefined, { authorization: `Bearer ${token}` });
    const apiIds = (q.json.window as { caseId: string; status: string }[]).filter((r) => r.status === 'received' || r.status === 'supplemented').map((r) => r.caseId);
    expect(await win.page.locator('table.to-accept tbody tr td:first-child a').allTextContents()).toEqual(apiIds);
    await Promise.all([win.page.waitForURL(/\/workbench\/cases\//), win.page.click(`table.to-accept a:text("${caseId}")`)]);
    await judge(win, 'case (window, received)');
    const notice = win.page.locator('form.action:has(input[name=type][value=notify])');
    // Every material of the item is a checkbox; the missing one is marked.
    expect(await notice.locator('input[type=checkbox][name=material]').count()).toBe(6);
    await notice.locator('#nm-name-approval').check();
    await submitStep(win, 'notify');
    expect(await win.page.textContent('p.done')).toContain('发出一次性告知');
    expect(await win.page.textContent('section[aria-labelledby=history]')).toContain('notify');
    await judge(win, 'case (window, notice issued)');

    // The applicant supplements through the external gateway.
    const sup = await httpsCall('POST', `${pair.apiUrl}/api/v1/cases/${caseId}/actions`, pair.ca,
      JSON.stringify({ type: 'supplement', materials: ['name-approval'], attachments: [material('name-approval')] }), secrets.header(caseId));
    expect(sup.status, JSON.stringify(sup.json)).toBe(202);
    await until('the supplement inside', async () => (await caseStatus(token, caseId)) === 'supplemented' ? true : undefined);

    await visit(win, `/workbench/cases/${caseId}`, 'case (window, supplemented)');
    for (const d of ['aic', 'qts', 'tax']) {
      await win.page.selectOption(`#a-${d}`, `${d}.a`);
      await win.page.selectOption(`#b-${d}`, `${d}.b`);
    }
    await submitStep(win, 'accept');
    expect(await caseStatus(token, caseId)).toBe('accepted');
    await win.context.close();
  }, 90_000);

  it('window: accepts with tolerance (容缺受理): the missing tolerable material against a commitment date', async () => {
    const id = await file(SCJG('清河茶业二厂', ['application', 'articles', 'shareholder-ids', 'officer-appointments', 'name-approval']));
    const token = await apiLogin('aic.win');
    await until('the case inside', async () => (await caseStatus(token, id)) === 'received' ? true : undefined);
    const win = await loginAs('aic.win');
    await visit(win, `/workbench/cases/${id}`, 'case (window, tolerance)');
    const commitBy = new Date(Date.now() + 8 * 3600_000 + 3 * 86_400_000).toISOString().slice(0, 10);
    await win.page.check('#tol-premises-proof');
    // workbench.js makes the date required once the box is ticked: the browser names it first.
    expect(await win.page.getAttribute('#commit-premises-proof', 'required')).not.toBeNull();
    await win.page.fill('#commit-premises-proof', commitBy);
    await submitStep(win, 'accept');
    const v = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${id}`, undefined, { authorization: `Bearer ${token}` });
    expect(v.json.status).toBe('accepted');
    expect(v.json.state.acceptance.tolerated).toEqual([{ materialId: 'premises-proof', commitBy }]);
    await win.context.close();
  }, 90_000);

  it('refuses a form posted without its CSRF token, with another session\'s token, or from another origin; nothing changes', async () => {
    const a = await loginAs('aic.a');
    const b = await loginAs('aic.b');
    await visit(a, `/workbench/cases/${caseId}`, 'case (officer A)');
    const version = await a.page.getAttribute('form.action:has(input[name=type][value="give-opinion"]) input[name=version]', 'value');
    const bToken = await (async () => { await b.page.goto(`${pair.intranetUrl}/workbench/cases/${caseId}`); return b.page.getAttribute('input[name=_csrf]', 'value'); })();
    const path = `/workbench/cases/${caseId}/act`;
    const url = `${pair.intranetUrl}${path}`;
    const form = { type: 'give-opinion', version: version!, verdict: 'approve' };
    const ownToken = (await a.page.getAttribute('input[name=_csrf]', 'value'))!;
    const tries: [string, Record<string, string>, Record<string, string>][] = [
      ['no token', form, {}],
      ['another session\'s token', { ...form, _csrf: bToken! }, {}],
      ['a forged token', { ...form, _csrf: ownToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, {}],
      ['its own token, from another origin', { ...form, _csrf: ownToken }, { origin: 'https://evil.example' }],
      ['its own token, sent cross-site (Fetch Metadata)', { ...form, _csrf: ownToken }, { 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [what, f, headers] of tries) {
      const r = await withCookies(a.context, 'POST', path, f, headers);
      expect(r.status, what).toBe(403);
      expect(r.headers['x-ferry-error'], what).toBe('FERRY_ERR_DESK_CSRF');
      expect(r.body.toString(), what).toContain('FERRY_ERR_DESK_CSRF');
    }
    // The token in a body that is not a form (JSON; text/plain, the enctype a cross-site form can
    // send without a preflight) is not read at all.
    const cookie = (await a.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const [type, body] of [
      ['application/json', JSON.stringify({ ...form, _csrf: ownToken })],
      ['text/plain', new URLSearchParams({ ...form, _csrf: ownToken }).toString()],
    ] as const) {
      const r = await intranetCall(pair, 'POST', path, body, { 'content-type': type, cookie });
      expect([r.status, r.headers['x-ferry-error']], type).toEqual([403, 'FERRY_ERR_DESK_CSRF']);
    }
    // In the page: the hidden field removed, the form submitted by the browser.
    await a.page.evaluate('document.querySelector(\'form.action:has(input[name=type][value="give-opinion"]) input[name=_csrf]\').remove()');
    const [res] = await Promise.all([a.page.waitForResponse((r) => r.url() === url), a.page.click('form.action:has(input[name=type][value="give-opinion"]) button[type=submit]')]);
    expect(res.status()).toBe(403);
    expect(await a.page.textContent('main')).toContain('表单校验码无效');
    expect(await a.page.textContent('main')).toContain('FERRY_ERR_DESK_CSRF');
    // Nothing was given: the task is still open for aic.
    const token = await apiLogin('aic.lead');
    const v = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${caseId}`, undefined, { authorization: `Bearer ${token}` });
    expect(v.json.state.tasks.find((t: { department: string }) => t.department === 'aic').opinion).toBeUndefined();
    await a.context.close();
    await b.context.close();
  }, 90_000);

  it('officers: see their task with working days left and its colour; B stands in for A once; the lead decides', async () => {
    const b = await loginAs('aic.b');
    await visit(b, '/workbench', 'queue (officer B)');
    const row = b.page.locator(`table.tasks tr:has(a:text("${caseId}"))`);
    expect(await row.textContent()).toContain('本人为B角');
    expect(await row.locator('.badge').first().textContent()).toMatch(/正常|黄牌|红牌/);
    expect(await row.locator('td.num').textContent()).toMatch(/^\d+ \/ \d+$/);
    await b.page.click(`table.tasks a:text("${caseId}")`);
    await b.page.fill('#opinion-reason', '符合登记条件（B角代A角）');
    await submitStep(b, 'give-opinion');
    await judge(b, 'case (officer B, opinion given)');
    await b.context.close();
    // Progressive enhancement: qts.a works with JavaScript off (login, case page, the opinion form).
    // (axe needs script in the page, so this page is judged by the others' checks of the same template.)
    const q = await loginAs('qts.a', { javaScriptEnabled: false });
    expect((await q.page.goto(`${pair.intranetUrl}/workbench/cases/${caseId}`))!.status()).toBe(200);
    await Promise.all([q.page.waitForURL(/done=give-opinion$/), q.page.click('form.action:has(input[name=type][value="give-opinion"]) button[type=submit]')]);
    expect(await q.page.textContent('p.done')).toContain('提交审查意见');
    expect(q.problems).toEqual([]);
    await q.context.close();
    const tax = await loginAs('tax.a');
    await visit(tax, `/workbench/cases/${caseId}`, 'case (tax.a)');
    await submitStep(tax, 'give-opinion');
    await tax.context.close();
    const lead = await loginAs('aic.lead');
    await visit(lead, '/workbench', 'queue (lead)');
    expect(await lead.page.textContent('table.to-decide')).toContain(caseId);
    await visit(lead, `/workbench/cases/${caseId}`, 'case (lead)');
    await lead.page.fill('#decide-reason', '三部门均同意');
    await submitStep(lead, 'decide');
    expect(await lead.page.textContent('main')).toContain('已决定：准予许可');
    await lead.context.close();
    // The history the JSON API shows has the same entries, made by the same desk commands.
    const token = await apiLogin('aic.win');
    const v = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${caseId}`, undefined, { authorization: `Bearer ${token}` });
    expect(v.json.transitions.map((t: { event: string; actor: string }) => `${t.event}:${t.actor}`)).toEqual(expect.arrayContaining(['notify:aic.win', 'accept:aic.win', 'give-opinion:aic.b', 'give-opinion:qts.a', 'give-opinion:tax.a', 'decide:aic.lead']));
  }, 120_000);

  it('a material downloads as an attachment with the inspected media type and nosniff, never inline', async () => {
    const win = await loginAs('aic.win');
    await visit(win, `/workbench/cases/${caseId}`, 'case (window, decided)');
    const link = win.page.locator('table.materials a[download]').first();
    const href = (await link.getAttribute('href'))!;
    const r = await withCookies(win.context, 'GET', href);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="application\.pdf"/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body.equals(pdfBytes('application'))).toBe(true);
    const [dl] = await Promise.all([win.page.waitForEvent('download'), link.click()]);
    expect(dl.suggestedFilename()).toBe('application.pdf');
    expect(readFileSync((await dl.path())!).equals(pdfBytes('application'))).toBe(true);
    // The supplement's bytes are not held on the intranet: no link, a note instead.
    expect(await win.page.textContent('table.materials')).toContain('name-approval.pdf');
    expect(await win.page.locator('table.materials a[download]').count()).toBe(5);
    // Without a session there is no file, only the login page.
    const a = await intranetCall(pair, 'GET', href);
    expect([a.status, a.headers['location']]).toEqual([303, '/workbench/login']);
    await win.context.close();
  }, 60_000);

  it('cashier: records the fee at the catalogue amount (a case decided through the bearer API)', async () => {
    const id = await file({
      itemCode: 'BDC-003', applicant: { type: 'person', name: '李明', idNumber: '330102198001011234', phone: '+86 571 8888 0001' },
      fields: { transferee: '李明', transfereeIdNo: '330102198001011234', propertyAddress: '清河镇茶园路3号', certificateNo: '浙(2020)清河不动产权第0001号', floorArea: 96.5, transferType: '买卖' },
      attachments: ['application', 'applicant-ids', 'title-certificate', 'transfer-contract'].map(material),
    });
    const win = await apiLogin('rer.win');
    await until('the second case inside', async () => (await caseStatus(win, id)) === 'received' ? true : undefined);
    await apiAct(win, id, { type: 'accept', assignments: { rer: { a: 'rer.a', b: 'rer.b' }, ltax: { a: 'ltax.a', b: 'ltax.b' } } });
    await apiAct(await apiLogin('rer.a'), id, { type: 'give-opinion', verdict: 'approve' });
    await apiAct(await apiLogin('ltax.a'), id, { type: 'give-opinion', verdict: 'approve' });
    await apiAct(await apiLogin('rer.lead'), id, { type: 'decide' });

    const cash = await loginAs('rer.cash');
    await visit(cash, '/workbench', 'queue (cashier)');
    expect(await cash.page.textContent('table.fees')).toContain('80.00 元');
    await cash.page.click(`table.fees a:text("${id}")`);
    await judge(cash, 'case (cashier)');
    expect(await cash.page.textContent('form.action:has(input[name=type][value="record-payment"])')).toContain('80.00 元');
    // The amount is the catalogue's: a page that changed it is refused by the desk (and the cashier sees why).
    await cash.page.evaluate("document.querySelector('input[name=amountFen]').value = '9000'");
    await cash.page.fill('#pay-ref', 'PJ-2026-0001');
    const [bad] = await Promise.all([cash.page.waitForResponse((r) => r.url().endsWith('/act')), cash.page.click('form.action:has(input[name=type][value="record-payment"]) button[type=submit]')]);
    expect(bad.status()).toBe(409);
    expect(await cash.page.textContent('p.alert')).toContain('FERRY_ERR_APPROVAL_FEE_AMOUNT');
    await cash.page.fill('#pay-ref', 'PJ-2026-0001');
    const csrf = (await cash.page.getAttribute('form.action:has(input[name=type][value="record-payment"]) input[name=_csrf]', 'value'))!;
    const version = (await cash.page.getAttribute('form.action:has(input[name=type][value="record-payment"]) input[name=version]', 'value'))!;
    await submitStep(cash, 'record-payment');
    expect(await cash.page.textContent('p.done')).toContain('登记收费');
    // The same form posted again (a double click, a resent request) names the version it was made
    // from: the desk refuses it as stale, so the fee is recorded once.
    const again = await withCookies(cash.context, 'POST', `/workbench/cases/${id}/act`, { _csrf: csrf, type: 'record-payment', version, amountFen: '8000', reference: 'PJ-2026-0001' });
    expect(again.status).toBe(412);
    expect(again.body.toString()).toContain('FERRY_ERR_DESK_STALE');
    const v = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${id}`, undefined, { authorization: `Bearer ${win}` });
    expect(v.json.state.payments).toEqual([expect.objectContaining({ amountFen: 8000, reference: 'PJ-2026-0001', by: 'rer.cash' })]);
    await cash.context.close();
  }, 120_000);

  it('supervisor: sees the cards and the monthly report drawn as server-made SVG, and may change nothing', async () => {
    const sup = await loginAs('sup.li');
    await visit(sup, '/workbench/supervision', 'supervision report');
    const chart = sup.page.locator('svg#chart-ontime');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.locator('rect').count()).toBeGreaterThan(1);
    expect(await sup.page.locator('svg#chart-cards').count()).toBe(1);
    // Chromium's own XML parser reads the chart as well-formed SVG.
    expect(await sup.page.evaluate(`(() => { const d = new DOMParser().parseFromString(document.getElementById('chart-ontime').outerHTML, 'image/svg+xml');
      return d.getElementsByTagName('parsererror').length === 0 && d.documentElement.namespaceURI; })()`)).toBe('http://www.w3.org/2000/svg');
    expect(await sup.page.textContent('table.report')).toContain('县工商行政管理局');
    // The case page shows no action form to a supervisor, and a posted step is refused.
    await visit(sup, `/workbench/cases/${caseId}`, 'case (supervisor)');
    expect(await sup.page.locator('form.action').count()).toBe(0);
    const csrf = (await sup.page.getAttribute('header form input[name=_csrf]', 'value'))!;
    const r = await withCookies(sup.context, 'POST', `/workbench/cases/${caseId}/act`, { _csrf: csrf, type: 'issue-result' });
    expect([r.status, r.headers['x-ferry-error']]).toEqual([403, 'FERRY_ERR_DESK_FORBIDDEN']);
    // Logout ends the session on the server: the old cookie opens nothing afterwards.
    const cookie = (await sup.context.cookies()).find((c) => c.name === '__Host-ferry-staff')!;
    expect((await intranetCall(pair, 'GET', '/workbench', undefined, { cookie: `${cookie.name}=${cookie.value}` })).status).toBe(200);
    await Promise.all([sup.page.waitForURL(/\/workbench\/login$/), sup.page.click('header form button[type=submit]')]);
    expect((await sup.context.cookies()).find((c) => c.name === '__Host-ferry-staff')).toBeUndefined();
    const g = await intranetCall(pair, 'GET', '/workbench', undefined, { cookie: `${cookie.name}=${cookie.value}` });
    expect([g.status, g.headers['location']]).toEqual([303, '/workbench/login']);
    await sup.context.close();
  }, 60_000);
});
