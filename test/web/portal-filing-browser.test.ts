// Filing and acting on a case from the portal, in real Chromium, against both real gateway processes:
// real file inputs posted as multipart/form-data through the one ingress pipeline (the same inspection
// and codes as the JSON API), with JavaScript on (progress bars by XMLHttpRequest) and off (a plain
// form post). The case number and secret are shown once, never in a URL and never cacheable; the
// receipt verifies with `openssl ts -verify`; an executable renamed .pdf is refused with the file named;
// a double-submitted form files one case; a supplement answers a one-time notice sent by window staff
// through the staff API; a second evaluation is refused on the page. Every page is checked for console
// errors, CSP violations, other-origin requests, axe serious/critical findings, sideways scrolling at
// 360 px and its weight; the weights and the gateway's own time (Server-Timing) are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { intranetCall, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { axeSerious, hasChromium, launch, scrollWidth, spkiPin, watchedPage } from '../helpers/browser.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { makeJpeg, makePdf, makePe } from '../policy-content/samples.js';

const PAGE_BUDGET_BYTES = 150 * 1024;
const PASSWORD = 'correct horse battery staple 42';
const PHONE = { width: 360, height: 740 };
const ferry = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const pdf = (n: string) => makePdf({ content: `BT /F1 12 Tf 72 720 Td (${n}) Tj ET` });
/** A PDF of some size, so the upload takes more than one progress event. */
const bigPdf = (lines: number) => makePdf({ content: 'BT /F1 12 Tf 72 720 Td (Qinghe Tea) Tj ET\n'.repeat(lines) });

