// `ferry quarantine list | release <id> | reject <id>`: packets a gateway kept instead of delivering.
// A release or reject needs an operator and a reason, happens once, and is audited. On the internal
// gateway a released packet is opened and checked again as of its arrival — signature, signer, recipient,
// freshness, domains, zone, direction and rule — waiving only the one refusal that held it
// (store/release-waiver.ts); if another check refuses it, the release becomes a rejection with that
// reason. Otherwise it is queued for stamping, where identity, shape, content inspection and the rule
// run again (internal/recheck.ts), then delivery; the running gateway picks it up within a second.
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { openExistingDb } from '../store/db.js';
import { Quarantine } from '../store/quarantine.js';
import { StampQueue } from '../internal/store/stamp-queue.js';
import { AuditLog } from '../audit/chain.js';
import { EXTERNAL_MIGRATIONS } from '../external/store.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { loadGatewayKeys } from '../gateway/keys.js';
import { openPacket } from '../seal/open.js';
import { admitPackets } from '../gateway/admit.js';
import { loadPolicyOrThrow } from '../policy/policy-file.js';
import { waiverOf } from '../store/release-waiver.js';
import { systemClock } from '../time/clock.js';
import { parse } from './args.js';
import { cliTrustedClock, type CliClock } from './trusted-time.js';

const QUARANTINE_LIST_STATES = ['held', 'released', 'rejected'] as const;

/** Usage first: a wrong word is named with the valid ones before any file is opened. */
function checkUsage(sub: string | undefined, state: string | undefined): void {
  if (sub !== 'list' && sub !== 'release' && sub !== 'reject') throw new FerryError('FERRY_ERR_CLI_USAGE', `quarantine: unknown subcommand '${sub ?? ''}' (list, release, reject)`);
  if (state !== undefined && !QUARANTINE_LIST_STATES.includes(state as never)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', `--state must be one of ${QUARANTINE_LIST_STATES.join(', ')}, not '${state.slice(0, 40)}'`);
  }
}

export async function quarantineCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    config: { type: 'string', default: 'config/internal.yaml' }, state: { type: 'string' }, json: { type: 'boolean', default: false },
    operator: { type: 'string' }, reason: { type: 'string' },
  }, true);
  checkUsage(sub, values.state);
  const gw = loadAnyGatewayConfig(values.config!);
  const internal = gw.role === 'internal';
    // A decision is audited with the gateway's trusted time, like every other audit entry.
    const time: CliClock | null = sub === 'release' || sub === 'reject' ? await cliTrustedClock(gw.cfg.time) : null;
    const clock = time?.clock ?? systemClock;
  // `list` only reads: read-only, and a missing file is an error, never a new empty database.
  const db = openExistingDb(join(gw.cfg.dataDir, internal ? 'internal.sqlite' : 'external.sqlite'), sub === 'list' ? 'read' : 'write', internal ? INTERNAL_MIGRATIONS : EXTERNAL_MIGRATIONS);
  try {
    const q = new Quarantine(db, clock);
    if (sub === 'list') {
      const st = values.state as 'held' | 'released' | 'rejected' | undefined;
      const rows = q.list({ ...(st ? { state: st } : {}), limit: 1000 });
      if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else {
        process.stdout.write('PACKET                            STATE     CODE                               RULE                 RECEIVED\n');
        for (const r of rows) {
          process.stdout.write(`${r.packetId.padEnd(34)}${r.state.padEnd(10)}${r.code.padEnd(35)}${r.rule.padEnd(21)}${new Date(r.receivedAt).toISOString()}  ${r.detail.slice(0, 100)}\n`);
        }
      }
      return 0;
    }
    if (sub !== 'release' && sub !== 'reject') throw new FerryError('FERRY_ERR_CLI_USAGE', 'quarantine: list | release <packet> | reject <packet>');
    const id = positionals[0];
    if (!id || !values.operator || !values.reason) throw new FerryError('FERRY_ERR_CLI_USAGE', `quarantine ${sub} <packet> --operator <name> --reason "<why>"`);
    const audit = new AuditLog(db);
    const outcome = db.transaction(() => {
      if (sub === 'reject') {
        const r = q.reject(id, values.operator!, values.reason!);
        if (!r.ok) return r;
        audit.append({ at: clock.now(), actor: `operator:${values.operator}`, action: 'quarantine.reject', subject: id, detail: { reason: values.reason } });
        return r;
      }
      if (gw.role !== 'internal') throw new FerryError('FERRY_ERR_CLI_USAGE', 'release on the external gateway is not supported: reject it, and have the intranet send the status again');
      const held = q.get(id);
      if (!held) return q.release(id, values.operator!, values.reason!); // names the missing packet
      // Re-check as of the packet's arrival (its certificates and freshness are judged at that instant,
      // not at the operator's), under the policy in force now, waiving only what held it.
      const keys = loadGatewayKeys(gw.cfg.keys, gw.cfg.peer);
      const bytes = q.bytesOf(id)!;
      const at = new Date(held.receivedAt);
      const waive = waiverOf(held);
      const opened = openPacket(bytes, { keys: keys.open, signers: keys.signers, now: at });
      const policy = loadPolicyOrThrow(gw.cfg.policy);
      const bar = !opened.ok ? { code: opened.code, detail: opened.detail, rule: 'open' } : admitPackets('internal', () => policy)(opened.packet, at, waive);
      if (bar) {
        const why = `release refused by the re-check (waived only ${waive ? `${waive.rule} ${waive.code}` : 'nothing'}): ${bar.rule}: ${bar.code}: ${bar.detail}`.slice(0, 1900);
        const r = q.reject(id, values.operator!, why);
        if (!r.ok) return r;
        audit.append({ at: clock.now(), actor: `operator:${values.operator}`, action: 'quarantine.reject', subject: id, detail: { reason: values.reason, releaseRefused: true, code: bar.code, rule: bar.rule, detail: bar.detail.slice(0, 500) } });
        return { ok: false as const, code: bar.code, detail: `not released: ${why}` };
      }
      const r = q.release(id, values.operator!, values.reason!);
      if (!r.ok) return r;
      if (!opened.ok) return opened; // not reached: a packet that did not open has a bar above
      const p = opened.packet;
      new StampQueue(db).add({
        packetId: p.packetId, kind: p.kind, caseId: p.caseId, fromDomain: p.fromDomain, toDomain: p.toDomain, packet: bytes,
        body: p.body, createdAt: p.createdAt.getTime(), queuedAt: Date.now(), released: 1,
      });
      audit.append({ at: clock.now(), actor: `operator:${values.operator}`, action: 'quarantine.release', subject: id, detail: { reason: values.reason, code: r.value.entry.code, rule: r.value.entry.rule, waived: waive } });
      return r;
    }).immediate(); // the chain head is read under the write lock: a running gateway appends in turn
    if (!outcome.ok) { process.stderr.write(`ferry: ${outcome.code}: ${outcome.detail}\n`); return 1; }
    process.stdout.write(`${id}: ${sub === 'release' ? 'released (queued for stamping and delivery)' : 'rejected'} by ${values.operator}\n`);
    return 0;
  } finally {
    db.close();
    await time?.stop();
  }
}
