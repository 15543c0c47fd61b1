// Reads config/policy.yaml into a Policy, or into a list of faults that each name the file, LINE,
// key path and what is wrong: `config/policy.yaml:23: rules[4].kinds[1]: unknown packet kind "statu"`.
// The shape is checked by the config mini-schema (first fault only: later keys may depend on it);
// the cross-field rules are then all checked and all reported, in line order.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { FerryError } from '../errors.js';
import { SchemaError } from '../config/schema.js';
import type { KindName } from '../seal/packet-kind.js';
import { policyShape, type PolicyShape } from './policy-schema.js';
import { lineOf } from './source-lines.js';
import {
  INBOUND_KINDS, OUTBOUND_KINDS, RATE_DIMENSIONS, expandDomainRef, isTownship, zoneOf,
  type AttachmentRule, type Policy, type PolicyDomain, type PolicyRule, type RateDimension, type RateSpec, type Zone,
} from './policy-model.js';

export interface PolicyIssue {
  /** 1-based; 0 when the file could not be read at all. */
  readonly line: number;
  /** Key path, e.g. `rules[4].kinds[1]`; '' for a YAML syntax error. */
  readonly path: string;
  readonly message: string;
}

export type PolicyParse =
  | { ok: true; policy: Policy }
  | { ok: false; source: string; errors: readonly PolicyIssue[] };

/** `config/policy.yaml:23: rules[4].kinds[1]: unknown packet kind "statu"` */
export function formatIssue(source: string, i: PolicyIssue): string {
  return `${source}${i.line > 0 ? `:${i.line}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

export function formatIssues(p: Extract<PolicyParse, { ok: false }>): string {
  return p.errors.map((e) => formatIssue(p.source, e)).join('\n');
}

/** Pure: text in, policy or faults out. `source` is only used in messages and Policy.source. */
export function parsePolicy(text: string, source: string): PolicyParse {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true, strict: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    // One fault per line, the first ten: after the first syntax error the parser's later ones are
    // mostly echoes of it.
    const errors: PolicyIssue[] = [];
    for (const e of doc.errors) {
      const line = counter.linePos(e.pos[0]).line;
      if (errors.some((x) => x.line === line)) continue;
      errors.push({ line, path: '', message: `not valid YAML: ${e.message.split('\n')[0]}` });
      if (errors.length === 10) break;
    }
    return { ok: false, source, errors };
  }
  let shape: PolicyShape;
  try {
    shape = policyShape(doc.toJS({ maxAliasCount: 50 }), '');
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    return { ok: false, source, errors: [{ line: lineOf(doc, counter, e.path), path: e.path, message: e.message.slice(e.path.length + 2) }] };
  }
  const issues: { path: string; message: string }[] = [];
  const policy = compile(shape, text, source, (path, message) => issues.push({ path, message }), (path) => lineOf(doc as Document, counter, path));
  if (issues.length > 0) {
    const errors = issues.map((i) => ({ line: lineOf(doc, counter, i.path), ...i })).sort((a, b) => a.line - b.line);
    return { ok: false, source, errors };
  }
  return { ok: true, policy };
}

