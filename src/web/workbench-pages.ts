// The workbench's login page and its queue page: one section per role the staff member holds, each a
// table of cases in the core's queue order (green channel first, earliest deadline first).
import { html, type Html } from './html.js';
import { csrfField, workbenchPage, type Viewer, type WorkbenchShell } from './workbench-layout.js';
import type { QueueRow } from '../desk/desk-views.js';
import { STATUS_TEXT } from '../desk/desk-views.js';
import type { Colour, RoleWork, TaskRow } from '../desk/staff-queues.js';
import type { StringKey } from './strings.js';

export function loginPage(s: WorkbenchShell, csrf: string, name = '', message?: string): string {
  const { t } = s;
  return workbenchPage(s, t('workbench.login'), html`<h1>${t('workbench.login')}</h1>
<form class="login" method="post" action="/workbench/login">
${message ? html`<p class="alert" role="alert">${message}</p>` : ''}
${csrfField(csrf)}
<p><label for="name">${t('workbench.name')}</label><br><input id="name" name="name" value="${name}" required maxlength="64" autocomplete="username" spellcheck="false"></p>
<p><label for="password">${t('workbench.password')}</label><br><input id="password" name="password" type="password" required maxlength="256" autocomplete="current-password"></p>
<p><button type="submit">${t('workbench.loginButton')}</button></p>
</form>`);
}

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });
export const when = (iso: string | undefined | null): string => (iso ? TIME.format(new Date(iso)) : '—');
export const yuan = (fen: number): string => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')} 元`;
const caseLink = (id: string) => html`<a href="/workbench/cases/${encodeURIComponent(id)}">${id}</a>`;
export const colourBadge = (t: WorkbenchShell['t'], c: Colour): Html => html`<span class="badge ${c}">${t(`workbench.colour.${c}` as StringKey)}</span>`;

function queueTable(s: WorkbenchShell, id: string, heading: string, rows: readonly QueueRow[], extra?: { head: string; cell: (r: QueueRow) => Html | string }): Html {
  const { t } = s;
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${heading} <span class="count">${t('workbench.count', { n: rows.length })}</span></h2>
${rows.length === 0 ? html`<p class="none">${t('workbench.empty')}</p>` : html`<table class="${id}"><thead><tr><th scope="col">${t('workbench.caseId')}</th><th scope="col">${t('workbench.item')}</th><th scope="col">${t('workbench.status')}</th><th scope="col">${t('workbench.due')}</th>${extra ? html`<th scope="col">${extra.head}</th>` : ''}</tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${caseLink(r.caseId)}${r.green ? html` <span class="badge greenchannel">${t('workbench.green')}</span>` : ''}</td><td>${r.itemName}</td><td>${STATUS_TEXT[r.status]}</td><td>${when(r.dueAt)}</td>${extra ? html`<td>${extra.cell(r)}</td>` : ''}</tr>`)}</tbody></table>`}
</section>`;
}

function taskTable(s: WorkbenchShell, rows: readonly TaskRow[]): Html {
  const { t } = s;
  return html`<section aria-labelledby="tasks"><h2 id="tasks">${t('workbench.tasks')} <span class="count">${t('workbench.count', { n: rows.length })}</span></h2>
${rows.length === 0 ? html`<p class="none">${t('workbench.empty')}</p>` : html`<table class="tasks"><thead><tr><th scope="col">${t('workbench.caseId')}</th><th scope="col">${t('workbench.item')}</th><th scope="col">${t('workbench.ab')}</th><th scope="col" class="num">${t('workbench.daysLeft')}</th><th scope="col">${t('workbench.dueDate')}</th><th scope="col">${t('workbench.colourNow')}</th><th scope="col">${t('workbench.heading')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${caseLink(r.caseId)}</td><td>${r.itemName}</td><td>${r.mine === 'a' ? t('workbench.roleA') : r.mine === 'b' ? t('workbench.roleB', { a: r.a }) : t('workbench.roleNone', { a: r.a, b: r.b })}</td><td class="num">${t('workbench.daysOf', { left: r.daysLeft, limit: r.limitDays })}</td><td>${r.dueDate}</td><td>${colourBadge(t, r.colour)}</td><td>${colourBadge(t, r.heading)}</td></tr>`)}</tbody></table>`}
</section>`;
}

export function queuePage(s: WorkbenchShell, who: Viewer, work: RoleWork, notice?: string): string {
  const { t } = s;
  const parts: Html[] = [];
  if (work.toAccept) parts.push(queueTable(s, 'to-accept', t('workbench.toAccept'), work.toAccept));
  if (work.toFinish) parts.push(queueTable(s, 'to-finish', t('workbench.toFinish'), work.toFinish));
  if (work.tasks) parts.push(taskTable(s, work.tasks));
  if (work.toDecide) parts.push(queueTable(s, 'to-decide', t('workbench.toDecide'), work.toDecide));
  if (work.fees) {
    const fees = work.fees;
    parts.push(queueTable(s, 'fees', t('workbench.fees'), fees, { head: t('workbench.amount'), cell: (r) => yuan(fees.find((f) => f.caseId === r.caseId)!.amountFen) }));
  }
  if (who.staff.roles.includes('supervisor')) parts.push(html`<p><a href="/workbench/supervision">${t('workbench.supervisionLink')}</a></p>`);
  return workbenchPage(s, t('workbench.queue'), html`<h1>${t('workbench.queue')}</h1>${notice ? html`<p class="done" role="status">${notice}</p>` : ''}${parts}`, who);
}
