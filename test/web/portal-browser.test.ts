// The applicant portal's catalogue pages in real Chromium against the real external gateway process
// (real TLS, the catalogue as the real internal gateway published it over the link). Every page:
// no console error, no CSP violation, no request to another origin, no serious or critical axe-core
// finding, readable at 360 px without sideways scrolling, under 150 KB in all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startPair, type Pair } from '../helpers/gateways.js';
import { axeSerious, hasChromium, launch, scrollWidth, spkiPin, watchedPage } from '../helpers/browser.js';

const PAGE_BUDGET_BYTES = 150 * 1024;

describe.skipIf(!hasChromium())('applicant portal: catalogue pages in Chromium', () => {
  let pair: Pair;
  let browser: Browser;
  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn' });
    await pair.waitLinkUp();
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'external-tls.crt'))]);
    // The catalogue reaches the external gateway as a packet after the link comes up.
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await fetchStatus(`${pair.apiUrl}/`);
      if (r === 200) break;
      if (Date.now() > until) throw new Error(`portal home still answers ${r}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 90_000);
  afterAll(async () => { await browser?.close(); await pair?.stop(); });

  async function fetchStatus(url: string): Promise<number> {
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      request(url, { ca: pair.ca }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
  }

  /** Bytes the page loaded (documents, style sheets, anything else), from the responses' bodies. */
  function weigh(page: Page): () => number {
    let total = 0;
    page.on('response', (r) => { void r.body().then((b) => { total += b.length; }, () => {}); });
    return () => total;
  }

  async function checkPage(page: Page, problems: string[]): Promise<void> {
    expect(problems).toEqual([]);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await axeSerious(page)).toEqual([]);
  }

  it('home → department → item guide, by links, with every public-disclosure section', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl, { viewport: { width: 360, height: 740 } });
    const weight = weigh(page);
    const home = await page.goto(`${pair.apiUrl}/`);
    expect(home!.status()).toBe(200);
    expect(home!.headers()['content-security-policy']).toContain("default-src 'self'");
    await checkPage(page, problems);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);

    await page.getByRole('link', { name: /县发展和改革局/ }).first().click();
    await page.waitForURL(/\/items\?dept=/);
    await checkPage(page, problems);
    await page.getByRole('link', { name: '企业投资项目备案' }).click();
    await page.waitForURL(/\/items\/FGW-002$/);
    await checkPage(page, problems);
    const text = await page.textContent('main');
    for (const section of ['设定依据', '受理条件', '申请材料', '办理流程', '办理时限', '收费标准', '办理结果', '办理方式']) expect(text).toContain(section);
    // The tolerable material is marked with its commitment limit (容缺受理).
    expect(await page.locator('.tolerable').first().textContent()).toContain('20 个工作日内补交');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    await page.waitForLoadState('networkidle');
    expect(weight()).toBeLessThan(PAGE_BUDGET_BYTES * 3);
    await page.context().close();
  }, 60_000);

  it('searches with JavaScript off: a plain GET form, results, and no result', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl, { javaScriptEnabled: false });
    await page.goto(`${pair.apiUrl}/`);
    await page.fill('#q', '三证合一');
    await page.click('form.search button');
    await page.waitForURL(/\/items\?q=/);
    expect(await page.locator('ul.results li').count()).toBe(1);
    expect(await page.locator('ul.results a').textContent()).toContain('企业设立登记');
    await page.fill('#q', '没有这种事项');
    await page.click('form.search button');
    await page.waitForURL(/\/items\?q=/);
    expect(await page.locator('ul.results li').count()).toBe(0);
    expect(await page.textContent('main')).toContain('没有找到符合条件的事项');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('shows markup in a URL as text, and answers a bad query and an unknown item with a page', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl);
    const r = await page.goto(`${pair.apiUrl}/items/${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(r!.status()).toBe(404);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.textContent('main')).toContain('<img src=x onerror=alert(1)>');
    const bad = await page.goto(`${pair.apiUrl}/items?q=${'x'.repeat(65)}`);
    expect(bad!.status()).toBe(400);
    expect(await page.textContent('h1')).toBe('搜索条件无法处理');
    await checkPage(page, problems);
    await page.context().close();
  }, 60_000);

  it('keeps each page within the 150 KB budget', async () => {
    for (const path of ['/', '/items', '/items/SCJG-001']) {
      const { page } = await watchedPage(browser, pair.apiUrl);
      const weight = weigh(page);
      await page.goto(`${pair.apiUrl}${path}`);
      await page.waitForLoadState('networkidle');
      const bytes = weight();
      console.log(`page weight ${path}: ${bytes} bytes`);
      expect(bytes).toBeGreaterThan(1000);
      expect(bytes, path).toBeLessThan(PAGE_BUDGET_BYTES);
      await page.context().close();
    }
  }, 60_000);
});
