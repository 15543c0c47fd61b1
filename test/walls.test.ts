// The walls between src/ folders, read from the code's own imports. A wall that is only written in
// DESIGN.md erodes one convenient import at a time; here a forbidden edge fails `npm test` and names
// the file, the import and the rule it breaks.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './helpers/source-files.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

interface Edge { readonly from: string; readonly to: string }


// Static imports and re-exports (possibly over several lines), side-effect imports, dynamic import().
// Anchored at the start of a line so that template strings that happen to say "from '...'" are not read.
const IMPORT_RES = [
  /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm,
  /^\s*import\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Specifiers as written: relative ones resolved to 'src/...' paths, packages left as named. */
export function importsOf(file: string, text: string): string[] {
  const out = new Set<string>();
  for (const re of IMPORT_RES) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) out.add(relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
      else out.add(spec);
    }
  }
  return [...out];
}

function graph(): Edge[] {
  const edges: Edge[] = [];
  for (const f of sourceFiles(SRC)) {
    const from = relative(ROOT, f);
    for (const to of importsOf(f, readFileSync(f, 'utf8'))) edges.push({ from, to });
  }
  return edges;
}

const under = (folder: string) => (p: string) => p === `src/${folder}.ts` || p.startsWith(`src/${folder}/`);
const isSrc = (p: string) => p.startsWith('src/');
const SOCKETS_AND_STORES = new Set(['better-sqlite3', 'ws', 'fastify', 'node:net', 'node:tls', 'node:http', 'node:https', 'node:dgram', 'node:worker_threads', 'node:child_process']);

/** The config schema language and its loader: pure, and below every layer that reads a YAML file. */
const CONFIG_LANGUAGE = ['src/config/schema.ts', 'src/config/source-lines.ts', 'src/config/load.ts'];

interface Wall {
  readonly rule: string;
  /** Files the rule speaks about. */
  readonly applies: (from: string) => boolean;
  /** True when the import is allowed for such a file. */
  readonly allows: (to: string, from: string) => boolean;
}

export const WALLS: readonly Wall[] = [
  {
    rule: 'approval/ is the pure core: it imports only approval/, published/, errors.ts (and fs/path/yaml and the config language to read its item and calendar files once)',
    applies: under('approval'),
    allows: (to) => isSrc(to)
      ? under('approval')(to) || under('published')(to) || to === 'src/errors.ts' || CONFIG_LANGUAGE.includes(to)
      : ['node:fs', 'node:path', 'yaml'].includes(to),
  },
  {
    rule: 'published/ is a leaf both sides share: it imports nothing',
    applies: under('published'),
    allows: (to) => under('published')(to),
  },
  {
    rule: 'seal/ and policy/ are pure: no store, link, gateway, sockets or databases',
    applies: (f) => under('seal')(f) || under('policy')(f),
    allows: (to) => isSrc(to)
      ? !['store', 'link', 'gateway', 'external', 'internal', 'desk', 'cli', 'audit', 'approval'].some((d) => under(d)(to))
      : !SOCKETS_AND_STORES.has(to),
  },
  {
    rule: 'pki/ is a leaf: it imports only pki/ and errors.ts',
    applies: under('pki'),
    allows: (to) => !isSrc(to) || under('pki')(to) || to === 'src/errors.ts',
  },
  {
    rule: 'errors.ts is a leaf',
    applies: (f) => f === 'src/errors.ts',
    allows: (to) => !isSrc(to),
  },
  {
    rule: 'external/ and internal/ never import each other',
    applies: (f) => under('external')(f) || under('internal')(f),
    allows: (to, from) => !(under('external')(from) ? under('internal')(to) : under('external')(to)),
  },
  {
    rule: 'only the one way out (src/gateway/outbound.ts) imports the sealer',
    // The crypto worker seals what outbound.ts hands it (a large body, off the event loop).
    applies: (f) => f !== 'src/gateway/outbound.ts' && f !== 'src/gateway/crypto-worker.ts',
    allows: (to) => to !== 'src/seal/seal.ts',
  },
  {
    rule: 'the extranet knows nothing of the approval core or the desk (what it may know of an item is in published/)',
    applies: under('external'),
    allows: (to) => !under('approval')(to) && !under('desk')(to),
  },
  {
    rule: 'config/ sits below what it configures: it imports nothing from desk/, approval/, internal/, external/ or cli/ (they read their typed sections from it)',
    applies: under('config'),
    allows: (to) => !['desk', 'approval', 'internal', 'external', 'cli'].some((d) => under(d)(to)),
  },
  {
    rule: 'cli/ is the top: nothing outside cli/ imports it (a command module lives in cli/, the code it runs below)',
    applies: (f) => !under('cli')(f),
    allows: (to) => !under('cli')(to),
  },
  {
    rule: 'the config language (schema.ts, source-lines.ts, load.ts) imports only itself, errors.ts and fs/path/yaml: every layer may import it',
    applies: (f) => CONFIG_LANGUAGE.includes(f),
    allows: (to) => isSrc(to) ? CONFIG_LANGUAGE.includes(to) || to === 'src/errors.ts' : ['node:fs', 'node:path', 'yaml'].includes(to),
  },  // The store split by owner (issue 10 item 7): store/ is the machinery both gateways share; a table that
  // one side alone uses lives in that side's store/ folder, and the other side cannot reach it.
  {
    rule: 'store/ is the shared machinery: it imports nothing from external/, internal/, desk/, approval/, gateway/ or cli/ (a table one side owns lives in that side\'s store/)',
    applies: under('store'),
    allows: (to) => !['external', 'internal', 'desk', 'approval', 'gateway', 'cli'].some((d) => under(d)(to)),
  },
  {
    rule: 'the intranet gateway\'s tables (internal/store/) are read only by internal/ and cli/: never by external/, the desk or the shared gateway/',
    applies: (f) => !under('internal')(f) && !under('cli')(f),
    allows: (to) => !under('internal/store')(to),
  },
  {
    rule: 'the extranet\'s tables (external/store/) are read only by external/ and cli/: never by internal/, desk/ or approval/',
    applies: (f) => !under('external')(f) && !under('cli')(f),
    allows: (to) => !under('external/store')(to),
  },
  {
    rule: 'the desk\'s tables (desk/store/) are read only by desk/, the internal gateway that hosts the desk, and cli/',
    applies: (f) => !under('desk')(f) && !under('internal')(f) && !under('cli')(f),
    allows: (to) => !under('desk/store')(to),
  },
];

