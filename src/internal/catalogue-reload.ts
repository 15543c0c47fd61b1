// The internal gateway taking a new catalogue while it runs: validate the source again (the holder's
// loader is the start-up loader), swap, write the change to the audit chain, and publish the new
// catalogue outward through the one way out (the CATALOGUE packet). A refused catalogue is audited too,
// and the one in force stays.

import type { CatalogueHolder, ReloadOutcome } from '../catalogue-io/catalogue-holder.js';
import { listenForReload } from '../catalogue-io/reload-socket.js';
import type { GatewayAudit } from '../gateway/audit.js';
import type { Logger } from '../gateway/logger.js';

export function catalogueReloader(d: { holder: CatalogueHolder; dir: string; audit: GatewayAudit; log: Logger; republish: () => void }): () => ReloadOutcome {
  return () => {
    const r = d.holder.reload();
    if (!r.ok) {
      d.log.error({ stage: 'catalogue', dir: d.dir, code: r.code, detail: r.error.slice(0, 500) }, 'new catalogue refused; the one in force stays');
      d.audit.record('config.change', d.dir, { catalogue: 'refused', error: r.error.slice(0, 1000) });
      return r;
    }
    const { added, removed, changed } = r.diff;
    d.audit.record('config.change', d.dir, {
      catalogueSha256: r.sha256, items: r.items,
      added: added.map((i) => i.code), removed: removed.map((i) => i.code), changed: changed.map((i) => i.code),
    });
    d.log.info({ stage: 'catalogue', dir: d.dir, sha256: r.sha256, items: r.items, added: added.length, removed: removed.length, changed: changed.length }, 'catalogue reloaded');
    d.republish();
    return r;
  };
}

/** The catalogue is replaced without a restart: `ferry catalogue import --apply` asks over the data
 *  directory's socket (and hears the verdict); SIGHUP (systemctl reload) does the same silently. */
export async function startCatalogueReload(d: Parameters<typeof catalogueReloader>[0] & { dataDir: string }): Promise<{ close(): Promise<void> }> {
  const reload = catalogueReloader(d);
  const socket = await listenForReload(d.dataDir, reload);
  const onHup = () => { reload(); };
  process.on('SIGHUP', onHup);
  return { close: async () => { process.off('SIGHUP', onHup); await socket.close(); } };
}
