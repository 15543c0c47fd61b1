// The catalogue in force on the internal gateway, replaceable while it runs. Every consumer holds the
// live `view`: reading view.items or view.byCode always gives the whole of one catalogue (the swap is one
// assignment on the event loop, so no reader sees half of an old one and half of a new one). A case keeps
// the copy of its item taken when it was received (CaseState.item), so a swap never changes the terms
// of a case already filed.

import { createHash } from 'node:crypto';
import { loadCatalogue, type Catalogue } from '../approval/catalogue.js';
import { isFerryError } from '../errors.js';
import { diffCatalogues, type CatalogueDiff } from './catalogue-diff.js';

export type ReloadOutcome =
  | { readonly ok: true; readonly sha256: string; readonly items: number; readonly diff: CatalogueDiff }
  | { readonly ok: false; readonly code: string; readonly error: string };

/** SHA-256 of the catalogue's items (what `ferry catalogue import` and the reload report compare). */
export function catalogueSha256(c: Catalogue): string {
  return createHash('sha256').update(JSON.stringify(c.items)).digest('hex');
}

export class CatalogueHolder {
  private cur: Catalogue;
  readonly view: Catalogue;

  constructor(private readonly dir: string, initial: Catalogue = loadCatalogue(dir)) {
    this.cur = initial;
    const self = this;
    this.view = Object.freeze({ get items() { return self.cur.items; }, get byCode() { return self.cur.byCode; } });
  }

  current(): Catalogue { return this.cur; }

  /** Read and validate the source again; swap only a catalogue that passed. A refused one leaves the
   *  catalogue in force untouched. */
  reload(): ReloadOutcome {
    let next: Catalogue;
    try {
      next = loadCatalogue(this.dir);
    } catch (e) {
      if (!isFerryError(e)) throw e;
      return { ok: false, code: e.code, error: e.message };
    }
    const diff = diffCatalogues(this.cur, next);
    this.cur = next;
    return { ok: true, sha256: catalogueSha256(next), items: next.items.length, diff };
  }
}
