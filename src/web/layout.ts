// The frame every portal page shares: language, viewport for a 360 px phone, one style sheet, a skip
// link, the site header and footer. No inline script or style: the page's CSP forbids both.
import { html, type Html } from './html.js';
import type { Translate } from './strings.js';

/** What a page answer carries besides its body; CSP allows only this origin, never framing. */
export const PAGE_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface Shell { readonly t: Translate; readonly stylesheet: string; readonly icon: string }

/** Same-origin scripts a page loads (deferred; the page works without them); a body class and a header
 *  navigation of its own (the kiosk's, which leads nowhere but its own start). */
export interface PageExtras { readonly scripts?: readonly string[]; readonly bodyClass?: string; readonly nav?: Html; readonly home?: string }

export function page(s: Shell, title: string, body: Html, extras: PageExtras = {}): string {
  const { t } = s;
  return frame({
    title, site: t('site.title'), skip: t('site.skip'), stylesheet: s.stylesheet, icon: s.icon, scripts: extras.scripts ?? [],
    ...(extras.bodyClass ? { bodyClass: extras.bodyClass } : {}), home: extras.home ?? '/',
    header: extras.nav ?? html`<nav aria-label="${t('site.title')}"><ul><li><a href="/">${t('nav.home')}</a></li><li><a href="/items">${t('nav.items')}</a></li><li><a href="/case">${t('nav.case')}</a></li></ul></nav>`,
    body, footer: html`<footer class="site"><p>${t('site.footer')}</p></footer>\n`,
  });
}

/** The document every page of both gateways is drawn in (the portal's and the workbench's differ only
 *  in what goes into it): language, viewport, style sheet, deferred same-origin scripts, skip link. */
export interface Frame {
  readonly title: string; readonly site: string; readonly skip: string; readonly stylesheet: string; readonly icon: string;
  readonly scripts: readonly string[]; readonly bodyClass?: string; readonly home: string;
  readonly header: Html | ''; readonly body: Html; readonly footer?: Html;
}

export function frame(f: Frame): string {
  return `<!DOCTYPE html>\n${html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${f.title} - ${f.site}</title>
<link rel="stylesheet" href="${f.stylesheet}">
<link rel="icon" href="${f.icon}" type="image/svg+xml">
${f.scripts.map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body${f.bodyClass ? html` class="${f.bodyClass}"` : ''}>
<a class="skip" href="#main">${f.skip}</a>
<header class="site"><div class="bar">
<a class="brand" href="${f.home}">${f.site}</a>
${f.header}
</div></header>
<main id="main">
${f.body}
</main>
${f.footer ?? ''}</body>
</html>
`.text}`;
}
