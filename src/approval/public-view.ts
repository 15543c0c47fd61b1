// The applicant-facing catalogue entry: what "publish everything first" (八公开) requires — legal
// basis, conditions, materials, procedure and who does each step, time limits, fee and its basis,
// result. A whitelist projection: staff-only fields (review points) never reach it, and a field added
// to Item later stays private until it is added here.

import type { ItemMode, PublishedItem } from '../published/item.js';
import { involvedDepartments, type Item } from './item.js';
import { isGenericForm } from '../published/form.js';


const MODE_TEXT: Record<ItemMode, string> = {
  direct: '直接式：网上申请、网上办理，无需到现场',
  'pre-review': '预审式：网上申请并预审，凭原件到中心一次办结取件',
  extended: '延伸式：在乡镇便民服务中心或部门站所代办，就近领取结果',
};

/** 8000 → '80.00 元'. Integer arithmetic only. */
export function formatFen(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')} 元`;
}

export function publicView(item: Item): PublishedItem {
  const parallel = item.parallelDepartments.map((d) => d.name);
  const reviewers = involvedDepartments(item).map((d) => `${d.name}（${d.taskDays}个工作日）`).join('、');
  const procedure = item.sameDay === true ? [
    `${item.leadDepartment.name}窗口受理并当场办结（即办件）`,
    ...(item.fee.kind === 'charged' ? [`一次收费 ${formatFen(item.fee.amountFen)}`] : []),
    `发放结果：${item.result}`,
  ] : [
    `${item.leadDepartment.name}窗口一次受理${parallel.length > 0 ? `，抄告${parallel.join('、')}` : ''}`,
    parallel.length > 0 ? `并联审查，同步启动：${reviewers}` : `审查：${reviewers}`,
    `${item.leadDepartment.name}首席代表作出决定`,
    ...(item.fee.kind === 'charged' ? [`一次收费 ${formatFen(item.fee.amountFen)}`] : []),
    `发放结果：${item.result}`,
  ];
  return {
    code: item.code,
    name: item.name,
    category: item.category,
    mode: item.mode,
    modeText: MODE_TEXT[item.mode],
    leadDepartment: item.leadDepartment.name,
    parallelDepartments: parallel,
    legalBasis: [...item.legalBasis],
    conditions: [...item.conditions],
    materials: item.materials.map((m) => ({
      id: m.id, name: m.name, tolerable: m.acceptance === 'tolerable',
      ...(m.commitWithinDays !== undefined ? { commitWithinDays: m.commitWithinDays } : {}),
      ...(m.note !== undefined ? { note: m.note } : {}),
    })),
    form: item.form,
    ...(isGenericForm(item.form) ? { genericForm: true } : {}),
    ...(item.sameDay === true ? { sameDay: true } : {}),
    procedure,
    ...(item.statutoryDays !== undefined ? { statutoryDays: item.statutoryDays } : {}),
    promisedDays: item.promisedDays,
    ...(item.greenChannel.eligible ? { greenChannelDays: item.greenChannel.promisedDays } : {}),
    fee: item.fee.kind === 'free'
      ? { free: true, text: '不收费' }
      : { free: false, amountFen: item.fee.amountFen, text: formatFen(item.fee.amountFen), legalBasis: item.fee.legalBasis },
    result: item.result,
  };
}
