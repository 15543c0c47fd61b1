// The catalogue on the hall's touch kiosks, in real Chromium with a touch screen, against the real
// gateways (the catalogue as the intranet published it): browsed by tapping alone, every target at
// least 48 px, no text input anywhere, no link out of the kiosk, and back to the start after the idle
// time (the browser's clock fast-forwarded, so the test does not sleep through it). Each page: no
// console error, no CSP violation, no other-origin request, no serious/critical axe finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { axeSerious, hasChromium, launch, spkiPin, watchedPage } from '../helpers/browser.js';
import { KIOSK_IDLE_SECONDS } from '../../src/web/kiosk-pages.js';

const MIN_TARGET_PX = 48;

describe.skipIf(!hasChromium())('applicant portal: the kiosk catalogue in Chromium', () => {
  let pair: Pair;
  let browser: Browser;
  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn' });
    await pair.waitLinkUp();
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'external-tls.crt'))]);
    const until = Date.now() + 30_000;
    while ((await httpsCall('GET', `${pair.apiUrl}/kiosk`, pair.ca)).status !== 200) {
      if (Date.now() > until) throw new Error('the kiosk never appeared (no catalogue?)');
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 90_000);
  afterAll(async () => { await browser?.close(); await pair?.stop(); });
  const weights = new Map<Page, number>();
  const weigh = (page: Page) => page.on('response', (r) => { void r.body().then((b) => { weights.set(page, (weights.get(page) ?? 0) + b.length); }, () => {}); });

  /** What a kiosk page must hold: no input of any kind, big targets, links that stay in the kiosk. */
  async function checkKiosk(page: Page, problems: string[], name: string): Promise<void> {
    await page.waitForLoadState('load');
    await new Promise((r) => setTimeout(r, 100)); // the last bodies counted
    const bytes = weights.get(page) ?? 0;
    weights.set(page, 0);
    // eslint-disable-next-line no-console
    console.log(`page weight ${name}: ${bytes} bytes`);
    expect(bytes, name).toBeLessThan(150 * 1024);
    expect(problems, name).toEqual([]);
    expect(await axeSerious(page), name).toEqual([]);
    expect(await page.locator('input, textarea, select, [contenteditable]').count(), `${name}: a text input on a kiosk`).toBe(0);
    const small = await page.evaluate(`[...document.querySelectorAll('a, button')]
      .filter((e) => !e.classList.contains('skip'))
      .map((e) => { const r = e.getBoundingClientRect(); return { t: e.textContent.trim().slice(0, 20), w: r.width, h: r.height }; })
      .filter((r) => r.w < ${MIN_TARGET_PX} || r.h < ${MIN_TARGET_PX})`) as unknown[];
    expect(small, `${name}: touch targets under ${MIN_TARGET_PX} px`).toEqual([]);
    const hrefs = await page.evaluate(`[...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))`) as string[];
    expect(hrefs.filter((h) => !h.startsWith('/kiosk') && h !== '#main'), `${name}: a link out of the kiosk`).toEqual([]);
  }

  it('is browsed by tapping alone: start → department → item guide, with big targets and no input', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl, { viewport: { width: 1080, height: 1920 }, hasTouch: true });
    weigh(page);
    const start = await page.goto(`${pair.apiUrl}/kiosk`);
    expect(start!.status()).toBe(200);
    await checkKiosk(page, problems, '/kiosk');
    await page.getByRole('link', { name: /县工商行政管理局/ }).first().tap();
    await page.waitForURL(/\/kiosk\/items\?dept=/);
    await checkKiosk(page, problems, '/kiosk/items');
    await page.getByRole('link', { name: /企业设立登记/ }).first().tap();
    await page.waitForURL(/\/kiosk\/items\/SCJG-001$/);
    await checkKiosk(page, problems, '/kiosk/items/SCJG-001');
    const main = (await page.textContent('main'))!;
    for (const section of ['设定依据', '受理条件', '申请材料', '办理流程', '办理时限', '收费标准', '办理结果', '容缺受理']) expect(main).toContain(section);
    expect(await page.locator('a[href^="/file/"]').count()).toBe(0); // no filing on a shared screen
    // A query string with free text is refused: the kiosk has no search.
    const q = await page.goto(`${pair.apiUrl}/kiosk/items?q=${encodeURIComponent('王清河')}`);
    expect(q!.status()).toBe(400);
    await page.context().close();
  }, 60_000);

  it(`goes back to its start after ${KIOSK_IDLE_SECONDS} s without a touch, and not before`, async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl, { viewport: { width: 1080, height: 1920 }, hasTouch: true });
    await page.clock.install();
    await page.goto(`${pair.apiUrl}/kiosk/items/SCJG-001`);
    await page.waitForLoadState('load');
    await page.clock.fastForward((KIOSK_IDLE_SECONDS - 10) * 1000);
    await page.touchscreen.tap(500, 900); // a touch re-arms the timer
    await page.clock.fastForward((KIOSK_IDLE_SECONDS - 10) * 1000);
    expect(new URL(page.url()).pathname).toBe('/kiosk/items/SCJG-001');
    await Promise.all([page.waitForURL(`${pair.apiUrl}/kiosk`), page.clock.fastForward(20_000)]);
    expect(await page.textContent('h1')).toBe('办事指南自助查询');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
