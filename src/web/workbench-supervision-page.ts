// The supervisor's page (电子监察): the cards raised, newest first, and the monthly report per
// department with two charts drawn on the server as SVG (svg-chart.ts) and the same figures as a table.
import { html } from './html.js';
import { barChart } from './svg-chart.js';
import { workbenchPage, type Viewer, type WorkbenchShell } from './workbench-layout.js';
import { when } from './workbench-pages.js';
import type { DepartmentMonth } from '../approval/index.js';
import type { DeskViews } from '../desk/desk-views.js';

type CardRow = ReturnType<DeskViews['cards']>[number];

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const dec = (v: number | null) => (v === null ? '—' : (Math.round(v * 10) / 10).toString());

export function supervisionPage(s: WorkbenchShell, who: Viewer, month: string, report: readonly DepartmentMonth[], cards: readonly CardRow[]): string {
  const { t } = s;
  const onTime = barChart({
    id: 'chart-ontime', title: t('workbench.chartOnTime', { month }), max: 100, format: (v) => `${Math.round(v)}%`,
    series: [{ name: t('workbench.decisionsOnTime'), fill: '#2f7d32' }, { name: t('workbench.reviewsOnTime'), fill: '#1f5fa8' }],
    rows: report.map((d) => ({ label: d.name, values: [d.onTimeRate === null ? null : d.onTimeRate * 100, d.reviewOnTimeRate === null ? null : d.reviewOnTimeRate * 100] })),
  });
  const cardChart = barChart({
    id: 'chart-cards', title: t('workbench.chartCards', { month }), format: (v) => String(v),
    series: [{ name: t('workbench.colour.yellow'), fill: '#b7791f' }, { name: t('workbench.colour.red'), fill: '#c53030' }],
    rows: report.map((d) => ({ label: d.name, values: [d.yellowCards, d.redCards] })),
  });
  return workbenchPage(s, t('workbench.supervision'), html`<h1>${t('workbench.supervision')}</h1>
<form class="month" method="get" action="/workbench/supervision"><label for="month">${t('workbench.month')}</label> <input id="month" name="month" type="month" value="${month}" required> <button type="submit">${t('workbench.show')}</button></form>
<section aria-labelledby="report"><h2 id="report">${t('workbench.report', { month })}</h2>
${report.length === 0 ? html`<p class="none">${t('workbench.noReport')}</p>` : html`<div class="charts">${onTime}${cardChart}</div>
<table class="report"><thead><tr><th scope="col">${t('workbench.department')}</th><th scope="col" class="num">${t('workbench.decided')}</th><th scope="col" class="num">${t('workbench.decisionsOnTime')}</th><th scope="col" class="num">${t('workbench.avgDays')}</th><th scope="col" class="num">${t('workbench.reviews')}</th><th scope="col" class="num">${t('workbench.reviewsOnTime')}</th><th scope="col" class="num">${t('workbench.colour.yellow')}</th><th scope="col" class="num">${t('workbench.colour.red')}</th><th scope="col" class="num">${t('workbench.avgScore')}</th></tr></thead>
<tbody>${report.map((d) => html`<tr><th scope="row">${d.name}</th><td class="num">${d.cases}</td><td class="num">${pct(d.onTimeRate)}</td><td class="num">${dec(d.avgWorkingDays)}</td><td class="num">${d.reviews}</td><td class="num">${pct(d.reviewOnTimeRate)}</td><td class="num">${d.yellowCards}</td><td class="num">${d.redCards}</td><td class="num">${dec(d.avgScore)}</td></tr>`)}</tbody></table>`}
</section>
<section aria-labelledby="cardlist"><h2 id="cardlist">${t('workbench.cards')}</h2>
${cards.length === 0 ? html`<p class="none">${t('workbench.noCards')}</p>` : html`<table class="cards"><thead><tr><th scope="col">${t('workbench.colourNow')}</th><th scope="col">${t('workbench.caseId')}</th><th scope="col">${t('workbench.department')}</th><th scope="col">${t('workbench.time')}</th><th scope="col">${t('workbench.detail')}</th></tr></thead>
<tbody>${cards.map((k) => html`<tr class="${k.colour}"><td><span class="badge ${k.colour}">${t(k.colour === 'red' ? 'workbench.colour.red' : 'workbench.colour.yellow')}</span></td><td><a href="/workbench/cases/${encodeURIComponent(k.caseId)}">${k.caseId}</a></td><td>${k.department}${k.officer ? ` · ${k.officer}` : ''}</td><td>${when(k.at)}</td><td>${k.detail}</td></tr>`)}</tbody></table>`}
</section>`, who);
}
