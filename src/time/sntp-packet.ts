// SNTP client request and server reply (RFC 5905 §7.3 packet header; RFC 4330 client rules). Pure:
// bytes and values in, verdicts out. Our request carries no clock reading at all: its transmit
// timestamp is 64 random bits (draft-ietf-ntp-data-minimization), which the server must echo as
// the reply's origin timestamp (RFC 5905 §8 and §9.2: a reply whose origin does not match is bogus).
// An off-path attacker cannot guess 64 bits, so a matching origin authenticates the reply as the
// answer to this one request; it cannot be replayed or forged without seeing the request.

import { fail, type FerryErrorCode, type Verdict } from '../errors.js';

export const NTP_PACKET_BYTES = 48;
/** Seconds from the NTP prime epoch (1900-01-01 00:00 UTC) to the Unix epoch (RFC 5905 §6). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;
/** Seconds in one NTP era: the 32-bit seconds field wraps every 2^32 s (RFC 5905 §6). */
export const NTP_ERA_SECONDS = 2 ** 32;
const FRACTION_UNIT = 2 ** 32;

const VERSION = 4;
const MODE_CLIENT = 3;
const MODE_SERVER = 4;
const LEAP_ALARM = 3; // "clock unsynchronized" (RFC 5905 §7.3)
const MAX_STRATUM = 16; // 16 = unsynchronized (RFC 5905 §7.3)

/** A 64-bit NTP timestamp: seconds within the era and a 32-bit binary fraction (RFC 5905 §6). */
export interface NtpTimestamp {
  readonly seconds: number;
  readonly fraction: number;
}

export interface SntpReply {
  /** Leap indicator: 0 none, 1 last minute has 61 s, 2 has 59 s, 3 unsynchronised. */
  readonly leap: number;
  readonly version: number;
  readonly mode: number;
  readonly stratum: number;
  /** log2 seconds, as the server sent it. */
  readonly poll: number;
  /** log2 seconds: the server's clock precision. */
  readonly precision: number;
  readonly rootDelayMs: number;
  readonly rootDispersionMs: number;
  /** Stratum 1: the reference's ASCII code ("GPS", "PPS"); higher strata: the upstream's IPv4 address or hash. */
  readonly referenceId: string;
  readonly referenceTimestamp: NtpTimestamp;
  /** T2: when the server received our request, by the server's clock. */
  readonly receiveTimestamp: NtpTimestamp;
  /** T3: when the server sent this reply, by the server's clock. */
  readonly transmitTimestamp: NtpTimestamp;
}

/** Codes that a reply can earn before its origin timestamp is checked: it may not come from the server
 *  at all (anyone can send a short or wrong-mode datagram), so a client keeps waiting for a genuine one. */
export const UNAUTHENTICATED_REJECTS: ReadonlySet<FerryErrorCode> = new Set<FerryErrorCode>([
  'FERRY_ERR_TIME_REPLY_LENGTH',
  'FERRY_ERR_TIME_REPLY_VERSION',
  'FERRY_ERR_TIME_REPLY_MODE',
  'FERRY_ERR_TIME_BOGUS_ORIGIN',
]);

/** A client-mode request (LI 0, VN 4, mode 3) whose only content is the 8 random bytes of `transmit`. */
export function encodeRequest(transmit: Uint8Array): Uint8Array {
  if (transmit.length !== 8) throw new RangeError(`transmit timestamp must be 8 bytes, got ${transmit.length}`);
  const packet = new Uint8Array(NTP_PACKET_BYTES);
  packet[0] = (0 << 6) | (VERSION << 3) | MODE_CLIENT;
  packet.set(transmit, 40);
  return packet;
}

/** Decode a reply to the request whose transmit timestamp was `sentTransmit`. Checks in this order:
 *  length, version, mode (all before we know the sender is genuine), origin, then what a genuine
 *  server says about itself: kiss-o'-death, leap alarm, stratum, zero timestamps. */
