// One-time notice (一次性告知), tolerance acceptance (容缺受理) and the pause while the applicant
// supplements.
import { describe, expect, it } from 'vitest';
import type { CaseState } from '../../src/approval/case-state.js';
import { caseClock, dueDate, taskClock, usedDays } from '../../src/approval/deadlines.js';
import { applicant, assignments, calendar, cst, item, ok, officer, received, refused, run, step, window } from './fixtures.js';

const licence = item('SCJG-001');
const accept = { type: 'accept', assignments: assignments(licence) } as const;
const without = (...ids: string[]) => ({ materials: licence.materials.map((m) => m.id).filter((id) => !ids.includes(id)) });

/** Submitted Monday 2026-03-02 without the name approval and the premises proof. */
const incomplete = (): CaseState => received('SCJG-001', '2026-03-02T09:00', without('name-approval', 'premises-proof'));

describe('the first notice must list everything at once', () => {
  it('refuses a notice that omits a missing material', () => {
    refused(step(incomplete(), '2026-03-02T10:00', window('aic'), { type: 'notify', materials: [{ id: 'name-approval', reason: '缺' }] }),
      'FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', /omits premises-proof/);
  });

  it('lists missing and defective materials; the defective ones no longer count as provided', () => {
    const r = ok(step(incomplete(), '2026-03-02T10:00', window('aic'), {
      type: 'notify',
      materials: [{ id: 'name-approval', reason: '缺少' }, { id: 'premises-proof', reason: '缺少' }, { id: 'articles', reason: '第3页股东未签字' }],
    }));
    expect(r.next.state).toBe('notice-issued');
    expect(r.next.materials).not.toContain('articles');
    expect(r.next.pauses).toEqual([]); // before acceptance there is no case clock to pause
    expect(r.events).toEqual([expect.objectContaining({
      type: 'notice', clockPaused: false,
      materials: [
        { materialId: 'name-approval', name: '企业名称预先核准通知书', reason: '缺少' },
        { materialId: 'premises-proof', name: '住所使用证明', reason: '缺少' },
        { materialId: 'articles', name: '公司章程', reason: '第3页股东未签字' },
      ],
    })]);
  });

  it.each([
    ['an unknown material', [{ id: 'photo', reason: 'x' }], /photo is not a material/],
    ['a material twice', [{ id: 'name-approval', reason: 'x' }, { id: 'name-approval', reason: 'y' }, { id: 'premises-proof', reason: 'z' }], /listed twice/],
  ])('refuses %s', (_why, materials, detail) => {
    refused(step(incomplete(), '2026-03-02T10:00', window('aic'), { type: 'notify', materials }), 'FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', detail);
  });
});

