// The hall's public board (八公开 on a screen): each open case's real-time status without personal
// data (the case number masked to its last six characters, no names, no fields), and per department
// the open cases, the overdue ones, the on-time rate and the red cards. Server-rendered; board.js only
// reloads it when the desk changes.
import { html } from './html.js';
import type { Translate } from './strings.js';

export interface BoardCase {
  readonly ref: string; readonly item: string; readonly department: string; readonly statusText: string;
  readonly green: boolean; readonly daysUsed: number | null; readonly limitDays: number | null; readonly overdue: boolean;
}
export interface DepartmentLine { readonly department: string; readonly open: number; readonly overdue: number; readonly onTimePercent: number; readonly redCards: number }

/** Per department (the case's lead department; red cards by the department they were given to). */
export function departmentLines(cases: readonly BoardCase[], redCardDepartments: readonly string[]): DepartmentLine[] {
  const by = new Map<string, { open: number; overdue: number; red: number }>();
  const line = (d: string) => { let l = by.get(d); if (!l) { l = { open: 0, overdue: 0, red: 0 }; by.set(d, l); } return l; };
  for (const c of cases) { const l = line(c.department); l.open++; if (c.overdue) l.overdue++; }
  for (const d of redCardDepartments) line(d).red++;
  return [...by].map(([department, l]) => ({
    department, open: l.open, overdue: l.overdue, redCards: l.red,
    onTimePercent: l.open === 0 ? 100 : Math.round(((l.open - l.overdue) / l.open) * 100),
  })).sort((a, b) => b.redCards - a.redCards || b.overdue - a.overdue || a.department.localeCompare(b.department, 'zh-CN'));
}

export interface BoardAssets { readonly stylesheet: string; readonly script: string; readonly icon: string }

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'medium' });

export function boardPage(t: Translate, a: BoardAssets, at: Date, version: string, cases: readonly BoardCase[], lines: readonly DepartmentLine[]): string {
  return `<!DOCTYPE html>\n${html`<html lang="zh-CN" data-version="${version}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('board.title')}</title>
<link rel="stylesheet" href="${a.stylesheet}">
<link rel="icon" href="${a.icon}" type="image/svg+xml">
<script src="${a.script}" defer></script>
<noscript><meta http-equiv="refresh" content="30"></noscript>
</head>
<body>
<header><h1>${t('board.title')}</h1><span class="updated">${t('board.updated', { time: TIME.format(at) })}</span></header>
<main class="layout">
<section aria-labelledby="summary"><h2 id="summary">${t('board.summary')}</h2>
<table><thead><tr><th scope="col">${t('board.department')}</th><th scope="col" class="num">${t('board.open')}</th><th scope="col" class="num">${t('board.overdue')}</th><th scope="col" class="num">${t('board.onTime')}</th><th scope="col" class="num">${t('board.redCards')}</th></tr></thead>
<tbody>${lines.map((l) => html`<tr><td>${l.department}</td><td class="num">${l.open}</td><td class="num">${l.overdue}</td><td class="num">${l.onTimePercent}%</td><td class="num${l.redCards ? ' red' : ''}">${l.redCards}</td></tr>`)}</tbody></table>
</section>
<section aria-labelledby="cases"><h2 id="cases">${t('board.cases')}</h2>
${cases.length === 0 ? html`<p class="none">${t('board.none')}</p>` : html`<table><thead><tr><th scope="col">${t('board.ref')}</th><th scope="col">${t('board.item')}</th><th scope="col">${t('board.status')}</th><th scope="col" class="num">${t('board.days')}</th></tr></thead>
<tbody>${cases.map((c) => html`<tr${c.overdue ? html` class="overdue"` : ''}><td>${c.ref}</td><td>${c.item}${c.green ? html`<span class="green">${t('board.green')}</span>` : ''}</td><td>${c.statusText}</td><td class="num">${c.daysUsed === null ? '—' : `${c.daysUsed}/${c.limitDays ?? '—'}`}</td></tr>`)}</tbody></table>`}
</section>
</main>
</body>
</html>
`.text}`;
}
