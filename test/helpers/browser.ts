// Real Chromium (Debian's package) driven by playwright-core, for the pages. The browser trusts the
// gateway's own TLS certificate by its public key (--ignore-certificate-errors-spki-list pins that one
// key, nothing else), and every page is watched for what a page must never do: a console error, a CSP
// violation, a request to another origin.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is installed; in CI a missing browser is a failure, not a skip (tools.ts). */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return false;
}

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what Chromium's SPKI pin list takes. */
export function spkiPin(certPemFile: string): string {
  const spki = new X509Certificate(readFileSync(certPemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export async function launch(pins: readonly string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // The flags ../shared/TOOLCHAIN.md gives: without the background-networking ones Chromium keeps
    // calling Google's hosts on a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${pins.join(',')}`],
  });
}

/** How wide the page's content is (wider than the viewport means sideways scrolling). */
export const scrollWidth = (page: Page): Promise<number> => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;

export interface Watched { page: Page; problems: string[] }

/** A page whose console errors, CSP violations and requests to other origins are all recorded. */
export async function watchedPage(browser: Browser, origin: string, opts: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  const problems: string[] = [];
  // A page answered 4xx on purpose (a 404 page) logs "Failed to load resource" for itself: failed
  // loads are judged from the responses instead, where the document can be told from what it loads.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} for ${r.url()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request to another origin: ${r.url()}`); });
  // A CSP violation is also a console error in Chromium; the event names the directive.
  await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
  return { page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations of impact serious or critical on the page as it stands. */
export async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, n: v.nodes.length }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.n} nodes)`);
}
