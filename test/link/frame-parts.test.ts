// A packet frame sent as two fragments (frame-codec.ts encodePacketFrameParts) is, once joined, a
// LinkFrame that decodes to the same packet and id as encodeFrame's; the packet part is the packet's
// own Buffer (not a copy).
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodePacketFrameParts } from '../../src/link/frame-codec.js';

describe('packet frame in parts', () => {
  it.each([1, 127, 128, 300, 16_383, 16_384, 2_097_152, 22_000_000])('joins to a frame that decodes like encodeFrame\'s (packet of %i bytes)', (n) => {
    const packet = Buffer.alloc(n, 0x5a);
    if (n) packet[n - 1] = 7;
    const packetId = Buffer.alloc(16, 3);
    const [head, body] = encodePacketFrameParts(packetId, packet);
    expect(body).toBe(packet);
    const joined = decodeFrame(Buffer.concat([head, body]));
    const whole = decodeFrame(encodeFrame({ type: 'packet', packet, packetId }));
    expect(joined.ok).toBe(true);
    expect(whole.ok).toBe(true);
    if (!joined.ok || !whole.ok || joined.value.type !== 'packet' || whole.value.type !== 'packet') return;
    // Compared with equals(): a deep toEqual over 22 MB is what would take the time here.
    expect(joined.value.packet.equals(whole.value.packet)).toBe(true);
    expect(joined.value.packet.equals(packet)).toBe(true);
    expect(joined.value.packetId.equals(packetId)).toBe(true);
  });

  it.each([1, 127, 128, 2 ** 31, 2 ** 53 - 1])('carries the sender seq %i (rule 13) exactly as encodeFrame does', (seq) => {
    const packet = Buffer.from('sealed packet bytes');
    const packetId = Buffer.alloc(16, 9);
    const [head, body] = encodePacketFrameParts(packetId, packet, seq);
    const joined = decodeFrame(Buffer.concat([head, body]));
    if (!joined.ok || joined.value.type !== 'packet') throw new Error('did not decode');
    expect(joined.value.seq).toBe(seq);
    expect(joined.value.packet.equals(packet)).toBe(true);
  });
});