export function breaches(edges: readonly Edge[], walls: readonly Wall[] = WALLS): string[] {
  const out: string[] = [];
  for (const e of edges) {
    for (const w of walls) {
      if (w.applies(e.from) && !w.allows(e.to, e.from)) out.push(`${e.from} imports ${e.to}: ${w.rule}`);
    }
  }
  return out;
}

describe('the walls between folders of src/', () => {
  const edges = graph();

  it('reads the import graph (every folder has files, and imports were found)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.from === 'src/external/api.ts' && e.to === 'src/published/form.ts')).toBe(true);
  });

  it('no import breaks a wall', () => {
    expect(breaches(edges)).toEqual([]);
  });

  it('a forbidden edge is named with its file and rule (the check can fail)', () => {
    const planted: Edge[] = [
      { from: 'src/external/api.ts', to: 'src/approval/form.ts' },
      { from: 'src/seal/seal.ts', to: 'better-sqlite3' },
      { from: 'src/pki/chain.ts', to: 'src/store/db.ts' },
      { from: 'src/internal/gateway.ts', to: 'src/external/intake.ts' },
      { from: 'src/approval/case-machine.ts', to: 'node:crypto' },
    ];
    const found = breaches(planted);
    expect(found).toHaveLength(5);
    expect(breaches([{ from: 'src/external/intake.ts', to: 'src/seal/seal.ts' }])).toEqual([
      'src/external/intake.ts imports src/seal/seal.ts: only the one way out (src/gateway/outbound.ts) imports the sealer',
    ]);
    expect(found[0]).toMatch(/^src\/external\/api\.ts imports src\/approval\/form\.ts: the extranet knows nothing/);
  });

  it('reads multi-line imports, re-exports and dynamic imports, not template text', () => {
    const text = [
      "import {\n  a,\n  b,\n} from '../approval/form.js';",
      "export { c } from './item.js';",
      "const m = await import('../desk/index.js');",
      "const s = `moved from '${x}' to`;",
    ].join('\n');
    expect(importsOf(join(SRC, 'external/api.ts'), text).sort()).toEqual(['src/approval/form.ts', 'src/desk/index.ts', 'src/external/item.ts']);
  });

  it('refuses config depending on the desk and a command module imported from below cli/ (the two upward imports of issue 10)', () => {
    const planted: Edge[] = [
      { from: 'src/config/gateway-config.ts', to: 'src/desk/settings.ts' },
      { from: 'src/config/config-check.ts', to: 'src/approval/index.ts' },
      { from: 'src/desk/cli.ts', to: 'src/cli/args.ts' },
      { from: 'src/config/schema.ts', to: 'src/time/limits.ts' },
    ];
    const found = breaches(planted);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/^src\/config\/gateway-config\.ts imports src\/desk\/settings\.ts: config\/ sits below/);
    expect(found[2]).toMatch(/^src\/desk\/cli\.ts imports src\/cli\/args\.ts: cli\/ is the top/);
  });
});

