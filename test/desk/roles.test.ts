// Who may do what, through the staff API with real logins: a table of staff × case state × command →
// HTTP status and code. Supervisors change nothing; admins manage accounts only; a window acts only for
// the lead department; an officer only for their department's task as its A or B; the lead decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffIdentity } from '../../src/desk/roles.js';
import { addStaff, bearer, harness, incoming, login, PASSWORD, staffTheCentre, type Harness } from './helpers.js';

let h: Harness;
const tokens: Record<string, string> = {};
let n = 0;

const ASSIGN = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };
type Setup = 'received' | 'accepted' | 'opinions-in' | 'decided';

function who(id: string): StaffIdentity {
  const s = h.auth.listStaff().find((x) => x.id === id)!;
  return { id: s.id, name: s.name, department: s.department, roles: s.roles };
}

/** A fresh case in the given state, driven through the desk by the right staff. */
function caseIn(setup: Setup): string {
  const id = `F20260302-ROLES${String(++n).padStart(11, '0')}`;
  const must = (v: { ok: boolean }) => expect(v).toMatchObject({ ok: true });
  must(h.desk.receiveSubmission(incoming('SCJG-001', id, h.clock.now())));
  if (setup === 'received') return id;
  must(h.desk.act(who('aic.win'), id, { type: 'accept', assignments: ASSIGN }));
  if (setup === 'accepted') return id;
  for (const o of ['aic.a', 'qts.a', 'tax.b']) must(h.desk.act(who(o), id, { type: 'give-opinion', verdict: 'approve' }));
  if (setup === 'opinions-in') return id;
  must(h.desk.act(who('aic.lead'), id, { type: 'decide' }));
  return id;
}

beforeAll(async () => {
  h = await harness('2026-03-02T09:00');
  await staffTheCentre(h);
  await addStaff(h, 'qts.c', 'qts', ['officer']);
  await addStaff(h, 'drc.a', 'drc', ['officer']);
  await addStaff(h, 'aic.both', 'aic', ['window', 'officer']);
  for (const s of h.auth.listStaff()) tokens[s.id] = await login(h, s.id);
});
afterAll(async () => { await h.close(); });

const decide = { type: 'decide' };
const accept = { type: 'accept', assignments: ASSIGN };
const opinion = { type: 'give-opinion', verdict: 'approve' };

