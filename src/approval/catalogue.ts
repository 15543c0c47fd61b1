// The item catalogue: config/items/*.yaml, one item per file, parsed once at start, validated, frozen.
// Every error throws FERRY_ERR_APPROVAL_CATALOGUE naming the file and the key (STYLE 9).

import { FerryError } from '../errors.js';
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
const MAX_TEXT = 2000;
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const ID_RE = /^[a-z][a-z0-9-]{0,63}$/;
const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const ITEM_KEYS = [
  'code', 'name', 'category', 'leadDepartment', 'parallelDepartments', 'legalBasis', 'conditions',
  'materials', 'form', 'statutoryDays', 'promisedDays', 'fee', 'chargingDepartment', 'mode', 'greenChannel', 'result', 'reviewPoints',
] as const;

/** Parse and validate one item file's text. Pure: `file` is only used in messages. */
export function parseItem(text: string, file: string): Item {
  const root = parseYamlConfig(text, file, 'FERRY_ERR_APPROVAL_CATALOGUE').object(ITEM_KEYS);
  const promisedDays = root.key('promisedDays').int({ min: 1, max: MAX_LIMIT_DAYS });
  const statutory = root.key('statutoryDays');
  const statutoryDays = statutory.present ? statutory.int({ min: 1, max: MAX_LIMIT_DAYS }) : undefined;
  if (statutoryDays !== undefined && promisedDays > statutoryDays) {
    root.key('promisedDays').fail(`promised limit ${promisedDays} exceeds the statutory limit ${statutoryDays}`);
  }

  const leadDepartment = department(root.key('leadDepartment'), promisedDays);
  const parallelDepartments = root.key('parallelDepartments').optionalList().map((n) => department(n, promisedDays));
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
  const formNodes = root.key('form').list({ minLength: 1 });
  const form = formNodes.map(formField);
  unique(formNodes, form.map((f) => f.name), 'form field name');

  const item: Item = {
    code: root.key('code').string({ pattern: CODE_RE }),
    name: root.key('name').string({ maxLength: 200 }),
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
    greenChannel: greenChannel(root.key('greenChannel'), promisedDays),
    result: root.key('result').string({ maxLength: 200 }),
    reviewPoints: root.key('reviewPoints').optionalList().map((n) => n.string({ maxLength: MAX_TEXT })),
  };
  return deepFreeze(item);
}

function department(n: ConfigNode, promisedDays: number): Department {
  n.object(['code', 'name', 'taskDays']);
  const taskDays = n.key('taskDays').int({ min: 1, max: MAX_LIMIT_DAYS });
  // Parallel approval (并联审批): every task starts at acceptance, so a task longer than the case's own
  // promised limit could never finish on time.
  if (taskDays > promisedDays) n.key('taskDays').fail(`${taskDays} exceeds the item's promised limit ${promisedDays}`);
  return { code: n.key('code').string({ pattern: ID_RE }), name: n.key('name').string({ maxLength: 200 }), taskDays };
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

function greenChannel(n: ConfigNode, promisedDays: number): GreenChannel {
  n.object(['eligible', 'promisedDays']);
  if (!n.key('eligible').boolean()) {
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
  const byCode: Record<string, Item> = Object.create(null) as Record<string, Item>;
  const fileOf = new Map<string, string>();
  for (const s of sources) {
    const item = parseItem(s.text, s.file);
    const other = fileOf.get(item.code);
    if (other) throw new FerryError('FERRY_ERR_APPROVAL_CATALOGUE', `${s.file}: code: '${item.code}' is already defined in ${other}`);
    fileOf.set(item.code, s.file);
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
