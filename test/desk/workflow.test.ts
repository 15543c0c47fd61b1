// One unified-licence case (三证合一) from the gateway's hand-over to the applicant's evaluation, driven
// through the staff API with real logins and an injected trusted clock: one-time notice, supplement,
// acceptance, parallel opinions by three departments (A and B officers), decision, result, close.
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../src/approval/index.js';
import { createHash } from 'node:crypto';
import { applicantId, incomingFromPacket } from '../../src/desk/submission.js';
import { checkSubmission } from '../../src/policy/submission-shape.js';
import { APPLICANT, FORMS, PERSONAL, bearer, harness, incoming, item, login, sha, staffTheCentre, type Harness } from './helpers.js';

let h: Harness;

/** Override the attachments of an otherwise valid submission. */
const files = (attachments: unknown[]) => ({ submission: { ...incoming('SCJG-001', 'x', new Date()).submission, attachments } as never });
afterEach(async () => { await h.close(); });

const CASE = 'F20260302-7QK2M9ABCDEFGH12';

async function act(token: string, command: unknown, ifMatch?: number) {
  return h.app.inject({
    method: 'POST', url: `/api/v1/staff/cases/${CASE}/actions`, payload: command as object,
    headers: { ...bearer(token), ...(ifMatch !== undefined ? { 'if-match': `"${ifMatch}"` } : {}) },
  });
}

function okStatus(r: { statusCode: number; body: string }, status = 200) {
  expect(r.statusCode, r.body).toBe(status);
}

