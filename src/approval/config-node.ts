// A strict reader for the approval module's YAML files (items, calendars, supervision settings).
// Every failure throws a FerryError whose message names the file and the key path, and unknown keys
// are errors (STYLE 9), so a typo such as `promiseDays:` can never silently fall back to a default.

import { parseDocument } from 'yaml';
import { FerryError, type FerryErrorCode } from '../errors.js';
import { isLocalDate, type LocalDate } from './local-date.js';

type ConfigCode = Extract<FerryErrorCode, 'FERRY_ERR_APPROVAL_CATALOGUE' | 'FERRY_ERR_APPROVAL_CALENDAR' | 'FERRY_ERR_APPROVAL_SETTINGS'>;

/** Parse YAML text into a ConfigNode at the document root. Duplicate keys and syntax errors throw. */
export function parseYamlConfig(text: string, file: string, code: ConfigCode): ConfigNode {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw new FerryError(code, `${file}: not valid YAML: ${first.message}`);
  // Aliases are refused: a config file is read by people, and an alias hides what a key holds.
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    throw new FerryError(code, `${file}: not valid here: ${(e as Error).message} (YAML aliases are not allowed)`, { cause: e });
  }
  return new ConfigNode(value, file, '', code);
}

export class ConfigNode {
  constructor(
    readonly value: unknown,
    readonly file: string,
    readonly path: string,
    readonly code: ConfigCode,
  ) {}

  fail(message: string): never {
    throw new FerryError(this.code, `${this.file}: ${this.path || '(top level)'}: ${message}`);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** Check this is a mapping whose keys are all in `allowed`; returns this for chaining. */
  object(allowed: readonly string[]): this {
    const v = this.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('must be a mapping');
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.child(k).fail(`unknown key (allowed: ${allowed.join(', ')})`);
    }
    return this;
  }

  key(name: string): ConfigNode {
    const v = (this.value as Record<string, unknown>)[name];
    return this.child(name, v);
  }

  private child(name: string | number, v?: unknown): ConfigNode {
    const p = typeof name === 'number' ? `${this.path}[${name}]` : this.path ? `${this.path}.${name}` : name;
    return new ConfigNode(v, this.file, p, this.code);
  }

  private need(): void {
    if (!this.present) this.fail('is required');
  }

  string(opts: { maxLength?: number; pattern?: RegExp } = {}): string {
    this.need();
    const v = this.value;
    if (typeof v !== 'string') this.fail(`must be a string, got ${typeof v}`);
    if (v.trim() === '') this.fail('must not be empty');
    if (opts.maxLength !== undefined && [...v].length > opts.maxLength) this.fail(`longer than ${opts.maxLength} characters`);
    if (opts.pattern && !opts.pattern.test(v)) this.fail(`must match ${opts.pattern.source}`);
    return v;
  }

  optionalString(opts: { maxLength?: number; pattern?: RegExp } = {}): string | undefined {
    return this.present ? this.string(opts) : undefined;
  }

  int(opts: { min?: number; max?: number } = {}): number {
    this.need();
    const v = this.value;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail('must be an integer');
    if (opts.min !== undefined && v < opts.min) this.fail(`must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) this.fail(`must be at most ${opts.max}`);
    return v;
  }

  number(opts: { min?: number; max?: number } = {}): number {
    this.need();
    const v = this.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail('must be a number');
    if (opts.min !== undefined && v < opts.min) this.fail(`must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) this.fail(`must be at most ${opts.max}`);
    return v;
  }

  boolean(): boolean {
    this.need();
    if (typeof this.value !== 'boolean') this.fail('must be true or false');
    return this.value;
  }

  oneOf<T extends string>(values: readonly T[]): T {
    this.need();
    const v = this.value;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) this.fail(`must be one of ${values.join(', ')}`);
    return v as T;
  }

  date(): LocalDate {
    this.need();
    const v = this.value;
    if (!isLocalDate(v)) this.fail('must be a date written YYYY-MM-DD');
    return v;
  }

  list(opts: { minLength?: number } = {}): ConfigNode[] {
    this.need();
    const v = this.value;
    if (!Array.isArray(v)) this.fail('must be a list');
    if (opts.minLength !== undefined && v.length < opts.minLength) this.fail(`must have at least ${opts.minLength} entr${opts.minLength === 1 ? 'y' : 'ies'}`);
    return v.map((e, i) => this.child(i, e as unknown));
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