// ---- only the outbound module seals and adds to an outbox (STYLE 16) ------------------------------

/** Files that may name the sealer or an outbox's add: the way out itself, the sealer, the outbox. */
// The crypto worker runs sealPacket for outbound.ts (a large body sealed off the event loop): it seals
// only what outbound.ts sent it, after the bound, the rule and the clock, and adds to no outbox. That
// holds because outbound.ts is the only caller of the crypto pool's seal (the SEALING_RES entry below):
// the worker is where the one way out's seal step runs, not a second way out.
export const MAY_SEAL = new Set(['src/gateway/outbound.ts', 'src/seal/seal.ts', 'src/store/outbox.ts', 'src/gateway/crypto-worker.ts']);

// A call of the sealer or of an outbox's add, or an import of sealPacket (by name or aliased).
const SEALING_RES = [
  /\bsealPacket\s*\(/,
  // The crypto pool's seal job (src/gateway/crypto-pool.ts), by whatever name the pool is held.
  /\b(?:crypto|pool|cryptoPool)\s*\??\.\s*seal\s*\(/i,
  /\.outbox\s*\.\s*add\s*\(/,
  /\boutbox\s*\.\s*add\s*\(/i,
  /^\s*import\s[^;]*\bsealPacket\b[^;]*\sfrom\s+['"][^'"]*seal\/seal(?:\.js)?['"]/m,
];

/** Files of src/ (outside MAY_SEAL) that seal or add to an outbox, with the line that does it. */
export function sealers(files: readonly { file: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    if (MAY_SEAL.has(file)) continue;
    // Comments may talk about sealing; code may not do it.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const re of SEALING_RES) {
      const m = re.exec(code);
      if (m) out.push(`${file}: "${m[0].trim().slice(0, 80)}": only src/gateway/outbound.ts seals and adds to an outbox`);
    }
  }
  return out;
}

describe('only the outbound module seals and adds to an outbox', () => {
  const files = sourceFiles(SRC).map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }));

  it('no file of src/ but outbound.ts (and the sealer, its worker and the outbox themselves) calls sealPacket, the crypto pool\'s seal or outbox.add', () => {
    expect(files.some((f) => f.file === 'src/gateway/outbound.ts' && /sealPacket\(/.test(f.text))).toBe(true);
    expect(sealers(files)).toEqual([]);
  });

  it('names the file when one does (the check can fail)', () => {
    const planted = [
      { file: 'src/external/intake.ts', text: "import { sealPacket } from '../seal/seal.js';\n" },
      { file: 'src/external/api.ts', text: "import {\n  type PacketDraft,\n  sealPacket as seal,\n} from '../seal/seal.js';\n" },
      { file: 'src/internal/approval-wiring.ts', text: 'd.store.outbox.add(id, kind, caseId, bytes, at);' },
      { file: 'src/internal/deliver-submission.ts', text: 'const s = sealPacket(draft, keys);' },
      { file: 'src/desk/cli.ts', text: 'outbox.add(id, "status", c, b, now);' },
      { file: 'src/internal/approval-wiring.ts', text: 'const sealed = await d.crypto.seal(draft);' },
      // Talking about it is allowed.
      { file: 'src/internal/kinds.ts', text: '// sealPacket( is called in outbound.ts only; d.outbox.add( too\n/* sealPacket(x) */' },
    ];
    const found = sealers(planted);
    expect(found.map((f) => f.split(':')[0])).toEqual([
      'src/external/intake.ts', 'src/external/api.ts', 'src/internal/approval-wiring.ts', 'src/internal/approval-wiring.ts',
      'src/internal/deliver-submission.ts', 'src/desk/cli.ts', 'src/internal/approval-wiring.ts',
    ]);
    expect(found[0]).toMatch(/^src\/external\/intake\.ts: "import \{ sealPacket \} from '\.\.\/seal\/seal\.js'": only src\/gateway\/outbound\.ts seals/);
  });
});

// ---- the packet path reads only the injected trusted clock -----------------------------------------

/** The files a packet passes through (both sides): none may read the host clock. */
export const PACKET_PATH = [
  'src/gateway/outbound.ts', 'src/gateway/inbox.ts', 'src/gateway/admit.ts', 'src/external/intake.ts', 'src/external/deliver.ts',
  'src/external/kinds.ts', 'src/external/packet-path.ts', 'src/internal/kinds.ts', 'src/internal/packet-path.ts', 'src/internal/stamper.ts',
  'src/internal/recheck.ts', 'src/internal/deliver-submission.ts', 'src/internal/deliver-action.ts', 'src/internal/approval-wiring.ts',
  'src/internal/stamp-refusal.ts',
];

/** `Date.now()` or a `new Date()` with no argument: the host clock, not the trusted one. */
export function hostClockReads(files: readonly { file: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const m of code.matchAll(/\bDate\.now\s*\(\s*\)|\bnew\s+Date\s*\(\s*\)/g)) out.push(`${file}: ${m[0]}: the packet path reads the injected clock only`);
  }
  return out;
}