describe('a second notice may only ask again for what was supplied since, or is still missing', () => {
  /** Notice 1 asks for name-approval, premises-proof and a re-signed articles; the applicant
   *  supplies name-approval and articles, not yet premises-proof. */
  function afterFirstSupplement(): CaseState {
    return run(incomplete(), [
      ['2026-03-02T10:00', window('aic'), { type: 'notify', materials: [{ id: 'name-approval', reason: '缺少' }, { id: 'premises-proof', reason: '缺少' }, { id: 'articles', reason: '未签字' }] }],
      ['2026-03-03T09:00', applicant, { type: 'supplement', materials: ['name-approval', 'articles'] }],
    ]).c;
  }

  it.each([
    // [what the second notice lists, expected code or 'allowed', why]
    [['shareholder-ids', 'premises-proof'], 'FERRY_ERR_APPROVAL_NOTICE_REPEAT', 'shareholder-ids was there from the start: the first notice could have named it'],
    [['articles', 'premises-proof'], 'allowed', 'articles was re-supplied and is defective again; premises-proof is still missing'],
    [['name-approval', 'premises-proof'], 'allowed', 'name-approval arrived in the supplement and may be found defective'],
    [['premises-proof'], 'allowed', 'only the material still missing'],
    [['articles'], 'FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE', 'premises-proof is still missing and must be listed again'],
  ] as const)('%j → %s (%s)', (ids, expected, _why) => {
    const r = step(afterFirstSupplement(), '2026-03-03T10:00', window('aic'), { type: 'notify', materials: ids.map((id) => ({ id, reason: '补正' })) });
    if (expected === 'allowed') expect(ok(r).next.state).toBe('notice-issued');
    else refused(r, expected);
  });

  it('a material once named and since supplied is judged at the next look; asking for it later is a repeat', () => {
    // Notice 1 names articles; it is re-supplied; notice 2 asks only for premises-proof (articles now
    // passed); after that supplement, asking for articles again is refused — and so it is after acceptance.
    const c = run(afterFirstSupplement(), [
      ['2026-03-03T10:00', window('aic'), { type: 'notify', materials: [{ id: 'premises-proof', reason: '缺少' }] }],
      ['2026-03-04T09:00', applicant, { type: 'supplement', materials: ['premises-proof'] }],
    ]).c;
    refused(step(c, '2026-03-04T10:00', window('aic'), { type: 'notify', materials: [{ id: 'articles', reason: '又发现问题' }] }), 'FERRY_ERR_APPROVAL_NOTICE_REPEAT', /articles/);
    const accepted = run(c, [['2026-03-04T10:00', window('aic'), accept]]).c;
    refused(step(accepted, '2026-03-05T10:00', officer('qts'), { type: 'notify', materials: [{ id: 'name-approval', reason: 'x' }] }), 'FERRY_ERR_APPROVAL_NOTICE_REPEAT');
  });

  it('the applicant supplies only what the notice asked for', () => {
    const c = run(incomplete(), [['2026-03-02T10:00', window('aic'), { type: 'notify', materials: [{ id: 'name-approval', reason: '缺少' }, { id: 'premises-proof', reason: '缺少' }] }]]).c;
    refused(step(c, '2026-03-03T09:00', applicant, { type: 'supplement', materials: ['articles'] }), 'FERRY_ERR_APPROVAL_COMMAND', /articles was not asked for/);
  });

  it('acceptance is refused while a required material is missing, and allowed once supplied', () => {
    const c = afterFirstSupplement();
    refused(step(c, '2026-03-03T10:00', window('aic'), accept), 'FERRY_ERR_APPROVAL_MATERIALS_MISSING', /premises-proof/);
    const full = run(c, [
      ['2026-03-03T10:00', window('aic'), { type: 'notify', materials: [{ id: 'premises-proof', reason: '缺少' }] }],
      ['2026-03-04T09:00', applicant, { type: 'supplement', materials: ['premises-proof'] }],
      ['2026-03-04T10:00', window('aic'), accept],
    ]).c;
    expect(full.state).toBe('accepted');
  });

  it('refusal (不予受理) is possible while the notice is unanswered, not after acceptance', () => {
    const c = run(incomplete(), [['2026-03-02T10:00', window('aic'), { type: 'notify', materials: [{ id: 'name-approval', reason: '缺少' }, { id: 'premises-proof', reason: '缺少' }] }]]).c;
    const r = ok(step(c, '2026-03-20T10:00', window('aic'), { type: 'refuse', reason: '逾期未补正' }));
    expect(r.events).toEqual([expect.objectContaining({ type: 'not-accepted', reason: '逾期未补正', status: 'not-accepted' })]);
  });
});

describe('tolerance acceptance (容缺受理)', () => {
  const missingPremises = () => received('SCJG-001', '2026-03-02T09:00', without('premises-proof'));

  it('accepts against a written commitment and records its deadline', () => {
    const r = ok(step(missingPremises(), '2026-03-02T10:00', window('aic'), { ...accept, tolerated: [{ materialId: 'premises-proof', commitBy: '2026-03-16' }] }));
    expect(r.next.acceptance?.tolerated).toEqual([{ materialId: 'premises-proof', commitBy: '2026-03-16' }]);
    expect(r.events[0]).toMatchObject({ type: 'accepted', commitments: [{ materialId: 'premises-proof', materialName: '住所使用证明', commitBy: '2026-03-16' }] });
  });

  it.each([
    ['without tolerating the gap', undefined, 'FERRY_ERR_APPROVAL_MATERIALS_MISSING'],
    ['a commitment later than the item allows (10 working days → 2026-03-16)', [{ materialId: 'premises-proof', commitBy: '2026-03-17' }], 'FERRY_ERR_APPROVAL_TOLERANCE'],
    ['a commitment due today', [{ materialId: 'premises-proof', commitBy: '2026-03-02' }], 'FERRY_ERR_APPROVAL_TOLERANCE'],
    ['a required material', [{ materialId: 'premises-proof', commitBy: '2026-03-10' }, { materialId: 'articles', commitBy: '2026-03-10' }], 'FERRY_ERR_APPROVAL_TOLERANCE'],
  ])('refuses %s', (_why, tolerated, code) => {
    refused(step(missingPremises(), '2026-03-02T10:00', window('aic'), { ...accept, ...(tolerated ? { tolerated } : {}) }), code);
  });

  it('the committed material arrives later without stopping the case, once', () => {
    const c = run(missingPremises(), [
      ['2026-03-02T10:00', window('aic'), { ...accept, tolerated: [{ materialId: 'premises-proof', commitBy: '2026-03-16' }] }],
      ['2026-03-05T10:00', applicant, { type: 'supply-committed', materialId: 'premises-proof' }],
    ]).c;
    expect(c.state).toBe('accepted');
    expect(c.materials).toContain('premises-proof');
    expect(c.acceptance?.tolerated[0]?.supplied).toEqual({ seq: 2, at: cst('2026-03-05T10:00').toISOString() });
    refused(step(c, '2026-03-05T11:00', applicant, { type: 'supply-committed', materialId: 'premises-proof' }), 'FERRY_ERR_APPROVAL_TOLERANCE');
  });
});

