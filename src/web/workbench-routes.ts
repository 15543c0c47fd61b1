// The staff workbench on the intranet listener (HTTPS): server-rendered pages over the same desk the
// staff JSON API drives. Every form posts to the desk's own commands (desk.act: the same transition
// table, audit entries and trusted clock as POST /api/v1/staff/cases/:id/actions).
//   GET  /workbench                      the queues of the roles held (or → login)
//   GET  /workbench/login, POST /workbench/login, POST /workbench/logout
//   GET  /workbench/cases/:id            the case page; POST /workbench/cases/:id/act  a step
//   GET  /workbench/cases/:id/materials/:n   a filed material, as a download only
//   GET  /workbench/supervision[?month=YYYY-MM]   supervisors: cards and the monthly report
// Sessions and CSRF: workbench-session.ts. A POST without the session's token is refused with 403
// FERRY_ERR_DESK_CSRF before the body is looked at further.
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatus, type FerryErrorCode } from '../errors.js';
import type { Logger } from '../gateway/logger.js';
import type { Clock } from '../time/clock.js';
import type { ApprovalDesk } from '../desk/approval-desk.js';
import { departmentsOf } from '../desk/case-record.js';
import { may, mayReadCase, type Permission, type StaffIdentity } from '../desk/roles.js';
import type { StaffAuth } from '../desk/staff-auth.js';
import { workFor } from '../desk/staff-queues.js';
import { monthOf } from '../desk/desk-views.js';
import { loadAsset, registerAssets } from './assets.js';
import { PAGE_CSP } from './layout.js';
import { loadStrings } from './strings.js';
import { webDir } from './web-root.js';
import { casePage } from './workbench-case-page.js';
import { commandOf, isFormEvent, one, parseForm, type FormBody } from './workbench-forms.js';
import { workbenchMessage, type Viewer, type WorkbenchShell } from './workbench-layout.js';
import { attachmentDisposition, heldAttachments, materialFile } from './workbench-materials.js';
import { loginPage, queuePage } from './workbench-pages.js';
import { clearedCookie, createCsrf, crossSite, LOGIN_COOKIE, loginCookie, parseCookies, SESSION_COOKIE, sessionCookie, type Csrf } from './workbench-session.js';
import { supervisionPage } from './workbench-supervision-page.js';

export interface WorkbenchDeps {
  readonly desk: ApprovalDesk;
  readonly auth: StaffAuth;
  /** The trusted clock (cookie lifetimes follow the sessions StaffAuth dates with it). */
  readonly clock: Clock;
  readonly log: Logger;
  /** supervision.yellowShare: the colour a task is heading for. */
  readonly yellowShare: number;
  /** The exact request bytes a case was filed with (intranet_cases.request_body), or null. */
  readonly requestBody: (caseId: string) => Buffer | null;
  readonly afterAction?: () => void;
  readonly webDir?: string;
}

/** A form is a few fields; a notice over a long material list stays far below this. */
const MAX_FORM_BYTES = 64 * 1024;
const PAGE = { schema: { hide: true } } as const;

interface Ctx { readonly d: WorkbenchDeps; readonly s: WorkbenchShell; readonly csrf: Csrf }
type Session = { token: string; viewer: Viewer };

function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(body);
}

function refusePage(ctx: Ctx, reply: FastifyReply, code: FerryErrorCode, message: string, who?: Viewer): FastifyReply {
  return sendPage(reply.header('x-ferry-error', code), httpStatus(code), workbenchMessage(ctx.s, ctx.s.t('workbench.refusedTitle'), message, code, who));
}

/** The session behind the request's cookie, or null (no cookie, expired, idle, disabled account). */
function sessionOf(ctx: Ctx, req: FastifyRequest): Session | null {
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (!token) return null;
  const v = ctx.d.auth.authenticate(token);
  return v.ok ? { token, viewer: { staff: v.value, csrf: ctx.csrf.forSession(token) } } : null;
}

/** A page needing a session (and `permission`): the session, or the answer already sent. */
function pageSession(ctx: Ctx, req: FastifyRequest, reply: FastifyReply, permission?: Permission): Session | FastifyReply {
  const sess = sessionOf(ctx, req);
  if (!sess) return reply.header('set-cookie', clearedCookie(SESSION_COOKIE)).redirect('/workbench/login', 303);
  if (permission && !may(sess.viewer.staff, permission)) {
    return refusePage(ctx, reply, 'FERRY_ERR_DESK_FORBIDDEN', ctx.s.t('workbench.forbidden'), sess.viewer);
  }
  return sess;
}

/** The posted form; a body of any other type (JSON, text, none) reads as an empty form, so it carries
 *  no token and is refused like any other tokenless post. */
const formOf = (req: FastifyRequest): FormBody => (req.body instanceof Map ? req.body as FormBody : new Map());

/** A POST needing a session: the session and the form, or the refusal already sent. The token is
 *  checked before anything in the form is used. */
