import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeReply,
  encodeRequest,
  NTP_ERA_SECONDS,
  NTP_PACKET_BYTES,
  ntpToUnixMs,
  UNAUTHENTICATED_REJECTS,
  unixMsToNtp,
  writeTimestamp,
} from '../../src/time/sntp-packet.js';

const NONCE = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);

// A reply captured from chronyd 4.3 (`local stratum 3`) to a request whose transmit was NONCE.
const CHRONYD_REPLY = Buffer.from(
  '240300e600000000000000007f7f0101eeb115745a66039d123456789abcdef0eeb115765a05f18beeb115765a118330',
  'hex',
);
// chronyd 4.3 with no `local` and no sources: LI 3, stratum 0, reference id 0.
const CHRONYD_UNSYNCED = Buffer.from(
  'e40000e60001000000010000000000000000000000000000123456789abcdef0eeb1160d97553bd9eeb1160d982c71fa',
  'hex',
);

/** A well-formed server reply to NONCE, with `patch` applied to its bytes. */
function reply(patch: (b: Uint8Array) => void = () => undefined): Uint8Array {
  const b = new Uint8Array(CHRONYD_REPLY);
  patch(b);
  return b;
}

describe('encodeRequest', () => {
  it('is a 48-byte client request, LI 0, version 4, mode 3, carrying only the random transmit timestamp', () => {
    const req = encodeRequest(NONCE);
    expect(req.length).toBe(NTP_PACKET_BYTES);
    expect(req[0]).toBe(0x23); // 00 100 011
    expect(Array.from(req.subarray(40))).toEqual(Array.from(NONCE));
    // No clock reading leaks: every other byte is zero (T1 stays on our side).
    expect(req.subarray(1, 40).every((x) => x === 0)).toBe(true);
  });

  it('refuses a nonce that is not 8 bytes', () => {
    expect(() => encodeRequest(new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('decodeReply', () => {
  it('decodes a real chronyd reply', () => {
    const v = decodeReply(CHRONYD_REPLY, NONCE);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value).toMatchObject({ leap: 0, version: 4, mode: 4, stratum: 3, poll: 0, referenceId: '127.127.1.1' });
    expect(v.value.precision).toBe(-26);
    expect(v.value.rootDelayMs).toBe(0);
    expect(v.value.rootDispersionMs).toBe(0); // `local` is its own reference
    expect(v.value.receiveTimestamp).toEqual({ seconds: 0xeeb11576, fraction: 0x5a05f18b });
    expect(v.value.transmitTimestamp).toEqual({ seconds: 0xeeb11576, fraction: 0x5a118330 });
  });

  it('reads root delay and dispersion as unsigned 16.16 seconds', () => {
    // Bytes 4..11 of chronyd's unsynchronised reply: 0x00010000 each, one second.
    const v = decodeReply(reply((b) => b.set(CHRONYD_UNSYNCED.subarray(4, 12), 4)), NONCE);
    expect(v.ok && v.value.rootDelayMs).toBe(1000);
    expect(v.ok && v.value.rootDispersionMs).toBe(1000);
    const big = decodeReply(reply((b) => b.set([0x80, 0, 0x80, 0], 4)), NONCE);
    expect(big.ok && big.value.rootDelayMs).toBe(32_768_500); // high bit is not a sign
  });

  it.each([
    ['a 47-byte reply', reply().subarray(0, 47), 'FERRY_ERR_TIME_REPLY_LENGTH'],
    ['a 68-byte reply (MAC appended)', Buffer.concat([reply(), Buffer.alloc(20)]), 'FERRY_ERR_TIME_REPLY_LENGTH'],
    ['an empty datagram', new Uint8Array(0), 'FERRY_ERR_TIME_REPLY_LENGTH'],
    ['version 2', reply((b) => (b[0] = (0 << 6) | (2 << 3) | 4)), 'FERRY_ERR_TIME_REPLY_VERSION'],
    ['version 7', reply((b) => (b[0] = (0 << 6) | (7 << 3) | 4)), 'FERRY_ERR_TIME_REPLY_VERSION'],
    ['client mode (our own request reflected)', reply((b) => (b[0] = 0x23)), 'FERRY_ERR_TIME_REPLY_MODE'],
    ['broadcast mode 5', reply((b) => (b[0] = (4 << 3) | 5)), 'FERRY_ERR_TIME_REPLY_MODE'],
    ['symmetric active mode 1', reply((b) => (b[0] = (4 << 3) | 1)), 'FERRY_ERR_TIME_REPLY_MODE'],
    ['an origin one bit off ours', reply((b) => (b[31] = (b[31] ?? 0) ^ 1)), 'FERRY_ERR_TIME_BOGUS_ORIGIN'],
    ['a zero origin', reply((b) => b.fill(0, 24, 32)), 'FERRY_ERR_TIME_BOGUS_ORIGIN'],
    ['kiss-o\'-death RATE', reply((b) => { b[0] = 0xe4; b[1] = 0; b.set(Buffer.from('RATE'), 12); }), 'FERRY_ERR_TIME_KISS_OF_DEATH'],
    ['kiss-o\'-death DENY with LI 0', reply((b) => { b[1] = 0; b.set(Buffer.from('DENY'), 12); }), 'FERRY_ERR_TIME_KISS_OF_DEATH'],
    ['chronyd unsynchronised (LI 3, stratum 0, refid 0)', CHRONYD_UNSYNCED, 'FERRY_ERR_TIME_UNSYNCHRONISED'],
    ['LI 3 at stratum 2', reply((b) => (b[0] = 0xe4)), 'FERRY_ERR_TIME_UNSYNCHRONISED'],
    ['stratum 16', reply((b) => (b[1] = 16)), 'FERRY_ERR_TIME_STRATUM'],
    ['stratum 255', reply((b) => (b[1] = 255)), 'FERRY_ERR_TIME_STRATUM'],
    ['a zero transmit timestamp', reply((b) => b.fill(0, 40, 48)), 'FERRY_ERR_TIME_ZERO_TRANSMIT'],
    ['a zero receive timestamp', reply((b) => b.fill(0, 32, 40)), 'FERRY_ERR_TIME_ZERO_TRANSMIT'],
  ])('refuses %s', (_name, bytes, code) => {
    const v = decodeReply(bytes, NONCE);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.code).toBe(code);
  });

  it('names the kiss code and what it asks for', () => {
    const v = decodeReply(reply((b) => { b[1] = 0; b.set(Buffer.from('RATE'), 12); }), NONCE);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.detail).toMatch(/kiss code RATE.*less often/);
  });

  it('checks the origin before believing a kiss-o\'-death (a spoofed KoD must not silence a server)', () => {
    const spoofedKod = reply((b) => { b[1] = 0; b.set(Buffer.from('DENY'), 12); b[24] = 0; });
    const v = decodeReply(spoofedKod, NONCE);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.code).toBe('FERRY_ERR_TIME_BOGUS_ORIGIN');
  });

  it('treats exactly the checks made before the origin match as possibly spoofed', () => {
    expect([...UNAUTHENTICATED_REJECTS].sort()).toEqual(
      ['FERRY_ERR_TIME_BOGUS_ORIGIN', 'FERRY_ERR_TIME_REPLY_LENGTH', 'FERRY_ERR_TIME_REPLY_MODE', 'FERRY_ERR_TIME_REPLY_VERSION'],
    );
  });

  it('accepts a version 3 reply and keeps a stratum-1 reference code printable', () => {
    const v = decodeReply(reply((b) => { b[0] = (3 << 3) | 4; b[1] = 1; b.set([0x47, 0x50, 0x53, 0x07], 12); }), NONCE);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.value.referenceId).toBe('GPS?');
  });

  it('never throws, whatever the bytes (fuzzed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes, nonce) => {
        const v = decodeReply(bytes, nonce);
        expect(typeof v.ok).toBe('boolean');
      }),
    );
  });
});