/** Reads and parses a policy file. A file that cannot be read is a fault like any other. */
export function loadPolicyFile(file: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): PolicyParse {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    return { ok: false, source: file, errors: [{ line: 0, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parsePolicy(text, file);
}

/** For start-up: a gateway does not start with a policy it cannot read. */
export function loadPolicyOrThrow(file: string): Policy {
  const r = loadPolicyFile(file);
  if (!r.ok) throw new FerryError('FERRY_ERR_POLICY_FILE', formatIssues(r));
  return r.policy;
}

type Report = (path: string, message: string) => void;

function compile(s: PolicyShape, text: string, source: string, report: Report, line: (path: string) => number): Policy {
  const domains = compileDomains(s, report, line);
  const names = [...domains.keys()];
  const rules: PolicyRule[] = [];
  const seenIds = new Map<string, number>();
  s.rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    const prev = seenIds.get(r.id);
    if (prev !== undefined) report(`${at}.id`, `rule id "${r.id}" is already used by rules[${prev}]`);
    seenIds.set(r.id, i);
    const fromDomains = expandRefs(r.from, `${at}.from`, names, report);
    const toDomains = expandRefs(r.to, `${at}.to`, names, report);
    const fromZone = oneZone(fromDomains, `${at}.from`, report);
    const toZone = oneZone(toDomains, `${at}.to`, report);
    if (fromZone && toZone && fromZone === toZone) {
      report(`${at}.to`, `a rule carries packets across the boundary: from is ${fromZone}, so to must be ${fromZone === 'external' ? 'internal' : 'external'}`);
    }
    noRepeats(r.kinds, `${at}.kinds`, report);
    r.kinds.forEach((k, j) => {
      if (fromZone === 'external' && OUTBOUND_KINDS.includes(k)) report(`${at}.kinds[${j}]`, `kind "${k}" travels only out of the intranet, not from ${r.from.join(', ')}`);
      if (fromZone === 'internal' && INBOUND_KINDS.includes(k)) report(`${at}.kinds[${j}]`, `kind "${k}" travels only into the intranet, not from ${r.from.join(', ')}`);
    });
    const attachments = compileAttachments(r.attachments, r.maxBytes, at, report);
    const rate = compileRate(r.rate, fromZone, fromDomains, at, report);
    rules.push(Object.freeze({
      id: r.id, line: line(at), from: Object.freeze([...r.from]), to: Object.freeze([...r.to]),
      fromDomains, toDomains, kinds: Object.freeze([...r.kinds]), maxBytes: r.maxBytes, attachments, rate,
    }));
  });
  reportShadowed(rules, report);
  s.outbound.allowUnsolicited.forEach((k, j) => {
    if (!OUTBOUND_KINDS.includes(k)) report(`outbound.allowUnsolicited[${j}]`, `kind "${k}" never travels out of the intranet`);
  });
  return Object.freeze({
    source, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), version: 1 as const,
    domains, rules: Object.freeze(rules), ruleById: new Map(rules.map((r) => [r.id, r])),
    freshness: Object.freeze({ ...s.freshness }),
    outbound: Object.freeze({ requireCorrelation: s.outbound.requireCorrelation, allowUnsolicited: Object.freeze([...s.outbound.allowUnsolicited]) }),
  });
}

function compileDomains(s: PolicyShape, report: Report, line: (path: string) => number): Map<string, PolicyDomain> {
  const out = new Map<string, PolicyDomain>();
  const subjectOwner = new Map<string, string>();
  const printOwner = new Map<string, string>();
  for (const [name, d] of s.domains) {
    const at = `domains.${name}`;
    const cc = d.clientCert;
    if (isTownship(name)) {
      if (!cc || (cc.subjects.length === 0 && cc.sha256.length === 0)) {
        report(at, 'a township domain needs clientCert.subjects and/or clientCert.sha256: that is how the external gateway recognises the centre');
      }
    } else if (cc) {
      report(`${at}.clientCert`, 'only township-<name> domains are recognised by client certificate');
    }
    cc?.subjects.forEach((cn, i) => {
      const owner = subjectOwner.get(cn);
      if (owner !== undefined) report(`${at}.clientCert.subjects[${i}]`, `subject "${cn}" already identifies ${owner}`);
      subjectOwner.set(cn, name);
    });
    cc?.sha256.forEach((fp, i) => {
      const owner = printOwner.get(fp);
      if (owner !== undefined) report(`${at}.clientCert.sha256[${i}]`, `fingerprint already identifies ${owner}`);
      printOwner.set(fp, name);
    });
    out.set(name, Object.freeze({
      name, zone: zoneOf(name), description: d.description, line: line(at),
      clientCert: cc ? Object.freeze({ subjects: Object.freeze([...cc.subjects]), sha256: Object.freeze([...cc.sha256]) }) : null,
    }));
  }
  return out;
}

