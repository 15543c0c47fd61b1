// Shared set-up for the packet-path stage tests: a real dev PKI (both gateways' keys, the TSA), real
// SQLite files in temp dirs with the gateways' own migrations, the shipped policy, an injected clock
// set far from the host's (so a stage that reads the host clock shows), and a captured JSON log.
// No sockets and no child processes: each stage is driven directly.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { loadCertificate, loadCertificates, loadPrivateKey } from '../../src/pki/key-files.js';
import { openKeys, sealKeys, type OpenKeys, type OwnKeys, type SealKeys } from '../../src/seal/keyring.js';
import { SignerTrust } from '../../src/seal/signer-trust.js';
import { openPacket, type OpenedPacket } from '../../src/seal/open.js';
import { openInternalStore, type InternalStore } from '../../src/internal/store.js';
import { openExternalStore, type ExternalStore } from '../../src/external/store.js';
import { createOutbound, type Outbound, type SentPacket } from '../../src/gateway/outbound.js';
import { createTsa } from '../../src/internal/tsa-service.js';
import { readStamp, type Stamp } from '../../src/internal/stamper.js';
import type { TimeStampAuthority } from '../../src/time/tsa-issue.js';
import type { Policy } from '../../src/policy/policy-model.js';
import type { Db } from '../../src/store/db.js';
import { samplePolicy } from '../policy/sample.js';
import { createApprovalDesk, type ApprovalDesk } from '../../src/desk/approval-desk.js';
import { deskSettings, DEFAULT_DESK_CONFIG } from '../../src/desk/settings.js';
import { loadCatalogue, type Catalogue } from '../../src/approval/catalogue.js';
import { loadCalendar } from '../../src/approval/calendar.js';
import { encodeSubmission } from '../../src/gateway/bodies.js';
import type { QueuedPacket } from '../../src/internal/store/stamp-queue.js';

export { samplePolicy };
export { policyFrom, sampleText } from '../policy/sample.js';

/** Far from any host clock this test could run on: a stage that reads `new Date()` is caught. */
export const T0 = new Date('2031-05-06T07:08:09.010Z');

export class ManualClock {
  private t: number;
  constructor(at: Date = T0) { this.t = at.getTime(); }
  now(): Date { return new Date(this.t); }
  advance(ms: number): void { this.t += ms; }
}

/** A direction of the link: who seals, who opens, and whose signer the opener trusts. */
export interface Direction { seal: SealKeys; open: OpenKeys; signers: SignerTrust; signer: string }

export interface Pki {
  /** The external gateway seals, the internal one opens (submissions, actions). */
  inward: Direction;
  /** The internal gateway seals, the external one opens (statuses, events, the catalogue). */
  outward: Direction;
  tsaFiles: { cert: string; key: string };
  caFile: string;
}

const dirs: string[] = [];
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `ferry-path-${prefix}-`));
  dirs.push(d);
  return d;
}
export function removeTempDirs(): void { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); }

export async function makePki(): Promise<Pki> {
  // Issued the day before T0: the certificates are valid on the injected clock, not on the host's.
  const files = await initDevPki(join(tempDir('pki'), 'certs'), { now: new Date(T0.getTime() - 86_400_000), days: 1000 });
  const own = (g: 'external' | 'internal'): OwnKeys => ({
    signKey: loadPrivateKey(files[`${g}-sign`].key), signCert: loadCertificate(files[`${g}-sign`].cert),
    encKey: loadPrivateKey(files[`${g}-enc`].key), encCert: loadCertificate(files[`${g}-enc`].cert),
  });
  const roots = [loadCertificate(files.ca.cert)];
  const direction = (from: 'external' | 'internal', to: 'external' | 'internal'): Direction => ({
    seal: sealKeys(own(from), { encCert: loadCertificate(files[`${to}-enc`].cert) }),
    open: openKeys(own(to)),
    signers: new SignerTrust({ roots, expectedSubjects: [`ferry-${from}-sign`] }),
    signer: `ferry-${from}-sign`,
  });
  return { inward: direction('external', 'internal'), outward: direction('internal', 'external'), tsaFiles: files.tsa, caFile: files.ca.cert };
}

