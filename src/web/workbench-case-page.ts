// One case for staff: applicant data, form fields, materials (downloads, never shown inline), history,
// deadlines, supervision cards, and a form for every step the transition table lets this staff
// member's roles take now. Each form posts to /workbench/cases/:id/act with the case version it was
// rendered from and the session's CSRF token; workbench-forms.ts turns it into the desk command.
import { html, type Html } from './html.js';
import { csrfField, workbenchPage, type Viewer, type WorkbenchShell } from './workbench-layout.js';
import { when, yuan } from './workbench-pages.js';
import { STATUS_TEXT, type CaseView } from '../desk/desk-views.js';
import { coreRoles } from '../desk/roles.js';
import { feeFen, involvedDepartments, type CaseState } from '../approval/index.js';
import type { StringKey } from './strings.js';

/** Staff who can be named A or B for a department's task. */
export interface Officer { readonly id: string; readonly name: string; readonly department: string }

export interface CasePageInput {
  readonly view: CaseView;
  readonly officers: readonly Officer[];
  /** Attachment numbers whose bytes the intranet holds (downloadable). */
  readonly downloadable: ReadonlySet<number>;
  readonly message?: { readonly kind: 'done' | 'alert'; readonly text: string };
}

/** Steps the workbench has a form for, in the order the forms appear. */
export const FORM_EVENTS = ['accept', 'notify', 'refuse', 'resume-review', 'give-opinion', 'decide', 'record-payment', 'issue-result', 'close'] as const;
export type FormEvent = (typeof FORM_EVENTS)[number];

const outstanding = (c: CaseState) => c.item.materials.filter((m) => !c.materials.includes(m.id));

function actionForm(who: Viewer, c: CaseView, event: FormEvent, label: string, fields: Html, danger = false): Html {
  return html`<form class="action" method="post" action="/workbench/cases/${encodeURIComponent(c.caseId)}/act">
${csrfField(who.csrf)}<input type="hidden" name="type" value="${event}"><input type="hidden" name="version" value="${c.version}">
${fields}<p><button type="submit"${danger ? html` class="danger"` : ''}>${label}</button></p></form>`;
}

const reasonField = (t: WorkbenchShell['t'], id: string, required = false): Html =>
  html`<p><label for="${id}">${t(required ? 'workbench.reasonRequired' : 'workbench.reason')}</label><br><textarea id="${id}" name="reason" rows="2" maxlength="2000"${required ? html` required` : ''}></textarea></p>`;

function acceptFields(s: WorkbenchShell, c: CaseState, officers: readonly Officer[]): Html {
  const { t } = s;
  const tolerable = outstanding(c).filter((m) => m.acceptance === 'tolerable');
  return html`<fieldset><legend>${t('workbench.assignments')}</legend>
${involvedDepartments(c.item).map((d) => {
  const mine = officers.filter((o) => o.department === d.code);
  const select = (ab: 'a' | 'b', pick: number) => html`<label for="${ab}-${d.code}">${t(ab === 'a' ? 'workbench.officerA' : 'workbench.officerB')}</label>
<select id="${ab}-${d.code}" name="${ab}.${d.code}" required>${mine.map((o, i) => html`<option value="${o.id}"${i === pick ? html` selected` : ''}>${o.name}（${o.id}）</option>`)}</select>`;
  return html`<p class="pair"><span class="dept">${d.name}</span> ${select('a', 0)} ${select('b', mine.length > 1 ? 1 : 0)}</p>`;
})}</fieldset>
${tolerable.length ? html`<fieldset><legend>${t('workbench.tolerance')}</legend>
${tolerable.map((m) => html`<p><input type="checkbox" id="tol-${m.id}" name="tolerate" value="${m.id}"> <label for="tol-${m.id}">${m.name}</label>
<label for="commit-${m.id}">${t('workbench.commitBy')}</label> <input type="date" id="commit-${m.id}" name="commitBy.${m.id}"></p>`)}</fieldset>` : ''}
${reasonField(t, 'accept-reason')}`;
}

function noticeFields(s: WorkbenchShell, c: CaseState): Html {
  const { t } = s;
  const missing = new Set(outstanding(c).map((m) => m.id));
  return html`<fieldset><legend>${t('workbench.noticeMaterials')}</legend>
${c.item.materials.map((m) => html`<p><input type="checkbox" id="nm-${m.id}" name="material" value="${m.id}"> <label for="nm-${m.id}">${m.name}${missing.has(m.id) ? html` <span class="badge missing">${t('workbench.missing')}</span>` : ''}</label>
<label for="nr-${m.id}" class="sub">${t('workbench.noticeReason')}</label> <input id="nr-${m.id}" name="reason.${m.id}" maxlength="2000" value="${missing.has(m.id) ? t('workbench.missingReason') : ''}"></p>`)}</fieldset>
${reasonField(t, 'notice-reason')}`;
}

