// `ferry case trace <case> --config F [--packet HEX]... [--json]`: follows one case across what this
// gateway holds — the audit chain, outbox, held and dropped packets, quarantine, rejected packets, the
// stamp queue, the desk (intranet) and the status cache (external) — in time order. It reads the
// database read-only and never creates one (openExistingDb). A case is named by its number, or by the
// token it appears as in logs (`ferry log mask`): the token is resolved against this gateway's own
// cases, so a line from the journal leads to the trace. Packets are found by case (outbox, held,
// audit, stamp queue) and then by packet id (quarantine, rejected: they hold packets, not cases); a
// packet id seen only on the other gateway is added with --packet.
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { loadAnyGatewayConfig } from '../config/load-gateway.js';
import { openExistingDb, type Db } from '../store/db.js';
import { EXTERNAL_MIGRATIONS } from '../external/store.js';
import { INTERNAL_MIGRATIONS } from '../internal/store.js';
import { CASE_ID_PATTERN } from '../external/case-id.js';
import { maskCaseId } from '../gateway/case-mask.js';
import { parse } from './args.js';

export const CASE_TRACE_USAGE = `  ferry case trace <case number|log token> --config config/external.yaml [--packet HEX]... [--json]   one case across audit, queues, quarantine, rejected, desk, status
`;

const MASK_PATTERN = /^F(\d{8})~[0-9a-f]{8}$/;
/** Audit entries shown per case: a case has tens; a flood of actions is cut here and said. */
const MAX_AUDIT_ROWS = 1000;

interface Event { at: number | null; where: string; what: string; packet?: string | undefined; detail?: string | undefined }

