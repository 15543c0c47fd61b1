// The domain policy in force on a gateway: loaded and checked at start (a bad file stops the start,
// naming the line), reloaded on SIGHUP without touching the link; a bad new file is refused and the
// old policy stays in force. Either way the outcome is logged (and audited).
import { loadPolicyOrThrow } from '../policy/policy-file.js';
import { PolicyHolder } from '../policy/reloader.js';
import type { Logger } from './logger.js';

export type PolicyEvent = { ok: true; sha256: string; changes: readonly string[] } | { ok: false; error: string };

export function loadPolicy(file: string, log: Logger, onReload?: (e: PolicyEvent) => void): { holder: PolicyHolder; stop(): void } {
  const holder = new PolicyHolder(loadPolicyOrThrow(file));
  log.info({ stage: 'policy', file, sha256: holder.current().sha256, rules: holder.current().rules.length }, 'policy loaded');
  const onHup = () => {
    const r = holder.tryReload(file);
    if (r.ok) log.info({ stage: 'policy', file, sha256: r.sha256, changes: r.changes }, 'policy reloaded');
    else log.error({ stage: 'policy', file, code: 'FERRY_ERR_POLICY_FILE', detail: r.error }, 'new policy refused; the old one stays in force');
    onReload?.(r);
  };
  process.on('SIGHUP', onHup);
  return { holder, stop: () => { process.off('SIGHUP', onHup); } };
}
