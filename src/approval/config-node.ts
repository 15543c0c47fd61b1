// A cursor over the approval module's YAML files (items, calendars), for rules that depend on values
// already read (a task limit within the item's promised limit, a holiday inside its year). The file is
// parsed by the config loader (src/config/load.ts) and every value is checked by the one config schema
// language (src/config/schema.ts), so an item file's faults read like internal.yaml's:
//   config/items/SCJG-001.yaml:14: materials[5].acceptance: must be one of required, tolerable (got "later")
// Unknown keys are errors (STYLE 9), so a typo such as `promiseDays:` never falls back to a default.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError, type FerryErrorCode } from '../errors.js';
import { lineOfPath, parseConfigText, type ParsedConfig } from '../config/load.js';
import { SchemaError, bool, got, int, list, num, obj, oneOf, opt, str, type Check } from '../config/schema.js';
import { isLocalDate, type LocalDate } from './local-date.js';

type ConfigCode = Extract<FerryErrorCode, 'FERRY_ERR_APPROVAL_CATALOGUE' | 'FERRY_ERR_APPROVAL_CALENDAR'>;

/** Parse YAML text into a ConfigNode at the document root. Duplicate keys, aliases and syntax errors throw. */
export function parseYamlConfig(text: string, file: string, code: ConfigCode): ConfigNode {
  const parsed = parseConfigText(text, file, { code, maxAliasCount: 0 });
  return new ConfigNode(parsed.value, file, '', code, parsed);
}

const any: Check<unknown> = (v) => v;

export class ConfigNode {
  constructor(
    readonly value: unknown,
    readonly file: string,
    readonly path: string,
    readonly code: ConfigCode,
    /** The parsed file, to name the line of a fault (absent for a value built in code). */
    private readonly source?: ParsedConfig,
    /** Names the place of a value that came from elsewhere (a spreadsheet cell: 'Sheet!C12: 名称'),
     *  by its path; replaces file:line: path in messages. */
    private readonly locate?: (path: string) => string,
  ) {}

  fail(message: string): never {
    if (this.locate) throw new FerryError(this.code, `${this.locate(this.path)}: ${message}`);
    const at = this.source ? `${this.file}:${lineOfPath(this.source, this.path)}` : this.file;
    throw new FerryError(this.code, `${at}: ${this.path || '(top level)'}: ${message}`);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** Runs a schema check on this value; its fault is reported at this node's file, line and path. */
  private check<T>(c: Check<T>): T {
    try {
      return c(this.value, this.path);
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      if (e.path === (this.path || '(top level)')) this.fail(e.reason);
      // A fault below this node (an unknown key): name it at its own path and line.
      return new ConfigNode(undefined, this.file, e.path, this.code, this.source, this.locate).fail(e.reason);
    }
  }

  /** Check this is a mapping whose keys are all in `allowed`; returns this for chaining. */
  object(allowed: readonly string[]): this {
    this.check(obj(Object.fromEntries(allowed.map((k) => [k, opt(any, undefined)]))));
    return this;
  }

  key(name: string): ConfigNode {
    const v = (this.value as Record<string, unknown>)[name];
    return this.child(name, v);
  }

  private child(name: string | number, v?: unknown): ConfigNode {
    const p = typeof name === 'number' ? `${this.path}[${name}]` : this.path ? `${this.path}.${name}` : name;
    return new ConfigNode(v, this.file, p, this.code, this.source, this.locate);
  }

  private need(): void {
    if (!this.present) this.fail('is required');
  }

  string(opts: { maxLength?: number; pattern?: RegExp } = {}): string {
    this.need();
    const v = this.check(str({ min: 1, ...(opts.pattern ? { pattern: opts.pattern } : {}) }));
    // Characters as people count them (code points), not UTF-16 units: 王丽 is two.
    if (opts.maxLength !== undefined && [...v].length > opts.maxLength) this.fail(`must have at most ${opts.maxLength} characters`);
    return v;
  }

  optionalString(opts: { maxLength?: number; pattern?: RegExp } = {}): string | undefined {
    return this.present ? this.string(opts) : undefined;
  }

  int(opts: { min?: number; max?: number } = {}): number {
    this.need();
    return this.check(int(opts));
  }

  number(opts: { min?: number; max?: number } = {}): number {
    this.need();
    return this.check(num(opts));
  }

  boolean(): boolean {
    this.need();
    return this.check(bool());
  }

  oneOf<T extends string>(values: readonly T[]): T {
    this.need();
    return this.check(oneOf(...values));
  }

  date(): LocalDate {
    this.need();
    const v = this.value;
    if (!isLocalDate(v)) this.fail(`must be a date written YYYY-MM-DD ${got(v)}`);
    return v;
  }

  list(opts: { minLength?: number } = {}): ConfigNode[] {
    this.need();
    return this.check(list(any, opts.minLength === undefined ? {} : { min: opts.minLength })).map((e, i) => this.child(i, e));
  }

  /** A list that may be omitted (→ empty). */
  optionalList(): ConfigNode[] {
    return this.present ? this.list() : [];
  }
}

/** Freeze a plain value and everything reachable from it. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** The *.yaml / *.yml files of a folder (items, calendar years), sorted, each with its text; a folder
 *  that cannot be read or holds none is refused under `code`, naming the folder and `what` it holds. */
export function readYamlFiles(dir: string, code: ConfigCode, what: string): { file: string; text: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    throw new FerryError(code, `${dir}: cannot read the ${what} directory: ${(e as Error).message}`, { cause: e });
  }
  if (names.length === 0) throw new FerryError(code, `${dir}: no ${what} files (*.yaml)`);
  return names.map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}
