// Writing a validated catalogue into the internal gateway's catalogue source (approval.items: one YAML
// file per item), so the gateway's own loader — the same validator — reads it at the next start or
// reload. Only what changed is written; each file is written beside its final name and renamed over
// it (a reader sees the old file or the new one, never half of one); items no longer listed are removed.

import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { parseItem, type Catalogue } from '../approval/catalogue.js';
import { readYamlFiles } from '../approval/config-node.js';
import type { Item } from '../approval/item.js';
import { FerryError } from '../errors.js';
import { isGenericForm } from '../published/form.js';

/** The YAML text of an item file: the item with its defaults left out (generic form, not same-day). */
export function itemYaml(item: Item, source: string): string {
  const { form, sameDay, reviewPoints, parallelDepartments, fee, ...rest } = item;
  const v: Record<string, unknown> = {
    ...rest,
    fee: fee.kind === 'free' ? 'free' : { amountFen: fee.amountFen, legalBasis: fee.legalBasis },
    ...(parallelDepartments.length > 0 ? { parallelDepartments } : {}),
    ...(isGenericForm(form) ? {} : { form }),
    ...(reviewPoints.length > 0 ? { reviewPoints } : {}),
    ...(sameDay === true ? { sameDay: true } : {}),
  };
  return `# Written by \`ferry catalogue import\` from ${basename(source)}: edit the spreadsheet and import it again.\n${stringify(v, { lineWidth: 0 })}`;
}

export interface DirWrite { readonly written: number; readonly removed: number }

/** Make `dir` hold exactly `next`'s items. Files whose item is unchanged are left as they are (and keep
 *  their comments). */
export function writeCatalogueDir(dir: string, next: Catalogue, source: string): DirWrite {
  const fileOf = new Map<string, { file: string; json: string }>();
  // A new source (the demo's first start) is made; an existing one must read as a catalogue first.
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const fresh = readdirSync(dir).every((f) => !/\.ya?ml$/.test(f));
  for (const s of fresh ? [] : readYamlFiles(dir, 'FERRY_ERR_APPROVAL_CATALOGUE', 'item')) {
    const item = parseItem(s.text, s.file);
    fileOf.set(item.code, { file: s.file, json: JSON.stringify(item) });
  }
  // Every file is made and read back first: a catalogue that cannot be written whole is not written at all.
  const writes: { file: string; text: string }[] = [];
  for (const item of next.items) {
    const had = fileOf.get(item.code);
    if (had && had.json === JSON.stringify(item)) continue;
    const file = had?.file ?? join(dir, `${item.code}.yaml`);
    const text = itemYaml(item, source);
    // The written text must read back as the same item: the loader is the judge, not this writer.
    if (JSON.stringify(parseItem(text, file)) !== JSON.stringify(item)) {
      throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${file}: item ${item.code} does not read back as written`);
    }
    writes.push({ file, text });
  }
  const gone = [...fileOf].filter(([code]) => !Object.hasOwn(next.byCode, code)).map(([, had]) => had.file);
  try {
    for (const w of writes) {
      const tmp = join(dir, `.${basename(w.file)}.tmp`);
      writeFileSync(tmp, w.text, { mode: 0o644 });
      renameSync(tmp, w.file);
    }
    for (const f of gone) unlinkSync(f);
  } catch (e) {
    throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${dir}: cannot write the catalogue: ${(e as Error).message}`, { cause: e });
  }
  const written = writes.length;
  const removed = gone.length;
  return { written, removed };
}
