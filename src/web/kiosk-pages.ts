// The catalogue on the hall's touch kiosks (/kiosk): the same published catalogue, browsed by touch
// alone — department and category tiles, item lists, each item's guide — with targets of at least
// 48 px (WCAG 2.5.5), no text input of any kind (a shared screen takes no personal data, and no search
// box invites it), no way out to filing or case pages, and web/assets/kiosk.js taking the screen back
// to its start after a spell of no touch, so the next person never sees what the last one looked at.
import type { PublishedItem } from '../published/item.js';
import { html, query, type Html } from './html.js';
import { page, type Shell } from './layout.js';
import { departments, type ItemPage, type ItemQuery } from './catalogue-search.js';
import { CATEGORY_ORDER, categoryKey, itemGuide } from './portal-pages.js';

/** Seconds without a touch before the kiosk returns to its start: long enough to read a guide's
 *  section, short enough that a person who walked away leaves nothing behind for long. */
export const KIOSK_IDLE_SECONDS = 90;

function kioskPage(s: Shell, title: string, body: Html, script: string): string {
  const nav = html`<nav aria-label="${s.t('kiosk.title')}"><ul><li><a class="home" href="/kiosk">${s.t('kiosk.home')}</a></li></ul></nav>`;
  return page(s, title, html`${body}<p class="idle-note" data-idle="${KIOSK_IDLE_SECONDS}">${s.t('kiosk.idle', { seconds: KIOSK_IDLE_SECONDS })}</p>`, {
    scripts: [script], bodyClass: 'kiosk', nav, home: '/kiosk',
  });
}

export function kioskHome(s: Shell, items: readonly PublishedItem[], script: string): string {
  const { t } = s;
  const cats = CATEGORY_ORDER.map((c) => ({ c, n: items.filter((i) => i.category === c).length })).filter((x) => x.n > 0);
  return kioskPage(s, t('kiosk.title'), html`<h1>${t('kiosk.title')}</h1>
<p class="lead">${t('kiosk.lead')}</p>
<h2>${t('browse.byDepartment')}</h2>
<ul class="tiles">${departments(items).map((d) => html`<li><a href="/kiosk/items${query({ dept: d.name })}">${d.name}<span class="count">${t('browse.itemCount', { n: d.count })}</span></a></li>`)}</ul>
<h2>${t('browse.byCategory')}</h2>
<ul class="tiles">${cats.map((x) => html`<li><a href="/kiosk/items${query({ cat: x.c })}">${t(categoryKey(x.c))}<span class="count">${t('browse.itemCount', { n: x.n })}</span></a></li>`)}</ul>`, script);
}

export function kioskList(s: Shell, q: ItemQuery, r: ItemPage, script: string): string {
  const { t } = s;
  const link = (p: number) => `/kiosk/items${query({ dept: q.department, cat: q.category, page: p })}`;
  return kioskPage(s, t('items.heading'), html`<h1>${q.department || (q.category ? t(categoryKey(q.category)) : t('items.heading'))}</h1>
<p>${t('items.count', { n: r.total })}</p>
<ul class="tiles wide">${r.items.map((i) => html`<li><a href="/kiosk/items/${encodeURIComponent(i.code)}">${i.name}<span class="count">${i.code}</span></a></li>`)}</ul>
${r.pages > 1 ? html`<nav class="pages" aria-label="${t('items.page', { page: r.page, pages: r.pages })}">
${r.page > 1 ? html`<a class="button" rel="prev" href="${link(r.page - 1)}">${t('items.prev')}</a>` : ''}<span>${t('items.page', { page: r.page, pages: r.pages })}</span>
${r.page < r.pages ? html`<a class="button" rel="next" href="${link(r.page + 1)}">${t('items.next')}</a>` : ''}</nav>` : ''}`, script);
}

export function kioskItem(s: Shell, i: PublishedItem, script: string): string {
  return kioskPage(s, i.name, html`${itemGuide(s, i, { filing: false })}<p class="notice">${s.t('kiosk.toFile')}</p>`, script);
}