describe.skipIf(!hasChromium())('applicant portal: filing and case actions in Chromium', () => {
  let pair: Pair;
  let browser: Browser;
  let dir: string;
  const figures: { page: string; bytes: number; serverMs: string }[] = [];
  const filed: { caseId: string; secret: string; imprint: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-filing-'));
    pair = await startPair({ logLevel: 'info', policyFile: policyWithoutRateLimits() });
    await pair.waitLinkUp();
    const r = ferry(['staff', 'add', '--config', join(pair.dir, 'internal.yaml'), '--id', 'aic.win', '--name', 'aic.win', '--department', 'aic', '--roles', 'window'], { FERRY_STAFF_PASSWORD: PASSWORD });
    expect(r.status, r.stderr).toBe(0);
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'external-tls.crt'))]);
    const until = Date.now() + 30_000;
    while ((await httpsCall('GET', `${pair.apiUrl}/file/SCJG-001`, pair.ca)).status !== 200) {
      if (Date.now() > until) throw new Error('the filing page never appeared (no catalogue?)');
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 120_000);
  afterAll(async () => {
    // eslint-disable-next-line no-console
    if (figures.length) console.log(`page weights and gateway time:\n${figures.map((f) => `  ${f.page}: ${f.bytes} B, server ${f.serverMs} ms`).join('\n')}`);
    await browser?.close(); await pair?.stop(); rmSync(dir, { recursive: true, force: true });
  });

  /** A watched page that also weighs what it loads and records every URL it asked for. */
  async function open(opts: BrowserContextOptions = {}) {
    const w = await watchedPage(browser, pair.apiUrl, { viewport: PHONE, ...opts });
    const urls: string[] = [];
    const js = opts.javaScriptEnabled !== false;
    let bytes = 0;
    w.page.on('request', (r) => urls.push(r.url()));
    w.page.on('response', (r) => { void r.body().then((b) => { bytes += b.length; }, () => {}); });
    return { ...w, urls, js, weight: () => bytes, reset: () => { bytes = 0; } };
  }
  type Opened = Awaited<ReturnType<typeof open>>;

  /** What every page must hold; records its weight and the gateway's time for it. */
  async function checkPage(o: Opened, name: string, serverTiming?: string): Promise<void> {
    await o.page.waitForLoadState('load');
    expect(o.problems, name).toEqual([]);
    expect(await o.page.getAttribute('html', 'lang')).toBe('zh-CN');
    // Playwright cannot evaluate in a page whose JavaScript is off: axe and the width are checked on
    // the same pages with JavaScript on (each page here is visited both ways).
    if (o.js) {
      expect(await axeSerious(o.page), name).toEqual([]);
      expect(await scrollWidth(o.page), `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(PHONE.width);
    }
    await new Promise((r) => setTimeout(r, 100)); // the last bodies counted
    expect(o.weight(), name).toBeLessThan(PAGE_BUDGET_BYTES);
    figures.push({ page: `${name}${o.js ? '' : ' [JS off: axe/width not run]'}`, bytes: o.weight(), serverMs: /dur=([\d.]+)/.exec(serverTiming ?? '')?.[1] ?? '?' });
    o.reset();
  }

  const casesFiled = () => {
    const db = new Database(join(pair.dir, 'var/external/external.sqlite'), { readonly: true });
    try { return (db.prepare('SELECT COUNT(*) AS n FROM case_status').get() as { n: number }).n; } finally { db.close(); }
  };

  async function fillForm(page: Page, applicantName: string): Promise<void> {
    await page.fill('#f-applicant-name', applicantName);
    await page.fill('#f-applicant-idNumber', `91330100MA${String(Date.now()).slice(-7)}`);
    await page.fill('#f-applicant-phone', '+86 571 8888 0000');
    await page.fill('#f-fields-companyName', '清河茶业有限公司');
    await page.selectOption('#f-fields-companyType', '有限责任公司');
    await page.fill('#f-fields-registeredCapital', '100');
    await page.fill('#f-fields-legalRepresentative', '王清河');
    await page.fill('#f-fields-legalRepresentativeIdNo', '33010219800101123X');
    await page.fill('#f-fields-businessScope', '茶叶种植、加工、销售');
    await page.fill('#f-fields-address', '清河镇茶园路1号');
  }
  const file = (name: string, mimeType: string, buffer: Buffer) => ({ name, mimeType, buffer });

  async function gotoForm(o: Opened): Promise<void> {
    const r = await o.page.goto(`${pair.apiUrl}/file/SCJG-001`);
    expect(r!.status()).toBe(200);
    await checkPage(o, 'GET /file/SCJG-001 (filing form)', r!.headers()['server-timing']);
  }

  /** The filed page: number and secret once, no-store, nothing secret in any URL. */
  async function readFiled(o: Opened, answer: { headers(): Record<string, string> }): Promise<{ caseId: string; secret: string; imprint: string }> {
    await o.page.waitForSelector('#case-secret');
    expect(answer.headers()['cache-control']).toBe('no-store');
    const caseId = (await o.page.textContent('#case-id'))!.trim();
    const secret = (await o.page.textContent('#case-secret'))!.trim();
    const imprint = (await o.page.textContent('.imprint'))!.trim();
    expect(caseId).toMatch(/^[A-Z0-9-]{10,40}$/);
    expect(secret.length).toBeGreaterThan(10);
    expect(imprint).toMatch(/^[0-9a-f]{64}$/);
    expect(o.urls.filter((u) => u.includes(secret) || u.includes(encodeURIComponent(secret)))).toEqual([]);
    return { caseId, secret, imprint };
  }

  it('files SCJG-001 with three PDFs and one JPEG from real file inputs, with a progress bar per file (JavaScript on)', async () => {
    const o = await open();
    await gotoForm(o);
    await fillForm(o.page, '清河茶业有限公司');
    const big = bigPdf(40_000);
    await o.page.setInputFiles('#f-material-application', file('申请书.pdf', 'application/pdf', big));
    await o.page.setInputFiles('#f-material-articles', file('章程.pdf', 'application/pdf', pdf('articles')));
    await o.page.setInputFiles('#f-material-shareholder-ids', file('股东身份证.pdf', 'application/pdf', pdf('ids')));
    await o.page.setInputFiles('#f-material-officer-appointments', file('任职文件.jpg', 'image/jpeg', makeJpeg()));
    // Watch the progress bars the script drives (it sets each <progress>'s value as bytes go out).
    await o.page.evaluate(`(() => {
      const seen = {};
      globalThis.seen = seen;
      document.querySelectorAll('progress').forEach((p) => {
        const name = p.parentElement.querySelector('input').name;
        new MutationObserver(() => { seen[name] = Math.max(seen[name] ?? 0, Number(p.value)); }).observe(p, { attributes: true });
      });
    })()`);
    const [answer] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith('/file/SCJG-001') && r.request().method() === 'POST'),
      o.page.click('form.filing button[type=submit]'),
    ]);
    expect(answer.request().resourceType()).toBe('xhr'); // sent by the script, not the plain post
    expect(answer.request().headers()['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(answer.status()).toBe(200);
    const got = await readFiled(o, answer);
    const seen = await o.page.evaluate('globalThis.seen');
    expect(seen).toEqual({ 'material.application': 100, 'material.articles': 100, 'material.shareholder-ids': 100, 'material.officer-appointments': 100 });
    await checkPage(o, 'POST /file/SCJG-001 → filed page (JS on)', answer.headers()['server-timing']);
    filed.push(got);
    // The printed receipt: number, secret and imprint, without the site's header, navigation or buttons.
    expect(await o.page.isVisible('button[data-print]')).toBe(true); // the script offers it
    await o.page.emulateMedia({ media: 'print' });
    expect(await o.page.isVisible('header.site')).toBe(false);
    expect(await o.page.isVisible('button[data-print]')).toBe(false);
    expect(await o.page.isVisible('#case-secret')).toBe(true);
    await o.page.emulateMedia({ media: 'screen' });
    // The secret is in no log line of either gateway, and not in clear in the external database.
    await new Promise((r) => setTimeout(r, 500));
    expect(pair.external.log.filter((l) => l.includes(got.secret))).toEqual([]);
    expect(pair.internal.log.filter((l) => l.includes(got.secret))).toEqual([]);
    for (const f of ['external.sqlite', 'external.sqlite-wal']) {
      const path = join(pair.dir, 'var/external', f);
      if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(got.secret)), f).toBe(false);
    }

    // The case reaches the intranet with the four files under their materials, their types as inspected.
    const until = Date.now() + 20_000;
    let rows: { m: string; t: string; name: string }[] = [];
    while (Date.now() < until) {
      const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
      try { rows = db.prepare('SELECT material_id AS m, media_type AS t, file_name AS name FROM case_attachments WHERE case_id = ? ORDER BY n').all(got.caseId) as typeof rows; } catch { rows = []; } finally { db.close(); }
      if (rows.length === 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows).toEqual([
      { m: 'application', t: 'application/pdf', name: '申请书.pdf' }, { m: 'articles', t: 'application/pdf', name: '章程.pdf' },
      { m: 'shareholder-ids', t: 'application/pdf', name: '股东身份证.pdf' }, { m: 'officer-appointments', t: 'image/jpeg', name: '任职文件.jpg' },
    ]);
    await o.page.context().close();
  }, 120_000);

  it('files with JavaScript off (a plain multipart form post) and the receipt verifies with openssl by its imprint', async () => {
    const o = await open({ javaScriptEnabled: false, acceptDownloads: true });
    await gotoForm(o);
    await fillForm(o.page, '清河茶业二厂');
    await o.page.setInputFiles('#f-material-application', file('申请书.pdf', 'application/pdf', pdf('application')));
    const [answer] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith('/file/SCJG-001') && r.request().method() === 'POST'),
      o.page.click('form.filing button[type=submit]'),
    ]);
    expect(answer.request().resourceType()).toBe('document');
    expect(answer.status()).toBe(200);
    const got = await readFiled(o, answer);
    await checkPage(o, 'POST /file/SCJG-001 → filed page (JS off)', answer.headers()['server-timing']);
    filed.push(got);

    // "View the case" posts number and secret; the page offers the receipt once the intranet stamped it.
    const until = Date.now() + 30_000;
    for (;;) {
      await o.page.goto(`${pair.apiUrl}/case`);
      await o.page.fill('#caseId', got.caseId);
      await o.page.fill('#secret', got.secret);
      await o.page.click('form.lookup button');
      await o.page.waitForLoadState('load');
      if ((await o.page.locator('text=下载回执（.tsr）').count()) > 0) break;
      if (Date.now() > until) throw new Error(`no receipt: ${await o.page.textContent('main')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(await o.page.textContent('main')).toContain(`openssl ts -verify -digest ${got.imprint}`);
    o.reset();
    const [download] = await Promise.all([o.page.waitForEvent('download'), o.page.click('text=下载回执（.tsr）')]);
    const tsr = join(dir, 'receipt.tsr');
    await download.saveAs(tsr);
    writeFileSync(join(dir, 'ca.pem'), pair.ca);
    const v = spawnSync('openssl', ['ts', '-verify', '-digest', got.imprint, '-in', tsr, '-CAfile', join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(v.stdout + v.stderr).toContain('Verification: OK');
    expect(o.urls.filter((u) => u.includes(got.secret))).toEqual([]);
    await o.page.context().close();
  }, 120_000);

  for (const js of [true, false]) {
    it(`refuses an executable renamed .pdf next to its input, naming the file and the reason, and files nothing (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const before = casesFiled();
      const o = await open({ javaScriptEnabled: js });
      await gotoForm(o);
      await fillForm(o.page, '清河茶业三厂');
      await o.page.setInputFiles('#f-material-application', file('申请书.pdf', 'application/pdf', pdf('application')));
      await o.page.setInputFiles('#f-material-articles', file('营业执照.pdf', 'application/pdf', makePe()));
      const [answer] = await Promise.all([
        o.page.waitForResponse((r) => r.url().endsWith('/file/SCJG-001') && r.request().method() === 'POST'),
        o.page.click('form.filing button[type=submit]'),
      ]);
      await o.page.waitForSelector('#f-material-articles-error');
      expect(answer.status()).toBeGreaterThanOrEqual(400);
      const msg = (await o.page.textContent('#f-material-articles-error'))!;
      expect(msg).toContain('营业执照.pdf');
      expect(msg).toMatch(/FERRY_ERR_(CONTENT|POLICY)_[A-Z_]+/);
      expect(await o.page.getAttribute('#f-material-articles', 'aria-invalid')).toBe('true');
      expect(await o.page.locator('#f-material-application-error').count()).toBe(0); // the good file is not blamed
      expect(await o.page.inputValue('#f-fields-companyName')).toBe('清河茶业有限公司'); // typed text kept
      expect((await o.page.textContent('[role=alert]'))!).toContain('营业执照.pdf');
      // The API says the same thing about the same bytes, in the same words.
      expect(casesFiled()).toBe(before);
      o.problems.splice(0, o.problems.length, ...o.problems.filter((p) => !/^4\d\d for .*\/file\/SCJG-001$/.test(p)));
      await checkPage(o, `POST /file/SCJG-001 → refusal page (JS ${js ? 'on' : 'off'})`, answer.headers()['server-timing']);
      await o.page.context().close();
    }, 60_000);
  }

  it('files one case for a double-submitted form: the same rendering posted twice at once gets one case and the same answer twice', async () => {
    const before = casesFiled();
    const o = await open({ javaScriptEnabled: false });
    await gotoForm(o);
    await fillForm(o.page, '清河茶业四厂');
    await o.page.setInputFiles('#f-material-application', file('申请书.pdf', 'application/pdf', bigPdf(10_000)));
    // The browser's post, and its twin: the very same bytes (the same hidden per-render token) sent
    // from the same address while the first is still being inspected — what a double click,
    // a resubmit after a timeout or a retrying proxy produces.
    let twin: Promise<{ status: number; text: string }> | null = null;
    await o.page.route('**/file/SCJG-001', async (route) => {
      const req = route.request();
      if (req.method() !== 'POST' || twin) return route.continue();
      const body = req.postDataBuffer()!;
      twin = httpsCall('POST', req.url(), pair.ca, body, { 'content-type': req.headers()['content-type']! })
        .then((r) => ({ status: r.status, text: r.body.toString('utf8') }));
      return route.continue();
    });
    const [answer] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith('/file/SCJG-001') && r.request().method() === 'POST'),
      o.page.click('form.filing button[type=submit]'),
    ]);
    expect(answer.status()).toBe(200);
    const got = await readFiled(o, answer);
    const other = await twin!;
    expect(other.status).toBe(200);
    // The twin's page shows the same case number and secret: the first answer, repeated.
    expect(other.text).toContain(got.caseId);
    expect(other.text).toContain(got.secret);
    expect(casesFiled()).toBe(before + 1);
    await o.page.context().close();
  }, 90_000);

  async function staffCall(token: string | null, method: string, path: string, body?: unknown) {
    const res = await intranetCall(pair, method, path, body ? JSON.stringify(body) : undefined, token ? { authorization: `Bearer ${token}` } : {});
    return { status: res.status, json: (res.json ?? null) as any };
  }
  async function caseStatus(c: { caseId: string; secret: string }, pred: (s: any) => boolean, what: string) {
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${c.caseId}`, pair.ca, undefined, { 'x-ferry-case-secret': c.secret });
      if (r.status === 200 && pred(r.json)) return r.json;
      if (Date.now() > until) throw new Error(`never saw ${what}: ${JSON.stringify(r.json)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  /** Looks the case up on /case; returns the case page answer's Server-Timing. */
  async function openCase(o: Opened, c: { caseId: string; secret: string }): Promise<string | undefined> {
    await o.page.goto(`${pair.apiUrl}/case`);
    await o.page.fill('#caseId', c.caseId);
    await o.page.fill('#secret', c.secret);
    const [r] = await Promise.all([
      o.page.waitForResponse((x) => x.url().endsWith('/case') && x.request().method() === 'POST'),
      o.page.click('form.lookup button'),
    ]);
    await o.page.waitForLoadState('load');
    expect(r.headers()['cache-control']).toBe('no-store');
    return r.headers()['server-timing'];
  }

  it('answers a one-time notice from the case page: a checklist with one upload per missing material', async () => {
    const c = filed[0]!;
    await caseStatus(c, (s) => s.status === 'received', 'the receipt');
    const login = await staffCall(null, 'POST', '/api/v1/staff/login', { name: 'aic.win', password: PASSWORD });
    expect(login.status).toBe(200);
    const notice = await staffCall(login.json.token, 'POST', `/api/v1/staff/cases/${c.caseId}/actions`, {
      type: 'notify', reason: '材料不全',
      materials: [{ id: 'name-approval', reason: '未提交企业名称预先核准通知书' }, { id: 'premises-proof', reason: '未提交住所使用证明' }],
    });
    expect(notice.status, JSON.stringify(notice.json)).toBe(200);
    await caseStatus(c, (s) => s.status === 'notice-issued', 'the notice');

    const o = await open();
    await checkPage(o, 'POST /case → case page with notice checklist', await openCase(o, c));
    expect(await o.page.locator('ul.checklist input[type=file]').count()).toBe(2);
    await o.page.setInputFiles('#f-material-name-approval', file('名称核准.pdf', 'application/pdf', pdf('name')));
    await o.page.setInputFiles('#f-material-premises-proof', file('住所证明.jpg', 'image/jpeg', makeJpeg()));
    const [answer] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/supplement`) && r.request().method() === 'POST'),
      o.page.click('section.action form[action$="/supplement"] button[type=submit]'),
    ]);
    expect(answer.status()).toBe(200);
    expect(answer.headers()['cache-control']).toBe('no-store');
    await o.page.waitForSelector('text=补正材料已提交');
    await checkPage(o, 'POST /case/:id/supplement → case page', answer.headers()['server-timing']);
    await caseStatus(c, (s) => s.status === 'supplemented', 'the supplement');
    expect(o.urls.filter((u) => u.includes(c.secret))).toEqual([]);
    await o.page.context().close();
  }, 120_000);

  it('withdraws with a confirmation, then takes one evaluation and refuses a second on the page', async () => {
    const c = filed[1]!;
    await caseStatus(c, (s) => s.status === 'received', 'the receipt');
    const o = await open();
    await checkPage(o, 'POST /case → case page with withdraw form', await openCase(o, c));
    await o.page.check('section.action input[name=confirm]');
    const [w] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/withdraw`)),
      o.page.click('section.action form[action$="/withdraw"] button[type=submit]'),
    ]);
    expect(w.status()).toBe(200);
    await o.page.waitForSelector('text=撤回申请已提交');
    await caseStatus(c, (s) => s.status === 'withdrawn', 'the withdrawal');

    // Two tabs open the ended case, each with the evaluation form.
    const second = await open();
    const timing = await openCase(o, c);
    await openCase(second, c);
    await checkPage(o, 'POST /case → case page with evaluation form', timing);
    for (const p of [o.page, second.page]) expect(await p.locator('form[action$="/evaluate"]').count()).toBe(1);

    await o.page.check('input[name=score][value="4"]');
    await o.page.fill('#evaluate-comment', '办理很快');
    const [e1] = await Promise.all([
      o.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/evaluate`)),
      o.page.click('form[action$="/evaluate"] button[type=submit]'),
    ]);
    expect(e1.status()).toBe(200);
    expect(await o.page.textContent('main')).toContain('评价已提交');
    expect(await o.page.textContent('main')).toContain('您已评价本次办理：4 分');
    expect(await o.page.locator('form[action$="/evaluate"]').count()).toBe(0);
    await checkPage(o, 'POST /case/:id/evaluate → case page', e1.headers()['server-timing']);

    await second.page.check('input[name=score][value="1"]');
    const [e2] = await Promise.all([
      second.page.waitForResponse((r) => r.url().endsWith(`/case/${c.caseId}/evaluate`)),
      second.page.click('form[action$="/evaluate"] button[type=submit]'),
    ]);
    expect(e2.status()).toBe(409);
    expect(await second.page.textContent('[role=alert]')).toContain('您已经评价过这个办件，每个办件只能评价一次，这次评价没有提交。');
    expect(await second.page.locator('form[action$="/evaluate"]').count()).toBe(0);
    // One evaluation reached the approval desk.
    const until = Date.now() + 20_000;
    let evals: { score: number }[] = [];
    while (Date.now() < until) {
      const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
      try { evals = db.prepare('SELECT score FROM evaluations WHERE case_id = ?').all(c.caseId) as { score: number }[]; } finally { db.close(); }
      if (evals.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(evals).toEqual([{ score: 4 }]);
    await o.page.context().close();
    await second.page.context().close();
  }, 120_000);

  it('shows nothing about a case to a case-action form without its secret first, whatever the form looks like', async () => {
    const c = filed[0]!;
    const B = '----ferryHostile';
    const mp = (parts: string[]) => Buffer.from(parts.map((p) => `--${B}\r\n${p}\r\n`).join('') + `--${B}--\r\n`);
    const field = (n: string, v: string) => `Content-Disposition: form-data; name="${n}"\r\n\r\n${v}`;
    const pdfPart = `Content-Disposition: form-data; name="material.name-approval"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 x`;
    const multipartType = { 'content-type': `multipart/form-data; boundary=${B}` };
    const refused = '办件编号和查询密码不匹配，或办件不存在。';
    const rows: [string, string, Buffer | string, Record<string, string>, number, string][] = [
      // Only multipart is parsed on these paths: anything else is refused before a byte is read.
      ['urlencoded, right secret', 'withdraw', `secret=${encodeURIComponent(c.secret)}&confirm=yes`, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'FERRY_ERR_API_MEDIA_TYPE'],
      ['multipart, wrong secret', 'withdraw', mp([field('secret', 'WRONG-WRONG-WRONG'), field('confirm', 'yes')]), multipartType, 404, refused],
      ['multipart, no secret', 'evaluate', mp([field('score', '5')]), multipartType, 404, refused],
      ['multipart, file before the secret', 'supplement', mp([pdfPart, field('secret', c.secret)]), multipartType, 404, refused],
      ['multipart, cut off', 'withdraw', Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="secret"\r\n\r\n${c.secret}`), multipartType, 404, refused],
    ];
    for (const [what, action, body, headers, status, says] of rows) {
      const r = await httpsCall('POST', `${pair.apiUrl}/case/${c.caseId}/${action}`, pair.ca, body, headers);
      const text = r.body.toString('utf8');
      expect(r.status, what).toBe(status);
      expect(text, what).toContain(says);
      expect(text, what).not.toContain('办理进度'); // no timeline, no status
      expect(text, what).not.toContain(c.caseId.slice(-6) + '</dd>');
    }
    // And it stays withdrawable only by the holder: the case was not touched by any of these.
    const s = await caseStatus(c, () => true, 'the status');
    expect(s.status).not.toBe('withdrawn');
  }, 60_000);
});
