// Workbench forms → the desk's commands: only the fields a step knows are read, the shapes match what
// the staff JSON API carries, and a hostile body cannot add fields. Also: download names in headers.
import { describe, expect, it } from 'vitest';
import { commandOf, parseForm, MAX_FORM_FIELDS } from '../../src/web/workbench-forms.js';
import { attachmentDisposition, materialFile } from '../../src/web/workbench-materials.js';
import { colourOf } from '../../src/desk/staff-queues.js';
import { parseCommand, type CaseState } from '../../src/approval/index.js';
import { createHash } from 'node:crypto';

const c = {
  item: {
    leadDepartment: { code: 'aic', name: '工商' }, parallelDepartments: [{ code: 'qts', name: '质监' }],
  },
} as unknown as CaseState;

const form = (q: string) => parseForm(q);

describe('workbench forms become desk commands', () => {
  it.each([
    ['notify with two ticked materials and their reasons',
      'type=notify&version=3&material=name-approval&reason.name-approval=%E6%9C%AA%E6%8F%90%E4%BA%A4&material=articles&reason.articles=unsigned&reason.other=x',
      { type: 'notify', materials: [{ id: 'name-approval', reason: '未提交' }, { id: 'articles', reason: 'unsigned' }] }, 3],
    ['accept with A/B per department and a tolerated material',
      'type=accept&version=1&a.aic=aic.a&b.aic=aic.b&a.qts=qts.a&b.qts=qts.b&tolerate=premises-proof&commitBy.premises-proof=2026-12-10&a.evil=x.y',
      { type: 'accept', assignments: { aic: { a: 'aic.a', b: 'aic.b' }, qts: { a: 'qts.a', b: 'qts.b' } }, tolerated: [{ materialId: 'premises-proof', commitBy: '2026-12-10' }] }, 1],
    // An opinion is not held to the version its form was rendered at: the departments review in
    // parallel (the desk refuses a second opinion of one department by its own rule).
    ['an opinion with a reason: no If-Match', 'type=give-opinion&version=5&verdict=deny&reason=%20no%20', { type: 'give-opinion', verdict: 'deny', reason: 'no' }, undefined],
    ['a payment: the amount as posted, for the desk to judge', 'type=record-payment&version=2&amountFen=8000&reference=PJ-1', { type: 'record-payment', amountFen: 8000, reference: 'PJ-1' }, 2],
    ['issue-result without a number', 'type=issue-result&version=2&documentNo=&originalsChecked=true', { type: 'issue-result', originalsChecked: true }, 2],
    ['decide: extra fields are not forwarded', 'type=decide&version=9&reason=ok&amountFen=1&assignments=x', { type: 'decide', reason: 'ok' }, 9],
    ['no version: no If-Match', 'type=close', { type: 'close' }, undefined],
    ['a negative version is ignored', 'type=close&version=-1', { type: 'close' }, undefined],
  ])('%s', (_what, body, command, version) => {
    const r = commandOf(form(body), c);
    expect(r.command).toEqual(command);
    expect(r.expectedVersion).toBe(version);
    expect(parseCommand(r.command).ok).toBe(true); // the shape the JSON API's parser takes
  });

  it('leaves a missing required field for the desk to name', () => {
    const r = commandOf(form('type=give-opinion&verdict=deny'), c);
    const v = parseCommand(r.command);
    expect(v.ok ? '' : v.detail).toBe('give-opinion: reason is required');
    const n = parseCommand(commandOf(form('type=notify&version=1'), c).command);
    expect(n.ok ? '' : n.detail).toBe('notify: materials must be a non-empty list');
  });

  it(`reads at most ${MAX_FORM_FIELDS} fields of a form`, () => {
    const f = form(Array.from({ length: MAX_FORM_FIELDS + 50 }, (_, i) => `material=m${i}`).join('&'));
    expect(f.get('material')).toHaveLength(MAX_FORM_FIELDS);
  });
});

describe('material downloads', () => {
  it.each([
    ['charter.pdf', `attachment; filename="charter.pdf"; filename*=UTF-8''charter.pdf`],
    ['章程.pdf', `attachment; filename="__.pdf"; filename*=UTF-8''%E7%AB%A0%E7%A8%8B.pdf`],
    ['a"b;\r\nSet-Cookie: x.pdf', `attachment; filename="a_b___Set-Cookie: x.pdf"; filename*=UTF-8''a%22b%3B%0D%0ASet-Cookie%3A%20x.pdf`],
  ])('names %j safely in Content-Disposition', (name, want) => {
    expect(attachmentDisposition(name)).toBe(want);
  });

  const bytes = Buffer.from('%PDF-1.4\n%%EOF\n');
  const request = Buffer.from(JSON.stringify({
    itemCode: 'SCJG-001', applicant: { type: 'person', name: 'x', idNumber: '330102198001011234', phone: '+86 571 8888 0000' }, fields: {},
    attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', materialId: 'application', contentBase64: bytes.toString('base64') }],
  }));
  const row = { n: 0, seq: 0, materialId: 'application', fileName: 'a.pdf', mediaType: 'application/pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };

  it('serves a filed original only while its bytes match what inspection recorded', () => {
    const ok = materialFile([row], 0, request);
    expect(ok.ok && ok.value.bytes.equals(bytes)).toBe(true);
    for (const [what, v] of [
      ['another hash', materialFile([{ ...row, sha256: '0'.repeat(64) }], 0, request)],
      ['a supplement (not held)', materialFile([{ ...row, seq: 2 }], 0, request)],
      ['no such number', materialFile([row], 1, request)],
      ['no request bytes', materialFile([row], 0, null)],
      ['unreadable request bytes', materialFile([row], 0, Buffer.from('{'))],
    ] as const) expect(v.ok ? 'served' : v.code, what).toBe('FERRY_ERR_DESK_NO_MATERIAL');
  });
});

describe('the colour a task is heading for', () => {
  it.each([
    [0, 5, false, 'green', 'yellow'],
    [3, 5, false, 'green', 'yellow'],
    [4, 5, false, 'yellow', 'red'], // ⌈0.8 × 5⌉ = day 4: the yellow card's day (deadlines.ts warningInstant)
    [12, 15, false, 'yellow', 'red'], // 0.8 × 15 = 12, not 13
    [11, 15, false, 'green', 'yellow'],
    [5, 5, true, 'red', 'red'],
  ] as const)('%i of %i days used (late %s) → %s, heading %s', (used, limit, late, colour, heading) => {
    expect(colourOf(used, limit, late, 0.8)).toEqual({ colour, heading });
  });
});