function postSession(ctx: Ctx, req: FastifyRequest, reply: FastifyReply): { sess: Session; form: FormBody } | FastifyReply {
  const form = formOf(req);
  const sess = sessionOf(ctx, req);
  if (!sess) return refusePage(ctx, reply, 'FERRY_ERR_DESK_CSRF', ctx.s.t('workbench.csrfRefused'));
  if (crossSite(req.headers) || !ctx.csrf.check(sess.viewer.csrf, one(form, '_csrf'))) {
    ctx.d.log.warn({ stage: 'workbench', staff: sess.viewer.staff.id, url: req.url.split('?')[0], code: 'FERRY_ERR_DESK_CSRF' }, 'form refused: CSRF token');
    return refusePage(ctx, reply, 'FERRY_ERR_DESK_CSRF', ctx.s.t('workbench.csrfRefused'), sess.viewer);
  }
  return { sess, form };
}

export function registerWorkbench(app: FastifyInstance, d: WorkbenchDeps): void {
  const dir = d.webDir ?? webDir();
  const a = join(dir, 'assets');
  const css = loadAsset(a, 'workbench.css');
  const js = loadAsset(a, 'workbench.js');
  const icon = loadAsset(a, 'favicon.svg');
  // favicon.svg is shared with the hall board, at the same hashed path: registered once by whichever comes first.
  registerAssets(app, [css, js, ...(app.hasRoute({ method: 'GET', url: icon.path }) ? [] : [icon])]);
  const ctx: Ctx = { d, s: { t: loadStrings(join(dir, 'strings', 'zh-CN.yaml')), stylesheet: css.path, script: js.path, icon: icon.path }, csrf: createCsrf() };
  registerPages(app, ctx);
  void app.register(async (forms) => {
    // Only this context reads form bodies; the staff API keeps taking JSON only.
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_req, body, done) => done(null, parseForm(body as string)));
    registerLogin(forms, ctx);
    registerActions(forms, ctx);
  });
}

function registerPages(app: FastifyInstance, ctx: Ctx): void {
  const { d } = ctx;
  app.get('/workbench', PAGE, async (req, reply) => {
    const sess = pageSession(ctx, req, reply, 'queue.read');
    if (!('viewer' in sess)) return sess;
    return sendPage(reply, 200, queuePage(ctx.s, sess.viewer, workFor(d.desk, sess.viewer.staff, d.yellowShare)));
  });
  app.get('/workbench/cases/:id', PAGE, async (req, reply) => {
    const sess = pageSession(ctx, req, reply, 'case.read');
    if (!('viewer' in sess)) return sess;
    const done = (req.query as Record<string, unknown>)['done'];
    return showCase(ctx, reply, sess.viewer, (req.params as { id: string }).id, 200,
      isFormEvent(done) ? { kind: 'done', text: ctx.s.t('workbench.doneStep', { step: ctx.s.t(`workbench.do.${done}`) }) } : undefined);
  });
  app.get('/workbench/cases/:id/materials/:n', PAGE, async (req, reply) => {
    const sess = pageSession(ctx, req, reply, 'case.read');
    if (!('viewer' in sess)) return sess;
    const { id, n } = req.params as { id: string; n: string };
    const v = d.desk.caseView(id);
    if (!v.ok) return refusePage(ctx, reply, v.code, v.detail, sess.viewer);
    if (!mayReadCase(sess.viewer.staff, departmentsOf(v.value.state))) return refusePage(ctx, reply, 'FERRY_ERR_DESK_FORBIDDEN', ctx.s.t('workbench.notYourCase'), sess.viewer);
    const f = materialFile(v.value.submission.attachments, /^\d{1,4}$/.test(n) ? Number(n) : -1, d.requestBody(id));
    if (!f.ok) return refusePage(ctx, reply, f.code, f.detail, sess.viewer);
    d.log.info({ stage: 'workbench', staff: sess.viewer.staff.id, case: id, material: Number(n) }, 'material downloaded');
    // Never rendered inline: a download, with the type inspection accepted, no sniffing, and a
    // sandbox CSP in case a browser opens it anyway.
    return reply.code(200).header('content-type', f.value.mediaType).header('content-disposition', attachmentDisposition(f.value.fileName))
      .header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; sandbox").send(f.value.bytes);
  });
  app.get('/workbench/supervision', PAGE, async (req, reply) => {
    const sess = pageSession(ctx, req, reply, 'report.read');
    if (!('viewer' in sess)) return sess;
    const q = (req.query as Record<string, unknown>)['month'];
    const month = typeof q === 'string' && q !== '' ? q : monthOf(d.clock.now());
    const r = d.desk.report(month);
    if (!r.ok) return refusePage(ctx, reply, r.code, r.detail, sess.viewer);
    return sendPage(reply, 200, supervisionPage(ctx.s, sess.viewer, month, r.value, d.desk.cards({ limit: 200 })));
  });
}

