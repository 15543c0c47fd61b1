// One catalogue item (事项): everything the "publish everything first" rule (八公开) requires a county to
// publish — legal basis, conditions, materials, procedure and departments, time limits, fees and their
// basis, result — plus what the workflow needs to enforce it. Plain data: a case keeps a copy of the
// item it was received under, so a catalogue edit never changes the terms of a running case.

export { ITEM_MODES, ITEM_CATEGORIES, type ItemMode, type ItemCategory } from '../published/item.js';
import type { FormField, ItemCategory, ItemMode } from '../published/item.js';
export type { FormField, FormFieldType } from '../published/item.js';

export interface Department {
  /** Short stable code, e.g. 'amr'; officers' department claims use it. */
  readonly code: string;
  readonly name: string;
  /** This department's own review limit in working days (≤ the item's promised limit). */
  readonly taskDays: number;
}

/** 'required': the case cannot be accepted without it. 'tolerable': tolerance acceptance (容缺受理) —
 *  the case may be accepted without it against the applicant's written commitment to supply it within
 *  `commitWithinDays` working days of acceptance. */
export type MaterialAcceptance = 'required' | 'tolerable';

export interface Material {
  readonly id: string;
  readonly name: string;
  readonly acceptance: MaterialAcceptance;
  /** Only for 'tolerable': the latest commitment date allowed, in working days after acceptance. */
  readonly commitWithinDays?: number;
  /** Applicant-facing note (format, copies, who issues it). */
  readonly note?: string;
}


/** Fee in fen (分, 1/100 yuan) — an integer, so no rounding can ever make the charge differ from the
 *  catalogue (one charge, at the catalogue's amount: 一次收费). */
export type Fee = { readonly kind: 'free' } | { readonly kind: 'charged'; readonly amountFen: number; readonly legalBasis: string };

export type GreenChannel = { readonly eligible: false } | { readonly eligible: true; readonly promisedDays: number };

export interface Item {
  readonly code: string;
  readonly name: string;
  readonly category: ItemCategory;
  readonly leadDepartment: Department;
  readonly parallelDepartments: readonly Department[];
  readonly legalBasis: readonly string[];
  readonly conditions: readonly string[];
  readonly materials: readonly Material[];
  readonly form: readonly FormField[];
  /** Statutory limit in working days; absent where the law sets none (e.g. a filing, 备案). */
  readonly statutoryDays?: number;
  /** The centre's promised limit (承诺时限) in working days. */
  readonly promisedDays: number;
  readonly fee: Fee;
  /** The department whose cashier records the fee (一次收费 at one counter). The catalogue parser
   *  always fills it (default: the lead department); absent only in a case stored before the field. */
  readonly chargingDepartment?: string;
  readonly mode: ItemMode;
  readonly greenChannel: GreenChannel;
  /** The result document, e.g. 营业执照. */
  readonly result: string;
  /** Staff-only review points (审查要点); never published. */
  readonly reviewPoints: readonly string[];
  /** Same-day item (即办件): decided at the window in one step, limit 0 working days. The parser
   *  always fills it; absent (false) in a case stored before the field. */
  readonly sameDay?: boolean;
}

/** Lead first, then parallel departments in catalogue order. */
export function involvedDepartments(item: Item): readonly Department[] {
  return [item.leadDepartment, ...item.parallelDepartments];
}

/** The department whose cashier may record this item's fee. */
export function chargingDepartmentOf(item: Item): string {
  return item.chargingDepartment ?? item.leadDepartment.code;
}

export function feeFen(fee: Fee): number {
  return fee.kind === 'free' ? 0 : fee.amountFen;
}
