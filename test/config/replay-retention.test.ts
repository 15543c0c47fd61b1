// link.replayRetentionHours and link.replayRetentionMaxBytes (PROTOCOL.md §6 rule 12): default to the
// named constants beside the retained table, on both gateways; a value out of range is refused at
// load with the key named, so a gateway never starts with no retention (0) or an unbounded one.
import { describe, expect, it } from 'vitest';
import { externalSchema, internalSchema } from '../../src/config/gateway-config.js';
import { DEFAULT_REPLAY_RETENTION_HOURS, DEFAULT_REPLAY_RETENTION_MAX_BYTES } from '../../src/store/outbox-retained.js';

const tls = { cert: 'c.crt', key: 'c.key' };
const common = {
  dataDir: 'var', keys: { ca: 'a', signCert: 'b', signKey: 'c', encCert: 'd', encKey: 'e' },
  peer: { encCert: 'f', signerSubjects: ['s'] }, domains: { self: 'public', peer: 'intranet' }, policy: 'p.yaml',
};
const external = (link: Record<string, unknown> = {}) => externalSchema({
  ...common, gateway: 'external', api: { host: '127.0.0.1', port: 1, tls }, link: { host: '127.0.0.1', port: 2, tls, peer: { subjects: ['p'] }, ...link },
}, 'external.yaml');
const internal = (link: Record<string, unknown> = {}) => internalSchema({
  ...common, gateway: 'internal', link: { url: 'wss://h:1/link', tls, peer: { subjects: ['p'] }, ...link },
  intranet: { host: '127.0.0.1', port: 3, tls }, tsa: { cert: 't', key: 'k', policyOid: '2.25.1' },
}, 'internal.yaml');

describe('replay retention config', () => {
  it('defaults to 72 h and 2 GiB, the named constants, on both gateways', () => {
    expect(DEFAULT_REPLAY_RETENTION_HOURS).toBe(72);
    expect(DEFAULT_REPLAY_RETENTION_MAX_BYTES).toBe(2 * 1024 ** 3);
    for (const cfg of [external(), internal()]) {
      expect(cfg.link).toMatchObject({ replayRetentionHours: DEFAULT_REPLAY_RETENTION_HOURS, replayRetentionMaxBytes: DEFAULT_REPLAY_RETENTION_MAX_BYTES });
    }
    expect(external({ replayRetentionHours: 168, replayRetentionMaxBytes: 10 * 1024 ** 3 }).link).toMatchObject({ replayRetentionHours: 168, replayRetentionMaxBytes: 10 * 1024 ** 3 });
  });

  it.each([
    ['no retention', { replayRetentionHours: 0 }, /link\.replayRetentionHours/],
    ['past 90 days', { replayRetentionHours: 90 * 24 + 1 }, /link\.replayRetentionHours/],
    ['not a number', { replayRetentionHours: '72h' }, /link\.replayRetentionHours/],
    ['a cap under 1 MiB', { replayRetentionMaxBytes: 1000 }, /link\.replayRetentionMaxBytes/],
  ])('refuses %s, naming the key', (_name, link, key) => {
    expect(() => external(link)).toThrow(key);
    expect(() => internal(link)).toThrow(key);
  });
});
