// The county catalogue spreadsheet (权力清单 / 公共服务事项目录) as Ferry reads and writes it: one
// row per item on sheet 事项, the departments on sheet 部门, free notes on sheet 说明 (ignored on
// import). Row 1 of each sheet is the header row and must read exactly as below, so a sheet laid out
// for another system is refused at its first differing header rather than read into the wrong fields.
// docs/CATALOGUE.md describes each column for the people who fill it in.

export const ITEMS_SHEET = '事项';
export const DEPARTMENTS_SHEET = '部门';
export const NOTES_SHEET = '说明';

/** How a cell's text becomes a value (src/catalogue-io/row-to-item.ts). */
export type ColumnKind = 'text' | 'int' | 'yuan' | 'lines' | 'json' | 'choice';

export interface Column {
  /** The item key (or pseudo-key) this column fills. */
  readonly key: string;
  readonly header: string;
  readonly kind: ColumnKind;
  readonly required: boolean;
  /** Longest text in characters, checked on the cell before anything else. */
  readonly max: number;
}

const col = (key: string, header: string, kind: ColumnKind, required: boolean, max: number): Column => ({ key, header, kind, required, max });

/** Whole multi-line cells: a few legal bases or materials, far below Excel's own 32,767. */
const LINES_MAX = 20_000;

export const ITEM_COLUMNS: readonly Column[] = Object.freeze([
  col('code', '事项编码', 'text', true, 64),
  col('name', '事项名称', 'text', true, 200),
  col('category', '事项类别', 'choice', true, 20),
  col('leadDepartment', '实施部门编码', 'text', true, 64),
  col('leadTaskDays', '部门审查时限', 'int', true, 10),
  col('parallelDepartments', '并联部门', 'lines', false, LINES_MAX),
  col('statutoryDays', '法定时限', 'int', false, 10),
  col('promisedDays', '承诺时限', 'int', true, 10),
  col('sameDay', '即办件', 'choice', false, 4),
  col('mode', '办理模式', 'choice', true, 20),
  col('legalBasis', '设定依据', 'lines', true, LINES_MAX),
  col('conditions', '受理条件', 'lines', true, LINES_MAX),
  col('materials', '申请材料', 'lines', true, LINES_MAX),
  col('fee', '收费标准（元）', 'yuan', false, 20),
  col('feeBasis', '收费依据', 'text', false, 2000),
  col('chargingDepartment', '收费部门编码', 'text', false, 64),
  col('greenChannel', '绿色通道时限', 'int', false, 10),
  col('result', '办理结果', 'text', true, 200),
  col('reviewPoints', '审查要点', 'lines', false, LINES_MAX),
  col('form', '表单（JSON）', 'json', false, 30_000),
]);

export const DEPARTMENT_COLUMNS: readonly Column[] = Object.freeze([
  col('code', '部门编码', 'text', true, 64),
  col('name', '部门名称', 'text', true, 200),
]);

/** Words in choice columns ↔ catalogue values. */
export const CATEGORY_WORDS = Object.freeze({ 行政许可: 'administrative-permit', 备案: 'filing', 公共服务: 'public-service' } as const);
export const MODE_WORDS = Object.freeze({ 直接式: 'direct', 预审式: 'pre-review', 延伸式: 'extended' } as const);
export const YES_NO_WORDS = Object.freeze({ 是: true, 否: false } as const);
/** Material acceptance in the 申请材料 column: `id|名称|必需[|备注]` or `id|名称|容缺N[|备注]`. */
export const REQUIRED_WORD = '必需';
export const TOLERABLE_WORD = '容缺';

/** Most rows a sheet may hold: a county lists a few hundred items; 5,000 bounds the work of a read. */
export const MAX_ROWS = 5000;
/** Largest spreadsheet file read (an .xlsx is a zip: its parts are checked again as they inflate). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** 1 → 'A', 27 → 'AA'. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