describe('the approval desk, end to end through the staff API', () => {
  it('runs notice → supplement → acceptance → parallel opinions → decision → result → close → evaluation', async () => {
    // The case spans days; sessions here outlive the clock's jumps (expiry has its own tests).
    h = await harness('2026-03-02T09:00', { sessionTtlMs: 7 * 86_400_000, sessionIdleMs: 7 * 86_400_000 });
    await staffTheCentre(h);

    // The gateway hands the case over inside its own inbox transaction (a savepoint here).
    const received = h.db.transaction(() => h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now(), ['articles', 'name-approval'])))();
    expect(received.ok && received.value.map((e) => e.type)).toEqual(['received']);

    const win = await login(h, 'aic.win');
    const queue = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer(win) });
    okStatus(queue);
    expect((queue.json() as { window: { caseId: string }[] }).window.map((r) => r.caseId)).toEqual([CASE]);

    // One-time notice: every missing material at once; a notice that omits one is refused.
    h.clock.set('2026-03-02T10:00');
    const partial = await act(win, { type: 'notify', materials: [{ id: 'articles', reason: 'missing' }] });
    expect(partial.statusCode).toBe(409);
    expect(partial.json().error.code).toBe('FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE');
    const notice = await act(win, { type: 'notify', materials: [{ id: 'articles', reason: '未提交' }, { id: 'name-approval', reason: '未提交' }], reason: '材料不全' });
    okStatus(notice);
    expect(notice.json()).toMatchObject({ status: 'notice-issued', version: 2 });
    expect(notice.json().events[0]).toMatchObject({ type: 'notice', clockPaused: false });

    // The applicant's supplement arrives from outside, with its files.
    h.clock.set('2026-03-03T09:00');
    const sup = h.desk.applicantAction(CASE, { type: 'supplement', materials: ['articles', 'name-approval'] }, {
      attachments: [
        { fileName: '章程.pdf', mediaType: 'application/pdf', materialId: 'articles', size: 2048, sha256: sha(99) },
        { fileName: '名称核准.pdf', mediaType: 'application/pdf', materialId: 'name-approval', size: 1024, sha256: sha(98) },
      ],
    });
    expect(sup.ok && sup.value.map((e) => e.type)).toEqual(['status']);

    // Acceptance with If-Match: a stale version is refused, the current one goes through.
    h.clock.set('2026-03-03T10:00');
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/staff/cases/${CASE}`, headers: bearer(win) });
    okStatus(view);
    expect(view.headers.etag).toBe('"3"');
    expect(view.json().submission.applicant.name).toBe(APPLICANT.name);
    const assignments = { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' }, tax: { a: 'tax.a', b: 'tax.b' } };
    const stale = await act(win, { type: 'accept', assignments }, 2);
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.code).toBe('FERRY_ERR_DESK_STALE');
    const accepted = await act(win, { type: 'accept', assignments }, 3);
    okStatus(accepted);
    const acc = accepted.json().events[0] as Extract<OutboundEvent, { type: 'accepted' }>;
    expect(acc).toMatchObject({ type: 'accepted', limitDays: 3, dueDate: '2026-03-06' });
    expect(acc.departments.map((d) => d.name)).toEqual(['县工商行政管理局', '县质量技术监督局', '县国家税务局']);

    // Parallel review: every department's task started at the acceptance instant; each officer sees
    // the case in their own department's queue; B stands in for A at aic.
    const tasks = h.desk.caseView(CASE);
    expect(tasks.ok && tasks.value.state.tasks.map((t) => t.startedAt)).toEqual(Array(3).fill(new Date('2026-03-03T02:00:00Z').toISOString()));
    const aicB = await login(h, 'aic.b');
    const qtsA = await login(h, 'qts.a');
    const taxA = await login(h, 'tax.a');
    const qtsQueue = await h.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: bearer(qtsA) });
    expect(qtsQueue.json()).toEqual({ review: [expect.objectContaining({ caseId: CASE, status: 'accepted' })] });

    const lead = await login(h, 'aic.lead');
    h.clock.set('2026-03-03T15:00');
    okStatus(await act(aicB, { type: 'give-opinion', verdict: 'approve', reason: '符合登记条件' }));
    const early = await act(lead, { type: 'decide' });
    expect(early.json().error.code).toBe('FERRY_ERR_APPROVAL_OPINIONS_PENDING');
    h.clock.set('2026-03-04T09:00');
    okStatus(await act(qtsA, { type: 'give-opinion', verdict: 'approve' }));
    const twice = await act(await login(h, 'qts.b'), { type: 'give-opinion', verdict: 'approve' });
    expect(twice.json().error.code).toBe('FERRY_ERR_APPROVAL_OPINION_GIVEN');
    h.clock.set('2026-03-04T10:00');
    okStatus(await act(taxA, { type: 'give-opinion', verdict: 'approve' }));

    h.clock.set('2026-03-04T11:00');
    const decided = await act(lead, { type: 'decide', reason: '三部门均同意' });
    okStatus(decided);
    expect(decided.json().events).toEqual([expect.objectContaining({ type: 'decision', outcome: 'approved', reasons: [] })]);
    h.clock.set('2026-03-04T14:00');
    okStatus(await act(win, { type: 'issue-result', documentNo: 'QX-SCJG-2026-0001' }));
    h.clock.set('2026-03-04T15:00');
    const closed = await act(win, { type: 'close' });
    okStatus(closed);
    expect(closed.json()).toMatchObject({ status: 'closed' });

    // Staff cannot enter the evaluation (办评分开); the applicant's arrives from outside, once.
    const staffEval = await act(win, { type: 'evaluate', score: 5 });
    expect(staffEval.statusCode).toBe(400);
    expect(staffEval.json().error.code).toBe('FERRY_ERR_APPROVAL_COMMAND');
    h.clock.set('2026-03-05T09:00');
    expect(h.desk.applicantAction(CASE, { type: 'evaluate', score: 5, comment: '一次办好' })).toEqual({ ok: true, value: [] });
    const again = h.desk.applicantAction(CASE, { type: 'evaluate', score: 1 });
    expect(again.ok ? 'accepted' : again.code).toBe('FERRY_ERR_APPROVAL_EVALUATED');

    // The API asked the gateway to drain after each action that queued events (not after the two
    // opinions that changed no status).
    expect(h.pumps.n).toBe(6);
    // Outbound events: deterministic ids, in order, drained by the gateway and marked dispatched.
    const pending = h.desk.pendingEvents(100);
    expect(pending.map((e) => `${e.eventId.slice(CASE.length + 1)}:${e.status}`)).toEqual([
      '0/received:received', '1/notice:notice-issued', '2/status:supplemented', '3/accepted:accepted',
      '4/status:under-review', '7/decision:decided-approved', '8/result-ready:result-issued', '9/closed:closed',
    ]);
    expect(h.db.transaction(() => h.desk.markDispatched(pending.map((e) => e.eventId)))()).toBe(8);
    expect(h.desk.markDispatched(pending.map((e) => e.eventId))).toBe(0);
    expect(h.desk.pendingEvents(100)).toEqual([]);

    // The transition log: every step with actor, role, reason and the trusted time; the evaluation last.
    const log = h.desk.store.transitions(CASE);
    expect(log.map((t) => [t.seq, t.event, t.actor, t.role, t.at.slice(0, 16)])).toEqual([
      [0, 'submit', applicantId(APPLICANT), 'applicant', '2026-03-02T01:00'],
      [1, 'notify', 'aic.win', 'window', '2026-03-02T02:00'],
      [2, 'supplement', applicantId(APPLICANT), 'applicant', '2026-03-03T01:00'],
      [3, 'accept', 'aic.win', 'window', '2026-03-03T02:00'],
      [4, 'give-opinion', 'aic.b', 'officer', '2026-03-03T07:00'],
      [5, 'give-opinion', 'qts.a', 'officer', '2026-03-04T01:00'],
      [6, 'give-opinion', 'tax.a', 'officer', '2026-03-04T02:00'],
      [7, 'decide', 'aic.lead', 'chief', '2026-03-04T03:00'],
      [8, 'issue-result', 'aic.win', 'window', '2026-03-04T06:00'],
      [9, 'close', 'aic.win', 'window', '2026-03-04T07:00'],
      [10, 'evaluate', applicantId(APPLICANT), 'applicant', '2026-03-05T01:00'],
    ]);
    expect(log[1]!.reason).toBe('材料不全');
    expect(log[7]!.reason).toBe('三部门均同意');
    const final = h.desk.caseView(CASE);
    expect(final.ok && final.value.state.history.length).toBe(10);
    expect(final.ok && final.value.submission.attachments.map((a) => [a.seq, a.materialId])).toContainEqual([2, 'articles']);

    // Audit: one call per action (and per refusal), none carrying personal data.
    const actions = h.audits.map((a) => a.action).filter((a) => a.startsWith('case.'));
    expect(actions.filter((a) => a !== 'case.refused')).toEqual([
      'case.submit', 'case.notify', 'case.supplement', 'case.accept', 'case.give-opinion', 'case.give-opinion',
      'case.give-opinion', 'case.decide', 'case.issue-result', 'case.close', 'case.evaluate',
    ]);
    expect(actions.filter((a) => a === 'case.refused')).toHaveLength(6);
    expect(h.logs.length).toBeGreaterThan(20);
    const trail = JSON.stringify(h.audits) + h.logs.join('');
    for (const p of PERSONAL) expect(trail).not.toContain(p);
  });

  it('rolls the case back with the caller\'s transaction (the packet and the case commit together)', async () => {
    h = await harness();
    expect(() => h.db.transaction(() => {
      const v = h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
      expect(v.ok).toBe(true);
      throw new Error('the gateway failed to store the packet');
    })()).toThrow(/failed to store/);
    expect(h.desk.store.getCase(CASE)).toBeUndefined();
    expect(h.desk.pendingEvents(10)).toEqual([]);
    // The same submission then goes through, once.
    expect(h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now())).ok).toBe(true);
    const dup = h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    expect(dup.ok ? 'accepted' : dup.code).toBe('FERRY_ERR_DESK_CASE_EXISTS');
  });

  it.each([
    ['an unknown item', { itemCode: 'NOPE-1' }, 'FERRY_ERR_APPROVAL_UNKNOWN_ITEM'],
    ['a township case without its centre', { channel: 'township' as const }, 'FERRY_ERR_DESK_SUBMISSION'],
    ['a public case naming a township', { township: '石门乡便民服务中心' }, 'FERRY_ERR_DESK_SUBMISSION'],
    ['a bad case id', { caseId: '../etc' }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a form that does not fit the item', { itemCode: 'BDC-003' }, 'FERRY_ERR_APPROVAL_FORM'],
    ['an attachment without a proper digest', files([{ fileName: 'a.pdf', mediaType: 'application/pdf', materialId: 'articles', size: 1, sha256: 'abc' }]), 'FERRY_ERR_DESK_SUBMISSION'],
    ['more attachments than ingress allows', files(Array(33).fill({ fileName: 'a.pdf', mediaType: 'application/pdf', materialId: null, size: 1, sha256: sha(1) })), 'FERRY_ERR_DESK_SUBMISSION'],
    ['an attachment for a material the item lacks', files([{ fileName: 'a.pdf', mediaType: 'application/pdf', materialId: 'passport', size: 1, sha256: sha(1) }]), 'FERRY_ERR_APPROVAL_COMMAND'],
  ])('refuses %s as a value and writes nothing', async (_name, over, code) => {
    h = await harness();
    const v = h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now(), [], over));
    expect(v.ok ? 'accepted' : v.code).toBe(code);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM approval_cases').get()).toEqual({ n: 0 });
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM outbound_events').get()).toEqual({ n: 0 });
  });

  it('takes only supplement, withdrawal, committed material and evaluation from the applicant side', async () => {
    h = await harness();
    h.desk.receiveSubmission(incoming('SCJG-001', CASE, h.clock.now()));
    const v = h.desk.applicantAction(CASE, { type: 'accept', assignments: {} });
    expect(v.ok ? 'accepted' : v.code).toBe('FERRY_ERR_DESK_FORBIDDEN');
    h.clock.set('2026-03-02T12:00');
    const w = h.desk.applicantAction(CASE, { type: 'withdraw', reason: '不再需要' });
    expect(w.ok && w.value).toEqual([expect.objectContaining({ type: 'closed', outcome: 'withdrawn', status: 'withdrawn' })]);
    const none = h.desk.applicantAction('F20260302-NOSUCHCASE000000', { type: 'withdraw' });
    expect(none.ok ? 'accepted' : none.code).toBe('FERRY_ERR_DESK_NO_CASE');
  });

  it('takes a submission packet as the gateway decodes it (src/policy/submission-shape.ts)', async () => {
    h = await harness();
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const doc = {
      itemCode: 'SCJG-001', applicant: { ...APPLICANT, email: 'office@example.cn' }, fields: FORMS['SCJG-001'],
      attachments: item('SCJG-001').materials.map((m) => ({ fileName: `${m.id}.pdf`, mediaType: 'application/pdf', materialId: m.id, contentBase64: pdf.toString('base64') })),
    };
    const sub = checkSubmission(doc);
    if (!sub.ok) throw new Error(sub.detail);
    const v = h.desk.receiveSubmission(incomingFromPacket(CASE, sub.value, h.clock.now()));
    expect(v.ok && v.value[0]).toMatchObject({ type: 'received', eventId: `${CASE}/0/received`, itemCode: 'SCJG-001' });
    const stored = h.desk.store.attachments(CASE);
    expect(stored).toHaveLength(6);
    expect(stored[0]).toMatchObject({ seq: 0, size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') });
    const view = h.desk.caseView(CASE);
    expect(view.ok && view.value.state.materials).toHaveLength(6);
    expect(view.ok && view.value.submission.channel).toBe('public');
  });
});