export function decodeReply(bytes: Uint8Array, sentTransmit: Uint8Array): Verdict<SntpReply> {
  // We send no extension fields and no MAC, so a server sends none back (RFC 7822).
  if (bytes.length !== NTP_PACKET_BYTES) {
    return fail('FERRY_ERR_TIME_REPLY_LENGTH', `reply is ${bytes.length} bytes, expected ${NTP_PACKET_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = view.getUint8(0);
  const leap = b0 >> 6;
  const version = (b0 >> 3) & 0x07;
  const mode = b0 & 0x07;
  // RFC 4330 §5: a server answers in the version of the request; v3 servers are still common.
  if (version !== 3 && version !== 4) return fail('FERRY_ERR_TIME_REPLY_VERSION', `reply version ${version}, expected 4 (or 3)`);
  if (mode !== MODE_SERVER) return fail('FERRY_ERR_TIME_REPLY_MODE', `reply mode ${mode}, expected ${MODE_SERVER} (server)`);
  // RFC 5905 §8: the origin timestamp must be exactly the transmit timestamp we sent.
  if (!bytesEqual(bytes.subarray(24, 32), sentTransmit)) {
    return fail('FERRY_ERR_TIME_BOGUS_ORIGIN', `origin timestamp ${hex(bytes.subarray(24, 32))} does not echo our transmit timestamp`);
  }
  const stratum = view.getUint8(1);
  const refBytes = bytes.subarray(12, 16);
  if (stratum === 0) {
    // RFC 5905 §7.4: stratum 0 carries a four-letter kiss code in the reference id. chronyd sends
    // stratum 0 with a zero reference id (and LI 3) when it is merely unsynchronised.
    const kiss = kissCode(refBytes);
    if (kiss !== null) return fail('FERRY_ERR_TIME_KISS_OF_DEATH', `kiss-o'-death, kiss code ${kiss}${kissMeaning(kiss)}`);
    return fail('FERRY_ERR_TIME_UNSYNCHRONISED', `server is unsynchronised (stratum 0, leap indicator ${leap}, no kiss code)`);
  }
  if (leap === LEAP_ALARM) return fail('FERRY_ERR_TIME_UNSYNCHRONISED', `server is unsynchronised (leap indicator 3, stratum ${stratum})`);
  if (stratum >= MAX_STRATUM) return fail('FERRY_ERR_TIME_STRATUM', `server reports stratum ${stratum} (16 or more is unsynchronised)`);
  const receiveTimestamp = readTimestamp(view, 32);
  const transmitTimestamp = readTimestamp(view, 40);
  // RFC 4330 §5: a zero transmit timestamp means the server never filled the reply in.
  if (isZero(transmitTimestamp)) return fail('FERRY_ERR_TIME_ZERO_TRANSMIT', 'reply transmit timestamp is zero');
  if (isZero(receiveTimestamp)) return fail('FERRY_ERR_TIME_ZERO_TRANSMIT', 'reply receive timestamp is zero');
  return {
    ok: true,
    value: {
      leap,
      version,
      mode,
      stratum,
      poll: view.getInt8(2),
      precision: view.getInt8(3),
      // NTP short format: unsigned 16.16 fixed-point seconds (RFC 5905 §6).
      rootDelayMs: (view.getUint32(4) / 65536) * 1000,
      rootDispersionMs: (view.getUint32(8) / 65536) * 1000,
      referenceId: formatReferenceId(refBytes, stratum),
      referenceTimestamp: readTimestamp(view, 16),
      receiveTimestamp,
      transmitTimestamp,
    },
  };
}

/** Unix milliseconds → NTP timestamp. The era number is dropped, as on the wire (RFC 5905 §6). */
export function unixMsToNtp(unixMs: number): NtpTimestamp {
  let wholeSeconds = Math.floor(unixMs / 1000);
  let fraction = Math.round(((unixMs - wholeSeconds * 1000) / 1000) * FRACTION_UNIT);
  if (fraction >= FRACTION_UNIT) {
    wholeSeconds += 1;
    fraction -= FRACTION_UNIT;
  }
  const ntpSeconds = wholeSeconds + NTP_UNIX_OFFSET_SECONDS;
  return { seconds: ((ntpSeconds % NTP_ERA_SECONDS) + NTP_ERA_SECONDS) % NTP_ERA_SECONDS, fraction };
}

/** NTP timestamp → Unix milliseconds, in the era that puts it nearest `pivotUnixMs` (our own clock
 *  reading when we sent the request). Right as long as the server is within 68 years of us, and so
 *  correct across the 2036 era rollover (RFC 5905 §6, "era" arithmetic). */
export function ntpToUnixMs(ts: NtpTimestamp, pivotUnixMs: number): number {
  const pivotNtpSeconds = pivotUnixMs / 1000 + NTP_UNIX_OFFSET_SECONDS;
  const era = Math.round((pivotNtpSeconds - ts.seconds) / NTP_ERA_SECONDS);
  // Integer seconds first, then the fraction: keeps the result exact to ~0.25 µs at today's magnitudes.
  const unixSeconds = era * NTP_ERA_SECONDS + ts.seconds - NTP_UNIX_OFFSET_SECONDS;
  return unixSeconds * 1000 + (ts.fraction / FRACTION_UNIT) * 1000;
}

export function writeTimestamp(target: Uint8Array, offset: number, ts: NtpTimestamp): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, ts.seconds);
  view.setUint32(offset + 4, ts.fraction);
}

function readTimestamp(view: DataView, offset: number): NtpTimestamp {
  return { seconds: view.getUint32(offset), fraction: view.getUint32(offset + 4) };
}

function isZero(ts: NtpTimestamp): boolean {
  return ts.seconds === 0 && ts.fraction === 0;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Four ASCII capitals/digits (RFC 5905 §7.4 lists DENY, RSTR, RATE, INIT, STEP, …); null otherwise. */
function kissCode(ref: Uint8Array): string | null {
  const text = String.fromCharCode(...ref).replace(/\0+$/, '');
  return /^[A-Z][A-Z0-9]{1,3}$/.test(text) ? text : null;
}

function kissMeaning(code: string): string {
  switch (code) {
    case 'DENY':
    case 'RSTR':
      return ' (access denied: stop asking this server)';
    case 'RATE':
      return ' (rate exceeded: poll this server less often)';
    default:
      return '';
  }
}

function formatReferenceId(ref: Uint8Array, stratum: number): string {
  if (stratum === 1) {
    // A reference clock code: show printable ASCII only, never raw bytes from the network.
    return String.fromCharCode(...ref).replace(/\0+$/, '').replace(/[^\x20-\x7e]/g, '?');
  }
  return Array.from(ref).join('.');
}
