// The case page's forms for the applicant's actions, each shown only when the case's status allows it
// (the approval core's transition table decides again inside): the one-time notice as a checklist with
// one upload per missing material (supplement), withdraw before a decision (with a confirmation box
// that works without JavaScript), and the evaluation once the case has ended (once: after one was
// sent, the form gives way to what was sent). Every form carries the case secret in its POSTed body,
// never in a URL, and a per-render idempotency token; all are multipart and go through the one pipeline.
import { html, type Html } from './html.js';
import type { Shell } from './layout.js';
import type { PlacedErrors } from './filing-errors.js';
import { generalErrors, uploadSlot } from './filing-page.js';
import { FORM, type PageAction } from './filing-request.js';
import type { CaseView, Event } from './case-page.js';

export interface CaseActionView {
  token: string;
  script: string;
  /** A confirmation after an action was sent. */
  sent?: string;
  /** The refusal of the form named, placed on it. */
  refused?: { form: PageAction; errors: PlacedErrors };
}

/** Statuses in which the applicant may withdraw (before a decision: src/approval/transitions.ts). */
const WITHDRAWABLE = new Set(['received', 'notice-issued', 'supplemented', 'accepted', 'under-review']);
/** Ended statuses, in which the applicant may evaluate (src/approval/case-state.ts ENDED_STATES). */
const ENDED = new Set(['closed', 'withdrawn', 'not-accepted']);

/** The score of the evaluation already sent for the case, from its history; null when none was. */
export function evaluationOf(events: readonly (Event | null)[]): number | null {
  const e = events.find((x) => x?.type === 'evaluation-sent');
  return e ? (typeof e.score === 'number' ? e.score : 0) : null;
}

interface NoticeMaterial { materialId: string; name: string; reason: string }
function openNotice(c: CaseView, events: readonly (Event | null)[]): NoticeMaterial[] {
  if (c.status !== 'notice-issued') return [];
  const n = [...events].reverse().find((e) => e?.type === 'notice');
  const ms = Array.isArray(n?.materials) ? n.materials as Record<string, unknown>[] : [];
  return ms.filter((m) => typeof m.materialId === 'string').map((m) => ({
    materialId: m.materialId as string, name: typeof m.name === 'string' ? m.name : (m.materialId as string), reason: typeof m.reason === 'string' ? m.reason : '',
  }));
}

function hidden(secret: string, token: string): Html {
  return html`<input type="hidden" name="${FORM.secret}" value="${secret}"><input type="hidden" name="${FORM.idempotency}" value="${token}">`;
}

function refusedOn(s: Shell, v: CaseActionView, form: PageAction, rendered: readonly string[]): { errors: PlacedErrors | undefined; top: Html } {
  if (v.refused?.form !== form) return { errors: undefined, top: html`` };
  return { errors: v.refused.errors, top: generalErrors(s, v.refused.errors, new Set(rendered), s.t('caseAction.refused')) };
}

function supplementForm(s: Shell, action: string, secret: string, v: CaseActionView, ms: readonly NoticeMaterial[]): Html {
  const { t } = s;
  const names = ms.map((m) => FORM.material(m.materialId));
  const r = refusedOn(s, v, 'supplement', names);
  return html`<section class="action" aria-labelledby="supplement-h"><h2 id="supplement-h">${t('caseAction.supplementHeading')}</h2>
<p>${t('caseAction.supplementLead')}</p>${r.top}
<form method="post" action="${action}/supplement" enctype="multipart/form-data" data-upload>${hidden(secret, v.token)}
<ul class="checklist">${ms.map((m) => html`<li>${uploadSlot(s, FORM.material(m.materialId), m.name, m.reason ? html`<span class="meta">${m.reason}</span>` : html``, r.errors)}</li>`)}</ul>
<div class="field"><label for="supplement-reason">${t('caseAction.reason')}</label><textarea id="supplement-reason" name="reason" maxlength="1000" rows="2"></textarea></div>
<p><button type="submit">${t('caseAction.supplementSubmit')}</button></p></form></section>`;
}

function withdrawForm(s: Shell, action: string, secret: string, v: CaseActionView): Html {
  const { t } = s;
  const r = refusedOn(s, v, 'withdraw', ['confirm', 'reason']);
  const confirmError = r.errors?.byField.get('confirm');
  return html`<section class="action" aria-labelledby="withdraw-h"><h2 id="withdraw-h">${t('caseAction.withdrawHeading')}</h2>
<p>${t('caseAction.withdrawLead')}</p>${r.top}
<form method="post" action="${action}/withdraw" enctype="multipart/form-data">${hidden(secret, v.token)}
<div class="field"><label for="withdraw-reason">${t('caseAction.reason')}</label><textarea id="withdraw-reason" name="reason" maxlength="1000" rows="2"></textarea></div>
<div class="field${confirmError ? ' has-error' : ''}"><label><input type="checkbox" name="confirm" value="yes" required${confirmError ? html` aria-invalid="true" aria-describedby="withdraw-confirm-error"` : ''}> ${t('caseAction.withdrawConfirm')}</label>
${confirmError ? html`<p class="field-error" id="withdraw-confirm-error">${confirmError}</p>` : ''}</div>
<p><button type="submit" class="danger">${t('caseAction.withdrawSubmit')}</button></p></form></section>`;
}

function evaluateForm(s: Shell, action: string, secret: string, v: CaseActionView): Html {
  const { t } = s;
  const r = refusedOn(s, v, 'evaluate', ['score', 'comment']);
  const scoreError = r.errors?.byField.get('score');
  return html`<section class="action" aria-labelledby="evaluate-h"><h2 id="evaluate-h">${t('caseAction.evaluateHeading')}</h2>${r.top}
<form method="post" action="${action}/evaluate" enctype="multipart/form-data">${hidden(secret, v.token)}
<fieldset class="choice score"><legend>${t('caseAction.score')}</legend>
${[1, 2, 3, 4, 5].map((n) => html`<label><input type="radio" name="score" value="${n}" required> ${t('caseAction.scoreValue', { n })}</label>`)}
${scoreError ? html`<p class="field-error">${scoreError}</p>` : ''}</fieldset>
<div class="field"><label for="evaluate-comment">${t('caseAction.comment')}</label><textarea id="evaluate-comment" name="comment" maxlength="1000" rows="3"></textarea></div>
<p><button type="submit">${t('caseAction.evaluateSubmit')}</button></p></form></section>`;
}

/** The forms the case's status allows, after any confirmation or refusal of the last one posted. */
export function caseActionForms(s: Shell, c: CaseView, secret: string, events: readonly (Event | null)[], v: CaseActionView): Html {
  const action = `/case/${encodeURIComponent(c.caseId)}`;
  const notice = openNotice(c, events);
  const evaluated = evaluationOf(events);
  return html`${v.sent ? html`<p class="notice ok" role="status">${v.sent}</p>` : ''}
${notice.length ? supplementForm(s, action, secret, v, notice) : ''}
${ENDED.has(c.status) && evaluated === null ? evaluateForm(s, action, secret, v) : ''}
${evaluated !== null ? html`<p class="notice">${s.t('caseAction.evaluated', { score: evaluated })}</p>${v.refused?.form === 'evaluate' ? generalErrors(s, v.refused.errors, new Set(), s.t('caseAction.refused')) : ''}` : ''}
${WITHDRAWABLE.has(c.status) ? withdrawForm(s, action, secret, v) : ''}`;
}
