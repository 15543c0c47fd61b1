// `ferry rejected list | retry <packet> | drop <packet>`: packets this gateway received but could not
// open or verify (wrong recipient after a key rotation, an unknown signer, a bad signature). They were
// refused back to the sender (which holds them) and kept here too, whole while the kept bytes stay
// under their budget. After a key fix, `retry` opens the stored bytes with the keys in the config now
// and admits them as of now; if they open, the row is marked and the running gateway feeds it through
// its own inbox within a second (src/gateway/rejected-replay.ts) — the same path as a packet from the
// link. `drop` gives a packet up: the whole bytes go, the evidence row stays. Both are audited.
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { openExistingDb, type Db } from '../store/db.js';
import { RejectedPackets, REJECTED_STATES, type RejectedState } from '../store/rejected-packets.js';
import { AuditLog } from '../audit/chain.js';
import { EXTERNAL_MIGRATIONS } from '../external/store.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { loadGatewayKeys } from '../gateway/keys.js';
import { openPacket } from '../seal/open.js';
import { admitPackets } from '../gateway/admit.js';
import { loadPolicyOrThrow } from '../policy/policy-file.js';
import { parse } from './args.js';
import { cliTrustedClock } from './trusted-time.js';

export const REJECTED_USAGE = `  ferry rejected list --config config/internal.yaml [--state refused] [--json]
  ferry rejected retry <packet|row> --config config/internal.yaml --operator NAME [--reason "WHY"]
  ferry rejected drop <packet> --config config/internal.yaml --operator NAME --reason "WHY"
`;

