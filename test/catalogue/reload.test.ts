// The internal gateway's side of a reload, on a real folder and a real Unix socket: the source is
// validated again, a refused one leaves the catalogue in force untouched, a good one is swapped in
// whole and reported with its diff; the live view every consumer holds sees the new one at once.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogueHolder } from '../../src/catalogue-io/catalogue-holder.js';
import { listenForReload, requestReload } from '../../src/catalogue-io/reload-socket.js';
import { writeCatalogueDir } from '../../src/catalogue-io/catalogue-dir.js';
import { loadCatalogue } from '../../src/approval/catalogue.js';
import { readCatalogueSheet } from '../../src/catalogue-io/sheet-read.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => { await close?.(); close = undefined; });

function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'ferry-reload-'));
  const items = join(root, 'items');
  cpSync('config/items', items, { recursive: true });
  return { root, items };
}

describe('reloading the catalogue in a running gateway', () => {
  it('refuses a source that no longer validates and keeps the one in force; takes a good one with its diff', async () => {
    const { root, items } = fixture();
    const holder = new CatalogueHolder(items);
    const view = holder.view;
    const before = view.items;
    close = (await listenForReload(root, () => holder.reload())).close;

    const text = readFileSync(join(items, 'FGW-002.yaml'), 'utf8');
    writeFileSync(join(items, 'FGW-002.yaml'), text.replace('promisedDays: 1\nfee', 'promisedDays: 0\nfee'));
    const refused = await requestReload(root);
    expect(refused).toMatchObject({ ok: false, code: 'FERRY_ERR_APPROVAL_CATALOGUE', error: expect.stringContaining('FGW-002.yaml') });
    expect(view.items).toBe(before);

    writeFileSync(join(items, 'FGW-002.yaml'), text.replace('name: 企业投资项目备案', 'name: 企业投资项目备案（告知承诺）'));
    const ok = await requestReload(root);
    expect(ok).toMatchObject({ ok: true, items: 4, diff: { added: [], removed: [], changed: [{ code: 'FGW-002', fields: [{ field: 'name' }] }] } });
    expect(view.byCode['FGW-002']!.name).toBe('企业投资项目备案（告知承诺）');
    expect(view.items).not.toBe(before);
  });

  it('answers nothing but "reload", and says plainly when no gateway listens', async () => {
    const { root } = fixture();
    await expect(requestReload(root)).rejects.toMatchObject({ code: 'FERRY_ERR_CATALOGUE_RELOAD', message: expect.stringContaining('is it running?') });
  });

  it('writes a spreadsheet catalogue as item files the loader reads back identically, removing what is gone', async () => {
    const { items } = fixture();
    const sample = await readCatalogueSheet('config/catalogue/county-sample.xlsx');
    if (!sample.ok) throw new Error(sample.errors.join('\n'));
    const w = writeCatalogueDir(items, sample.catalogue, 'county-sample.xlsx');
    expect(w).toEqual({ written: sample.catalogue.items.length - 3, removed: 0 }); // three detailed items unchanged
    expect(JSON.stringify(loadCatalogue(items))).toBe(JSON.stringify(sample.catalogue));
    const small = loadCatalogue('config/items');
    expect(writeCatalogueDir(items, small, 'config/items')).toEqual({ written: 1, removed: sample.catalogue.items.length - 4 });
    expect(JSON.stringify(loadCatalogue(items))).toBe(JSON.stringify(small));
  });
});

describe('the demo serves the county sample', () => {
  it('writes the sample as the demo catalogue source on the first start, and keeps it after', async () => {
    const { prepareDemoCatalogue } = await import('../../src/catalogue-io/demo-catalogue.js');
    const { demoConfigText } = await import('../../src/config/demo-config.js');
    const root = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
    cpSync('config/catalogue', join(root, 'catalogue'), { recursive: true });
    expect(await prepareDemoCatalogue(root)).toBe('./items.demo');
    const served = loadCatalogue(join(root, 'items.demo'));
    expect(served.items.length).toBeGreaterThanOrEqual(311);
    writeFileSync(join(root, 'items.demo', 'FGW-001.yaml'), readFileSync(join(root, 'items.demo', 'FGW-001.yaml'), 'utf8').replace('statutoryDays: 60', 'statutoryDays: 59'));
    await prepareDemoCatalogue(root);
    expect(loadCatalogue(join(root, 'items.demo')).byCode['FGW-001']!.statutoryDays).toBe(59);
    expect(demoConfigText(readFileSync('config/internal.yaml', 'utf8'), 'config/internal.yaml', './items.demo')).toMatch(/^\s+items: \.\/items\.demo$/m);
  });
});
