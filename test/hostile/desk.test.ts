// The approval desk's money and login rules, attacked through the REAL gateways (both processes, the
// applicant API over TLS, the intranet staff API over HTTP, real scrypt logins):
//  - the fee of a charged item (BDC-003, 8000 fen, charged by rer) can be recorded only by rer's cashier,
//    only at exactly 8000 fen, only once; a wrong amount is refused AND filed as a red card;
//  - staff login gives one answer for unknown / wrong / locked; five failures lock the account for the
//    guessing address only; an address failing 20 times over any names is throttled (429 + Retry-After).
// Different source addresses are real: the client binds 127.0.0.2 / .3 (Linux routes all of 127/8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';

let pair: Pair;
const PASSWORD = 'correct horse battery staple 42';
const pdf = (n: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${n}\ntrailer << /Root 1 0 R >>\n%%EOF\n`).toString('base64');
const ferry = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

interface Res { status: number; headers: Record<string, string | string[] | undefined>; json: any }
/** One staff API call from a chosen local address. */
function call(from: string, method: string, path: string, body?: unknown, token?: string): Promise<Res> {
  const url = new URL(path, pair.intranetUrl);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, ca: pair.ca,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { /* empty */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
const HOME = '127.0.0.1';
async function login(name: string, from = HOME): Promise<string> {
  const r = await call(from, 'POST', '/api/v1/staff/login', { name, password: PASSWORD });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.token;
}
const act = (token: string, caseId: string, command: unknown) => call(HOME, 'POST', `/api/v1/staff/cases/${caseId}/actions`, command, token);

beforeAll(async () => {
  pair = await startPair({ policyFile: policyWithoutRateLimits() });
  await pair.waitLinkUp();
  const cfg = join(pair.dir, 'internal.yaml');
  const staff: [string, string, string][] = [
    ['rer.win', 'rer', 'window'], ['rer.lead', 'rer', 'lead'], ['rer.a', 'rer', 'officer'], ['rer.b', 'rer', 'officer'],
    ['ltax.a', 'ltax', 'officer'], ['ltax.b', 'ltax', 'officer'],
    ['rer.cash', 'rer', 'cashier'], ['ltax.cash', 'ltax', 'cashier'], ['aic.cash', 'aic', 'cashier'], ['sup.li', 'supervision', 'supervisor'],
  ];
  for (const [id, dept, role] of staff) {
    const r = ferry(['staff', 'add', '--config', cfg, '--id', id, '--name', id, '--department', dept, '--roles', role], { FERRY_STAFF_PASSWORD: PASSWORD });
    expect(r.status, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => { await pair?.stop(); });

describe('recording the fee through the staff API', () => {
  let caseId = '';
  beforeAll(async () => {
    const body = JSON.stringify({
      itemCode: 'BDC-003',
      applicant: { type: 'person', name: '李华', idNumber: '330123199002021234', phone: '+86 571 8888 0001' },
      fields: { transferee: '李华', transfereeIdNo: '330123199002021234', propertyAddress: '青溪县城关镇人民路8号2幢301室', certificateNo: '浙(2016)青溪县不动产权第0001234号', floorArea: 96.5, transferType: '买卖' },
      attachments: ['application', 'applicant-ids', 'title-certificate', 'transfer-contract'].map((id) => ({ fileName: `${id}.pdf`, mediaType: 'application/pdf', materialId: id, contentBase64: pdf(id) })),
    });
    const sub = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body);
    expect(sub.status, JSON.stringify(sub.json)).toBe(202);
    caseId = sub.json.caseId;
    const win = await login('rer.win');
    const end = Date.now() + 20_000;
    while ((await call(HOME, 'GET', `/api/v1/staff/cases/${caseId}`, undefined, win)).status !== 200) {
      if (Date.now() > end) throw new Error(`case never reached the desk\n${pair.internal.log.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ok = async (token: string, cmd: unknown) => { const r = await act(token, caseId, cmd); expect(r.status, JSON.stringify(r.json)).toBe(200); };
    await ok(win, { type: 'accept', assignments: { rer: { a: 'rer.a', b: 'rer.b' }, ltax: { a: 'ltax.a', b: 'ltax.b' } } });
    await ok(await login('rer.a'), { type: 'give-opinion', verdict: 'approve' });
    await ok(await login('ltax.a'), { type: 'give-opinion', verdict: 'approve' });
    await ok(await login('rer.lead'), { type: 'decide' });
  }, 60_000);

  const pay = (amountFen: number) => ({ type: 'record-payment', amountFen, reference: 'BANK-0001' });

  it.each([
    ['a cashier of the parallel department (ltax)', 'ltax.cash', pay(8000), 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a cashier of a department not on the case (aic)', 'aic.cash', pay(8000), 403, 'FERRY_ERR_APPROVAL_ROLE'],
    ['the charging cashier, one fen', 'rer.cash', pay(1), 409, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['the charging cashier, the fee in yuan', 'rer.cash', pay(80), 409, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['the charging cashier, one fen over', 'rer.cash', pay(8001), 409, 'FERRY_ERR_APPROVAL_FEE_AMOUNT'],
    ['the charging cashier, a fraction of a fen', 'rer.cash', pay(8000.5), 400, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['the charging cashier, the amount as a string', 'rer.cash', { type: 'record-payment', amountFen: '8000', reference: 'B' }, 400, 'FERRY_ERR_APPROVAL_COMMAND'],
  ])('refuses %s', async (_why, who, cmd, status, code) => {
    const r = await act(await login(who), caseId, cmd);
    expect([r.status, r.json.error.code]).toEqual([status, code]);
  });

  it('leaves the result locked after every refused charge', async () => {
    const r = await act(await login('rer.win'), caseId, { type: 'issue-result', originalsChecked: true });
    expect([r.status, r.json.error.code]).toEqual([409, 'FERRY_ERR_APPROVAL_FEE_UNPAID']);
  });

  it('files a red card for each refused wrong amount, naming the cashier and both amounts', async () => {
    const r = await call(HOME, 'GET', `/api/v1/staff/supervision/cards?colour=red`, undefined, await login('sup.li'));
    const mine = (r.json.cards as any[]).filter((k) => k.caseId === caseId && k.kind === 'fee-mismatch');
    expect(mine.map((k) => [k.department, k.officer, k.detail]).sort()).toEqual([
      ['rer', 'rer.cash', 'tried to charge 1 fen; the catalogue fee is 8000 fen (refused)'],
      ['rer', 'rer.cash', 'tried to charge 80 fen; the catalogue fee is 8000 fen (refused)'],
      ['rer', 'rer.cash', 'tried to charge 8001 fen; the catalogue fee is 8000 fen (refused)'],
    ]);
  });

  it('accepts exactly the catalogue fee from the charging cashier, once; then the result can issue', async () => {
    const cash = await login('rer.cash');
    expect((await act(cash, caseId, pay(8000))).status).toBe(200);
    const again = await act(cash, caseId, pay(8000));
    expect([again.status, again.json.error.code]).toEqual([409, 'FERRY_ERR_APPROVAL_FEE_CHARGED']);
    expect((await act(await login('rer.win'), caseId, { type: 'issue-result', originalsChecked: true })).status).toBe(200);
  });
});

describe('staff login through the real gateway', () => {
  const attempt = (from: string, name: string, password: string) => call(from, 'POST', '/api/v1/staff/login', { name, password });
  const seen = (r: Res) => JSON.stringify([r.status, r.headers['www-authenticate'] ?? null, r.headers['retry-after'] ?? null, r.json]);

  it('gives one answer for an unknown name, a wrong password and a locked account', async () => {
    const GUESSER = '127.0.0.2';
    const unknown = await attempt(GUESSER, 'nobody.here', PASSWORD);
    const wrong = await attempt(GUESSER, 'ltax.b', 'Wrong-password-1');
    for (let i = 0; i < 4; i++) await attempt(GUESSER, 'ltax.b', 'Wrong-password-1');
    const locked = await attempt(GUESSER, 'ltax.b', PASSWORD); // right password, locked for this address
    expect(unknown.status).toBe(401);
    expect(new Set([seen(unknown), seen(wrong), seen(locked)]).size).toBe(1);
    // The officer at their own address is not locked out by the guesser.
    expect((await attempt(HOME, 'ltax.b', PASSWORD)).status).toBe(200);
  });

  it('throttles an address that fails 20 times over any names, with Retry-After, and no one else', async () => {
    const SPRAYER = '127.0.0.3';
    for (let i = 0; i < 20; i++) expect((await attempt(SPRAYER, i % 2 ? 'rer.b' : `no.such.${i}`, 'Guess-2026-spring')).status).toBe(401);
    const r = await attempt(SPRAYER, 'rer.b', PASSWORD);
    expect([r.status, r.json.error.code]).toEqual([429, 'FERRY_ERR_DESK_THROTTLED']);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect((await attempt(HOME, 'rer.b', PASSWORD)).status).toBe(200);
  });
});