describe('the packet path reads only the injected clock', () => {
  it('no file a packet passes through calls Date.now() or new Date()', () => {
    const files = PACKET_PATH.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
    expect(hostClockReads(files)).toEqual([]);
  });

  it('names the file when one does (the check can fail)', () => {
    expect(hostClockReads([
      { file: 'src/internal/deliver-submission.ts', text: 'sealPacket({ createdAt: new Date() }); add(id, Date.now());' },
      { file: 'src/gateway/outbound.ts', text: '// new Date() would be wrong here\nconst at = new Date(q.createdAt);' },
    ])).toEqual([
      'src/internal/deliver-submission.ts: new Date(): the packet path reads the injected clock only',
      'src/internal/deliver-submission.ts: Date.now(): the packet path reads the injected clock only',
    ]);
  });
});

// ---- the store split by owner ---------------------------------------------------------------------

describe('the store is split by owner (whose table it is)', () => {
  it('each side\'s tables live in its own store/ folder, and store/ keeps only shared machinery', () => {
    const files = sourceFiles(SRC).map((f) => relative(ROOT, f));
    for (const f of ['src/external/store/status-cache.ts', 'src/external/store/catalogue-cache.ts', 'src/internal/store/intranet-cases.ts',
      'src/internal/store/stamp-queue.ts', 'src/internal/store/notifications.ts', 'src/desk/store/approval-store.ts', 'src/desk/store/applicant-phone.ts']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('src/store/')).sort()).toEqual([
      'src/store/backup.ts', 'src/store/blobs-backup.ts', 'src/store/blobs.ts', 'src/store/db.ts', 'src/store/gateway-kv.ts', 'src/store/group-commit.ts', 'src/store/outbox-dropped.ts', 'src/store/outbox-held.ts', 'src/store/outbox-retained.ts', 'src/store/outbox.ts',
      'src/store/quarantine.ts', 'src/store/rejected-packets.ts', 'src/store/release-waiver.ts', 'src/store/savepoint.ts', 'src/store/seen-packets.ts',
    ]);
  });

  it('names an import across an owner\'s wall (the check can fail)', () => {
    const planted: Edge[] = [
      { from: 'src/store/outbox.ts', to: 'src/internal/store/stamp-queue.ts' },
      { from: 'src/store/db.ts', to: 'src/approval/index.ts' },
      { from: 'src/external/api.ts', to: 'src/internal/store/intranet-cases.ts' },
      { from: 'src/internal/deliver-action.ts', to: 'src/external/store/status-cache.ts' },
      { from: 'src/desk/approval-desk.ts', to: 'src/internal/store/intranet-cases.ts' },
      { from: 'src/gateway/inbox.ts', to: 'src/desk/store/approval-store.ts' },
      { from: 'src/gateway/outbound.ts', to: 'src/external/store/status-cache.ts' },
    ];
    const found = breaches(planted);
    for (const e of planted) expect(found.some((f) => f.startsWith(`${e.from} imports ${e.to}: `))).toBe(true);
    expect(found.find((f) => f.startsWith('src/store/outbox.ts'))).toMatch(/: store\/ is the shared machinery/);
    // The owners themselves, and the commands that operate on the files, may.
    expect(breaches([
      { from: 'src/internal/store.ts', to: 'src/desk/store/approval-store.ts' },
      { from: 'src/internal/gateway.ts', to: 'src/desk/store/applicant-phone.ts' },
      { from: 'src/cli/quarantine.ts', to: 'src/internal/store/stamp-queue.ts' },
      { from: 'src/cli/outbox.ts', to: 'src/external/store/status-cache.ts' },
      { from: 'src/external/store/status-cache.ts', to: 'src/store/db.ts' },
    ])).toEqual([]);
  });
});