function showCase(ctx: Ctx, reply: FastifyReply, who: Viewer, caseId: string, status: number, message?: { kind: 'done' | 'alert'; text: string }): FastifyReply {
  const { d } = ctx;
  const v = d.desk.caseView(caseId);
  if (!v.ok) return refusePage(ctx, reply, v.code, v.detail, who);
  if (!mayReadCase(who.staff, departmentsOf(v.value.state))) return refusePage(ctx, reply, 'FERRY_ERR_DESK_FORBIDDEN', ctx.s.t('workbench.notYourCase'), who);
  const officers = d.auth.listStaff().filter((x) => !x.disabled && x.roles.includes('officer')).map((x) => ({ id: x.id, name: x.name, department: x.department }));
  const downloadable = heldAttachments(v.value.submission.attachments, d.requestBody(caseId) !== null);
  return sendPage(reply, status, casePage(ctx.s, who, { view: v.value, officers, downloadable, ...(message ? { message } : {}) }));
}

function registerLogin(app: FastifyInstance, ctx: Ctx): void {
  const { d, s, csrf } = ctx;
  app.get('/workbench/login', PAGE, async (req, reply) => {
    if (sessionOf(ctx, req)) return reply.redirect('/workbench', 303);
    const nonce = csrf.newNonce();
    return sendPage(reply.header('set-cookie', loginCookie(nonce)), 200, loginPage(s, csrf.forLogin(nonce)));
  });
  app.post('/workbench/login', PAGE, async (req, reply) => {
    const form = formOf(req);
    const nonce = parseCookies(req.headers.cookie).get(LOGIN_COOKIE);
    const name = (one(form, 'name') ?? '').slice(0, 64);
    if (!nonce || crossSite(req.headers) || !csrf.check(csrf.forLogin(nonce), one(form, '_csrf'))) {
      d.log.warn({ stage: 'workbench', url: '/workbench/login', code: 'FERRY_ERR_DESK_CSRF' }, 'login form refused: CSRF token');
      return refusePage(ctx, reply, 'FERRY_ERR_DESK_CSRF', s.t('workbench.csrfRefused'));
    }
    // The same StaffAuth.login as the API: same lockout, throttle and one answer for every failure.
    const v = await d.auth.login(name, one(form, 'password') ?? '', req.ip);
    if (!v.ok) {
      const fresh = csrf.newNonce();
      void reply.header('set-cookie', loginCookie(fresh)).header('x-ferry-error', v.code);
      if (v.retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(v.retryAfterMs / 1000))));
      const msg = v.code === 'FERRY_ERR_DESK_THROTTLED' ? s.t('workbench.throttled') : s.t('workbench.loginFailed');
      return sendPage(reply, httpStatus(v.code), loginPage(s, csrf.forLogin(fresh), name, msg));
    }
    return reply.header('set-cookie', [sessionCookie(v.value.token, v.value.expiresAt, d.clock.now()), clearedCookie(LOGIN_COOKIE)]).redirect('/workbench', 303);
  });
  app.post('/workbench/logout', PAGE, async (req, reply) => {
    const p = postSession(ctx, req, reply);
    if (!('sess' in p)) return p;
    d.auth.logout(p.sess.token);
    return reply.header('set-cookie', clearedCookie(SESSION_COOKIE)).redirect('/workbench/login', 303);
  });
}

function registerActions(app: FastifyInstance, ctx: Ctx): void {
  const { d, s } = ctx;
  app.post('/workbench/cases/:id/act', PAGE, async (req, reply) => {
    const p = postSession(ctx, req, reply);
    if (!('sess' in p)) return p;
    const who = p.sess.viewer;
    const caseId = (req.params as { id: string }).id;
    if (!may(who.staff, 'case.act')) return refusePage(ctx, reply, 'FERRY_ERR_DESK_FORBIDDEN', s.t('workbench.forbidden'), who);
    const v = d.desk.caseView(caseId);
    if (!v.ok) return refusePage(ctx, reply, v.code, v.detail, who);
    const type = one(p.form, 'type');
    if (!isFormEvent(type)) return showCase(ctx, reply, who, caseId, 400, { kind: 'alert', text: `FERRY_ERR_DESK_FIELD: ${s.t('workbench.unknownStep')}` });
    const { command, expectedVersion } = commandOf(p.form, v.value.state);
    const r = d.desk.act(who.staff as StaffIdentity, caseId, command, expectedVersion === undefined ? {} : { expectedVersion });
    if (!r.ok) return showCase(ctx, reply, who, caseId, httpStatus(r.code), { kind: 'alert', text: `${r.code}: ${r.detail}` });
    if (r.value.length > 0) d.afterAction?.();
    // Post/redirect/get: a reload shows the case, it does not post the step again.
    return reply.redirect(`/workbench/cases/${encodeURIComponent(caseId)}?done=${type}`, 303);
  });
}
