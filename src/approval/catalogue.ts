// The item catalogue: config/items/*.yaml, one item per file, parsed once at start, validated, frozen.
// Every error throws FERRY_ERR_APPROVAL_CATALOGUE naming the file and the key (STYLE 9).

import { FerryError } from '../errors.js';
import { GENERIC_FORM } from '../published/form.js';
import { ConfigNode, deepFreeze, parseYamlConfig, readYamlFiles } from './config-node.js';
import {
  ITEM_CATEGORIES, ITEM_MODES,
  type Department, type Fee, type FormField, type GreenChannel, type Item, type Material,
} from './item.js';

export interface Catalogue {
  /** Items in code order. */
  readonly items: readonly Item[];
  readonly byCode: Readonly<Record<string, Item>>;
}

/** Longest limit any item may declare, in working days: the longest statutory limits in the source are
 *  60 (government investment approval); a year of working days catches a typo such as 600. */
export const MAX_LIMIT_DAYS = 250;
/** Upper bound for a fee, in fen (10 million yuan): far above any administrative fee, far below 2^53. */
export const MAX_FEE_FEN = 1_000_000_000;
/** Longest free text of an item (a legal basis, a condition, a note), in characters. */
export const MAX_TEXT = 2000;
/** Longest name (item, department, material, result), in characters. */
export const MAX_NAME = 200;
export const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
export const ID_RE = /^[a-z][a-z0-9-]{0,63}$/;
const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const ITEM_KEYS = [
  'code', 'name', 'category', 'leadDepartment', 'parallelDepartments', 'legalBasis', 'conditions',
  'materials', 'form', 'statutoryDays', 'promisedDays', 'fee', 'chargingDepartment', 'mode', 'greenChannel', 'result', 'reviewPoints', 'sameDay',
] as const;

/** Parse and validate one item file's text. Pure: `file` is only used in messages. */
export function parseItem(text: string, file: string): Item {
  return itemFromNode(parseYamlConfig(text, file, 'FERRY_ERR_APPROVAL_CATALOGUE'));
}

/** The one item validator: a YAML file (parseItem) and a spreadsheet row (src/catalogue-io/) both
 *  arrive here as a plain value under a ConfigNode, which names the place of a fault in its own terms
 *  (file:line: key, or Sheet!Cell). Throws FERRY_ERR_APPROVAL_CATALOGUE at the first fault. */
