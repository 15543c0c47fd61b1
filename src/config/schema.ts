// The one schema language for Ferry's config files (gateway configs, the policy, the approval block,
// the trusted clock's section): each checker names the exact key path it rejects and the value it got,
// and objects reject unknown keys (a typo must not silently fall back to a default). Pure: a leaf that
// every layer may import; the loader (load.ts) turns a path into FILE:LINE.
import { isAbsolute, resolve } from 'node:path';

/** Where a value was read from: a path in a config file is resolved against the file's own directory
 *  (like nginx's `include`, and unlike the working directory, which differs between a shell, systemd
 *  and `npm start`). Without a context (a literal in a test) a path is kept as written. */
export interface SchemaContext { readonly baseDir?: string }

export type Check<T> = (v: unknown, path: string, ctx?: SchemaContext) => T;
export type Infer<C> = C extends Check<infer T> ? T : never;

export class SchemaError extends Error {
  constructor(readonly path: string, message: string) { super(`${path}: ${message}`); }
  /** The message without its leading path. */
  get reason(): string { return this.message.slice(this.path.length + 2); }
}

const where = (p: string) => p || '(top level)';

/** The offending value as the operator wrote it, short: `(got "x")`, `(got 70000)`, `(got a list)`. */
export function got(v: unknown): string {
  if (v === undefined || v === null) return '(got nothing)';
  if (Array.isArray(v)) return '(got a list)';
  if (typeof v === 'object') return '(got a mapping)';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return `(got ${s.length > 60 ? `${s.slice(0, 57)}...` : s})`;
}

/** "from 1 to 1024", "of at least 1", "of at most 5", "" */
function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

export function str(opts: { pattern?: RegExp; min?: number } = {}): Check<string> {
  return (v, p) => {
    if (typeof v !== 'string') throw new SchemaError(where(p), `must be a string ${got(v)}`);
    // Blanks count as nothing: a host or subject of spaces is as empty as "" (and as hard to see).
    if (opts.min !== undefined && v.trim().length < opts.min) {
      throw new SchemaError(where(p), opts.min === 1 ? `must not be empty ${got(v)}` : `must have at least ${opts.min} characters ${got(v)}`);
    }
    if (opts.pattern && !opts.pattern.test(v)) throw new SchemaError(where(p), `does not match ${opts.pattern} ${got(v)}`);
    return v;
  };
}

/** A file or directory path, resolved against the config file's directory. With a default, the key is
 *  optional and the default is resolved the same way (`items` next to internal.yaml). */
export function filePath(dflt?: string): Check<string> & { optional?: true } {
  const c = ((v: unknown, p: string, ctx?: SchemaContext) => {
    const raw = v === undefined || v === null ? dflt : v;
    if (raw === undefined) throw new SchemaError(where(p), 'is required');
    if (typeof raw !== 'string' || raw.length === 0) throw new SchemaError(where(p), `must be a file path ${got(raw)}`);
    if (raw.includes('\0')) throw new SchemaError(where(p), 'a path must not contain a NUL byte');
    return ctx?.baseDir && !isAbsolute(raw) ? resolve(ctx.baseDir, raw) : raw;
  }) as Check<string> & { optional?: true };
  if (dflt !== undefined) c.optional = true;
  return c;
}

export function int(opts: { min?: number; max?: number } = {}): Check<number> {
  return (v, p) => {
    const ok = typeof v === 'number' && Number.isSafeInteger(v) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
    if (!ok) throw new SchemaError(where(p), `must be an integer${range(opts.min, opts.max)} ${got(v)}`);
    return v;
  };
}

/** A finite number (a share, a ratio): integers are numbers too. */
export function num(opts: { min?: number; max?: number } = {}): Check<number> {
  return (v, p) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
    if (!ok) throw new SchemaError(where(p), `must be a number${range(opts.min, opts.max)} ${got(v)}`);
    return v;
  };
}

export function bool(): Check<boolean> {
  return (v, p) => { if (typeof v !== 'boolean') throw new SchemaError(where(p), `must be true or false ${got(v)}`); return v; };
}

export function oneOf<T extends string>(...values: T[]): Check<T> {
  return (v, p) => {
    if (typeof v !== 'string' || !values.includes(v as T)) throw new SchemaError(where(p), `must be one of ${values.join(', ')} ${got(v)}`);
    return v as T;
  };
}

export function list<T>(item: Check<T>, opts: { min?: number } = {}): Check<T[]> {
  return (v, p, ctx) => {
    if (!Array.isArray(v)) throw new SchemaError(where(p), `must be a list ${got(v)}`);
    if (opts.min !== undefined && v.length < opts.min) throw new SchemaError(where(p), `needs at least ${opts.min} entr${opts.min === 1 ? 'y' : 'ies'}`);
    return v.map((x, i) => item(x, `${p}[${i}]`, ctx));
  };
}

/** Marks a key optional, with a default. */
export function opt<T>(check: Check<T>, dflt: T): Check<T> & { optional: true } {
  const c = ((v: unknown, p: string, ctx?: SchemaContext) => (v === undefined || v === null ? dflt : check(v, p, ctx))) as Check<T> & { optional: true };
  c.optional = true;
  return c;
}

export function obj<S extends Record<string, Check<unknown>>>(shape: S): Check<{ readonly [K in keyof S]: Infer<S[K]> }> {
  return (v, p, ctx) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(where(p), 'expected a mapping');
    const rec = v as Record<string, unknown>;
    // Deny by default: a key the schema does not declare is refused, never ignored.
    for (const k of Object.keys(rec)) if (!Object.hasOwn(shape, k)) throw new SchemaError(p ? `${p}.${k}` : k, 'unknown key');
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape)) {
      const kp = p ? `${p}.${k}` : k;
      if (rec[k] === undefined && !(check as { optional?: boolean }).optional) throw new SchemaError(kp, 'is required');
      out[k] = check(rec[k], kp, ctx);
    }
    return Object.freeze(out) as { readonly [K in keyof S]: Infer<S[K]> };
  };
}

/** An optional mapping whose defaults are computed by its own schema, in context (so a default path in
 *  it is resolved against the config file's directory like a written one). */
export function optObj<T>(check: Check<T>): Check<T> & { optional: true } {
  const c = ((v: unknown, p: string, ctx?: SchemaContext) => check(v === undefined || v === null ? {} : v, p, ctx)) as Check<T> & { optional: true };
  c.optional = true;
  return c;
}

/** A rule across keys, run after the shape is checked: `rule` returns undefined when the value is
 *  fine, or the key (relative to this node) and the reason it is not. */
export function refine<T>(check: Check<T>, rule: (value: T) => { key: string; message: string } | undefined): Check<T> {
  return (v, p, ctx) => {
    const out = check(v, p, ctx);
    const bad = rule(out);
    if (bad) throw new SchemaError(where(bad.key ? (p ? `${p}.${bad.key}` : bad.key) : p), bad.message);
    return out;
  };
}
