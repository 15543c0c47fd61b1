// Issue 11's whole journey in real Chromium, through both real gateway processes, using only the pages:
// the applicant files SCJG-001 on the filing page (three PDFs and a JPEG in real file inputs); the
// window, logged in through the login page, sends a one-time notice by ticking materials; the applicant
// supplies them on the case page; the window accepts with A/B officers; three departments give their
// opinions in parallel (three browsers at once; B stands in for A at aic); the chief representative
// decides while the hall board in another tab follows (its DOM shows the decision within 2 s); the
// cashier finds nothing to charge (SCJG-001 is free by law: see the report); the window issues the
// result and closes the case; the applicant downloads the signed result and the RFC 3161 receipt from
// the case page (openssl verifies both) and evaluates once, a second try refused on the page.
// Every page visited: no console error, CSP violation or other-origin request, no serious/critical axe
// finding; each step's screenshot goes to var/screenshots/journey/ and each page's weight is printed.
// The staff API is read only to wait for the link to carry a step across; no step is taken through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { intranetCall, startPair, type Pair } from '../helpers/gateways.js';
import { axeSerious, hasChromium, launch, spkiPin, watchedPage } from '../helpers/browser.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { makeJpeg, makePdf } from '../policy-content/samples.js';

const PASSWORD = 'correct horse battery staple 42';
const SHOTS = resolve('var/screenshots/journey');
const STAFF: [string, string, string][] = [
  ['aic.win', 'aic', 'window'], ['aic.lead', 'aic', 'lead'], ['aic.a', 'aic', 'officer'], ['aic.b', 'aic', 'officer'],
  ['qts.a', 'qts', 'officer'], ['qts.b', 'qts', 'officer'], ['tax.a', 'tax', 'officer'], ['tax.b', 'tax', 'officer'],
  ['aic.cash', 'aic', 'cashier'],
];
const pdf = (n: string) => makePdf({ content: `BT /F1 12 Tf 72 720 Td (${n}) Tj ET` });
const upload = (name: string, mimeType: string, buffer: Buffer) => ({ name, mimeType, buffer });

interface Tab { page: Page; problems: string[]; weight(): number; reset(): void }