export function itemFromNode(node: ConfigNode): Item {
  const root = node.object(ITEM_KEYS);
  // Same-day items (即办件: 能办即办、当场办结) are decided at the window in one step: no acceptance
  // step, no parallel departments, a limit of 0 working days.
  const sameDay = root.key('sameDay').present ? root.key('sameDay').boolean() : false;
  const promisedDays = root.key('promisedDays').int({ min: 0, max: MAX_LIMIT_DAYS });
  if (sameDay && promisedDays !== 0) root.key('promisedDays').fail(`must be 0 for a same-day item (即办件), got ${promisedDays}`);
  if (!sameDay && promisedDays === 0) root.key('promisedDays').fail('must be at least 1 (only a same-day item, sameDay: true, has a limit of 0)');
  const statutory = root.key('statutoryDays');
  const statutoryDays = statutory.present ? statutory.int({ min: 1, max: MAX_LIMIT_DAYS }) : undefined;
  if (statutoryDays !== undefined && promisedDays > statutoryDays) {
    root.key('promisedDays').fail(`promised limit ${promisedDays} exceeds the statutory limit ${statutoryDays}`);
  }

  const leadDepartment = department(root.key('leadDepartment'), promisedDays);
  const parallelDepartments = root.key('parallelDepartments').optionalList().map((n) => department(n, promisedDays));
  if (sameDay && parallelDepartments.length > 0) root.key('parallelDepartments').fail('a same-day item is decided by the lead department alone: no parallel departments');
  const seenDept = new Set<string>();
  for (const [i, d] of [leadDepartment, ...parallelDepartments].entries()) {
    if (seenDept.has(d.code)) {
      (i === 0 ? root.key('leadDepartment') : root.key('parallelDepartments')).fail(`department code '${d.code}' appears twice`);
    }
    seenDept.add(d.code);
  }

  // One charge at one counter: only a department that takes part in the item may collect its fee.
  const charging = root.key('chargingDepartment');
  const chargingDepartment = charging.present ? charging.string({ pattern: ID_RE }) : leadDepartment.code;
  if (!seenDept.has(chargingDepartment)) charging.fail(`'${chargingDepartment}' is not a department of this item (${[...seenDept].join(', ')})`);

  const materialNodes = root.key('materials').list({ minLength: 1 });
  const materials = materialNodes.map(material);
  unique(materialNodes, materials.map((m) => m.id), 'material id');
  if (sameDay) {
    const i = materials.findIndex((m) => m.acceptance === 'tolerable');
    if (i >= 0) materialNodes[i]!.key('acceptance').fail('a same-day item has no acceptance step, so nothing can be tolerated');
  }
  // No form schema: the generic form (the applicant block and the materials carry the case).
  const formNodes = root.key('form').present ? root.key('form').list({ minLength: 1 }) : [];
  const form = formNodes.length > 0 ? formNodes.map(formField) : GENERIC_FORM;
  unique(formNodes, form.map((f) => f.name), 'form field name');

  const item: Item = {
    code: root.key('code').string({ pattern: CODE_RE }),
    name: root.key('name').string({ maxLength: MAX_NAME }),
    category: root.key('category').oneOf(ITEM_CATEGORIES),
    leadDepartment,
    parallelDepartments,
    legalBasis: root.key('legalBasis').list({ minLength: 1 }).map((n) => n.string({ maxLength: MAX_TEXT })),
    conditions: root.key('conditions').list({ minLength: 1 }).map((n) => n.string({ maxLength: MAX_TEXT })),
    materials,
    form,
    ...(statutoryDays !== undefined ? { statutoryDays } : {}),
    promisedDays,
    fee: fee(root.key('fee')),
    chargingDepartment,
    mode: root.key('mode').oneOf(ITEM_MODES),
    greenChannel: greenChannel(root.key('greenChannel'), promisedDays, sameDay),
    result: root.key('result').string({ maxLength: MAX_NAME }),
    reviewPoints: root.key('reviewPoints').optionalList().map((n) => n.string({ maxLength: MAX_TEXT })),
    sameDay,
  };
  return deepFreeze(item);
}

function department(n: ConfigNode, promisedDays: number): Department {
  n.object(['code', 'name', 'taskDays']);
  const taskDays = n.key('taskDays').int({ min: promisedDays === 0 ? 0 : 1, max: MAX_LIMIT_DAYS });
  // Parallel approval (并联审批): every task starts at acceptance, so a task longer than the case's own
  // promised limit could never finish on time.
  if (taskDays > promisedDays) n.key('taskDays').fail(`${taskDays} exceeds the item's promised limit ${promisedDays}`);
  return { code: n.key('code').string({ pattern: ID_RE }), name: n.key('name').string({ maxLength: MAX_NAME }), taskDays };
}

