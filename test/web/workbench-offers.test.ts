// The workbench case page offers only the forms the case's own facts leave open (issue 11's journey
// found a fee form offered on a free item): no opinion form once the department gave one, no decision
// form before every opinion, no fee form on a free item. Rendered from a real desk; the desk itself
// still refuses each of these steps when posted anyway (asserted alongside, so the page and the desk
// cannot drift apart silently).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { harness, incoming, staffTheCentre, cst, type Harness } from '../desk/helpers.js';
import { casePage } from '../../src/web/workbench-case-page.js';
import { loadStrings } from '../../src/web/strings.js';
import { webDir } from '../../src/web/web-root.js';

let h: Harness;
afterEach(async () => { await h?.close(); });

const shell = { t: loadStrings(join(webDir(), 'strings', 'zh-CN.yaml')), stylesheet: '/assets/w.css', script: '/assets/w.js', icon: '/assets/i.svg' };
const CASE = 'F20260302-OFFER1';

describe('workbench case page: forms offered', () => {
  it('offers no second opinion, no early decision and no fee on a free item; the desk refuses them too', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, cst('2026-03-02T08:59')));
    const staff = (id: string) => h.auth.listStaff().find((s) => s.id === id)!;
    const officers = h.auth.listStaff().filter((s) => s.roles.includes('officer'));
    const page = (id: string) => {
      const v = h.desk.caseView(CASE);
      if (!v.ok) throw new Error(v.detail);
      return casePage(shell, { staff: staff(id), csrf: 'x'.repeat(43) }, { view: v.value, officers, downloadable: new Set() });
    };
    const offers = (html: string, type: string) => html.includes(`name="type" value="${type}"`);
    const act = (id: string, cmd: Record<string, unknown>) => h.desk.act(staff(id), CASE, cmd);
    const ok = (id: string, cmd: Record<string, unknown>) => { const r = act(id, cmd); expect(r.ok ? '' : `${r.code}: ${r.detail}`).toBe(''); };

    ok('aic.win', { type: 'accept', assignments: { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } } });
    expect(offers(page('aic.a'), 'give-opinion')).toBe(true);
    ok('aic.b', { type: 'give-opinion', verdict: 'approve' });
    // aic has given its opinion (B for A): neither aic officer is offered another; qts still is.
    expect(offers(page('aic.a'), 'give-opinion')).toBe(false);
    expect(offers(page('aic.b'), 'give-opinion')).toBe(false);
    expect(offers(page('qts.a'), 'give-opinion')).toBe(true);
    const again = act('aic.a', { type: 'give-opinion', verdict: 'approve' });
    expect(again.ok ? '' : again.code).toBe('FERRY_ERR_APPROVAL_OPINION_GIVEN');
    // Under review with opinions pending: no decision form; the desk says why if one is posted.
    expect(offers(page('aic.lead'), 'decide')).toBe(false);
    const early = act('aic.lead', { type: 'decide' });
    expect(early.ok ? '' : early.code).toBe('FERRY_ERR_APPROVAL_OPINIONS_PENDING');
    ok('qts.a', { type: 'give-opinion', verdict: 'approve' });
    ok('tax.a', { type: 'give-opinion', verdict: 'approve' });
    expect(offers(page('aic.lead'), 'decide')).toBe(true);
    ok('aic.lead', { type: 'decide' });
    // SCJG-001 is free (catalogue `fee: free`): the cashier is offered nothing to record, and the desk
    // refuses any amount; the window may issue the result straight away.
    expect(offers(page('aic.cash'), 'record-payment')).toBe(false);
    const fee = act('aic.cash', { type: 'record-payment', amountFen: 8000, reference: 'PJ-0' });
    expect(fee.ok ? '' : fee.code).toBe('FERRY_ERR_APPROVAL_FEE_AMOUNT');
    expect(offers(page('aic.win'), 'issue-result')).toBe(true);
  });
});
