// A small schema language for config files: each checker names the exact key path it rejects, and
// objects reject unknown keys (a typo must not silently fall back to a default).
import { isAbsolute, resolve } from 'node:path';

/** Where a value was read from: a path in a config file is resolved against the file's own directory
 *  (like nginx's `include`, and unlike the working directory, which differs between a shell, systemd
 *  and `npm start`). Without a context (a literal in a test) a path is kept as written. */
export interface SchemaContext { readonly baseDir?: string }

export type Check<T> = (v: unknown, path: string, ctx?: SchemaContext) => T;
export type Infer<C> = C extends Check<infer T> ? T : never;

export class SchemaError extends Error {
  constructor(readonly path: string, message: string) { super(`${path}: ${message}`); }
}

const where = (p: string) => p || '(top level)';

export function str(opts: { pattern?: RegExp; min?: number } = {}): Check<string> {
  return (v, p) => {
    if (typeof v !== 'string') throw new SchemaError(where(p), 'expected a string');
    if (opts.min !== undefined && v.length < opts.min) throw new SchemaError(where(p), `must have at least ${opts.min} characters`);
    if (opts.pattern && !opts.pattern.test(v)) throw new SchemaError(where(p), `does not match ${opts.pattern}`);
    return v;
  };
}

/** A file or directory path, resolved against the config file's directory. With a default, the key is
 *  optional and the default is resolved the same way (`items` next to internal.yaml). */
export function filePath(dflt?: string): Check<string> & { optional?: true } {
  const c = ((v: unknown, p: string, ctx?: SchemaContext) => {
    const raw = v === undefined || v === null ? dflt : v;
    if (raw === undefined) throw new SchemaError(where(p), 'is required');
    if (typeof raw !== 'string' || raw.length === 0) throw new SchemaError(where(p), 'expected a file path');
    if (raw.includes('\0')) throw new SchemaError(where(p), 'a path must not contain a NUL byte');
    return ctx?.baseDir && !isAbsolute(raw) ? resolve(ctx.baseDir, raw) : raw;
  }) as Check<string> & { optional?: true };
  if (dflt !== undefined) c.optional = true;
  return c;
}

export function int(opts: { min?: number; max?: number } = {}): Check<number> {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new SchemaError(where(p), 'expected an integer');
    if (opts.min !== undefined && v < opts.min) throw new SchemaError(where(p), `must be ≥ ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw new SchemaError(where(p), `must be ≤ ${opts.max}`);
    return v;
  };
}

export function bool(): Check<boolean> {
  return (v, p) => { if (typeof v !== 'boolean') throw new SchemaError(where(p), 'expected true or false'); return v; };
}

export function oneOf<T extends string>(...values: T[]): Check<T> {
  return (v, p) => {
    if (typeof v !== 'string' || !values.includes(v as T)) throw new SchemaError(where(p), `expected one of ${values.join(', ')}`);
    return v as T;
  };
}

export function list<T>(item: Check<T>, opts: { min?: number } = {}): Check<T[]> {
  return (v, p, ctx) => {
    if (!Array.isArray(v)) throw new SchemaError(where(p), 'expected a list');
    if (opts.min !== undefined && v.length < opts.min) throw new SchemaError(where(p), `needs at least ${opts.min} entries`);
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
    for (const k of Object.keys(rec)) if (!(k in shape)) throw new SchemaError(p ? `${p}.${k}` : k, 'unknown key');
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