function formFor(s: WorkbenchShell, who: Viewer, v: CaseView, event: FormEvent, officers: readonly Officer[]): Html {
  const { t } = s;
  const c = v.state;
  const label = t(`workbench.do.${event}` as StringKey);
  switch (event) {
    case 'accept': return actionForm(who, v, event, label, acceptFields(s, c, officers));
    case 'notify': return actionForm(who, v, event, label, noticeFields(s, c));
    case 'refuse': return actionForm(who, v, event, label, reasonField(t, 'refuse-reason', true), true);
    case 'give-opinion': return actionForm(who, v, event, label, html`<fieldset><legend>${t('workbench.verdict')}</legend>
<p><input type="radio" id="verdict-approve" name="verdict" value="approve" checked> <label for="verdict-approve">${t('workbench.approve')}</label>
<input type="radio" id="verdict-deny" name="verdict" value="deny"> <label for="verdict-deny">${t('workbench.deny')}</label></p></fieldset>${reasonField(t, 'opinion-reason')}`);
    case 'record-payment': return actionForm(who, v, event, label, html`<p>${t('workbench.feeAt', { amount: yuan(feeFen(c.item.fee)) })}</p>
<input type="hidden" name="amountFen" value="${feeFen(c.item.fee)}">
<p><label for="pay-ref">${t('workbench.reference')}</label><br><input id="pay-ref" name="reference" required maxlength="128"></p>`);
    case 'issue-result': return actionForm(who, v, event, label, html`<p><label for="doc-no">${t('workbench.documentNo')}</label><br><input id="doc-no" name="documentNo" maxlength="128"></p>
<p><input type="checkbox" id="originals" name="originalsChecked" value="true"> <label for="originals">${t('workbench.originalsChecked')}</label></p>`);
    default: return actionForm(who, v, event, label, reasonField(t, `${event}-reason`));
  }
}

function materialsTable(s: WorkbenchShell, v: CaseView, downloadable: ReadonlySet<number>): Html {
  const { t } = s;
  const names = new Map(v.state.item.materials.map((m) => [m.id, m.name] as const));
  const files = v.submission.attachments;
  const missing = outstanding(v.state);
  return html`<table class="materials"><thead><tr><th scope="col">${t('workbench.material')}</th><th scope="col">${t('workbench.file')}</th><th scope="col">${t('workbench.mediaType')}</th><th scope="col" class="num">${t('workbench.size')}</th><th scope="col">SHA-256</th></tr></thead>
<tbody>${files.map((a) => html`<tr><td>${a.materialId ? names.get(a.materialId) ?? a.materialId : t('workbench.other')}</td>
<td>${downloadable.has(a.n) ? html`<a href="/workbench/cases/${encodeURIComponent(v.caseId)}/materials/${a.n}" download>${a.fileName}</a>` : html`${a.fileName} <span class="meta">${t('workbench.notHeld')}</span>`}</td>
<td><code>${a.mediaType}</code></td><td class="num">${a.size.toLocaleString('zh-CN')}</td><td><code title="${a.sha256}">${a.sha256.slice(0, 16)}…</code></td></tr>`)}</tbody></table>
${missing.length ? html`<p>${t('workbench.outstanding')}${missing.map((m) => html`<span class="badge missing">${m.name}</span> `)}</p>` : ''}`;
}

