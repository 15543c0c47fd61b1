// The filing page (GET /file/:itemId), rendered from the item's published form schema: the applicant,
// one input per form field with the schema's limits, and one upload slot per material (the tolerable
// ones marked). Posted as multipart/form-data; without JavaScript it is a plain form post, with it
// web/assets/filing.js shows a progress bar per file. A refusal re-renders the page with each message
// next to its input (src/web/filing-errors.ts) and the text the applicant typed kept.
import type { FormField, PublishedItem } from '../published/item.js';
import { html, type Html } from './html.js';
import { page, type Shell } from './layout.js';
import type { PlacedErrors } from './filing-errors.js';
import { FORM } from './filing-request.js';

/** What the browser may pick in a file dialog: the types inspection admits (it judges the bytes). */
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png,application/ofd';

export interface FilingView {
  /** The per-render idempotency token: a second post of this rendering repeats the first answer. */
  token: string;
  values?: ReadonlyMap<string, string>;
  errors?: PlacedErrors;
}

const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The message for one input, as a paragraph the input points at (aria-describedby). */
function errorFor(errors: PlacedErrors | undefined, name: string): { html: Html; describedBy: string | undefined; invalid: string | undefined } {
  const m = errors?.byField.get(name);
  if (!m) return { html: html``, describedBy: undefined, invalid: undefined };
  const id = `${fieldId(name)}-error`;
  return { html: html`<p class="field-error" id="${id}">${m}</p>`, describedBy: id, invalid: 'true' };
}

function labelled(label: string, name: string, required: boolean, input: (id: string, err: ReturnType<typeof errorFor>) => Html, errors?: PlacedErrors, hint?: string): Html {
  const id = fieldId(name);
  const err = errorFor(errors, name);
  return html`<div class="field${err.invalid ? ' has-error' : ''}"><label for="${id}">${label}${required ? html`<span class="req" aria-hidden="true"> *</span>` : hint ?? ''}</label>
${input(id, err)}${err.html}</div>`;
}

function attrs(err: ReturnType<typeof errorFor>): Html {
  return err.describedBy ? html` aria-describedby="${err.describedBy}" aria-invalid="true"` : html``;
}

function formInput(f: FormField, value: string, errors?: PlacedErrors): Html {
  const name = FORM.field(f.name);
  return labelled(f.label, name, f.required, (id, err) => {
    const req = f.required ? html` required` : html``;
    switch (f.type) {
      case 'string':
        return f.maxLength > 120
          ? html`<textarea id="${id}" name="${name}" maxlength="${f.maxLength}" rows="3"${req}${attrs(err)}>${value}</textarea>`
          : html`<input id="${id}" name="${name}" value="${value}" maxlength="${f.maxLength}"${req}${attrs(err)}>`;
      case 'number':
        return html`<input id="${id}" name="${name}" value="${value}" inputmode="decimal"${req}${attrs(err)}>`;
      case 'date':
        return html`<input id="${id}" name="${name}" type="date" value="${value}"${req}${attrs(err)}>`;
      case 'enum':
        return html`<select id="${id}" name="${name}"${req}${attrs(err)}><option value=""></option>${f.values.map((v) => html`<option${v === value ? html` selected` : ''}>${v}</option>`)}</select>`;
    }
  }, errors);
}

function applicantInputs(s: Shell, v: (k: string) => string, errors?: PlacedErrors): Html {
  const { t } = s;
  const type = v('applicant.type') || 'enterprise';
  const err = errorFor(errors, 'applicant.type');
  const text = (k: string, label: string, o: { type?: string; max: number; required: boolean; auto?: string }) => labelled(label, `applicant.${k}`, o.required,
    (id, e) => html`<input id="${id}" name="applicant.${k}" type="${o.type ?? 'text'}" value="${v(`applicant.${k}`)}" maxlength="${o.max}"${o.required ? html` required` : ''}${o.auto ? html` autocomplete="${o.auto}"` : ''}${attrs(e)}>`,
    errors, o.required ? undefined : t('filing.optional'));
  return html`<fieldset><legend>${t('filing.applicant')}</legend>
<fieldset class="choice"><legend>${t('filing.applicantType')}</legend>
<label><input type="radio" name="applicant.type" value="enterprise"${type === 'enterprise' ? html` checked` : ''}> ${t('filing.enterprise')}</label>
<label><input type="radio" name="applicant.type" value="person"${type === 'person' ? html` checked` : ''}> ${t('filing.person')}</label>
${err.html}</fieldset>
${text('name', t('filing.name'), { max: 200, required: true, auto: 'organization' })}
${text('idNumber', t('filing.idNumber'), { max: 32, required: true })}
${text('phone', t('filing.phone'), { type: 'tel', max: 20, required: true, auto: 'tel' })}
${text('email', t('filing.email'), { type: 'email', max: 320, required: false, auto: 'email' })}
</fieldset>`;
}