describe('NTP timestamps (1900 epoch, 32.32 fixed point, eras)', () => {
  it('maps the Unix epoch to NTP second 2208988800', () => {
    expect(unixMsToNtp(0)).toEqual({ seconds: 2_208_988_800, fraction: 0 });
    expect(ntpToUnixMs({ seconds: 2_208_988_800, fraction: 0 }, 0)).toBe(0);
  });

  it('reads half a second as fraction 2^31', () => {
    expect(unixMsToNtp(1_500)).toEqual({ seconds: 2_208_988_801, fraction: 2 ** 31 });
    expect(ntpToUnixMs({ seconds: 2_208_988_801, fraction: 2 ** 31 }, 0)).toBe(1_500);
  });

  it('puts NTP second 0 of era 1 at 2036-02-07T06:28:16Z when our clock says 2036', () => {
    const pivot = Date.parse('2036-02-07T00:00:00Z');
    expect(new Date(ntpToUnixMs({ seconds: 0, fraction: 0 }, pivot)).toISOString()).toBe('2036-02-07T06:28:16.000Z');
    // …and the same bits read in 1900 (era 0) when our clock says 1900.
    expect(new Date(ntpToUnixMs({ seconds: 0, fraction: 0 }, Date.parse('1900-01-02T00:00:00Z'))).toISOString()).toBe(
      '1900-01-01T00:00:00.000Z',
    );
  });

  it('resolves the era from our clock across the 2036 rollover in both directions', () => {
    const rollover = (NTP_ERA_SECONDS - 2_208_988_800) * 1000; // Unix ms of era 1, second 0
    const before = rollover - 1_000; // server one second before the wrap, we one second after
    expect(ntpToUnixMs(unixMsToNtp(before), rollover + 1_000)).toBe(before);
    const after = rollover + 250; // server just after the wrap, we just before
    expect(ntpToUnixMs(unixMsToNtp(after), rollover - 1_000)).toBe(after);
  });

  it('round-trips any millisecond instant from 1970 to 2100 within 1 µs, with the pivot up to 60 years away', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: Date.parse('2100-01-01T00:00:00Z'), noNaN: true }),
        fc.double({ min: -60 * 365 * 86_400_000, max: 60 * 365 * 86_400_000, noNaN: true }),
        (unixMs, skew) => {
          expect(Math.abs(ntpToUnixMs(unixMsToNtp(unixMs), unixMs + skew) - unixMs)).toBeLessThan(0.001);
        },
      ),
    );
  });

  it('writes timestamps big-endian at the given offset', () => {
    const b = new Uint8Array(48);
    writeTimestamp(b, 40, { seconds: 0xeeb11576, fraction: 0x5a118330 });
    expect(Buffer.from(b.subarray(40)).toString('hex')).toBe('eeb115765a118330');
  });
});
