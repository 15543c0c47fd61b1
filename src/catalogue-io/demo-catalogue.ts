// `ferry start demo` (npm start) serves the county sample: on the first start its rows are validated
// and written as the demo's catalogue source, config/items.demo/ (git-ignored, beside the demo configs
// so './items.demo' resolves the same way). Later starts keep that folder as it is, so a demo catalogue
// changed with `ferry catalogue import --apply` survives a restart, as a county's would.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { writeCatalogueDir } from './catalogue-dir.js';
import { readCatalogueSheet } from './sheet-read.js';

export const DEMO_ITEMS = './items.demo';
export const COUNTY_SAMPLE = 'catalogue/county-sample.xlsx';

/** Makes <configDir>/items.demo from <configDir>/catalogue/county-sample.xlsx if it is not there yet;
 *  returns the approval.items value for the demo config. */
export async function prepareDemoCatalogue(configDir = 'config'): Promise<string> {
  const dir = join(configDir, DEMO_ITEMS);
  if (existsSync(dir)) return DEMO_ITEMS;
  const sample = join(configDir, COUNTY_SAMPLE);
  const read = await readCatalogueSheet(sample);
  if (!read.ok) throw new FerryError('FERRY_ERR_CATALOGUE_SHEET', `${sample}: ${read.errors.slice(0, 5).join('; ')}`);
  writeCatalogueDir(dir, read.catalogue, sample);
  return DEMO_ITEMS;
}