export async function rejectedCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    config: { type: 'string', default: 'config/internal.yaml' }, state: { type: 'string' }, json: { type: 'boolean', default: false },
    operator: { type: 'string' }, reason: { type: 'string' },
  }, true);
  if (sub !== 'list' && sub !== 'retry' && sub !== 'drop') throw new FerryError('FERRY_ERR_CLI_USAGE', `rejected: unknown subcommand '${sub ?? ''}' (list, retry, drop)`);
  if (values.state !== undefined && !REJECTED_STATES.includes(values.state as RejectedState)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', `--state must be one of ${REJECTED_STATES.join(', ')}, not '${values.state}'`);
  }
  const gw = loadAnyGatewayConfig(values.config!);
  const internal = gw.role === 'internal';
  const file = join(gw.cfg.dataDir, internal ? 'internal.sqlite' : 'external.sqlite');
  const migrations = internal ? INTERNAL_MIGRATIONS : EXTERNAL_MIGRATIONS;
  if (sub === 'list') {
    // Read-only; a missing file is an error naming it, never a new empty database.
    const db = openExistingDb(file, 'read', migrations);
    try { return list(db, values.state as RejectedState | undefined, values.json!); } finally { db.close(); }
  }
  const ref = positionals[0];
  if (!ref || !values.operator || (sub === 'drop' && !values.reason)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', sub === 'drop' ? 'rejected drop <packet> --operator <name> --reason "<why>"' : 'rejected retry <packet|row> --operator <name>');
  }
  if (sub === 'drop' && !/^[0-9a-fA-F]{32}$/.test(ref)) throw new FerryError('FERRY_ERR_CLI_USAGE', `rejected drop needs the packet id (32 hex digits), not '${ref}'`);
  const time = await cliTrustedClock(gw.cfg.time);
  const db = openExistingDb(file, 'write', migrations);
  try {
    const rejected = new RejectedPackets(db);
    const row = rejected.find(ref);
    if (!row) { process.stderr.write(`ferry: ${file}: no rejected packet ${ref}\n`); return 1; }
    if (row.state === 'dropped' || row.state === 'resolved') { process.stderr.write(`ferry: ${ref} is already ${row.state}\n`); return 1; }
    const audit = new AuditLog(db);
    const actor = `operator:${values.operator}`;
    if (sub === 'drop') {
      db.transaction(() => {
        rejected.setState(row.id, 'dropped', Date.now());
        audit.append({ at: time.clock.now(), actor, action: 'rejected.drop', subject: row.packetId ?? `row ${row.id}`, detail: { reason: values.reason, code: row.code, sha256: row.digest.toString('hex') } });
      }).immediate();
      process.stdout.write(`${ref}: dropped by ${values.operator} (evidence row ${row.id} kept: sha256 ${row.digest.toString('hex')})\n`);
      return 0;
    }
    const bytes = rejected.packet(row.id);
    if (!bytes) {
      process.stderr.write(`ferry: ${ref}: only a ${row.size > 4096 ? '4 KiB prefix' : 'digest'} was kept (the kept-bytes budget was full): retry from the sender (ferry outbox retry)\n`);
      return 1;
    }
    // With the keys and policy in the config now: the point of a retry is a key fix since the refusal.
    const keys = loadGatewayKeys(gw.cfg.keys, gw.cfg.peer);
    const now = time.clock.now();
    const opened = openPacket(bytes, { keys: keys.open, signers: keys.signers, now });
    if (!opened.ok) {
      db.transaction(() => { rejected.add(opened.packetId ?? row.packetId, opened.code, opened.detail, bytes, now.getTime()); })();
      process.stderr.write(`ferry: ${ref}: still does not open: ${opened.code}: ${opened.detail}\n`);
      return 1;
    }
    const policy = loadPolicyOrThrow(gw.cfg.policy);
    // The external side also checks that an inbound status answers a case it knows (correlation).
    const known = internal ? null : db.prepare('SELECT 1 FROM case_status WHERE case_id = ?').pluck();
    const bar = admitPackets(internal ? 'internal' : 'external', () => policy, known ? (c) => known.get(c) !== undefined : undefined)(opened.packet, now);
    const packetId = opened.packet.packetId.toString('hex');
    db.transaction(() => {
      rejected.queueRetry(row.id, packetId, Date.now());
      audit.append({ at: now, actor, action: 'rejected.retry', subject: packetId, detail: { reason: values.reason ?? '', code: row.code, admit: bar ? bar.code : 'ok' } });
    }).immediate();
    process.stdout.write(`${packetId}: opens with the current keys; queued for the running gateway's inbox`
      + (bar ? ` (the policy will quarantine it: ${bar.rule}: ${bar.code}: ${bar.detail})` : '') + '\n');
    return 0;
  } finally {
    db.close();
    await time.stop();
  }
}

function list(db: Db, state: RejectedState | undefined, json: boolean): number {
  const seen = db.prepare('SELECT outcome FROM seen_packets WHERE packet_id = ?').pluck();
  // A packet the sender resent and that opened then (after a key fix) was delivered: say so.
  const rows = new RejectedPackets(db).list().filter((r) => !state || r.state === state).map((r) => ({
    ...r, digest: r.digest.toString('hex'),
    laterOutcome: r.packetId ? (seen.get(Buffer.from(r.packetId, 'hex')) as string | undefined) ?? null : null,
  }));
  if (json) { process.stdout.write(JSON.stringify(rows, null, 2) + '\n'); return 0; }
  process.stdout.write('ROW    PACKET                            STATE     CODE                             TRIES  SIZE      KEPT  RECEIVED                  LATER\n');
  for (const r of rows) {
    process.stdout.write(`${String(r.id).padEnd(7)}${(r.packetId ?? '-').padEnd(34)}${r.state.padEnd(10)}${r.code.padEnd(33)}${String(r.attempts).padEnd(7)}`
      + `${String(r.size).padEnd(10)}${(r.kept ? 'yes' : 'no').padEnd(6)}${new Date(r.receivedAt).toISOString().padEnd(26)}${r.laterOutcome ?? '-'}  ${r.detail.slice(0, 100)}\n`);
  }
  return 0;
}
