// What the extranet may know of a catalogue item: the whitelist projection the intranet publishes
// (八公开: basis, conditions, materials, procedure, limits, fee, result) and the form schema that
// ingress checks a submission against. Both sides import this module; it imports nothing, so the
// external gateway never depends on the approval core (the wall in test/walls.test.ts).

export type ItemMode = 'direct' | 'pre-review' | 'extended';
export const ITEM_MODES: readonly ItemMode[] = ['direct', 'pre-review', 'extended'];

export type ItemCategory = 'administrative-permit' | 'filing' | 'public-service';
export const ITEM_CATEGORIES: readonly ItemCategory[] = ['administrative-permit', 'filing', 'public-service'];

export type FormField =
  | { readonly name: string; readonly label: string; readonly type: 'string'; readonly required: boolean; readonly maxLength: number; readonly pattern?: string }
  | { readonly name: string; readonly label: string; readonly type: 'number'; readonly required: boolean; readonly min?: number; readonly max?: number; readonly integer: boolean }
  | { readonly name: string; readonly label: string; readonly type: 'date'; readonly required: boolean }
  | { readonly name: string; readonly label: string; readonly type: 'enum'; readonly required: boolean; readonly values: readonly string[] };

export type FormFieldType = FormField['type'];

export interface PublishedItem {
  readonly code: string;
  readonly name: string;
  readonly category: ItemCategory;
  readonly mode: ItemMode;
  readonly modeText: string;
  readonly leadDepartment: string;
  readonly parallelDepartments: readonly string[];
  readonly legalBasis: readonly string[];
  readonly conditions: readonly string[];
  readonly materials: readonly {
    readonly id: string;
    readonly name: string;
    /** True when the case may be accepted without it against a written commitment (容缺受理). */
    readonly tolerable: boolean;
    readonly commitWithinDays?: number;
    readonly note?: string;
  }[];
  readonly form: readonly FormField[];
  /** True when the item declares no form of its own and takes the generic one (GENERIC_FORM). */
  readonly genericForm?: boolean;
  /** Same-day item (即办件): decided at the window the day it arrives (promisedDays 0). */
  readonly sameDay?: boolean;
  /** Who does each step, in order. */
  readonly procedure: readonly string[];
  readonly statutoryDays?: number;
  readonly promisedDays: number;
  readonly greenChannelDays?: number;
  readonly fee: { readonly free: true; readonly text: string } | { readonly free: false; readonly amountFen: number; readonly text: string; readonly legalBasis: string };
  readonly result: string;
}
