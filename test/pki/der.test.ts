import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DerError, TAG, integer, namedBits, oid, parseDer, readGeneralizedTime, readInteger, readNamedBits, readOid, readTime, setOf, tlv,
} from '../../src/pki/der.js';

describe('DER writer and strict reader', () => {
  it('INTEGER: any bigint round-trips in the fewest octets', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (v) => {
      const der = integer(v);
      expect(readInteger(parseDer(der), 'x')).toBe(v);
      const c = der.subarray(2);
      if (c.length > 1) expect((c[0] === 0 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80)).toBe(false);
    }));
  });

  it('OID: dotted text round-trips', () => {
    const arc = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(arc, { maxLength: 8 }), (a, b, rest) => {
      const text = [a, b, ...rest].join('.');
      expect(readOid(parseDer(oid(text)), 'x')).toBe(text);
    }));
    expect(oid('1.2.840.113549.1.9.16.1.4').toString('hex')).toBe('060b2a864886f70d0109100104');
  });

  it('lengths: long form from 128 bytes on, read back exactly', () => {
    for (const n of [0, 127, 128, 255, 256, 65535, 65536]) {
      const der = tlv(TAG.OCTET_STRING, Buffer.alloc(n));
      expect(parseDer(der).end - parseDer(der).contentStart).toBe(n);
    }
  });

  it.each([
    ['a non-minimal long-form length', '04810100'],
    ['an indefinite length', '04800000'],
    ['a length past the end', '0405aabb'],
    ['an empty INTEGER', '0200'],
    ['a high tag number', '1f2000'],
  ])('rejects %s', (_n, hex) => {
    expect(() => parseDer(Buffer.from(hex, 'hex'))).toThrow(DerError);
  });

  it('SET OF is sorted by encoding (X.690 §11.6)', () => {
    expect(setOf(integer(300n), integer(1n), integer(2n)).toString('hex')).toBe('310a' + '020101' + '020102' + '0202012c');
  });

  it('named bit strings drop trailing zero bits (X.690 §11.2.2)', () => {
    expect(namedBits([0]).toString('hex')).toBe('03020780'); // badAlg
    expect(namedBits([25]).toString('hex')).toBe('03050600000040'); // systemFailure
    expect([...readNamedBits(parseDer(namedBits([2, 15])), 'x')]).toEqual([2, 15]);
  });

  it('GeneralizedTime: UTC with a fraction free of trailing zeros; impossible dates refused', () => {
    const g = (s: string) => readGeneralizedTime(parseDer(tlv(TAG.GENERALIZED_TIME, Buffer.from(s))), 't');
    expect(g('20261125100000.25Z').date.toISOString()).toBe('2026-11-25T10:00:00.250Z');
    expect(g('20261125100000.123456Z').date.toISOString()).toBe('2026-11-25T10:00:00.123Z');
    for (const bad of ['20261125100000.250Z', '20261125100000+0100', '20260231100000Z', '2026112510000Z', '20261125100000.Z']) {
      expect(() => g(bad), bad).toThrow(DerError);
    }
    expect(readTime(parseDer(tlv(TAG.UTC_TIME, Buffer.from('491231235959Z'))), 't').getUTCFullYear()).toBe(2049);
    expect(readTime(parseDer(tlv(TAG.UTC_TIME, Buffer.from('500101000000Z'))), 't').getUTCFullYear()).toBe(1950);
  });
});
