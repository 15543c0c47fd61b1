// The applicant's case page in real Chromium against both real gateway processes: a case filed over
// the API is looked up with its number and secret in a POSTed form, shows its status from the status
// cache, and its RFC 3161 receipt downloads from the page and verifies with `openssl ts -verify`.
// A wrong secret and a malformed number get the same refusal; the secret never appears in a URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startPair, type Pair } from '../helpers/gateways.js';
import { axeSerious, hasChromium, launch, spkiPin, watchedPage } from '../helpers/browser.js';
import { send } from '../hostile/https-raw.js';
import { submission } from '../hostile/submissions.js';

describe.skipIf(!hasChromium())('applicant portal: the case page in Chromium', () => {
  let pair: Pair;
  let browser: Browser;
  let dir: string;
  let filed: { caseId: string; secret: string; body: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-case-page-'));
    pair = await startPair({ logLevel: 'warn' });
    await pair.waitLinkUp();
    browser = await launch([spkiPin(join(pair.dir, 'certs', 'external-tls.crt'))]);
    const body = submission();
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await send(pair.apiUrl, pair.ca, { body });
      if (r.status === 202) { filed = { caseId: r.json.caseId, secret: r.json.secret, body }; break; }
      if (Date.now() > until) throw new Error(`submission still answers ${r.status}`);
      await new Promise((res) => setTimeout(res, 300)); // the catalogue has not arrived yet
    }
  }, 90_000);
  afterAll(async () => { await browser?.close(); await pair?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('looks a case up by number and secret, shows its status, and downloads a receipt openssl verifies', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl, { acceptDownloads: true });
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    // Wait until the intranet has stamped the case (its receipt is then in the status cache).
    const until = Date.now() + 30_000;
    for (;;) {
      await page.goto(`${pair.apiUrl}/case`);
      await page.fill('#caseId', filed.caseId);
      await page.fill('#secret', filed.secret);
      await page.click('form.lookup button');
      await page.waitForLoadState('load');
      if ((await page.locator('text=下载回执（.tsr）').count()) > 0) break;
      if (Date.now() > until) throw new Error(`no receipt on the case page: ${await page.textContent('main')}`);
      await new Promise((res) => setTimeout(res, 300));
    }
    const main = await page.textContent('main');
    expect(main).toContain(filed.caseId);
    expect(main).toContain('审批系统已接收');
    expect(problems).toEqual([]);
    expect(await axeSerious(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载回执（.tsr）')]);
    expect(download.suggestedFilename()).toBe(`${filed.caseId}.tsr`);
    const tsr = join(dir, 'receipt.tsr');
    await download.saveAs(tsr);
    writeFileSync(join(dir, 'case.json'), filed.body);
    writeFileSync(join(dir, 'ca.pem'), pair.ca);
    const v = spawnSync('openssl', ['ts', '-verify', '-data', join(dir, 'case.json'), '-in', tsr, '-CAfile', join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(v.stdout + v.stderr).toContain('Verification: OK');
    // The secret travelled in form bodies only.
    expect(urls.filter((u) => u.includes(filed.secret))).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('gives a wrong secret and a malformed case number the same refusal, on the page', async () => {
    const { page, problems } = await watchedPage(browser, pair.apiUrl);
    const answers: string[] = [];
    for (const [caseId, secret] of [[filed.caseId, 'WRONG-SECRET-WRONG-SECRET'], ['NOT-A-CASE', filed.secret]] as const) {
      await page.goto(`${pair.apiUrl}/case`);
      await page.fill('#caseId', caseId);
      await page.fill('#secret', secret);
      const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/case') && r.request().method() === 'POST'), page.click('form.lookup button')]);
      expect(resp.status()).toBe(404);
      answers.push((await page.textContent('[role=alert]'))!);
    }
    expect(answers[0]).toBe('办件编号和查询密码不匹配，或办件不存在。');
    expect(answers[1]).toBe(answers[0]);
    expect(await page.locator('text=审批系统已接收').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