/** One upload slot: the file input, its progress bar (shown by filing.js) and its message. */
export function uploadSlot(s: Shell, name: string, label: string, badge: Html, errors?: PlacedErrors): Html {
  const id = fieldId(name);
  const err = errorFor(errors, name);
  return html`<div class="field upload${err.invalid ? ' has-error' : ''}"><label for="${id}">${label}</label>${badge}
<input id="${id}" name="${name}" type="file" accept="${ACCEPT}"${attrs(err)}>
<progress hidden max="100" value="0" aria-label="${s.t('filing.progress', { name: label })}"></progress>
${err.html}</div>`;
}

/** Messages for inputs this page does not have go to the top with the general ones. */
export function generalErrors(s: Shell, errors: PlacedErrors | undefined, rendered: ReadonlySet<string>, heading = s.t('filing.refused')): Html {
  if (!errors) return html``;
  const all = [...errors.general, ...[...errors.byField].filter(([k]) => !rendered.has(k)).map(([, m]) => m)];
  const named = [...errors.byField.keys()].filter((k) => rendered.has(k));
  return html`<div class="notice error" role="alert"><p><strong>${heading}</strong></p>
<ul>${all.map((m) => html`<li>${m}</li>`)}${named.map((k) => html`<li><a href="#${fieldId(k)}">${errors.byField.get(k)}</a></li>`)}</ul></div>`;
}

export function filingPage(s: Shell, item: PublishedItem, v: FilingView, script: string): string {
  const { t } = s;
  const value = (k: string) => v.values?.get(k) ?? '';
  const rendered = new Set<string>([
    ...FORM.applicant.map((k) => `applicant.${k}`), ...item.form.map((f) => FORM.field(f.name)), ...item.materials.map((m) => FORM.material(m.id)),
  ]);
  const materials = item.materials.map((m) => uploadSlot(s, FORM.material(m.id), m.name,
    m.tolerable ? html` <span class="tolerable">${m.commitWithinDays !== undefined ? t('item.tolerable', { days: m.commitWithinDays }) : t('item.tolerableNoLimit')}</span>` : html``, v.errors));
  return page(s, t('filing.heading', { name: item.name }), html`<h1>${t('filing.heading', { name: item.name })}</h1>
<p class="lead">${t('filing.lead')}</p>
${generalErrors(s, v.errors, rendered)}
<form class="filing" method="post" action="/file/${encodeURIComponent(item.code)}" enctype="multipart/form-data" data-upload>
<input type="hidden" name="${FORM.idempotency}" value="${v.token}">
${applicantInputs(s, value, v.errors)}
${item.form.length ? html`<fieldset><legend>${t('filing.form')}</legend>${item.form.map((f) => formInput(f, value(FORM.field(f.name)), v.errors))}</fieldset>` : ''}
<fieldset><legend>${t('filing.materials')}</legend><p>${t('filing.materialsLead')}</p>${materials}</fieldset>
<p><button type="submit">${t('filing.submit')}</button></p>
</form>`, { scripts: [script] });
}

export interface FiledView { caseId: string; secret: string; itemName: string; submittedAt: string; imprint: string }

/** After filing: the case number and the secret, this once. The answer carries Cache-Control: no-store;
 *  the secret is in this body only (a hidden field of the POSTed "view" form, never a URL). */
export function filedPage(s: Shell, f: FiledView, script: string): string {
  const { t } = s;
  return page(s, t('filed.heading'), html`<div class="receipt"><h1>${t('filed.heading')}</h1>
<p class="lead">${t('filed.lead')}</p>
<dl class="facts">
<dt>${t('case.caseId')}</dt><dd class="big" id="case-id">${f.caseId}</dd>
<dt>${t('case.secret')}</dt><dd class="big secret" id="case-secret">${f.secret}</dd>
<dt>${t('filed.item')}</dt><dd>${f.itemName}</dd>
<dt>${t('case.submittedAt')}</dt><dd>${f.submittedAt}</dd>
<dt>${t('filed.imprint')}</dt><dd class="imprint">${f.imprint}</dd>
</dl>
<p class="notice">${t('filed.secretOnce')}</p>
<p>${t('filed.receiptLater')}</p></div>
<div class="actions no-print">
<button type="button" data-print hidden>${t('filed.print')}</button>
<form method="post" action="/case"><input type="hidden" name="caseId" value="${f.caseId}"><input type="hidden" name="secret" value="${f.secret}"><button type="submit">${t('filed.view')}</button></form>
</div>`, { scripts: [script] });
}
