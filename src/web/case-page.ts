// The applicant's case page: the case number and secret go in a POSTed form (never a URL: URLs end
// up in history, proxies' logs and Referer headers); the answer is the status from the status cache,
// the timeline, what each approval event asks of the applicant (the one-time notice, a fee, the
// decision), and downloads of the RFC 3161 receipt and the signed result through the API's form twins.
import { html, type Html } from './html.js';
import { page, type Shell } from './layout.js';
import type { StringKey } from './strings.js';
import { caseActionForms, type CaseActionView } from './filing-actions.js';

/** One row of the status cache's history as the page reads it (src/external/store/status-cache.ts). */
export interface CaseHistoryRow { readonly status: string; readonly at: number; readonly detail: string; readonly event: string | null }
export interface CaseView {
  readonly caseId: string; readonly status: string; readonly submittedAt: number | null; readonly receivedAt: number | null;
  readonly hasReceipt: boolean; readonly history: readonly CaseHistoryRow[];
  /** SHA-256 of the request bytes, hex: the receipt's imprint (`openssl ts -verify -digest`). */
  readonly imprint?: string;
}

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
const when = (ms: number | null) => (ms === null ? '' : TIME.format(new Date(ms)));

const KNOWN = new Set(['submitted', 'received', 'accepted', 'notice-issued', 'supplemented', 'not-accepted', 'under-review',
  'decided-approved', 'decided-denied', 'result-issued', 'closed', 'withdrawn', 'delayed']);

export function statusText(s: Shell, status: string): string {
  return KNOWN.has(status) ? s.t(`status.${status}` as StringKey) : s.t('status.other', { status });
}

export function lookupForm(s: Shell, caseId = '', message?: string): Html {
  const { t } = s;
  return html`<form class="lookup" method="post" action="/case">
${message ? html`<p class="notice" role="alert">${message}</p>` : ''}
<p><label for="caseId">${t('case.caseId')}</label><br><input id="caseId" name="caseId" value="${caseId}" required maxlength="40" autocomplete="off" spellcheck="false"></p>
<p><label for="secret">${t('case.secret')}</label><br><input id="secret" name="secret" type="password" required maxlength="64" autocomplete="off"></p>
<p><button type="submit">${t('case.lookup')}</button></p>
</form>`;
}

export function lookupPage(s: Shell, caseId = '', message?: string): string {
  return page(s, s.t('case.heading'), html`<h1>${s.t('case.heading')}</h1><p class="lead">${s.t('case.lead')}</p>${lookupForm(s, caseId, message)}`);
}

export type Event = Record<string, unknown> & { type?: string };
export function parseEvent(json: string | null): Event | null {
  if (!json) return null;
  try { const v: unknown = JSON.parse(json); return v && typeof v === 'object' ? v as Event : null; } catch { return null; }
}
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const yuan = (fen: unknown) => (typeof fen === 'number' && Number.isSafeInteger(fen) ? `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')} 元` : '');

/** What an approval event says to the applicant, beyond its status line. */
function eventDetail(s: Shell, e: Event | null): Html {
  const { t } = s;
  switch (e?.type) {
    case 'notice': {
      const ms = Array.isArray(e.materials) ? e.materials as { name?: unknown; reason?: unknown }[] : [];
      return html`<div class="notice"><strong>${t('case.noticeHeading')}</strong>
<ul class="checklist">${ms.map((m) => html`<li>${str(m.name)}${str(m.reason) ? html`：${str(m.reason)}` : ''}</li>`)}</ul>
${e.clockPaused === true ? html`<p>${t('case.noticePaused')}</p>` : ''}</div>`;
    }
    case 'fee-due': return html`<p>${t('case.feeDue', { amount: yuan(e.amountFen), basis: str(e.legalBasis) })}</p>`;
    case 'decision': {
      const reasons = Array.isArray(e.reasons) ? e.reasons as { department?: unknown; reason?: unknown }[] : [];
      return html`<p>${e.outcome === 'approved' ? t('case.decisionApproved') : t('case.decisionDenied')}</p>
${reasons.length ? html`<ul>${reasons.map((r) => html`<li>${str(r.department)}：${str(r.reason)}</li>`)}</ul>` : ''}`;
    }
    case 'not-accepted': return html`<p>${t('case.notAcceptedReason', { reason: str(e.reason) })}</p>`;
    case 'accepted': return typeof e.dueDate === 'string' ? html`<p>${t('case.dueDate', { date: e.dueDate })}</p>` : html``;
    case 'evaluation-sent': return html`<p>${t('caseAction.evaluated', { score: typeof e.score === 'number' ? e.score : '' })}</p>`;
    default: return html``;
  }
}

/** A form that POSTs the secret to one of the API's form twins (the download starts, the page stays). */
function downloadForm(action: string, secret: string, label: string): Html {
  return html`<form method="post" action="${action}"><input type="hidden" name="secret" value="${secret}"><button type="submit">${label}</button></form>`;
}

export function casePage(s: Shell, c: CaseView, secret: string, actions?: CaseActionView): string {
  const { t } = s;
  const events = c.history.map((h) => ({ h, e: parseEvent(h.event) }));
  const hasResult = events.some(({ e }) => e?.type === 'result-ready' && typeof e.resultDocument === 'string');
  const api = `/api/v1/cases/${encodeURIComponent(c.caseId)}`;
  return page(s, `${t('case.heading')} ${c.caseId}`, html`<h1>${t('case.heading')}</h1>
<dl class="facts">
<dt>${t('case.caseId')}</dt><dd>${c.caseId}</dd>
<dt>${t('case.status')}</dt><dd><strong>${statusText(s, c.status)}</strong></dd>
<dt>${t('case.submittedAt')}</dt><dd>${when(c.submittedAt)}</dd>
${c.receivedAt !== null ? html`<dt>${t('case.receivedAt')}</dt><dd>${when(c.receivedAt)}</dd>` : ''}
</dl>
${actions ? caseActionForms(s, c, secret, events.map(({ e }) => e), actions) : ''}
${hasResult ? downloadForm(`${api}/result`, secret, t('case.resultDownload')) : ''}
<h2>${t('case.timeline')}</h2>
<ol class="timeline">${[...events].reverse().map(({ h, e }) => html`<li><time>${when(h.at)}</time> <strong>${statusText(s, h.status)}</strong>${eventDetail(s, e)}</li>`)}</ol>
<h2>${t('case.receipt')}</h2>
${c.hasReceipt
    ? html`${downloadForm(`${api}/receipt`, secret, t('case.receiptDownload'))}<p>${t('case.receiptVerify')}</p><pre><code>openssl ts -verify -data 提交的原始数据.json -in ${c.caseId}.tsr -CAfile ca.pem</code></pre>
${c.imprint ? html`<p>${t('case.receiptVerifyDigest')}</p><pre><code>openssl ts -verify -digest ${c.imprint} -in ${c.caseId}.tsr -CAfile ca.pem</code></pre>` : ''}<p><a href="/api/v1/trust/ca.pem">ca.pem</a></p>`
    : html`<p>${t('case.receiptNone')}</p>`}`, { scripts: actions ? [actions.script] : [] });
}
