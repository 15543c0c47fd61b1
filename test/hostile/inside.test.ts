// Packets the REAL internal gateway must refuse although they arrive over the real, mutually
// authenticated link. Only the internal gateway runs as a process; the test plays the external gateway
// (a real LinkServer with the external TLS certificate and pins) and seals with the external gateway's
// own signing key, so every row below is what a compromised or broken external gateway could send.
// Where each lands (src/gateway/inbox.ts, src/internal/stamper.ts):
//   - not authentic, or not openable (PROTOCOL.md §4 steps 1-16), or framed wrongly → rejected_packets;
//   - authentic but disallowed (freshness, domains, kind, content, client identity, case) → quarantine,
//     with the code and the rule that held it, for an operator to release or reject;
//   - a packet id seen before → dropped (acknowledged, recorded nowhere again).
// The internal gateway runs with a copy of config/policy.yaml whose public-apply maxBytes is 256 KiB
// (192 KiB per attachment: its own limits, smaller than the outside's), and a dev PKI issued 10 days ago so that packets dated
// 3 days back are still signed by a valid certificate and meet the freshness rule, not the seal's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FerryErrorCode } from '../../src/errors.js';
import { decodeStatus, encodeSubmission } from '../../src/gateway/bodies.js';
import { loadGatewayKeys, loadTls, type GatewayKeys } from '../../src/gateway/keys.js';
import { initDevPki } from '../../src/pki/dev-ca.js';
import type { KindName } from '../../src/seal/packet-kind.js';
import { openPacket } from '../../src/seal/open.js';
import type { SealKeys } from '../../src/seal/keyring.js';
import { sealPacket } from '../../src/seal/seal.js';
import { intranetCall, preparePair, spawnGateway, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { policyWith } from '../helpers/policy-variants.js';
import { ELF, makePdf, makePng } from '../policy-content/samples.js';
import { FakeExternal } from './fake-external.js';
import { flipCiphertextBit, sealForged, type HeaderOverrides } from './forge.js';
import { submission, withFile } from './submissions.js';

type Lands = 'delivered' | 'dropped' | 'quarantine' | 'rejected';
interface Sent { bytes: Buffer; packetId: Buffer; frameId: Buffer; caseId: string }
interface Row {
  name: string;
  packet: () => Sent;
  lands: Lands;
  code?: FerryErrorCode;
  rule?: string;
  /** rejected_packets rows: the packet id was readable (§4 step 7 on) and is stored with the refusal. */
  idStored?: boolean;
}

const DAY = 86_400_000;
let files: PairFiles;
let internal: GatewayProc;
let ext: FakeExternal;
let db: Database.Database;
let K: { external: GatewayKeys; internalSign: SealKeys; otherCa: SealKeys; toExternal: SealKeys };

let caseSerial = 0;
const newCaseId = () => `F20260601-HOSTILE${String(++caseSerial).padStart(9, '0')}`;
const QINGHE = `sha256=${'ab'.repeat(32)};cn=baishi-township-centre`; // township-baishi pins the CN only

interface Draft {
  keys?: () => SealKeys;
  kind?: KindName;
  from?: string;
  to?: string;
  createdAt?: Date;
  caseId?: string;
  packetId?: Buffer;
  /** The whole decrypted body; default: a SubmissionBody made from the fields below. */
  body?: Buffer;
  bodyCaseId?: string;
  clientIdentity?: string;
  requestBody?: string | Buffer;
  header?: HeaderOverrides;
}

/** A packet as the external gateway seals it: a submission from the public unless told otherwise. */
function packet(d: Draft = {}): Sent {
  const caseId = d.caseId ?? newCaseId();
  const body = d.body ?? encodeSubmission({
    caseId: d.bodyCaseId ?? caseId, receivedAtMs: Date.now(), sourceAddress: '198.51.100.7', clientIdentity: d.clientIdentity ?? '',
    requestBody: Buffer.from(d.requestBody ?? submission()), contentType: 'application/json',
  });
  const draft = {
    kind: d.kind ?? 'submission', fromDomain: d.from ?? 'public', toDomain: d.to ?? 'intranet', caseId,
    createdAt: d.createdAt ?? new Date(), body, ...(d.packetId ? { packetId: d.packetId } : {}),
  } as const;
  const keys = d.keys?.() ?? K.external.seal;
  const s = d.header ? sealForged(draft, keys, d.header) : sealPacket(draft, keys);
  return { bytes: s.bytes, packetId: s.packetId, frameId: s.packetId, caseId };
}

function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}
const control = once(() => packet());
const bigPdf = () => makePdf({ after: Buffer.alloc(300 * 1024, 0x20) });

