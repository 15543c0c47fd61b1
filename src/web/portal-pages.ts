// The applicant portal's catalogue pages: home (search, departments, categories), the item list, and
// each item's guide with what the public-disclosure rules ask (basis, conditions, materials with the
// tolerable ones marked, procedure, statutory and promised limits, fee and basis, result, mode).
import type { PublishedItem } from '../published/item.js';
import { html, query, type Html } from './html.js';
import { page, type Shell } from './layout.js';
import { departments, type ItemPage, type ItemQuery } from './catalogue-search.js';
import type { StringKey } from './strings.js';

export const categoryKey = (c: string) => `category.${c}` as StringKey;

function searchForm(s: Shell, q = ''): Html {
  return html`<form class="search" method="get" action="/items" role="search">
<label for="q">${s.t('search.label')}</label>
<input type="search" id="q" name="q" value="${q}" maxlength="64" placeholder="${s.t('search.placeholder')}">
<button type="submit">${s.t('search.button')}</button>
</form>`;
}

/** The order categories are offered in. */
export const CATEGORY_ORDER = ['administrative-permit', 'filing', 'public-service'] as const;

export function homePage(s: Shell, items: readonly PublishedItem[]): string {
  const { t } = s;
  const cats = CATEGORY_ORDER.map((c) => ({ c, n: items.filter((i) => i.category === c).length })).filter((x) => x.n > 0);
  return page(s, t('home.heading'), html`<h1>${t('home.heading')}</h1>
<p class="lead">${t('home.lead')}</p>
${searchForm(s)}
<h2>${t('browse.byDepartment')}</h2>
<ul class="tiles">${departments(items).map((d) => html`<li><a href="/items${query({ dept: d.name })}">${d.name}<span class="count">${t('browse.itemCount', { n: d.count })}</span></a></li>`)}</ul>
<h2>${t('browse.byCategory')}</h2>
<ul class="tiles">${cats.map((x) => html`<li><a href="/items${query({ cat: x.c })}">${t(categoryKey(x.c))}<span class="count">${t('browse.itemCount', { n: x.n })}</span></a></li>`)}</ul>`);
}

function pager(s: Shell, q: ItemQuery, r: ItemPage): Html {
  if (r.pages <= 1) return html``;
  const link = (p: number) => `/items${query({ q: q.q, dept: q.department, cat: q.category, page: p })}`;
  return html`<nav class="pages" aria-label="${s.t('items.page', { page: r.page, pages: r.pages })}">
${r.page > 1 ? html`<a rel="prev" href="${link(r.page - 1)}">${s.t('items.prev')}</a>` : ''}
<span>${s.t('items.page', { page: r.page, pages: r.pages })}</span>
${r.page < r.pages ? html`<a rel="next" href="${link(r.page + 1)}">${s.t('items.next')}</a>` : ''}
</nav>`;
}

export function listPage(s: Shell, q: ItemQuery, r: ItemPage): string {
  const { t } = s;
  const filters = [
    q.q ? t('items.filterQuery', { q: q.q }) : '',
    q.department ? t('items.filterDepartment', { name: q.department }) : '',
    q.category ? t('items.filterCategory', { name: t(categoryKey(q.category)) }) : '',
  ].filter(Boolean);
  return page(s, t('items.heading'), html`<h1>${t('items.heading')}</h1>
${searchForm(s, q.q)}
<div class="filters"><strong>${t('items.count', { n: r.total })}</strong>${filters.map((f) => html`<span>${f}</span>`)}${filters.length ? html`<a href="/items">${t('items.clear')}</a>` : ''}</div>
${r.total === 0 ? html`<p class="notice">${t('items.none')}</p>` : html`<ul class="results">${r.items.map((i) => html`<li>
<a href="/items/${encodeURIComponent(i.code)}">${i.name}</a>
<div class="meta">${i.code} · ${i.leadDepartment} · ${t(categoryKey(i.category))} · ${t('item.promised', { days: i.promisedDays })}</div>
</li>`)}</ul>`}
${pager(s, q, r)}`);
}

function limits(s: Shell, i: PublishedItem): Html {
  const { t } = s;
  return html`<ul>
<li>${i.statutoryDays === undefined ? t('item.statutoryNone') : t('item.statutory', { days: i.statutoryDays })}</li>
<li>${i.promisedDays === 0 ? t('item.sameDay') : t('item.promised', { days: i.promisedDays })}</li>
${i.greenChannelDays !== undefined ? html`<li>${t('item.green', { days: i.greenChannelDays })}</li>` : ''}
</ul>`;
}

const list = (xs: readonly string[]) => html`<ul>${xs.map((x) => html`<li>${x}</li>`)}</ul>`;

/** An item's guide (what the public-disclosure rules ask), with the way to file it online when the
 *  page offers one (the kiosk does not: no personal data is typed into a shared screen). */
export function itemGuide(s: Shell, i: PublishedItem, o: { filing: boolean }): Html {
  const { t } = s;
  const materials = html`<ol>${i.materials.map((m) => html`<li>${m.name}${m.tolerable
    ? html`<span class="tolerable">${m.commitWithinDays !== undefined ? t('item.tolerable', { days: m.commitWithinDays }) : t('item.tolerableNoLimit')}</span>` : ''}${m.note ? html`<div class="meta">${m.note}</div>` : ''}</li>`)}</ol>`;
  return html`<h1>${i.name}</h1>
<dl class="facts">
<dt>${t('item.code')}</dt><dd>${i.code}</dd>
<dt>${t('item.category')}</dt><dd>${t(categoryKey(i.category))}</dd>
<dt>${t('item.department')}</dt><dd>${i.leadDepartment}</dd>
${i.parallelDepartments.length ? html`<dt>${t('item.parallel')}</dt><dd>${i.parallelDepartments.join('、')}</dd>` : ''}
<dt>${t('item.mode')}</dt><dd>${i.modeText}</dd>
</dl>
${o.filing ? html`<p><a class="button" href="/file/${encodeURIComponent(i.code)}">${t('filing.start')}</a></p>` : ''}
<h2>${t('item.basis')}</h2>${list(i.legalBasis)}
<h2>${t('item.conditions')}</h2>${list(i.conditions)}
<h2>${t('item.materials')}</h2>${materials}
<h2>${t('item.procedure')}</h2><ol>${i.procedure.map((p) => html`<li>${p}</li>`)}</ol>
<h2>${t('item.limits')}</h2>${limits(s, i)}
<h2>${t('item.fee')}</h2><p>${i.fee.text}</p>${i.fee.free ? '' : html`<p>${t('item.feeBasis', { basis: i.fee.legalBasis })}</p>`}
<h2>${t('item.result')}</h2><p>${i.result}</p>`;
}

export function itemPage(s: Shell, i: PublishedItem): string {
  return page(s, i.name, itemGuide(s, i, { filing: true }));
}

/** A page that says what went wrong in the applicant's words (404 item, bad query, no catalogue). */
export function messagePage(s: Shell, title: string, body: string): string {
  return page(s, title, html`<h1>${title}</h1><p class="notice">${body}</p><p><a href="/">${s.t('nav.home')}</a></p>`);
}