function deadlines(s: WorkbenchShell, v: CaseView): Html {
  const { t } = s;
  const row = (label: string, d: { limitDays: number; dueDate: string; usedDays: number; late: boolean }) =>
    html`<tr${d.late ? html` class="late"` : ''}><th scope="row">${label}</th><td class="num">${d.usedDays} / ${d.limitDays}</td><td>${d.dueDate}</td><td>${d.late ? t('workbench.late') : t('workbench.onTime')}</td></tr>`;
  const rows = [
    ...(v.deadlines.case ? [row(t('workbench.caseClock'), v.deadlines.case)] : []),
    ...v.deadlines.tasks.map((d) => row(`${v.state.tasks.find((x) => x.department === d.department)?.departmentName ?? d.department}${d.done ? t('workbench.taskDone') : ''}`, d)),
  ];
  if (rows.length === 0) return html`<p class="none">${t('workbench.noClock')}</p>`;
  return html`<table><thead><tr><th scope="col">${t('workbench.clock')}</th><th scope="col" class="num">${t('workbench.used')}</th><th scope="col">${t('workbench.dueDate')}</th><th scope="col">${t('workbench.state')}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The transition table says which steps a role may take from a status; a few of their guards are
 *  settled by the case alone, whatever the form would carry. A form the desk is bound to refuse is
 *  not offered (a free item has no fee to record, a fee is recorded once, a department gives one
 *  opinion, a decision waits for every opinion); the desk still judges whatever is posted. */
function canStillPass(e: FormEvent, c: CaseState, who: Viewer): boolean {
  switch (e) {
    case 'record-payment': return c.item.fee.kind !== 'free' && c.payments.length === 0;
    case 'give-opinion': return c.tasks.some((task) => task.department === who.staff.department && !task.opinion);
    case 'decide': return c.tasks.every((task) => task.opinion);
    default: return true;
  }
}

export function casePage(s: WorkbenchShell, who: Viewer, p: CasePageInput): string {
  const { t } = s;
  const v = p.view;
  const c = v.state;
  const a = v.submission.applicant;
  const mine = new Set<string>(coreRoles(who.staff));
  const events = FORM_EVENTS.filter((e) => v.next.some((n) => n.event === e && n.roles.some((r) => mine.has(r))) && canStillPass(e, c, who));
  return workbenchPage(s, `${t('workbench.case')} ${v.caseId}`, html`<h1>${t('workbench.case')} <code>${v.caseId}</code></h1>
${p.message ? html`<p class="${p.message.kind}" role="${p.message.kind === 'alert' ? 'alert' : 'status'}">${p.message.text}</p>` : ''}
<dl class="facts">
<dt>${t('workbench.item')}</dt><dd>${c.item.name}（${c.item.code}）</dd>
<dt>${t('workbench.status')}</dt><dd><strong>${STATUS_TEXT[v.status]}</strong></dd>
<dt>${t('workbench.receivedAt')}</dt><dd>${when(c.receivedAt)}</dd>
<dt>${t('workbench.channel')}</dt><dd>${v.submission.channel === 'township' ? t('workbench.township', { name: v.submission.township ?? '' }) : t('workbench.online')}</dd>
</dl>
<div class="columns">
<section aria-labelledby="applicant"><h2 id="applicant">${t('workbench.applicant')}</h2>
<dl class="facts"><dt>${t('workbench.applicantName')}</dt><dd>${a.name}</dd><dt>${t('workbench.idNumber')}</dt><dd>${a.idNumber}</dd><dt>${t('workbench.phone')}</dt><dd>${a.phone}</dd>${a.email ? html`<dt>${t('workbench.email')}</dt><dd>${a.email}</dd>` : ''}</dl>
<h3>${t('workbench.formFields')}</h3>
<dl class="facts">${c.item.form.map((f) => html`<dt>${f.label}</dt><dd>${String(c.form[f.name] ?? '—')}</dd>`)}</dl>
</section>
<section aria-labelledby="actions"><h2 id="actions">${t('workbench.actions')}</h2>
${events.length ? events.map((e) => formFor(s, who, v, e, p.officers)) : html`<p class="none">${t('workbench.noActions')}</p>`}
</section>
</div>
<section aria-labelledby="materials"><h2 id="materials">${t('workbench.materials')}</h2>${materialsTable(s, v, p.downloadable)}</section>
<section aria-labelledby="deadlines"><h2 id="deadlines">${t('workbench.deadlines')}</h2>${deadlines(s, v)}</section>
<section aria-labelledby="history"><h2 id="history">${t('workbench.history')}</h2>
<table><thead><tr><th scope="col">${t('workbench.time')}</th><th scope="col">${t('workbench.event')}</th><th scope="col">${t('workbench.actor')}</th><th scope="col">${t('workbench.status')}</th><th scope="col">${t('workbench.reasonCol')}</th></tr></thead>
<tbody>${v.transitions.map((h) => html`<tr><td>${when(h.at)}</td><td>${h.event}</td><td>${h.role === 'applicant' ? t('workbench.theApplicant') : html`${h.actor} <span class="meta">${h.role}${h.department ? ` · ${h.department}` : ''}</span>`}</td><td>${STATUS_TEXT[h.toStatus as keyof typeof STATUS_TEXT] ?? h.toStatus}</td><td>${h.reason ?? ''}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="cards"><h2 id="cards">${t('workbench.cards')}</h2>
${v.cards.length ? html`<ul class="cards">${v.cards.map((k) => html`<li class="${k.colour}">${t(k.colour === 'red' ? 'workbench.colour.red' : 'workbench.colour.yellow')} · ${k.department}${k.officer ? ` · ${k.officer}` : ''} · ${k.detail}</li>`)}</ul>` : html`<p class="none">${t('workbench.noCards')}</p>`}
</section>`, who);
}