const ROWS: Row[] = [
  // --- positive controls ---
  { name: 'control: a valid submission from the public is delivered', packet: control, lands: 'delivered' },
  { name: 'control: a valid township submission with its client identity is delivered', lands: 'delivered',
    packet: () => packet({ from: 'township-baishi', clientIdentity: QINGHE }) },

  // --- replays ---
  { name: 'the same packet again (a replay) is dropped, not delivered twice', packet: control, lands: 'dropped' },
  { name: 'a new packet reusing a delivered packet id is dropped', lands: 'dropped', packet: () => packet({ packetId: control().packetId }) },
  { name: 'a new packet for a case the intranet already has', lands: 'quarantine', code: 'FERRY_ERR_POLICY_CASE', rule: 'delivery',
    packet: () => packet({ caseId: control().caseId }) },

  // --- time ---
  { name: 'a packet created 3 days ago (stale)', packet: () => packet({ createdAt: new Date(Date.now() - 3 * DAY) }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' },
  { name: 'a packet created an hour in the future', packet: () => packet({ createdAt: new Date(Date.now() + 3_600_000) }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_FUTURE', rule: 'freshness' },

  // --- not authentic ---
  { name: 'signed by the internal gateway\'s own signing key (not the external signer)', packet: () => packet({ keys: () => K.internalSign }), lands: 'rejected', code: 'FERRY_ERR_SEAL_UNKNOWN_SIGNER' },
  { name: 'signed by a ferry-external-sign certificate from another CA', packet: () => packet({ keys: () => K.otherCa }), lands: 'rejected', code: 'FERRY_ERR_SEAL_UNKNOWN_SIGNER' },
  { name: 'encrypted to the external gateway\'s certificate (wrong recipient)', packet: () => packet({ keys: () => K.toExternal }), lands: 'rejected', code: 'FERRY_ERR_SEAL_WRONG_RECIPIENT', idStored: true },
  { name: 'one ciphertext bit flipped in transit', packet: () => { const p = packet(); return { ...p, bytes: flipCiphertextBit(p.bytes) }; }, lands: 'rejected', code: 'FERRY_ERR_SEAL_BAD_SIGNATURE' },
  { name: 'bytes that are not a packet at all', packet: () => { const id = randomBytes(16); return { bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n'), packetId: id, frameId: id, caseId: '' }; }, lands: 'rejected', code: 'FERRY_ERR_SEAL_MALFORMED' },
  { name: 'a frame naming another packet id than the header', packet: () => ({ ...packet(), frameId: randomBytes(16) }), lands: 'rejected', code: 'FERRY_ERR_LINK_FRAME', idStored: true },
  { name: 'protocol version 2 in the signed header', packet: () => packet({ header: { version: 2 } }), lands: 'rejected', code: 'FERRY_ERR_SEAL_VERSION', idStored: true },
  { name: 'packet kind 0 in the signed header', packet: () => packet({ header: { kind: 0 } }), lands: 'rejected', code: 'FERRY_ERR_SEAL_MALFORMED', idStored: true },
  { name: 'a header naming another signer certificate than the one attached', packet: () => packet({ header: { senderCertSha256: createHash('sha256').update('another').digest() } }), lands: 'rejected', code: 'FERRY_ERR_SEAL_SIGNER_MISMATCH', idStored: true },
  { name: 'a creation time no JavaScript Date can hold', packet: () => packet({ header: { createdAtMs: 9e15 } }), lands: 'rejected', code: 'FERRY_ERR_SEAL_MALFORMED', idStored: true },

  // --- kinds, domains and directions ---
  { name: 'a status packet from the public to the intranet', packet: () => packet({ kind: 'status' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' },
  { name: 'a decision packet from the public to the intranet', packet: () => packet({ kind: 'decision' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' },
  { name: 'a catalogue packet from the public to the intranet', packet: () => packet({ kind: 'catalogue' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' },
  { name: 'an evaluation for a case the intranet never received', packet: () => packet({ kind: 'evaluation' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CASE', rule: 'delivery' },
  { name: 'a submission from an undeclared domain township-nowhere', packet: () => packet({ from: 'township-nowhere' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_DOMAIN', rule: 'default-deny' },
  { name: 'a submission addressed to the public (outside the intranet zone)', packet: () => packet({ to: 'public' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' },
  { name: 'a submission claiming to come from the intranet itself', packet: () => packet({ from: 'intranet' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' },
  { name: 'a submission straight to a department no rule reaches (public -> dept-market)', packet: () => packet({ to: 'dept-market' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' },

  // --- content, re-checked inside after stamping ---
  { name: 'an ELF executable named report.pdf (the outside would have refused it)', packet: () => packet({ requestBody: withFile('report.pdf', ELF) }), lands: 'quarantine', code: 'FERRY_ERR_CONTENT_EXECUTABLE', rule: 'content' },
  { name: 'a PDF with /OpenAction', packet: () => packet({ requestBody: withFile('a.pdf', makePdf({ catalogExtra: '/OpenAction [3 0 R /Fit]' })) }), lands: 'quarantine', code: 'FERRY_ERR_CONTENT_PDF_ACTION', rule: 'content' },
  { name: 'a PNG for item FGW-002 (documents only)', packet: () => packet({ requestBody: withFile('plan.png', makePng(), undefined, 'FGW-002') }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_ATTACHMENT_TYPE', rule: 'public-apply' },
  { name: 'a request larger than the inside rule\'s maxBytes (256 KiB)', packet: () => packet({ requestBody: withFile('scan.pdf', bigPdf()) }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'public-apply' },

  // --- who the applicant was ---
  { name: 'a Qinghe centre\'s client identity in a packet from the public', packet: () => packet({ clientIdentity: QINGHE }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CLIENT_CERT', rule: 'client-identity' },
  { name: 'a township-qinghe packet with no client identity', packet: () => packet({ from: 'township-qinghe' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CLIENT_CERT', rule: 'client-identity' },
  { name: 'a client identity of a township the policy does not know', packet: () => packet({ from: 'township-qinghe', clientIdentity: `sha256=${'cd'.repeat(32)};cn=rogue-township-centre` }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CLIENT_CERT', rule: 'client-identity' },
  { name: 'a client identity not in the sha256=…;cn=… form', packet: () => packet({ from: 'township-qinghe', clientIdentity: 'CN=qinghe-township-centre' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CLIENT_CERT', rule: 'client-identity' },

  // --- bodies ---
  { name: 'a submission body that does not decode', packet: () => packet({ body: Buffer.alloc(64, 0xff) }), lands: 'quarantine', code: 'FERRY_ERR_SEAL_MALFORMED', rule: 'delivery' },
  { name: 'a body naming another case than the header', packet: () => packet({ bodyCaseId: 'F20260601-ELSEWHERE0000000' }), lands: 'quarantine', code: 'FERRY_ERR_POLICY_CASE', rule: 'delivery' },
  { name: 'an applicant request that is not JSON', packet: () => packet({ requestBody: '{"itemCode":' }), lands: 'quarantine', code: 'FERRY_ERR_API_JSON', rule: 'shape' },
  { name: 'an applicant request with a field the API does not know', packet: () => packet({ requestBody: submission({ extra: { approvedBy: 'director' } }) }), lands: 'quarantine', code: 'FERRY_ERR_API_FIELD', rule: 'shape' },
];

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { const v = await f(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > end || internal.proc.exitCode !== null) throw new Error(`${what}: not reached in ${timeoutMs} ms\n${internal.log.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
const hex = (b: Buffer) => b.toString('hex');

beforeAll(async () => {
  files = await preparePair({
    pkiNow: new Date(Date.now() - 10 * DAY), logLevel: 'warn',
    policyFile: policyWith([
      ["maxBytes: 48 MiB               # the applicant API's body limit (base64 JSON)", 'maxBytes: 256 KiB'],
      ['maxBytes: 16 MiB             # one scanned multi-page PDF', 'maxBytes: 192 KiB'],
    ]),
  });
  const c = (f: string) => join(files.certs, f);
  const own = (g: string, dir = files.certs) => ({
    ca: c('ca.crt'), signCert: join(dir, `${g}-sign.crt`), signKey: join(dir, `${g}-sign.key`), encCert: join(dir, `${g}-enc.crt`), encKey: join(dir, `${g}-enc.key`),
  });
  const peer = (encCert: string) => ({ encCert, signerSubjects: ['ferry-internal-sign'], signerSha256: [] });
  const other = join(files.dir, 'other-pki');
  await initDevPki(other, { now: new Date(Date.now() - 10 * DAY) });
  K = {
    external: loadGatewayKeys(own('external'), peer(c('internal-enc.crt'))),
    internalSign: loadGatewayKeys(own('internal'), peer(c('internal-enc.crt'))).seal,
    // Another CA's signer, deliberately: the start-time role checks would (rightly) refuse it.
    otherCa: loadGatewayKeys(own('external', other), peer(c('internal-enc.crt')), { roleChecks: false }).seal,
    toExternal: loadGatewayKeys(own('external'), peer(c('external-enc.crt'))).seal,
  };
  ext = new FakeExternal({ port: files.linkPort, tls: loadTls({ cert: c('external-tls.crt'), key: c('external-tls.key') }, c('ca.crt')) });
  await ext.listen();
  internal = spawnGateway('internal', files.internalConfig);
  await until('link up', () => (ext.connected ? true : undefined));
  db = new Database(join(files.dir, 'var/internal/internal.sqlite'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  if (internal && internal.proc.exitCode === null && internal.proc.signalCode === null) { internal.proc.kill('SIGTERM'); await internal.exited; }
  await ext?.close();
});

describe('hostile packets over the real link into the real internal gateway', () => {
  it('has at least 12 distinct rows', () => {
    expect(ROWS.filter((r) => r.lands !== 'delivered').length).toBeGreaterThanOrEqual(12);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS)('$name → $lands $code', async (row) => {
    const rejectedBefore = count('rejected_packets');
    const casesBefore = count('intranet_cases');
    const s = row.packet();
    await ext.deliver(s.frameId, s.bytes); // acknowledged = committed at the inbox
    const caseRow = () => db.prepare('SELECT case_id, packet_id FROM intranet_cases WHERE case_id = ?').get(s.caseId) as { packet_id: Buffer } | undefined;
    switch (row.lands) {
      case 'rejected': {
        expect(count('rejected_packets')).toBe(rejectedBefore + 1);
        const r = db.prepare('SELECT packet_id AS pid, code, digest, size, prefix FROM rejected_packets ORDER BY rejected_packets.id DESC LIMIT 1').get() as { pid: string | null; code: string; digest: Buffer; size: number; prefix: Buffer };
        expect(r.code).toBe(row.code);
        expect(r.pid).toBe(row.idStored ? hex(s.packetId) : null);
        // Kept as evidence, bounded: the SHA-256 and size of exactly what arrived, and its first 4 KiB.
        expect(r.digest.equals(createHash('sha256').update(s.bytes).digest())).toBe(true);
        expect(r.size).toBe(s.bytes.length);
        expect(r.prefix.equals(s.bytes.subarray(0, 4096))).toBe(true);
        expect(db.prepare('SELECT 1 FROM quarantine WHERE packet_id = ?').get(hex(s.packetId))).toBeUndefined();
        break;
      }
      case 'quarantine': {
        const q = await until('quarantined', () => db.prepare('SELECT code, rule, state, bytes FROM quarantine WHERE packet_id = ?').get(hex(s.packetId)) as
          { code: string; rule: string; state: string; bytes: Buffer } | undefined);
        expect({ code: q.code, rule: q.rule, state: q.state }).toEqual({ code: row.code, rule: row.rule, state: 'held' });
        expect(q.bytes.equals(s.bytes)).toBe(true);
        expect(count('rejected_packets')).toBe(rejectedBefore);
        break;
      }
      case 'delivered': {
        const c = await until('case recorded', caseRow);
        expect(hex(c.packet_id)).toBe(hex(s.packetId));
        break;
      }
      case 'dropped': {
        expect(count('rejected_packets')).toBe(rejectedBefore);
        expect(count('intranet_cases')).toBe(casesBefore);
        expect(count('stamp_queue')).toBe(0); // never queued for delivery
        expect(db.prepare('SELECT 1 FROM quarantine WHERE packet_id = ?').get(hex(s.packetId))).toBeUndefined();
        break;
      }
    }
    // Whatever was refused never became a case.
    if (row.lands !== 'delivered' && s.caseId !== control().caseId) expect(caseRow()).toBeUndefined();
    expect(internal.proc.exitCode, 'the internal gateway exited').toBeNull();
  });

  it('recorded exactly the delivered rows as cases, answered only those, and kept every refusal', async () => {
    const delivered = ROWS.filter((r) => r.lands === 'delivered').length;
    expect(count('intranet_cases')).toBe(delivered);
    expect(count('quarantine')).toBe(ROWS.filter((r) => r.lands === 'quarantine').length);
    expect(count('rejected_packets')).toBe(ROWS.filter((r) => r.lands === 'rejected').length);
    // The status packets that came back out are authentic, and only for the delivered cases.
    await until('status packets back', () => (ext.received.length >= delivered + 1 ? true : undefined));
    const open = { keys: K.external.open, signers: K.external.signers, now: new Date() };
    // The catalogue is published on every link-up; the answers are the status packets.
    const answered = ext.received.map((p) => {
      const o = openPacket(p.bytes, open);
      if (!o.ok) throw new Error(`status packet does not open: ${o.code} ${o.detail}`);
      return o;
    }).filter((o) => o.packet.kind === 'status').map((o) => {
      const st = decodeStatus(o.packet.body);
      if (!st.ok) throw new Error(st.detail);
      return `${st.value.caseId} ${st.value.status}`;
    }).sort();
    const cases = (db.prepare('SELECT case_id FROM intranet_cases').pluck().all() as string[]).map((id) => `${id} received`).sort();
    expect(answered).toEqual(cases);
    const health = (await intranetCall(files, 'GET', '/health')).json as Record<string, unknown>;
    expect(health).toMatchObject({ gateway: 'internal', link: 'up', cases: delivered, waitingForStamp: 0 });
    expect(internal.proc.exitCode).toBeNull();
  });
});
