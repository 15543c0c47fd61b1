import { describe, expect, it } from 'vitest';
import { apply, receive } from '../../src/approval/case-machine.js';
import type { CaseState } from '../../src/approval/case-state.js';
import { deepFreeze } from '../../src/approval/config-node.js';
import {
  applicant, assignments, calendar, cashier, chief, cst, item, ok, officer, received, refused, run,
  step, submission, supervisor, window,
} from './fixtures.js';

const licence = item('SCJG-001');
const accept = { type: 'accept', assignments: assignments(licence) } as const;

/** A licence case received Thursday 2026-02-12 09:00 and accepted Friday 2026-02-13 10:00. */
function acceptedLicence(): CaseState {
  return run(received('SCJG-001', '2026-02-12T09:00'), [['2026-02-13T10:00', window('aic'), accept]]).c;
}

describe('receiving a case', () => {
  it('records the submission with the trusted time and emits the receipt', () => {
    const r = ok(receive(licence, submission('SCJG-001'), { now: cst('2026-02-12T09:00'), actor: applicant }));
    expect(r.next).toMatchObject({ state: 'received', receivedAt: '2026-02-12T01:00:00.000Z', caseId: 'C-SCJG-001' });
    expect(r.next.history).toEqual([{ seq: 0, at: '2026-02-12T01:00:00.000Z', event: 'submit', from: null, to: 'received', actor: applicant }]);
    expect(r.events).toEqual([{ type: 'received', eventId: 'C-SCJG-001/0/received', caseId: 'C-SCJG-001', at: '2026-02-12T01:00:00.000Z', status: 'received', itemCode: 'SCJG-001' }]);
  });

  it.each([
    ['a bad form field', { form: { companyName: 1 } }, 'FERRY_ERR_APPROVAL_FORM'],
    ['an unknown material', { materials: ['application', 'photo'] }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a material twice', { materials: ['application', 'application'] }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a bad case id', { caseId: '../x' }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['materials that are not a list', { materials: 'application' as unknown as string[] }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['someone else as applicant', { applicantId: 'applicant-2' }, 'FERRY_ERR_APPROVAL_ROLE'],
  ])('refuses %s', (_why, over, code) => {
    refused(receive(licence, submission('SCJG-001', over), { now: cst('2026-02-12T09:00'), actor: applicant }), code);
  });

  it('refuses the green channel for an item that is not eligible', () => {
    refused(receive(item('SPJY-004'), submission('SPJY-004', { greenChannel: true }), { now: cst('2026-03-02T09:00'), actor: applicant }), 'FERRY_ERR_APPROVAL_GREEN');
  });
});

describe('acceptance starts every department at the same instant (parallel approval)', () => {
  it('gives each task the acceptance instant, its own limit and deadline, and its A and B officers', () => {
    const r = ok(step(received('SCJG-001', '2026-02-12T09:00'), '2026-02-13T10:00', window('aic'), accept));
    const at = '2026-02-13T02:00:00.000Z';
    expect(r.next.tasks.map((t) => [t.department, t.startedAt, t.limitDays, t.a, t.b]))
      .toEqual([['aic', at, 3, 'aic-a', 'aic-b'], ['qts', at, 2, 'qts-a', 'qts-b'], ['tax', at, 2, 'tax-a', 'tax-b']]);
    // Friday before Spring Festival: day 1 = make-up Saturday 02-14, day 2 = 02-24, day 3 = 02-25.
    expect(r.events).toEqual([expect.objectContaining({
      type: 'accepted', status: 'accepted', green: false, limitDays: 3, dueDate: '2026-02-25', commitments: [],
      departments: [{ name: '县工商行政管理局', dueDate: '2026-02-25' }, { name: '县质量技术监督局', dueDate: '2026-02-24' }, { name: '县国家税务局', dueDate: '2026-02-24' }],
    })]);
    expect(r.next.acceptance).toMatchObject({ at, by: 'win-aic', green: false, limitDays: 3 });
    expect(r.next.history.at(-1)).toEqual({ seq: 1, at, event: 'accept', from: 'received', to: 'accepted', actor: window('aic') });
  });

  it.each([
    ['a department without officers', { aic: { a: 'x', b: 'y' }, qts: { a: 'q', b: 'r' } }, /no A\/B officers for department tax/],
    ['the same officer as A and B', { ...assignments(licence), tax: { a: 't', b: 't' } }, /tax: A and B must be different/],
    ['a department that is not involved', { ...assignments(licence), drc: { a: 'd', b: 'e' } }, /department drc is not involved/],
  ])('refuses %s', (_why, asg, detail) => {
    refused(step(received('SCJG-001', '2026-02-12T09:00'), '2026-02-13T10:00', window('aic'), { type: 'accept', assignments: asg }), 'FERRY_ERR_APPROVAL_ASSIGNMENT', detail);
  });

  it('green channel: the shortened limit for the case and every task', () => {
    const c = received('SCJG-001', '2026-03-02T09:00', { greenChannel: true });
    const r = ok(step(c, '2026-03-02T10:00', window('aic'), accept));
    expect(r.next.acceptance).toMatchObject({ green: true, limitDays: 1 });
    expect(r.next.tasks.map((t) => t.limitDays)).toEqual([1, 1, 1]);
    expect(r.events[0]).toMatchObject({ type: 'accepted', green: true, dueDate: '2026-03-03' });
    // The window may revoke a green request it cannot confirm.
    const revoked = ok(step(c, '2026-03-02T10:00', window('aic'), { ...accept, green: false }));
    expect(revoked.next.acceptance).toMatchObject({ green: false, limitDays: 3 });
  });
});

describe('a decision needs every parallel opinion', () => {
  it('is refused until the third department gives its opinion, then approved', () => {
    let c = run(acceptedLicence(), [
      ['2026-02-14T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T10:00', officer('qts', 'qts-b'), { type: 'give-opinion', verdict: 'approve' }],
    ]).c;
    expect(c.state).toBe('under-review');
    refused(step(c, '2026-02-14T11:00', chief('aic'), { type: 'decide' }), 'FERRY_ERR_APPROVAL_OPINIONS_PENDING', /waiting for the opinion of tax$/);
    c = run(c, [['2026-02-24T09:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }]]).c;
    const r = ok(step(c, '2026-02-24T10:00', chief('aic'), { type: 'decide' }));
    expect(r.next.state).toBe('decided-approved');
    expect(r.events).toEqual([expect.objectContaining({ type: 'decision', outcome: 'approved', reasons: [] })]);
  });

  it.each(['aic', 'qts', 'tax'])('is refused while only %s has not answered', (silent) => {
    const c = run(acceptedLicence(), ['aic', 'qts', 'tax'].filter((d) => d !== silent)
      .map((d) => ['2026-02-14T09:00', officer(d), { type: 'give-opinion', verdict: 'approve' }] as const)).c;
    refused(step(c, '2026-02-14T11:00', chief('aic'), { type: 'decide' }), 'FERRY_ERR_APPROVAL_OPINIONS_PENDING', new RegExp(`of ${silent}$`));
  });

  it('any denial makes the decision a denial, with the department and its reasons', () => {
    const c = run(acceptedLicence(), [
      ['2026-02-14T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T10:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T11:00', officer('tax'), { type: 'give-opinion', verdict: 'deny', reason: '法定代表人为税收违法“黑名单”当事人' }],
    ]).c;
    const r = ok(step(c, '2026-02-24T10:00', chief('aic'), { type: 'decide' }));
    expect(r.next.state).toBe('decided-denied');
    expect(r.next.decision).toMatchObject({ outcome: 'denied', reasons: [{ department: 'tax', reason: '法定代表人为税收违法“黑名单”当事人' }] });
    expect(r.events).toEqual([expect.objectContaining({ type: 'decision', outcome: 'denied', reasons: [{ department: '县国家税务局', reason: '法定代表人为税收违法“黑名单”当事人' }] })]);
    const issued = ok(step(r.next, '2026-02-24T11:00', window('aic'), { type: 'issue-result' }));
    expect(issued.events[0]).toMatchObject({ type: 'result-ready', outcome: 'denied', delivery: 'online' });
  });

  it.each([
    ['an officer who is neither A nor B', officer('tax', 'tax-c'), { type: 'give-opinion', verdict: 'approve' }, 'FERRY_ERR_APPROVAL_ROLE'],
    ['an officer of an uninvolved department', officer('drc', 'drc-a'), { type: 'give-opinion', verdict: 'approve' }, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a denial without reasons', officer('tax'), { type: 'give-opinion', verdict: 'deny' }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a verdict that is not approve or deny', officer('tax'), { type: 'give-opinion', verdict: 'maybe' }, 'FERRY_ERR_APPROVAL_COMMAND'],
    ['a window officer giving an opinion', window('aic'), { type: 'give-opinion', verdict: 'approve' }, 'FERRY_ERR_APPROVAL_ROLE'],
    ['a decision before any review', chief('aic'), { type: 'decide' }, 'FERRY_ERR_APPROVAL_TRANSITION'],
  ])('refuses %s', (_why, actor, cmd, code) => {
    refused(step(acceptedLicence(), '2026-02-14T09:00', actor, cmd), code);
  });

  it('the B stand-in may act for the post, but a department gives only one opinion', () => {
    const c = run(acceptedLicence(), [['2026-02-14T09:00', officer('tax', 'tax-b'), { type: 'give-opinion', verdict: 'approve' }]]).c;
    expect(c.tasks.find((t) => t.department === 'tax')?.opinion).toMatchObject({ by: 'tax-b', verdict: 'approve' });
    refused(step(c, '2026-02-14T10:00', officer('tax'), { type: 'give-opinion', verdict: 'deny', reason: 'x' }), 'FERRY_ERR_APPROVAL_OPINION_GIVEN');
  });
});

describe('fee, result and close (one charge)', () => {
  const deed = item('BDC-003');
  function decidedDeed(): CaseState {
    return run(received('BDC-003', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('rer'), { type: 'accept', assignments: assignments(deed) }],
      ['2026-03-03T10:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T11:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }],
    ]).c;
  }

  it('announces the catalogue fee once, with the decision', () => {
    const r = ok(step(decidedDeed(), '2026-03-04T10:00', chief('rer'), { type: 'decide' }));
    expect(r.events.map((e) => e.type)).toEqual(['decision', 'fee-due']);
    expect(r.events[1]).toMatchObject({ amountFen: 8000, legalBasis: expect.stringContaining('每件80元'), eventId: 'C-BDC-003/4/fee-due' });
  });

  it('issues the result only after the charge and, in pre-review mode, the originals check', () => {
    const c = run(decidedDeed(), [['2026-03-04T10:00', chief('rer'), { type: 'decide' }]]).c;
    refused(step(c, '2026-03-04T11:00', window('rer'), { type: 'issue-result', originalsChecked: true }), 'FERRY_ERR_APPROVAL_FEE_UNPAID');
    const paid = run(c, [['2026-03-04T11:00', cashier('rer'), { type: 'record-payment', amountFen: 8000, reference: 'BANK-1' }]]).c;
    expect(paid.payments).toEqual([{ at: '2026-03-04T03:00:00.000Z', by: 'cashier-1', amountFen: 8000, reference: 'BANK-1' }]);
    refused(step(paid, '2026-03-05T09:00', window('rer'), { type: 'issue-result' }), 'FERRY_ERR_APPROVAL_ORIGINALS');
    const done = run(paid, [
      ['2026-03-05T09:00', window('rer'), { type: 'issue-result', originalsChecked: true, documentNo: '浙(2026)青溪县不动产权第0000042号' }],
      ['2026-03-05T09:30', window('rer'), { type: 'close' }],
    ]);
    expect(done.c.state).toBe('closed');
    expect(done.events.map((e) => [e.type, e.status])).toEqual([['result-ready', 'result-issued'], ['closed', 'closed']]);
    expect(done.events[0]).toMatchObject({ delivery: 'centre', result: '不动产权证书', documentNo: '浙(2026)青溪县不动产权第0000042号' });
    expect(done.events[1]).toMatchObject({ outcome: 'completed' });
  });

  it('the extended mode hands the result over at the township centre', () => {
    const food = item('SPJY-004');
    const { events } = run(received('SPJY-004', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('fda'), { type: 'accept', assignments: assignments(food) }],
      ['2026-03-09T10:00', officer('fda'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-09T11:00', chief('fda'), { type: 'decide' }],
      ['2026-03-10T09:00', window('fda'), { type: 'issue-result' }],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'result-ready', delivery: 'township' });
  });
});

describe('withdrawal, roles and the trusted clock', () => {
  it('the applicant may withdraw before a decision, not after', () => {
    const r = ok(step(acceptedLicence(), '2026-02-14T09:00', applicant, { type: 'withdraw', reason: '改变经营计划' }));
    expect(r.next.state).toBe('withdrawn');
    expect(r.events).toEqual([expect.objectContaining({ type: 'closed', outcome: 'withdrawn' })]);
    expect(r.next.history.at(-1)).toMatchObject({ event: 'withdraw', reason: '改变经营计划', actor: applicant });
    const decided = run(acceptedLicence(), [
      ['2026-02-14T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T09:00', officer('qts'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T09:00', officer('tax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-02-14T10:00', chief('aic'), { type: 'decide' }],
    ]).c;
    refused(step(decided, '2026-02-14T11:00', applicant, { type: 'withdraw' }), 'FERRY_ERR_APPROVAL_TRANSITION');
  });

  it.each([
    ['the applicant accepting', applicant, accept],
    ['another department\'s window accepting (two-place acceptance)', window('tax'), accept],
    ['a supervisor doing anything', supervisor, accept],
    ['another applicant withdrawing', { role: 'applicant', id: 'applicant-2' } as const, { type: 'withdraw' }],
    ['a cashier refusing', cashier('aic'), { type: 'refuse', reason: 'x' }],
  ])('refuses %s', (_why, actor, cmd) => {
    refused(step(received('SCJG-001', '2026-02-12T09:00'), '2026-02-13T10:00', actor, cmd), 'FERRY_ERR_APPROVAL_ROLE');
  });

  it('refuses a trusted time earlier than the last transition', () => {
    refused(step(acceptedLicence(), '2026-02-13T09:59', applicant, { type: 'withdraw' }), 'FERRY_ERR_APPROVAL_CLOCK');
  });

  it.each([
    [null, /command must be an object/],
    [{ type: 'approve' }, /type must be one of/],
    [{ type: 'withdraw', extra: 1 }, /withdraw: unknown field extra/],
    [{ type: 'refuse' }, /refuse: reason is required/],
    [{ type: 'record-payment', amountFen: 80.5, reference: 'r' }, /amountFen must be a positive integer/],
    [{ type: 'accept', assignments: {}, }, /assignments must be an object/],
    [{ type: 'accept', assignments: { aic: { a: 'x' } } }, /assignments\.aic\.b is required/],
    [{ type: 'accept', assignments: { aic: { a: 'x', b: 'y' } }, tolerated: [{ materialId: 'm', commitBy: '2026-13-01' }] }, /tolerated\[0\]: commitBy must be a date/],
  ])('refuses the malformed command %j', (cmd, detail) => {
    refused(step(received('SCJG-001', '2026-02-12T09:00'), '2026-02-13T10:00', window('aic'), cmd), 'FERRY_ERR_APPROVAL_COMMAND', detail);
  });
});

describe('CaseState is a plain serialisable value', () => {
  it('round-trips through JSON and the copy behaves the same', () => {
    const c = run(acceptedLicence(), [['2026-02-14T09:00', officer('aic'), { type: 'give-opinion', verdict: 'approve' }]]).c;
    const copy = JSON.parse(JSON.stringify(c)) as CaseState;
    expect(copy).toEqual(c);
    const cmd = { type: 'give-opinion', verdict: 'approve' } as const;
    expect(step(copy, '2026-02-14T10:00', officer('qts'), cmd)).toEqual(step(c, '2026-02-14T10:00', officer('qts'), cmd));
  });

  it('apply never mutates its input (a deeply frozen state still works)', () => {
    const c = deepFreeze(acceptedLicence());
    const r = ok(apply(c, { type: 'give-opinion', verdict: 'approve' }, { now: cst('2026-02-14T09:00'), actor: officer('aic'), calendar }));
    expect(r.next.tasks[0]!.opinion).toBeDefined();
    expect(c.tasks[0]!.opinion).toBeUndefined();
  });

  it('event ids are deterministic and unique across a whole case', () => {
    const deed = item('BDC-003');
    const { events } = run(received('BDC-003', '2026-03-02T09:00'), [
      ['2026-03-02T10:00', window('rer'), { type: 'accept', assignments: assignments(deed) }],
      ['2026-03-03T10:00', officer('rer'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-03T11:00', officer('ltax'), { type: 'give-opinion', verdict: 'approve' }],
      ['2026-03-04T10:00', chief('rer'), { type: 'decide' }],
    ]);
    const ids = events.map((e) => e.eventId);
    expect(ids).toEqual(['C-BDC-003/1/accepted', 'C-BDC-003/2/status', 'C-BDC-003/4/decision', 'C-BDC-003/4/fee-due']);
    expect(new Set(ids).size).toBe(ids.length);
    // No officer identity leaks to the applicant side.
    expect(JSON.stringify(events)).not.toMatch(/rer-a|ltax-a|chief-rer|win-rer/);
  });
});
