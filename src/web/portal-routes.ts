// The applicant portal's catalogue pages on the external gateway, same origin as the API. Read-only:
// they show the catalogue the intranet last published (the catalogue cache), and work without
// JavaScript (plain links and GET forms).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PublishedItem } from '../published/item.js';
import { loadAsset, registerAssets } from './assets.js';
import { PAGE_CSP, type Shell } from './layout.js';
import { homePage, itemPage, listPage, messagePage } from './portal-pages.js';
import { parseItemQuery, searchItems } from './catalogue-search.js';
import { loadStrings } from './strings.js';
import { casePage, lookupPage, type CaseView } from './case-page.js';
import { join } from 'node:path';
import { webDir } from './web-root.js';
import { randomBytes } from 'node:crypto';
import { registerFiling, type FilingDeps } from './filing-routes.js';
import { kioskHome, kioskItem, kioskList } from './kiosk-pages.js';

export interface PortalDeps {
  /** The catalogue in force, or null before the intranet first published one. */
  catalogue: () => { items: readonly PublishedItem[]; byCode: ReadonlyMap<string, PublishedItem> } | null;
  /** The case page's sources: the status cache and the case-number-and-secret gate (case-access.ts). */
  cases: {
    get(caseId: string): CaseView | null;
    /** The case number's form (checked before the gate, like the API does). */
    isCaseId(caseId: string): boolean;
    access(caseId: string, presented: string | null, source: string): { ok: true } | { ok: false; status: number; headers: Record<string, string> };
  };
  /** The filing forms' way into the ingress pipeline (src/web/filing-routes.ts); no forms without it. */
  filing?: Pick<FilingDeps, 'file' | 'act' | 'maxRequestBytes'>;
  /** web/ by default; a county's own wording lives in <dir>/strings/zh-CN.yaml. */
  webDir?: string;
}

/** Pages are not part of the API: kept out of the OpenAPI document. */
const PAGE = { schema: { hide: true } } as const;

/** The lookup form carries two short fields. */
const MAX_CASE_FORM_BYTES = 1024;

/** Seconds a browser waits before asking again while the catalogue has not arrived. */
const CATALOGUE_RETRY_AFTER_S = 30;

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(body);
}

export function registerPortal(app: FastifyInstance, d: PortalDeps): void {
  const dir = d.webDir ?? webDir();
  const css = loadAsset(join(dir, 'assets'), 'portal.css');
  const icon = loadAsset(join(dir, 'assets'), 'favicon.svg');
  const script = loadAsset(join(dir, 'assets'), 'filing.js');
  const kiosk = loadAsset(join(dir, 'assets'), 'kiosk.js');
  registerAssets(app, [css, icon, script, kiosk]);
  const s: Shell = { t: loadStrings(join(dir, 'strings', 'zh-CN.yaml')), stylesheet: css.path, icon: icon.path };
  // How long the gateway took over each page, for the browser's developer tools and the page tests.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
    return payload;
  });
  const withCatalogue = (reply: FastifyReply, fn: (c: NonNullable<ReturnType<PortalDeps['catalogue']>>) => FastifyReply) => {
    const c = d.catalogue();
    if (!c) return send(reply.header('retry-after', String(CATALOGUE_RETRY_AFTER_S)), 503, messagePage(s, s.t('catalogue.unavailableTitle'), s.t('catalogue.unavailableBody')));
    return fn(c);
  };

  app.get('/', PAGE, async (_req, reply) => withCatalogue(reply, (c) => send(reply, 200, homePage(s, c.items))));
  app.get('/items', PAGE, async (req, reply) => withCatalogue(reply, (c) => {
    const q = parseItemQuery(req.query as Record<string, unknown>);
    if (!q.ok) return send(reply, 400, messagePage(s, s.t('error.badQueryTitle'), s.t('error.badQueryBody')));
    return send(reply, 200, listPage(s, q.value, searchItems(c.items, q.value)));
  }));
  app.get('/items/:code', PAGE, async (req, reply) => withCatalogue(reply, (c) => {
    const code = (req.params as { code: string }).code;
    const item = c.byCode.get(code);
    if (!item) return send(reply, 404, messagePage(s, s.t('item.notFoundTitle'), s.t('item.notFoundBody', { code: code.slice(0, 64) })));
    return send(reply, 200, itemPage(s, item));
  }));
  const actions = d.filing ? () => ({ token: randomBytes(18).toString('base64url'), script: script.path }) : undefined;
  // The hall's touch kiosks: the catalogue by touch alone (src/web/kiosk-pages.ts).
  app.get('/kiosk', PAGE, async (_req, reply) => withCatalogue(reply, (c) => send(reply, 200, kioskHome(s, c.items, kiosk.path))));
  app.get('/kiosk/items', PAGE, async (req, reply) => withCatalogue(reply, (c) => {
    const q = parseItemQuery(req.query as Record<string, unknown>);
    if (!q.ok || q.value.q !== '') return send(reply, 400, messagePage(s, s.t('error.badQueryTitle'), s.t('error.badQueryBody')));
    return send(reply, 200, kioskList(s, q.value, searchItems(c.items, q.value), kiosk.path));
  }));
  app.get('/kiosk/items/:code', PAGE, async (req, reply) => withCatalogue(reply, (c) => {
    const item = c.byCode.get((req.params as { code: string }).code);
    if (!item) return send(reply, 404, messagePage(s, s.t('item.notFoundTitle'), s.t('item.notFoundBody', { code: (req.params as { code: string }).code.slice(0, 64) })));
    return send(reply, 200, kioskItem(s, item, kiosk.path));
  }));
  registerCasePages(app, d.cases, s, actions);
  if (d.filing) registerFiling(app, { ...d.filing, catalogue: d.catalogue, cases: d.cases }, s, script.path);
}

function registerCasePages(app: FastifyInstance, cases: PortalDeps['cases'], s: Shell, actions?: () => { token: string; script: string }): void {
  app.get('/case', PAGE, async (_req, reply) => send(reply, 200, lookupPage(s)));
  // Only this context parses form bodies; the API's routes keep taking JSON only.
  void app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_CASE_FORM_BYTES },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    forms.post('/case', PAGE, async (req, reply) => {
      const f = (req.body ?? {}) as Record<string, unknown>;
      const caseId = typeof f.caseId === 'string' ? f.caseId.trim().toUpperCase().slice(0, 40) : '';
      const secret = typeof f.secret === 'string' ? f.secret.slice(0, 64) : '';
      if (!caseId || !secret) return send(reply, 400, lookupPage(s, caseId, s.t('case.badForm')));
      // A malformed number gets the same answer as a wrong secret, after the same gate.
      const a = cases.access(cases.isCaseId(caseId) ? caseId : '', secret, req.ip);
      if (!a.ok) {
        if (a.status === 429) {
          return send(reply.headers(a.headers), 429, lookupPage(s, caseId, s.t('case.throttled', { seconds: a.headers['retry-after'] ?? '60' })));
        }
        return send(reply, 404, lookupPage(s, caseId, s.t('case.refused')));
      }
      const c = cases.get(caseId);
      if (!c) return send(reply, 404, lookupPage(s, caseId, s.t('case.refused')));
      // The page holds the secret (its forms POST it): no cache may keep it.
      return send(reply.header('cache-control', 'no-store'), 200, casePage(s, c, secret, actions?.()));
    });
  });
}