export function internalStore(): InternalStore { return openInternalStore(tempDir('internal')); }
export function externalStore(): ExternalStore { return openExternalStore(tempDir('external')); }

export interface Captured { log: Logger; lines: Record<string, unknown>[] }
export function captureLog(): Captured {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  return { log: pino({ level: 'debug' }, sink), lines };
}

/** An outbound wired as a gateway wires it, recording what it hands the audit chain. */
export interface OutboundHarness { outbound: Outbound; sent: SentPacket[]; lines: Record<string, unknown>[] }
export function outboundFor(o: {
  db: Db; outbox: InternalStore['outbox']; keys: SealKeys; clock: { now(): Date }; policy?: Policy; maxOutbox?: number; knownCase?: (id: string) => boolean;
}): OutboundHarness {
  const sent: SentPacket[] = [];
  const { log, lines } = captureLog();
  const policy = o.policy ?? samplePolicy();
  const outbound = createOutbound({
    db: o.db, outbox: o.outbox, keys: o.keys, policy: () => policy, clock: o.clock, maxOutbox: o.maxOutbox ?? 1000,
    knownCase: o.knownCase ?? (() => false), audit: (p) => sent.push(p), log,
  });
  return { outbound, sent, lines };
}

/** Opens a packet from an outbox as the receiving gateway would, at the given time. */
export function openAs(dir: Direction, bytes: Buffer, now: Date): OpenedPacket {
  const r = openPacket(bytes, { keys: dir.open, signers: dir.signers, now });
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  return r.packet;
}

export const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export function tsaFor(pki: Pki, db: Db, clock: { now(): Date }): TimeStampAuthority {
  return createTsa({ ...pki.tsaFiles, policyOid: '2.25.1234567890', accuracyMs: 500, serialBlock: 16 }, loadCertificates(pki.caFile), db, clock, (e) => { throw e; }).tsa;
}

/** A real RFC 3161 stamp over the SHA-256 of `bytes`, as the stamper takes one. */
export async function stampOf(tsa: TimeStampAuthority, bytes: Uint8Array, certReq = false): Promise<Stamp> {
  return readStamp(await tsa.stamp(sha256(bytes), 'SHA-256', { certReq }));
}

/** Public applicants present no client certificate: an empty identity maps to the 'public' domain. */
export const PUBLIC_IDENTITY = '';
/** The Baishi centre's certificate as the external gateway records it (the policy names its CN). */
export const BAISHI_IDENTITY = `sha256=${'ab'.repeat(32)};cn=baishi-township-centre`;

/** The approval desk as the intranet gateway hosts it: the shipped catalogue and calendar, in the
 *  gateway's own SQLite file, on the injected clock. */
export function deskFor(db: Db, clock: { now(): Date }, log: Logger): { desk: ApprovalDesk; catalogue: Catalogue } {
  const catalogue = loadCatalogue('config/items');
  const desk = createApprovalDesk({ db, catalogue, calendar: loadCalendar('config/calendar'), clock, settings: deskSettings(DEFAULT_DESK_CONFIG), log });
  return { desk, catalogue };
}

/** An applicant packet as the inbox queues it for stamping: the envelope the external gateway seals. */
export function queued(o: { caseId: string; request: string | Buffer; kind?: QueuedPacket['kind']; from?: string; identity?: string; n?: number; released?: boolean }): QueuedPacket {
  const request = Buffer.isBuffer(o.request) ? o.request : Buffer.from(o.request);
  const body = encodeSubmission({
    caseId: o.caseId, receivedAtMs: T0.getTime() - 1000, sourceAddress: '203.0.113.7', clientIdentity: o.identity ?? PUBLIC_IDENTITY,
    requestBody: request, contentType: 'application/json',
  });
  return {
    seq: o.n ?? 1, packetId: Buffer.alloc(16, o.n ?? 1), kind: o.kind ?? 'submission', caseId: o.caseId, fromDomain: o.from ?? 'public', toDomain: 'intranet',
    packet: Buffer.concat([Buffer.from('sealed:'), body]), body, createdAt: T0.getTime() - 1000, queuedAt: T0.getTime(), released: o.released ? 1 : 0,
  };
}