const hasTable = (db: Db, t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The case number a log token stands for, among this gateway's own cases; null when none. */
function resolveToken(db: Db, internal: boolean, token: string): string | null {
  const date = MASK_PATTERN.exec(token)![1]!;
  const table = internal ? 'intranet_cases' : 'case_status';
  if (!hasTable(db, table)) return null;
  const ids = db.prepare(`SELECT case_id FROM ${table} WHERE case_id LIKE ?`).pluck().all(`F${date}-%`) as string[];
  return ids.find((id) => maskCaseId(id) === token) ?? null;
}

function collect(db: Db, caseId: string, extraPackets: string[]): { events: Event[]; packets: string[]; truncated: boolean } {
  const events: Event[] = [];
  const packets = new Set<string>(extraPackets.map((p) => p.toLowerCase()));
  const add = (e: Event) => { events.push(e); if (e.packet) packets.add(e.packet); };
  const rows = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as T[];
  for (const t of ['outbox', 'outbox_held', 'outbox_dropped'] as const) {
    if (!hasTable(db, t)) continue;
    const at = t === 'outbox_held' ? 'held_at' : t === 'outbox_dropped' ? 'dropped_at' : 'created_at';
    const more = t === 'outbox_held' ? ", code || ' ' || detail" : t === 'outbox_dropped' ? ", 'by ' || operator || ': ' || reason" : ", ''";
    for (const r of rows<{ p: string; kind: string; at: number; d: string }>(`SELECT lower(hex(packet_id)) AS p, kind, ${at} AS at ${more} AS d FROM ${t} WHERE case_id = ?`, caseId)) {
      add({ at: r.at, where: t, what: t === 'outbox' ? `${r.kind} waiting for the peer's ack` : t === 'outbox_held' ? `${r.kind} refused back by the peer, held` : `${r.kind} DROPPED`, packet: r.p, detail: r.d });
    }
  }
  if (hasTable(db, 'stamp_queue')) {
    for (const r of rows<{ p: string; kind: string; at: number }>('SELECT lower(hex(packet_id)) AS p, kind, queued_at AS at FROM stamp_queue WHERE case_id = ?', caseId)) {
      add({ at: r.at, where: 'stamp_queue', what: `${r.kind} waiting for an RFC 3161 stamp`, packet: r.p });
    }
  }
  if (hasTable(db, 'case_status')) {
    for (const r of rows<{ status: string; at: number; detail: string; p: string | null }>('SELECT status, at, detail, lower(hex(packet_id)) AS p FROM case_history WHERE case_id = ?', caseId)) {
      add({ at: r.at, where: 'status', what: `applicant sees '${r.status}'`, packet: r.p || undefined, detail: r.detail.slice(0, 120) });
    }
  }
  if (hasTable(db, 'intranet_cases')) {
    for (const r of rows<{ status: string; at: number; p: string }>('SELECT status, received_at AS at, lower(hex(packet_id)) AS p FROM intranet_cases WHERE case_id = ?', caseId)) {
      add({ at: r.at, where: 'intranet', what: `received; status now '${r.status}'`, packet: r.p });
    }
  }
  if (hasTable(db, 'case_transitions')) {
    for (const r of rows<{ at: string; actor: string; event: string; from: string | null; to: string }>('SELECT at, actor, event, from_status AS "from", to_status AS "to" FROM case_transitions WHERE case_id = ? ORDER BY seq', caseId)) {
      add({ at: Date.parse(r.at), where: 'desk', what: `${r.event}: ${r.from ?? '-'} → ${r.to}`, detail: r.actor });
    }
  }
  if (hasTable(db, 'notifications')) {
    for (const r of rows<{ type: string; state: string; at: number }>('SELECT type, state, created_at AS at FROM notifications WHERE case_id = ?', caseId)) {
      add({ at: r.at, where: 'notify', what: `${r.type} notification ${r.state}` });
    }
  }
  // The audit chain: entries about the case, then about its packets (packet.in/out/refused name the packet).
  const audit = rows<{ seq: number; at: number; actor: string; action: string; subject: string; c: string | null }>(
    `SELECT seq, at, actor, action, subject, json_extract(detail, '$.case') AS c FROM audit_entries
     WHERE subject = ? OR json_extract(detail, '$.case') = ? ORDER BY seq LIMIT ${MAX_AUDIT_ROWS + 1}`, caseId, caseId);
  for (const r of audit.slice(0, MAX_AUDIT_ROWS)) add({ at: r.at, where: 'audit', what: `#${r.seq} ${r.action} by ${r.actor}`, packet: /^[0-9a-f]{32}$/.test(r.subject) ? r.subject : undefined });
  const seen = new Set(audit.map((r) => r.seq));
  for (const p of [...packets]) {
    for (const r of rows<{ seq: number; at: number; actor: string; action: string; detail: string }>('SELECT seq, at, actor, action, detail FROM audit_entries WHERE subject = ? ORDER BY seq LIMIT 100', p)) {
      if (!seen.has(r.seq)) add({ at: r.at, where: 'audit', what: `#${r.seq} ${r.action} by ${r.actor}`, packet: p, detail: r.detail.slice(0, 120) });
    }
    if (hasTable(db, 'quarantine')) {
      for (const r of rows<{ state: string; code: string; rule: string; at: number; by: string | null }>('SELECT state, code, rule, received_at AS at, decided_by AS by FROM quarantine WHERE packet_id = ?', p)) {
        add({ at: r.at, where: 'quarantine', what: `${r.state} (${r.code}, rule ${r.rule})${r.by ? ` by ${r.by}` : ''}`, packet: p });
      }
    }
    const rejected = hasTable(db, 'rejected_packets_bounded') ? 'rejected_packets_bounded' : hasTable(db, 'rejected_packets') ? 'rejected_packets' : null;
    if (rejected) {
      for (const r of rows<{ code: string; at: number }>(`SELECT code, received_at AS at FROM ${rejected} WHERE packet_id = ?`, p)) {
        add({ at: r.at, where: 'rejected', what: `could not be opened: ${r.code}`, packet: p });
      }
    }
  }
  events.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  return { events, packets: [...packets], truncated: audit.length > MAX_AUDIT_ROWS };
}

export async function caseTraceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: 'string', default: 'config/external.yaml' }, packet: { type: 'string', multiple: true, default: [] }, json: { type: 'boolean', default: false },
  }, true);
  const ref = positionals[0];
  if (!ref || positionals.length > 1) throw new FerryError('FERRY_ERR_CLI_USAGE', 'case trace needs one case number (F<yyyymmdd>-<16 characters>) or its log token (F<yyyymmdd>~<8 hex>, from ferry log mask)');
  if (!CASE_ID_PATTERN.test(ref) && !MASK_PATTERN.test(ref)) throw new FerryError('FERRY_ERR_CLI_USAGE', `case trace: '${ref.slice(0, 40)}' is neither a case number (F<yyyymmdd>-<16 characters>) nor a log token (F<yyyymmdd>~<8 hex>)`);
  const bad = values.packet!.find((p) => !/^[0-9a-fA-F]{32}$/.test(p));
  if (bad !== undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', `--packet: '${bad.slice(0, 40)}' is not a packet id (32 hex digits)`);
  const gw = loadAnyGatewayConfig(values.config!);
  const internal = gw.role === 'internal';
  const db = openExistingDb(join(gw.cfg.dataDir, internal ? 'internal.sqlite' : 'external.sqlite'), 'read', internal ? INTERNAL_MIGRATIONS : EXTERNAL_MIGRATIONS);
  try {
    const caseId = CASE_ID_PATTERN.test(ref) ? ref : resolveToken(db, internal, ref);
    if (!caseId) { process.stderr.write(`ferry: no case on the ${gw.role} gateway appears in logs as ${ref}\n`); return 1; }
    const t = collect(db, caseId, values.packet!);
    const found = t.events.length > 0;
    if (values.json) {
      process.stdout.write(JSON.stringify({ gateway: gw.role, caseId, logged: maskCaseId(caseId), found, packets: t.packets, truncated: t.truncated, events: t.events.map((e) => ({ ...e, at: iso(e.at) })) }, null, 2) + '\n');
      return found ? 0 : 1;
    }
    process.stdout.write(`case ${caseId} on the ${gw.role} gateway (in logs: ${maskCaseId(caseId)})\n`);
    if (!found) { process.stdout.write('nothing about this case here\n'); return 1; }
    for (const e of t.events) {
      process.stdout.write(`${iso(e.at)}  ${e.where.padEnd(14)} ${e.what}${e.packet ? `  [packet ${e.packet}]` : ''}${e.detail ? `  ${e.detail}` : ''}\n`);
    }
    if (t.truncated) process.stdout.write(`(audit entries cut at ${MAX_AUDIT_ROWS})\n`);
    return 0;
  } finally { db.close(); }
}