function expandRefs(refs: readonly string[], at: string, declared: readonly string[], report: Report): ReadonlySet<string> {
  const out = new Set<string>();
  noRepeats(refs, at, report);
  refs.forEach((ref, i) => {
    const got = expandDomainRef(ref, declared);
    if (got.length === 0) {
      report(`${at}[${i}]`, ref.endsWith('*') ? `"${ref}" matches no declared domain` : `unknown domain "${ref}" (declared: ${declared.join(', ') || 'none'})`);
    }
    for (const d of got) out.add(d);
  });
  return out;
}

function oneZone(domains: ReadonlySet<string>, at: string, report: Report): Zone | undefined {
  const zones = new Set([...domains].map(zoneOf));
  if (zones.size > 1) { report(at, 'mixes external domains (public, township-*) with internal ones (intranet, dept-*)'); return undefined; }
  return zones.values().next().value;
}

function noRepeats(xs: readonly string[], at: string, report: Report): void {
  xs.forEach((x, i) => { if (xs.indexOf(x) !== i) report(`${at}[${i}]`, `"${x}" is listed twice`); });
}

function compileAttachments(a: PolicyShape['rules'][number]['attachments'], ruleMax: number, at: string, report: Report): AttachmentRule | null {
  if (!a) return null;
  noRepeats(a.types, `${at}.attachments.types`, report);
  if (a.maxBytes > ruleMax) report(`${at}.attachments.maxBytes`, `${a.maxBytes} exceeds the rule's maxBytes ${ruleMax}`);
  for (const [item, types] of a.perItem) {
    noRepeats(types, `${at}.attachments.perItem.${item}`, report);
    types.forEach((t, i) => {
      if (!a.types.includes(t)) report(`${at}.attachments.perItem.${item}[${i}]`, `type "${t}" is not in attachments.types (${a.types.join(', ')}); perItem only narrows`);
    });
  }
  const perItem = new Map([...a.perItem].map(([k, v]) => [k, Object.freeze([...v])]));
  return Object.freeze({ types: Object.freeze([...a.types]), perItem, maxCount: a.maxCount, maxBytes: a.maxBytes });
}

function compileRate(
  r: PolicyShape['rules'][number]['rate'], fromZone: Zone | undefined, from: ReadonlySet<string>, at: string, report: Report,
): Readonly<Partial<Record<RateDimension, RateSpec>>> {
  const out: Partial<Record<RateDimension, RateSpec>> = {};
  if (!r) return Object.freeze(out);
  for (const dim of RATE_DIMENSIONS) {
    const spec = r[dim];
    if (!spec) continue;
    if (fromZone === 'internal') { report(`${at}.rate.${dim}`, 'rate limits apply to traffic from outside (applicants and township centres), not from the intranet'); continue; }
    if (dim === 'perTownship' && ![...from].some(isTownship)) { report(`${at}.rate.${dim}`, 'perTownship on a rule whose sources include no township domain'); continue; }
    out[dim] = spec;
  }
  return Object.freeze(out);
}

/** A rule none of whose (from, to, kind) triples reaches it is dead text that misleads readers. */
function reportShadowed(rules: readonly PolicyRule[], report: Report): void {
  rules.forEach((r, i) => {
    const deciders = new Set<string>();
    for (const f of r.fromDomains) for (const t of r.toDomains) for (const k of r.kinds) {
      const earlier = rules.slice(0, i).find((e) => e.fromDomains.has(f) && e.toDomains.has(t) && e.kinds.includes(k as KindName));
      if (!earlier) return;
      deciders.add(earlier.id);
    }
    if (r.fromDomains.size > 0 && r.toDomains.size > 0) {
      report(`rules[${i}]`, `rule "${r.id}" is never used: every (from, to, kind) it names is decided earlier by ${[...deciders].join(', ')}`);
    }
  });
}