describe('role enforcement on case actions', () => {
  it.each<[string, Setup, object, number, string]>([
    ['aic.win', 'received', accept, 200, 'ok'],
    ['qts.win', 'received', accept, 403, 'FERRY_ERR_APPROVAL_ROLE'], // one window: the lead department's
    ['aic.lead', 'received', accept, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['aic.a', 'received', accept, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['aic.cash', 'received', accept, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['sup.li', 'received', accept, 403, 'FERRY_ERR_DESK_FORBIDDEN'],
    ['ops.admin', 'received', accept, 403, 'FERRY_ERR_DESK_FORBIDDEN'],
    ['aic.win', 'received', { type: 'notify', materials: [{ id: 'articles', reason: '未盖章' }] }, 200, 'ok'],
    ['aic.win', 'received', { type: 'refuse', reason: '不属于本中心受理范围' }, 200, 'ok'],
    ['qts.a', 'accepted', opinion, 200, 'ok'],
    ['qts.b', 'accepted', opinion, 200, 'ok'], // the B stands in for the A (AB角)
    ['qts.c', 'accepted', opinion, 403, 'FERRY_ERR_APPROVAL_ROLE'], // neither A nor B
    ['drc.a', 'accepted', opinion, 403, 'FERRY_ERR_APPROVAL_ROLE'], // no task for drc
    ['aic.win', 'accepted', opinion, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['aic.both', 'accepted', opinion, 403, 'FERRY_ERR_APPROVAL_ROLE'], // an officer, but not assigned
    ['aic.lead', 'accepted', decide, 409, 'FERRY_ERR_APPROVAL_TRANSITION'],
    ['aic.lead', 'opinions-in', decide, 200, 'ok'],
    ['aic.win', 'opinions-in', decide, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['qts.a', 'opinions-in', decide, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['sup.li', 'opinions-in', decide, 403, 'FERRY_ERR_DESK_FORBIDDEN'],
    ['aic.win', 'decided', { type: 'issue-result' }, 200, 'ok'],
    ['aic.both', 'decided', { type: 'issue-result' }, 200, 'ok'], // acts as its window role
    ['aic.lead', 'decided', { type: 'issue-result' }, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    // SCJG-001 is free: a cashier of the right department may not charge it anything.
    ['aic.cash', 'decided', { type: 'record-payment', amountFen: 100, reference: 'BANK-1' }, 409, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['aic.win', 'decided', { type: 'record-payment', amountFen: 100, reference: 'BANK-1' }, 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['aic.win', 'accepted', { type: 'withdraw' }, 403, 'FERRY_ERR_APPROVAL_ROLE'], // the applicant's step
    ['aic.win', 'decided', { type: 'withdraw' }, 409, 'FERRY_ERR_APPROVAL_TRANSITION'],
  ])('%s on a %s case: %j → %i %s', async (staff, setup, command, status, code) => {
    const id = caseIn(setup);
    const before = h.desk.store.getCase(id)!.version;
    const r = await h.app.inject({ method: 'POST', url: `/api/v1/staff/cases/${id}/actions`, payload: command, headers: bearer(tokens[staff]!) });
    expect(r.statusCode, r.body).toBe(status);
    if (status !== 200) {
      expect(r.json().error.code).toBe(code);
      expect(h.desk.store.getCase(id)!.version).toBe(before);
    } else {
      expect(h.desk.store.getCase(id)!.version).toBe(before + 1);
    }
  });

  it('gives a supervisor 403 on every write and changes nothing', async () => {
    const id = caseIn('opinions-in');
    const before = h.desk.store.getCase(id)!;
    const commands = [
      accept, decide, opinion, { type: 'notify', materials: [{ id: 'articles', reason: 'x' }] }, { type: 'refuse', reason: 'x' },
      { type: 'resume-review' }, { type: 'issue-result' }, { type: 'close' }, { type: 'withdraw' }, { type: 'supplement', materials: ['articles'] },
      { type: 'record-payment', amountFen: 1, reference: 'r' }, { type: 'supply-committed', materialId: 'premises-proof' }, { type: 'evaluate', score: 5 },
    ];
    for (const c of commands) {
      const r = await h.app.inject({ method: 'POST', url: `/api/v1/staff/cases/${id}/actions`, payload: c, headers: bearer(tokens['sup.li']!) });
      expect([r.statusCode, r.json().error.code], JSON.stringify(c)).toEqual([403, 'FERRY_ERR_DESK_FORBIDDEN']);
    }
    for (const [url, payload] of [
      ['/api/v1/staff/accounts', { id: 'x.y', name: 'x', department: 'aic', roles: ['window'], password: PASSWORD }],
      ['/api/v1/staff/accounts/aic.win/disable', {}],
    ] as const) {
      const r = await h.app.inject({ method: 'POST', url, payload, headers: bearer(tokens['sup.li']!) });
      expect([r.statusCode, r.json().error.code]).toEqual([403, 'FERRY_ERR_DESK_FORBIDDEN']);
    }
    expect(h.desk.store.getCase(id)).toEqual(before);
    expect(h.auth.listStaff().find((s) => s.id === 'aic.win')!.disabled).toBe(false);
  });
});

describe('role enforcement on reads and accounts', () => {
  it.each<[string, string, string, number]>([
    ['sup.li', 'GET', 'case', 200],
    ['sup.li', 'GET', '/api/v1/staff/queue', 200],
    ['sup.li', 'GET', '/api/v1/staff/supervision/cards', 200],
    ['sup.li', 'GET', '/api/v1/staff/supervision/report?month=2026-03', 200],
    ['aic.win', 'GET', 'case', 200],
    ['qts.a', 'GET', 'case', 200], // a parallel department reads the case it reviews
    ['drc.a', 'GET', 'case', 403], // a department not involved does not
    ['aic.win', 'GET', '/api/v1/staff/supervision/cards', 403],
    ['aic.lead', 'GET', '/api/v1/staff/supervision/report?month=2026-03', 403],
    ['ops.admin', 'GET', 'case', 403],
    ['ops.admin', 'GET', '/api/v1/staff/queue', 403],
    ['ops.admin', 'GET', '/api/v1/staff/accounts', 200],
    ['aic.win', 'GET', '/api/v1/staff/accounts', 403],
    ['sup.li', 'GET', '/api/v1/staff/accounts', 403],
  ])('%s %s %s → %i', async (staff, method, url, status) => {
    const target = url === 'case' ? `/api/v1/staff/cases/${caseIn('accepted')}` : url;
    const r = await h.app.inject({ method: method as 'GET', url: target, headers: bearer(tokens[staff]!) });
    expect(r.statusCode, r.body).toBe(status);
    if (status === 403) expect(r.json().error.code).toBe('FERRY_ERR_DESK_FORBIDDEN');
  });

  it('lets an admin create and disable accounts, and a disabled account loses its sessions', async () => {
    const created = await h.app.inject({
      method: 'POST', url: '/api/v1/staff/accounts', headers: bearer(tokens['ops.admin']!),
      payload: { id: 'tax.new', name: '税务 新人', department: 'tax', roles: ['officer'], password: PASSWORD },
    });
    expect(created.statusCode, created.body).toBe(201);
    const t = await login(h, 'tax.new');
    const off = await h.app.inject({ method: 'POST', url: '/api/v1/staff/accounts/tax.new/disable', headers: bearer(tokens['ops.admin']!) });
    expect(off.statusCode).toBe(200);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(t) });
    expect([me.statusCode, me.json().error.code]).toEqual([401, 'FERRY_ERR_DESK_UNAUTHENTICATED']);
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { name: 'tax.new', password: PASSWORD } });
    expect([again.statusCode, again.json().error.code]).toEqual([401, 'FERRY_ERR_DESK_LOGIN_FAILED']);
    const audit = h.audits.filter((a) => a.subject === 'tax.new').map((a) => [a.action, a.detail['by'] ?? null]);
    expect(audit).toEqual([['staff.create', 'ops.admin'], ['staff.login', null], ['staff.disable', 'ops.admin'], ['staff.login-failed', null]]);
  });

  it('refuses a request without a token (401, WWW-Authenticate) but serves the public board', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue' });
    expect([r.statusCode, r.json().error.code]).toEqual([401, 'FERRY_ERR_DESK_UNAUTHENTICATED']);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="ferry-staff"');
    const forged = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer('A'.repeat(43)) });
    expect(forged.statusCode).toBe(401);
    const board = await h.app.inject({ method: 'GET', url: '/api/v1/board' });
    expect(board.statusCode).toBe(200);
  });
});

describe('account rules', () => {
  it.each([
    ['a supervisor who also handles cases', { roles: ['supervisor', 'window'] }, /sole role/],
    ['an admin who also decides', { roles: ['admin', 'lead'] }, /sole role/],
    ['a window for a department in no item', { department: 'nowhere' }, /takes part in no catalogue item/],
    ['a short password', { password: 'Short-1' }, /at least 12/],
    ['a one-kind password', { password: 'abcdefghijklmnop' }, /three of/],
    ['a password containing the id', { id: 'aic.zhao', password: 'AIC.ZHAO-2026-x' }, /staff id/],
    ['an unknown role', { roles: ['root'] }, /roles/],
  ])('refuses %s', async (_n, over, detail) => {
    const v = await h.auth.createStaff({ id: 'aic.new', name: '新人', department: 'aic', roles: ['window'], password: PASSWORD, ...over } as never);
    expect(v.ok ? 'created' : v.code).toBe('FERRY_ERR_DESK_STAFF');
    if (!v.ok) expect(v.detail).toMatch(detail);
  });
});

describe('hostile requests to the staff API', () => {
  it.each<[string, { method: 'GET' | 'POST'; url: string; payload?: string; headers?: Record<string, string> }, number, string]>([
    ['a body that is not JSON', { method: 'POST', url: 'actions', payload: '{"type":', headers: { 'content-type': 'application/json' } }, 400, 'FERRY_ERR_API_JSON'],
    ['a body that is not JSON at all', { method: 'POST', url: 'actions', payload: 'decide', headers: { 'content-type': 'text/plain' } }, 415, 'FERRY_ERR_API_MEDIA_TYPE'],
    ['an unknown command', { method: 'POST', url: 'actions', payload: '{"type":"approve-everything"}' }, 400, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['an unknown field', { method: 'POST', url: 'actions', payload: '{"type":"decide","outcome":"approved"}' }, 400, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a command that is a list', { method: 'POST', url: 'actions', payload: '[{"type":"decide"}]' }, 400, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a malformed If-Match', { method: 'POST', url: 'actions', payload: '{"type":"decide"}', headers: { 'if-match': 'W/"3"' } }, 400, 'FERRY_ERR_DESK_FIELD'],
    ['an unknown case', { method: 'GET', url: '/api/v1/staff/cases/F20260302-NOSUCHCASE000000' }, 404, 'FERRY_ERR_DESK_NO_CASE'],
    ['a login with extra fields', { method: 'POST', url: '/api/v1/staff/login', payload: '{"name":"aic.lead","password":"x","role":"admin"}' }, 400, 'FERRY_ERR_DESK_FIELD'],
    ['a login with a huge password', { method: 'POST', url: '/api/v1/staff/login', payload: JSON.stringify({ name: 'aic.lead', password: 'x'.repeat(5000) }) }, 401, 'FERRY_ERR_DESK_LOGIN_FAILED'],
    ['a report without a month', { method: 'GET', url: '/api/v1/staff/supervision/report' }, 403, 'FERRY_ERR_DESK_FORBIDDEN'],
  ])('refuses %s', async (_name, req, status, code) => {
    const id = caseIn('opinions-in');
    const url = req.url === 'actions' ? `/api/v1/staff/cases/${id}/actions` : req.url;
    const r = await h.app.inject({
      method: req.method, url, ...(req.payload !== undefined ? { payload: req.payload } : {}),
      headers: { 'content-type': 'application/json', ...bearer(tokens['aic.lead']!), ...req.headers },
    });
    expect([r.statusCode, r.json().error.code], r.body).toEqual([status, code]);
    expect(h.desk.store.getCase(id)!.status).toBe('under-review');
  });
});
