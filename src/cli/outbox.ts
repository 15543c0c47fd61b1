// `ferry outbox held | retry`: packets the peer refused back because it could not open or verify them
// (PROTOCOL.md §6 rule 10). This gateway holds them — the case answered 202 is not lost — until the
// keys are fixed; `retry` puts them back in the outbox, and the running gateway sends them within a
// heartbeat. A new link session (either gateway restarted) puts them back in line by itself. `drop`
// gives one up, with a reason, audited: the packet moves to outbox_dropped whole, the applicant's case
// reads 'undelivered', and ferry_outbox_dropped_packets rises (alert FerryOutboxDropped).
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { openExistingDb } from '../store/db.js';
import { OutboxHeld } from '../store/outbox-held.js';
import { StatusCache } from '../external/store/status-cache.js';
import { AuditLog } from '../audit/chain.js';
import { EXTERNAL_MIGRATIONS } from '../external/store.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { delayedStatusHooks, markUndelivered } from '../external/held-status.js';
import { OutboxDropped } from '../store/outbox-dropped.js';
import { parse } from './args.js';
import { cliTrustedClock } from './trusted-time.js';

export const OUTBOX_USAGE = `  ferry outbox held --config config/external.yaml [--json]
  ferry outbox retry <packet>|--all --config config/external.yaml --operator NAME [--reason "WHY"]
  ferry outbox drop <packet> --config config/external.yaml --operator NAME --reason "WHY"   give a held packet up (audited; the case reads undelivered)
`;
const SUBS = ['held', 'retry', 'drop'] as const;

export async function outboxCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    config: { type: 'string', default: 'config/external.yaml' }, json: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false }, operator: { type: 'string' }, reason: { type: 'string' },
  }, true);
  if (!SUBS.includes(sub as never)) throw new FerryError('FERRY_ERR_CLI_USAGE', `outbox: unknown subcommand '${sub ?? ''}' (${SUBS.join(', ')})`);
  const gw = loadAnyGatewayConfig(values.config!);
  const internal = gw.role === 'internal';
  const file = join(gw.cfg.dataDir, internal ? 'internal.sqlite' : 'external.sqlite');
  const migrations = internal ? INTERNAL_MIGRATIONS : EXTERNAL_MIGRATIONS;
  if (sub === 'held') {
    const db = openExistingDb(file, 'read', migrations);
    try {
      const rows = new OutboxHeld(db).list().map((r) => ({ ...r, packetId: r.packetId.toString('hex') }));
      if (values.json) { process.stdout.write(JSON.stringify(rows, null, 2) + '\n'); return 0; }
      process.stdout.write('PACKET                            KIND         CODE                             REFUSALS  HELD SINCE\n');
      for (const r of rows) {
        process.stdout.write(`${r.packetId.padEnd(34)}${r.kind.padEnd(13)}${r.code.padEnd(33)}${String(r.refusals).padEnd(10)}${new Date(r.heldAt).toISOString()}  ${r.detail.slice(0, 100)}\n`);
      }
      return 0;
    } finally { db.close(); }
  }
  const ref = positionals[0];
  if (sub === 'drop') return dropHeld(file, migrations, internal, { ref, operator: values.operator, reason: values.reason, time: gw.cfg.time });
  if ((!ref && !values.all) || (ref && values.all) || !values.operator) throw new FerryError('FERRY_ERR_CLI_USAGE', 'outbox retry <packet>|--all --operator <name>');
  if (ref && !/^[0-9a-fA-F]{32}$/.test(ref)) throw new FerryError('FERRY_ERR_CLI_USAGE', `outbox retry needs a packet id (32 hex digits), not '${ref}'`);
  const time = await cliTrustedClock(gw.cfg.time);
  const db = openExistingDb(file, 'write', migrations);
  try {
    const held = new OutboxHeld(db);
    const hooks = internal ? {} : delayedStatusHooks(new StatusCache(db));
    const audit = new AuditLog(db);
    const rows = db.transaction(() => {
      const now = Date.now();
      const out = held.release(ref ? Buffer.from(ref, 'hex') : null, hooks.onReleased ? (r) => hooks.onReleased!(r, now) : undefined);
      if (out.length) {
        audit.append({ at: time.clock.now(), actor: `operator:${values.operator}`, action: 'outbox.retry', subject: ref ?? 'all',
          detail: { reason: values.reason ?? '', packets: out.map((r) => r.packetId.toString('hex')).slice(0, 100), count: out.length } });
      }
      return out;
    }).immediate();
    if (rows.length === 0) { process.stderr.write(`ferry: ${file}: ${ref ? `no held packet ${ref}` : 'no held packets'}\n`); return 1; }
    process.stdout.write(`${rows.length} packet(s) back in the outbox; the running gateway sends them within a heartbeat\n`);
    return 0;
  } finally {
    db.close();
    await time.stop();
  }
}

async function dropHeld(file: string, migrations: typeof EXTERNAL_MIGRATIONS, internal: boolean,
  o: { ref: string | undefined; operator: string | undefined; reason: string | undefined; time: Parameters<typeof cliTrustedClock>[0] }): Promise<number> {
  // A 202 is never dropped without a name and a reason on the record.
  if (!o.ref || !/^[0-9a-fA-F]{32}$/.test(o.ref)) throw new FerryError('FERRY_ERR_CLI_USAGE', `outbox drop needs a packet id (32 hex digits, from \`ferry outbox held\`)${o.ref ? `, not '${o.ref}'` : ''}`);
  if (!o.operator?.trim() || !o.reason?.trim()) throw new FerryError('FERRY_ERR_CLI_USAGE', 'outbox drop needs --operator NAME and --reason "WHY" (both audited)');
  const time = await cliTrustedClock(o.time);
  const db = openExistingDb(file, 'write', migrations);
  try {
    const audit = new AuditLog(db);
    const status = internal ? null : new StatusCache(db);
    const now = Date.now();
    const row = new OutboxDropped(db).drop(Buffer.from(o.ref, 'hex'), { at: now, operator: o.operator, reason: o.reason }, (r) => {
      const marked = status ? markUndelivered(status, r, now) : false;
      audit.append({ at: time.clock.now(), actor: `operator:${o.operator}`, action: 'outbox.drop', subject: o.ref!.toLowerCase(),
        detail: { case: r.caseId, kind: r.kind, code: r.code, refusals: r.refusals, bytesSha256: r.bytesSha256, reason: o.reason, applicantTold: marked } });
    });
    if (!row) throw new FerryError('FERRY_ERR_STORE_HELD_NOT_FOUND', `${file}: no held packet ${o.ref} (see ferry outbox held)`);
    process.stdout.write(`dropped ${o.ref.toLowerCase()} (${row.kind}, case ${row.caseId}); kept in outbox_dropped, audited${internal ? '' : '; the case reads undelivered'}\n`);
    return 0;
  } finally {
    db.close();
    await time.stop();
  }
}