describe('after acceptance: notices pause the clock, and the repeat rule still holds', () => {
  /** Accepted Monday 2026-03-02 with premises-proof tolerated; delivered Tuesday 03-03. */
  function accepted(): CaseState {
    return run(received('SCJG-001', '2026-03-02T09:00', without('premises-proof')), [
      ['2026-03-02T10:00', window('aic'), { ...accept, tolerated: [{ materialId: 'premises-proof', commitBy: '2026-03-16' }] }],
      ['2026-03-03T09:00', applicant, { type: 'supply-committed', materialId: 'premises-proof' }],
    ]).c;
  }

  it('refuses to ask after acceptance for a material judged at acceptance', () => {
    refused(step(accepted(), '2026-03-03T10:00', officer('tax'), { type: 'notify', materials: [{ id: 'articles', reason: '经营范围表述不规范' }] }),
      'FERRY_ERR_APPROVAL_NOTICE_REPEAT', /articles could have been named/);
  });

  it('a committed material delivered after acceptance may be found defective; the clock pauses until the supplement', () => {
    const { c, events } = run(accepted(), [
      // Tuesday 03-03: notice on the delivered premises proof. Paused: Wed 03-04, Thu 03-05 (supplement day).
      ['2026-03-03T10:00', officer('tax'), { type: 'notify', materials: [{ id: 'premises-proof', reason: '租赁合同已过期' }] }],
      ['2026-03-05T15:00', applicant, { type: 'supplement', materials: ['premises-proof'] }],
      ['2026-03-05T16:00', officer('tax'), { type: 'resume-review' }],
    ]);
    expect(events.map((e) => [e.type, e.status])).toEqual([['notice', 'notice-issued'], ['status', 'supplemented'], ['status', 'under-review']]);
    expect(events[0]).toMatchObject({ clockPaused: true });
    expect(c.pauses).toEqual([{ from: cst('2026-03-03T10:00').toISOString(), to: cst('2026-03-05T15:00').toISOString() }]);
    // Accepted Mon 03-02, 3 days: without the pause 03-05; with two paused days 03-09 (Mon).
    const clock = caseClock(c)!;
    expect(dueDate(calendar, clock, cst('2026-03-06T09:00'))).toBe('2026-03-09');
    expect(dueDate(calendar, taskClock(c, c.tasks[2]!), cst('2026-03-06T09:00'))).toBe('2026-03-06');
    expect(usedDays(calendar, clock, cst('2026-03-06T09:00'))).toBe(2); // 03-03 and 03-06
  });

  it('resuming is refused while the notice is unanswered in full', () => {
    const c = run(accepted(), [
      ['2026-03-03T10:00', officer('tax'), { type: 'notify', materials: [{ id: 'premises-proof', reason: '过期' }] }],
    ]).c;
    refused(step(c, '2026-03-03T11:00', officer('tax'), { type: 'resume-review' }), 'FERRY_ERR_APPROVAL_TRANSITION');
    refused(step(c, '2026-03-03T11:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }), 'FERRY_ERR_APPROVAL_TRANSITION');
  });

  it('a pre-acceptance supplement must lead to acceptance, not resume-review', () => {
    const c = run(incomplete(), [
      ['2026-03-02T10:00', window('aic'), { type: 'notify', materials: [{ id: 'name-approval', reason: '缺' }, { id: 'premises-proof', reason: '缺' }] }],
      ['2026-03-03T09:00', applicant, { type: 'supplement', materials: ['name-approval', 'premises-proof'] }],
    ]).c;
    refused(step(c, '2026-03-03T10:00', window('aic'), { type: 'resume-review' }), 'FERRY_ERR_APPROVAL_TRANSITION', /not accepted yet/);
  });
});
