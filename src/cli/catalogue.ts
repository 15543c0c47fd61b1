// `ferry catalogue import FILE.xlsx|FILE.csv [--apply]` and `ferry catalogue export --out FILE`: the
// county's catalogue spreadsheet in and out of the internal gateway's catalogue source (approval.items
// in internal.yaml). Import reads and checks every row and prints every fault as `Sheet!Cell: what is
// wrong`, then the diff against the catalogue in force; --apply writes it and asks the running internal
// gateway to take it (it validates again, swaps, audits, and publishes it outward — no restart).
// Exit: 0 ok, 1 the sheet has faults (nothing written), 2 usage or environment error.

import { loadCatalogue } from '../approval/catalogue.js';
import { loadConfigFile } from '../config/load.js';
import { internalSchema } from '../config/gateway-config.js';
import { FerryError } from '../errors.js';
import { diffCatalogues, diffLines, isEmptyDiff } from '../catalogue-io/catalogue-diff.js';
import { writeCatalogueDir } from '../catalogue-io/catalogue-dir.js';
import { requestReload } from '../catalogue-io/reload-socket.js';
import { readCatalogueSheet } from '../catalogue-io/sheet-read.js';
import { departmentsOf, writeCatalogueSheet } from '../catalogue-io/sheet-write.js';
import { parse } from './args.js';

export const CATALOGUE_USAGE = `  ferry catalogue import FILE.xlsx|FILE.csv [--apply] [--json] --config config/internal.yaml
  ferry catalogue export --out FILE.xlsx|FILE.csv --config config/internal.yaml
`;
export const CATALOGUE_EXAMPLE = `
Examples:
  ferry catalogue import config/catalogue/county-sample.xlsx --config config/internal.yaml          check, print the diff
  ferry catalogue import config/catalogue/county-sample.xlsx --apply --config config/internal.yaml  publish without a restart
  ferry catalogue export --out catalogue.xlsx --config config/internal.yaml
The layout (sheets 事项 and 部门, one header row) is in docs/CATALOGUE.md.
`;

interface Io { out: (s: string) => void; err: (s: string) => void }
const stdio: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function catalogueCommand(args: string[], io: Io = stdio): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') return importCommand(rest, io);
  if (sub === 'export') return exportCommand(rest, io);
  throw new FerryError('FERRY_ERR_CLI_USAGE', `catalogue import|export (got ${sub ?? 'nothing'})`);
}

async function importCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: 'string', default: 'config/internal.yaml' }, apply: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  }, true);
  if (positionals.length !== 1) throw new FerryError('FERRY_ERR_CLI_USAGE', 'catalogue import takes one FILE.xlsx or FILE.csv');
  const file = positionals[0]!;
  const cfg = loadConfigFile(values.config, internalSchema);
  const inForce = loadCatalogue(cfg.approval.items);
  const read = await readCatalogueSheet(file, departmentsOf(inForce));
  if (!read.ok) {
    for (const e of read.errors) io.err(`ferry: FERRY_ERR_CATALOGUE_SHEET: ${e}\n`);
    io.err(`ferry: FERRY_ERR_CATALOGUE_SHEET: ${file}: ${read.errors.length} fault${read.errors.length === 1 ? '' : 's'}; nothing ${values.apply ? 'applied' : 'to apply'}\n`);
    return 1;
  }
  const diff = diffCatalogues(inForce, read.catalogue);
  const summary = { file, items: read.catalogue.items.length, departments: read.departments, faults: 0 };
  if (!values.json) {
    io.out(`${file}: ${summary.items} items, ${summary.departments} departments, 0 faults\n`);
    io.out(`against the catalogue in force (${cfg.approval.items}, ${inForce.items.length} items):\n`);
    for (const l of diffLines(diff)) io.out(`  ${l}\n`);
  }
  let applied: { written: number; removed: number; reload: unknown } | undefined;
  if (values.apply) {
    const w = isEmptyDiff(diff) ? { written: 0, removed: 0 } : writeCatalogueDir(cfg.approval.items, read.catalogue, file);
    if (!values.json) io.out(`written to ${cfg.approval.items}: ${w.written} item files written, ${w.removed} removed\n`);
    let reload;
    try {
      reload = await requestReload(cfg.dataDir);
    } catch (e) {
      io.err(`ferry: FERRY_ERR_CATALOGUE_RELOAD: ${(e as Error).message}; the files are written and the gateway takes them at its next start or reload (SIGHUP)\n`);
      return 2;
    }
    if (!reload.ok) {
      io.err(`ferry: FERRY_ERR_CATALOGUE_RELOAD: the internal gateway refused the catalogue: ${reload.code}: ${reload.error}\n`);
      return 2;
    }
    applied = { ...w, reload: { sha256: reload.sha256, items: reload.items } };
    if (!values.json) io.out(`internal gateway reloaded: ${reload.items} items, sha256 ${reload.sha256}; published to the external gateway through the link\n`);
  }
  if (values.json) io.out(JSON.stringify({ ...summary, diff, ...(applied ? { applied } : {}) }, null, 2) + '\n');
  return 0;
}

async function exportCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', default: 'config/internal.yaml' }, out: { type: 'string' } });
  if (!values.out) throw new FerryError('FERRY_ERR_CLI_USAGE', 'catalogue export needs --out FILE.xlsx or FILE.csv');
  const cfg = loadConfigFile(values.config, internalSchema);
  const catalogue = loadCatalogue(cfg.approval.items);
  await writeCatalogueSheet(catalogue, values.out, [`Exported by ferry catalogue export from ${cfg.approval.items}`]);
  io.out(`${values.out}: ${catalogue.items.length} items, ${departmentsOf(catalogue).size} departments\n`);
  return 0;
}
