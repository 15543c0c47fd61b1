// The frame every workbench page shares: Chinese first, the staff member and a logout form (a POST
// with its CSRF token: a logout link could be fired from another site), one style sheet, one small
// script. No inline script or style: the page's CSP forbids both.
import { html, type Html } from './html.js';
import { frame } from './layout.js';
import type { Translate } from './strings.js';
import type { StaffIdentity } from '../desk/roles.js';

export interface WorkbenchShell { readonly t: Translate; readonly stylesheet: string; readonly script: string; readonly icon: string }
/** Who is logged in and the token their forms carry. */
export interface Viewer { readonly staff: StaffIdentity; readonly csrf: string }

export const csrfField = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}">`;

export function workbenchPage(s: WorkbenchShell, title: string, body: Html, who?: Viewer): string {
  const { t } = s;
  return frame({
    title, site: t('workbench.title'), skip: t('workbench.skip'), stylesheet: s.stylesheet, icon: s.icon, scripts: [s.script], home: '/workbench',
    header: who ? html`<nav aria-label="${t('workbench.nav')}"><ul>
<li><a href="/workbench">${t('workbench.queue')}</a></li>
${who.staff.roles.includes('supervisor') ? html`<li><a href="/workbench/supervision">${t('workbench.supervision')}</a></li>` : ''}
</ul></nav>
<div class="who"><span>${t('workbench.signedInAs', { name: who.staff.name, department: who.staff.department })}</span>
<form method="post" action="/workbench/logout">${csrfField(who.csrf)}<button type="submit" class="link">${t('workbench.logout')}</button></form></div>` : '',
    body,
  });
}

/** A page that says what went wrong; `code` is the stable error code, shown for the help desk. */
export function workbenchMessage(s: WorkbenchShell, title: string, message: string, code?: string, who?: Viewer): string {
  return workbenchPage(s, title, html`<h1>${title}</h1><p class="alert" role="alert">${message}</p>${code ? html`<p class="code">${s.t('workbench.errorCode', { code })}</p>` : ''}<p><a href="/workbench">${s.t('workbench.back')}</a></p>`, who);
}