function material(n: ConfigNode): Material {
  n.object(['id', 'name', 'acceptance', 'commitWithinDays', 'note']);
  const acceptance = n.key('acceptance').oneOf(['required', 'tolerable'] as const);
  const commit = n.key('commitWithinDays');
  if (acceptance === 'tolerable' && !commit.present) commit.fail('is required for a tolerable material (the commitment window)');
  if (acceptance === 'required' && commit.present) commit.fail('is only allowed when acceptance is tolerable');
  const note = n.key('note').optionalString({ maxLength: MAX_TEXT });
  return {
    id: n.key('id').string({ pattern: ID_RE }),
    name: n.key('name').string({ maxLength: 200 }),
    acceptance,
    ...(acceptance === 'tolerable' ? { commitWithinDays: commit.int({ min: 1, max: MAX_LIMIT_DAYS }) } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

function formField(n: ConfigNode): FormField {
  const type = n.key('type').oneOf(['string', 'number', 'date', 'enum'] as const);
  const common = ['name', 'label', 'type', 'required'];
  const base = () => ({
    name: n.key('name').string({ pattern: FIELD_RE }),
    label: n.key('label').string({ maxLength: 200 }),
    required: n.key('required').boolean(),
  });
  switch (type) {
    case 'string': {
      n.object([...common, 'maxLength', 'pattern']);
      const pattern = n.key('pattern').optionalString({ maxLength: 500 });
      if (pattern !== undefined) {
        try { new RegExp(pattern, 'u'); } catch (e) { n.key('pattern').fail(`is not a valid regular expression: ${(e as Error).message}`); }
      }
      return { ...base(), type, maxLength: n.key('maxLength').int({ min: 1, max: 100_000 }), ...(pattern !== undefined ? { pattern } : {}) };
    }
    case 'number': {
      n.object([...common, 'min', 'max', 'integer']);
      const min = n.key('min').present ? n.key('min').number() : undefined;
      const max = n.key('max').present ? n.key('max').number() : undefined;
      if (min !== undefined && max !== undefined && min > max) n.key('min').fail(`${min} is greater than max ${max}`);
      return {
        ...base(), type, integer: n.key('integer').present ? n.key('integer').boolean() : false,
        ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}),
      };
    }
    case 'date':
      n.object(common);
      return { ...base(), type };
    case 'enum': {
      n.object([...common, 'values']);
      const nodes = n.key('values').list({ minLength: 1 });
      const values = nodes.map((v) => v.string({ maxLength: 200 }));
      unique(nodes, values, 'enum value');
      return { ...base(), type, values };
    }
  }
}

function fee(n: ConfigNode): Fee {
  if (n.value === 'free') return { kind: 'free' };
  if (typeof n.value !== 'object' || n.value === null) n.fail("must be 'free' or a mapping { amountFen, legalBasis }");
  n.object(['amountFen', 'legalBasis']);
  return {
    kind: 'charged',
    amountFen: n.key('amountFen').int({ min: 1, max: MAX_FEE_FEN }),
    legalBasis: n.key('legalBasis').string({ maxLength: MAX_TEXT }),
  };
}

function greenChannel(n: ConfigNode, promisedDays: number, sameDay: boolean): GreenChannel {
  n.object(['eligible', 'promisedDays']);
  const eligible = n.key('eligible').boolean();
  if (eligible && sameDay) n.key('eligible').fail('a same-day item is already done the same day: no green channel');
  if (!eligible) {
    if (n.key('promisedDays').present) n.key('promisedDays').fail('is only allowed when eligible is true');
    return { eligible: false };
  }
  const days = n.key('promisedDays').int({ min: 1, max: MAX_LIMIT_DAYS });
  if (days > promisedDays) n.key('promisedDays').fail(`green-channel limit ${days} is longer than the ordinary promised limit ${promisedDays}`);
  return { eligible: true, promisedDays: days };
}

function unique(nodes: readonly ConfigNode[], values: readonly string[], what: string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) nodes[i]!.fail(`${what} '${v}' appears twice`);
    seen.add(v);
  });
}

/** Build a catalogue from parsed sources; item codes must be unique across files. Pure. */
export function catalogueFromSources(sources: readonly { file: string; text: string }[]): Catalogue {
  const fileOf = new Map<string, string>();
  const items = sources.map((s) => {
    const item = parseItem(s.text, s.file);
    const other = fileOf.get(item.code);
    if (other) throw new FerryError('FERRY_ERR_APPROVAL_CATALOGUE', `${s.file}: code: '${item.code}' is already defined in ${other}`);
    fileOf.set(item.code, s.file);
    return item;
  });
  return catalogueFromItems(items);
}

/** A catalogue of validated items (unique codes, checked by the caller), in code order, frozen. */
export function catalogueFromItems(list: readonly Item[]): Catalogue {
  const byCode: Record<string, Item> = Object.create(null) as Record<string, Item>;
  for (const item of list) {
    if (Object.hasOwn(byCode, item.code)) throw new FerryError('FERRY_ERR_APPROVAL_CATALOGUE', `item code '${item.code}' appears twice`);
    byCode[item.code] = item;
  }
  const items = Object.keys(byCode).sort().map((c) => byCode[c]!);
  return deepFreeze({ items, byCode });
}

/** Read every *.yaml / *.yml file in `dir` (the thin I/O shell around catalogueFromSources). */
export function loadCatalogue(dir: string): Catalogue {
  return catalogueFromSources(readYamlFiles(dir, 'FERRY_ERR_APPROVAL_CATALOGUE', 'item'));
}

export function findItem(catalogue: Catalogue, code: string): Item | undefined {
  return Object.hasOwn(catalogue.byCode, code) ? catalogue.byCode[code] : undefined;
}