describe.skipIf(!hasChromium())('the whole journey in Chromium, through both gateways, by the pages only', () => {
  let pair: Pair;
  let browser: Browser;
  let dir: string;
  let step = 0;
  const printed: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-journey-'));
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    pair = await startPair({ policyFile: policyWithoutRateLimits(), logLevel: 'warn' });
    await pair.waitLinkUp();
    const cfg = join(pair.dir, 'internal.yaml');
    for (const [id, dept, role] of STAFF) {
      const r = spawnSync(process.execPath, ['bin/ferry.js', 'staff', 'add', '--config', cfg, '--id', id, '--name', id, '--department', dept, '--roles', role],
        { encoding: 'utf8', env: { ...process.env, FERRY_STAFF_PASSWORD: PASSWORD } });
      expect(r.status, r.stderr).toBe(0);
    }
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'external-tls.crt')), spkiPin(join(pair.dir, 'certs', 'intranet-tls.crt'))]);
    // The catalogue reaches the external gateway over the link: the filing page exists once it has.
    const until = Date.now() + 30_000;
    const probe = await open(pair.apiUrl);
    while ((await probe.page.goto(`${pair.apiUrl}/file/SCJG-001`))!.status() !== 200) {
      if (Date.now() > until) throw new Error('the filing page never appeared (no catalogue?)');
      await new Promise((r) => setTimeout(r, 300));
    }
    await probe.page.context().close();
  }, 180_000);
  afterAll(async () => {
    // eslint-disable-next-line no-console
    if (printed.length) console.log(`journey pages (weight as transferred; screenshot):\n${printed.join('\n')}`);
    await browser?.close();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A watched tab of its own browser context that also adds up the bytes of everything it loads. */
  async function open(origin: string): Promise<Tab> {
    const w = await watchedPage(browser, origin, { acceptDownloads: true });
    let bytes = 0;
    w.page.on('response', (r) => { void r.body().then((b) => { bytes += b.length; }, () => {}); });
    // workbench.js asks before an irreversible step (decide): the staff member says yes.
    w.page.on('dialog', (d) => void d.accept());
    return { ...w, weight: () => bytes, reset: () => { bytes = 0; } };
  }

  /** Judge the page now shown (the helper's watchers, axe), screenshot it, print its weight. */
  async function judge(t: Tab, label: string): Promise<void> {
    await t.page.waitForLoadState('load');
    expect(await t.page.getAttribute('html', 'lang'), label).toBe('zh-CN');
    expect(await axeSerious(t.page), label).toEqual([]);
    expect(t.problems, label).toEqual([]);
    await new Promise((r) => setTimeout(r, 100)); // the last bodies counted
    step += 1;
    const shot = join(SHOTS, `${String(step).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.png`);
    await t.page.screenshot({ path: shot, fullPage: true });
    const line = `  ${String(step).padStart(2)} ${label}: ${(t.weight() / 1024).toFixed(1)} KB; ${shot}`;
    printed.push(line);
    // eslint-disable-next-line no-console
    console.log(line);
    t.reset();
  }

  /** A staff member's own browser, logged in through the login page. */
  async function staff(name: string): Promise<Tab> {
    const t = await open(pair.intranetUrl);
    await t.page.goto(`${pair.intranetUrl}/workbench`);
    expect(new URL(t.page.url()).pathname).toBe('/workbench/login');
    await t.page.fill('#name', name);
    await t.page.fill('#password', PASSWORD);
    await Promise.all([t.page.waitForURL(`${pair.intranetUrl}/workbench`), t.page.click('form.login button[type=submit]')]);
    return t;
  }

  /** Open the case from the queue page's link, as staff do. */
  async function openFromQueue(t: Tab, caseId: string, label: string): Promise<void> {
    await judge(t, `${label} queue`);
    await Promise.all([t.page.waitForURL(new RegExp(`/workbench/cases/${caseId}$`)), t.page.click(`main a:text("${caseId}")`)]);
    await judge(t, `${label} case page`);
  }

  /** Submit the action form for `type` on the workbench case page shown; the answer page must be 200. */
  async function act(t: Tab, type: string): Promise<void> {
    const form = t.page.locator(`form.action:has(input[name=type][value="${type}"])`);
    const [res] = await Promise.all([
      t.page.waitForResponse((r) => r.url().endsWith('/act') && r.request().method() === 'POST'),
      form.locator('button[type=submit]').click(),
    ]);
    await t.page.waitForLoadState('load');
    expect(res.status(), `${type}: ${await t.page.textContent('main')}`).toBeLessThan(400);
  }

  /** Waits until the intranet holds the case in `status` (read only: the link carries steps across). */
  async function inside(caseId: string, status: string): Promise<void> {
    const login = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name: 'aic.lead', password: PASSWORD }));
    const auth = { authorization: `Bearer ${login.json.token as string}` };
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await intranetCall(pair, 'GET', `/api/v1/staff/cases/${caseId}`, undefined, auth);
      if (r.status === 200 && r.json.status === status) return;
      if (Date.now() > until) throw new Error(`case ${caseId} never reached ${status} inside (${r.json?.status})`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** The applicant's case page, looked up by number and secret; polled until `ready` holds on it. */
  async function casePage(t: Tab, c: { caseId: string; secret: string }, ready: (p: Page) => Promise<boolean>, what: string): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      await t.page.goto(`${pair.apiUrl}/case`);
      await t.page.fill('#caseId', c.caseId);
      await t.page.fill('#secret', c.secret);
      await Promise.all([t.page.waitForResponse((r) => r.url().endsWith('/case') && r.request().method() === 'POST'), t.page.click('form.lookup button')]);
      await t.page.waitForLoadState('load');
      if (await ready(t.page)) return;
      if (Date.now() > until) throw new Error(`the case page never showed ${what}: ${await t.page.textContent('main')}`);
      t.reset();
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('files, is noticed, supplies, is accepted, reviewed in parallel, decided, issued, downloaded, verified and evaluated once', async () => {
    // 1. The applicant files SCJG-001 with three PDFs and one JPEG from the filing page's file inputs.
    const app = await open(pair.apiUrl);
    await app.page.goto(`${pair.apiUrl}/file/SCJG-001`);
    await judge(app, 'applicant filing form');
    await app.page.fill('#f-applicant-name', '清河茶业有限公司');
    await app.page.fill('#f-applicant-idNumber', '91330100MA2WB0001');
    await app.page.fill('#f-applicant-phone', '+86 571 8888 0000');
    await app.page.fill('#f-fields-companyName', '清河茶业有限公司');
    await app.page.selectOption('#f-fields-companyType', '有限责任公司');
    await app.page.fill('#f-fields-registeredCapital', '100');
    await app.page.fill('#f-fields-legalRepresentative', '王清河');
    await app.page.fill('#f-fields-legalRepresentativeIdNo', '33010219800101123X');
    await app.page.fill('#f-fields-businessScope', '茶叶种植、加工、销售');
    await app.page.fill('#f-fields-address', '清河镇茶园路1号');
    await app.page.setInputFiles('#f-material-application', upload('申请书.pdf', 'application/pdf', pdf('application')));
    await app.page.setInputFiles('#f-material-articles', upload('章程.pdf', 'application/pdf', pdf('articles')));
    await app.page.setInputFiles('#f-material-shareholder-ids', upload('股东身份证.pdf', 'application/pdf', pdf('ids')));
    await app.page.setInputFiles('#f-material-officer-appointments', upload('任职文件.jpg', 'image/jpeg', makeJpeg()));
    const [filedRes] = await Promise.all([
      app.page.waitForResponse((r) => r.url().endsWith('/file/SCJG-001') && r.request().method() === 'POST'),
      app.page.click('form.filing button[type=submit]'),
    ]);
    expect(filedRes.status()).toBe(200);
    await app.page.waitForSelector('#case-secret');
    const c = { caseId: (await app.page.textContent('#case-id'))!.trim(), secret: (await app.page.textContent('#case-secret'))!.trim() };
    const imprint = (await app.page.textContent('.imprint'))!.trim();
    expect(imprint).toMatch(/^[0-9a-f]{64}$/);
    await judge(app, 'applicant filed (number and secret shown once)');
    await inside(c.caseId, 'received');

    // 2. The window logs in and sends a one-time notice by ticking the two missing materials.
    const win = await staff('aic.win');
    await openFromQueue(win, c.caseId, 'window');
    await win.page.check('#nm-name-approval');
    await win.page.check('#nm-premises-proof');
    await act(win, 'notify');
    await judge(win, 'window notice sent');
    await inside(c.caseId, 'notice-issued');

    // 3. The applicant supplies both on the case page (one upload per material in the notice).
    await casePage(app, c, async (p) => (await p.locator('ul.checklist input[type=file]').count()) === 2, 'the notice');
    await judge(app, 'applicant case page with the notice');
    await app.page.setInputFiles('#f-material-name-approval', upload('名称核准.pdf', 'application/pdf', pdf('name')));
    await app.page.setInputFiles('#f-material-premises-proof', upload('住所证明.jpg', 'image/jpeg', makeJpeg()));
    const [supRes] = await Promise.all([
      app.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/supplement`) && r.request().method() === 'POST'),
      app.page.click('section.action form[action$="/supplement"] button[type=submit]'),
    ]);
    expect(supRes.status()).toBe(200);
    await app.page.waitForSelector('text=补正材料已提交');
    await judge(app, 'applicant supplement sent');
    await inside(c.caseId, 'supplemented');

    // 4. The window accepts, choosing A and B officers per department.
    await win.page.goto(`${pair.intranetUrl}/workbench`);
    await openFromQueue(win, c.caseId, 'window (supplemented)');
    for (const d of ['aic', 'qts', 'tax']) {
      await win.page.selectOption(`#a-${d}`, `${d}.a`);
      await win.page.selectOption(`#b-${d}`, `${d}.b`);
    }
    await act(win, 'accept');
    await judge(win, 'window accepted');
    await inside(c.caseId, 'accepted');

    // 5. Three departments give opinions in parallel: three browsers with the case page open at once,
    // submitted together (B stands in for A at aic).
    const officers = await Promise.all(['aic.b', 'qts.a', 'tax.a'].map((n) => staff(n)));
    for (const [i, o] of officers.entries()) await openFromQueue(o, c.caseId, `officer ${['aic.b (B for A)', 'qts.a', 'tax.a'][i]}`);
    // aic's A officer has the same case page open: once B has stood in, A's form is refused.
    const aicA = await staff('aic.a');
    await aicA.page.goto(`${pair.intranetUrl}/workbench/cases/${c.caseId}`);
    await officers[0]!.page.fill('#opinion-reason', '符合登记条件（B角代A角）');
    await Promise.all(officers.map((o) => act(o, 'give-opinion')));
    for (const [i, o] of officers.entries()) {
      await judge(o, `officer ${['aic.b', 'qts.a', 'tax.a'][i]} opinion given`);
      // A department gives one opinion: the answer page offers no second one.
      expect(await o.page.locator('form.action:has(input[name=type][value="give-opinion"])').count()).toBe(0);
    }
    await inside(c.caseId, 'under-review');
    const [late] = await Promise.all([
      aicA.page.waitForResponse((r) => r.url().endsWith('/act')),
      aicA.page.click('form.action:has(input[name=type][value="give-opinion"]) button[type=submit]'),
    ]);
    expect(late.status()).toBe(409);
    expect(await aicA.page.textContent('p.alert')).toContain('FERRY_ERR_APPROVAL_OPINION_GIVEN');
    expect(await aicA.page.locator('form.action:has(input[name=type][value="give-opinion"])').count()).toBe(0);
    await judge(aicA, 'officer aic.a refused (B already stood in)');

    // 6. The hall board is open in another tab; the chief representative decides; the board follows.
    const board = await open(pair.intranetUrl);
    await board.page.setViewportSize({ width: 1920, height: 1080 });
    await board.page.goto(`${pair.intranetUrl}/board`);
    const row = board.page.locator(`section[aria-labelledby=cases] tbody tr:has(td:text-is("…${c.caseId.slice(-6)}"))`);
    expect(await row.count()).toBe(1);
    const before = (await row.locator('td').nth(2).textContent())!;
    await judge(board, 'hall board before the decision');
    const lead = await staff('aic.lead');
    await openFromQueue(lead, c.caseId, 'chief representative');
    await lead.page.fill('#decide-reason', '三部门均同意');
    await act(lead, 'decide');
    const decidedAt = Date.now();
    expect(await lead.page.textContent('main')).toContain('已决定：准予许可');
    // Polled in the page every 50 ms: the row's status cell differs from what it said before.
    // A function, not a string: the board's CSP has no 'unsafe-eval' (Playwright evaluates a string
    // predicate with eval, a function through the DevTools protocol).
    type Doc = { querySelectorAll(q: string): ArrayLike<{ querySelector(q: string): { textContent: string | null } | null; querySelectorAll(q: string): ArrayLike<{ textContent: string | null }> }> };
    await board.page.waitForFunction(([ref, was]) => {
      const doc = (globalThis as unknown as { document: Doc }).document;
      const r = Array.from(doc.querySelectorAll('section[aria-labelledby=cases] tbody tr')).find((tr) => tr.querySelector('td')?.textContent === ref);
      const now = r ? r.querySelectorAll('td')[2]?.textContent : undefined;
      return now !== undefined && now !== was;
    }, [`…${c.caseId.slice(-6)}`, before] as const, { timeout: Math.max(0, 2000 - (Date.now() - decidedAt)), polling: 50 });
    // eslint-disable-next-line no-console
    console.log(`hall board showed the decision ${Date.now() - decidedAt} ms after the decision page answered`);
    expect(await row.locator('td').nth(2).textContent()).toBe('已决定：准予许可');
    await judge(board, 'hall board after the decision');
    await judge(lead, 'chief representative decided');

    // 7. The cashier: SCJG-001 is free of charge (catalogue `fee: free`), so there is nothing to record;
    // the queue does not list it and its case page offers no fee form (the desk would refuse one).
    const cash = await staff('aic.cash');
    await judge(cash, 'cashier queue');
    expect(await cash.page.textContent('main')).not.toContain(c.caseId);
    await cash.page.goto(`${pair.intranetUrl}/workbench/cases/${c.caseId}`);
    expect(await cash.page.locator('form.action:has(input[name=type][value="record-payment"])').count()).toBe(0);
    await judge(cash, 'cashier case page (free item: no fee form)');

    // 8. The window issues the result.
    await win.page.goto(`${pair.intranetUrl}/workbench`);
    await openFromQueue(win, c.caseId, 'window (decided)');
    await win.page.fill('#doc-no', 'QX-SCJG-2026-0001');
    await act(win, 'issue-result');
    await judge(win, 'window result issued');
    await inside(c.caseId, 'result-issued');

    // 9. The applicant downloads the signed result and the receipt from the case page; openssl judges.
    await casePage(app, c, async (p) => (await p.locator('text=下载加盖电子签名的办理结果').count()) > 0, 'the result download');
    await judge(app, 'applicant case page with the result');
    const [resultDl] = await Promise.all([app.page.waitForEvent('download'), app.page.click('text=下载加盖电子签名的办理结果')]);
    const p7s = join(dir, 'result.p7s');
    await resultDl.saveAs(p7s);
    const cms = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', p7s, '-CAfile', join(pair.dir, 'certs/ca.crt'), '-purpose', 'any'], { encoding: 'utf8' });
    expect(cms.stderr).toContain('Verification successful');
    expect(JSON.parse(cms.stdout)).toMatchObject({ format: 'ferry-result/1', caseId: c.caseId, outcome: 'approved', documentNo: 'QX-SCJG-2026-0001' });
    expect(await app.page.textContent('main')).toContain(`openssl ts -verify -digest ${imprint}`);
    const [tsrDl] = await Promise.all([app.page.waitForEvent('download'), app.page.click('text=下载回执（.tsr）')]);
    const tsr = join(dir, 'receipt.tsr');
    await tsrDl.saveAs(tsr);
    writeFileSync(join(dir, 'ca.pem'), pair.ca);
    const ts = spawnSync('openssl', ['ts', '-verify', '-digest', imprint, '-in', tsr, '-CAfile', join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(ts.stdout + ts.stderr).toContain('Verification: OK');
    expect(app.problems).toEqual([]);

    // 10. The window closes the case (the result reached the applicant); the applicant evaluates once,
    // and a second try from another tab opened before is refused on the page.
    await win.page.goto(`${pair.intranetUrl}/workbench/cases/${c.caseId}`);
    await act(win, 'close');
    await judge(win, 'window closed');
    await inside(c.caseId, 'closed');
    const second = await open(pair.apiUrl);
    const hasEvaluate = async (p: Page) => (await p.locator('form[action$="/evaluate"]').count()) === 1;
    await casePage(app, c, hasEvaluate, 'the evaluation form');
    await casePage(second, c, hasEvaluate, 'the evaluation form (second tab)');
    await judge(app, 'applicant case page with the evaluation form');
    await app.page.check('input[name=score][value="5"]');
    await app.page.fill('#evaluate-comment', '一次办好');
    const [e1] = await Promise.all([app.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/evaluate`)), app.page.click('form[action$="/evaluate"] button[type=submit]')]);
    expect(e1.status()).toBe(200);
    expect(await app.page.textContent('main')).toContain('您已评价本次办理：5 分');
    await judge(app, 'applicant evaluated');
    await second.page.check('input[name=score][value="1"]');
    const [e2] = await Promise.all([second.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/evaluate`)), second.page.click('form[action$="/evaluate"] button[type=submit]')]);
    expect(e2.status()).toBe(409);
    expect(await second.page.textContent('[role=alert]')).toContain('您已经评价过这个办件，每个办件只能评价一次，这次评价没有提交。');
    expect(await second.page.locator('form[action$="/evaluate"]').count()).toBe(0);
    await judge(second, 'applicant second evaluation refused');

    for (const t of [app, second, win, lead, cash, board, aicA, ...officers]) await t.page.context().close();
  }, 420_000);
});
