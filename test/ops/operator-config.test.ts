// The operator section of both gateway configs: validated like the rest (unknown keys, ranges), and
// an operator listener off loopback without TLS is refused at load, naming the key.
import { describe, expect, it } from 'vitest';
import { externalSchema, internalSchema } from '../../src/config/gateway-config.js';
import { SchemaError } from '../../src/config/schema.js';
import { isLoopback } from '../../src/config/loopback.js';

const base = {
  gateway: 'external', dataDir: '/x',
  api: { host: '127.0.0.1', port: 1, tls: { cert: 'c', key: 'k' } },
  link: { host: '127.0.0.1', port: 2, tls: { cert: 'c', key: 'k' }, peer: { subjects: ['p'] } },
  keys: { ca: 'a', signCert: 'b', signKey: 'c', encCert: 'd', encKey: 'e' },
  peer: { encCert: 'f', signerSubjects: ['s'] }, domains: { self: 'public', peer: 'intranet' }, policy: 'p.yaml',
};
const load = (operator: unknown) => externalSchema(operator === undefined ? base : { ...base, operator }, '');

describe('operator config', () => {
  it('defaults to loopback on the role\'s own port with a 120 s link grace', () => {
    expect(load(undefined).operator).toEqual({ host: '127.0.0.1', port: 8445, tls: null, linkGraceSeconds: 120 });
    const { api: _api, ...common } = base;
    const internal = internalSchema({ ...common, gateway: 'internal', link: { url: 'wss://h:1/link', tls: { cert: 'c', key: 'k' }, peer: { subjects: ['p'] } },
      intranet: { host: '127.0.0.1', port: 3, tls: { cert: 'c', key: 'k' } }, tsa: { cert: 'c', key: 'k', policyOid: '2.25.1' } }, '');
    expect(internal.operator.port).toBe(8319);
  });
  it('accepts port 0 (tests) and a TLS listener on another address', () => {
    expect(load({ port: 0 }).operator.port).toBe(0);
    expect(load({ host: '10.0.0.5', port: 9443, tls: { cert: 'c', key: 'k' } }).operator.host).toBe('10.0.0.5');
  });
  const refused: [string, unknown, string][] = [
    ['an address off loopback without TLS', { host: '0.0.0.0', port: 9443 }, 'operator.tls'],
    ['a host name other than localhost without TLS', { host: 'ops.example', port: 9443 }, 'operator.tls'],
    ['an IPv6 wildcard without TLS', { host: '::', port: 9443 }, 'operator.tls'],
    ['an unknown key', { port: 1, metricsPath: '/m' }, 'operator.metricsPath'],
    ['a port out of range', { port: 70000 }, 'operator.port'],
    ['a zero grace period', { port: 1, linkGraceSeconds: 0 }, 'operator.linkGraceSeconds'],
    ['no port', { host: '127.0.0.1' }, 'operator.port'],
  ];
  it.each(refused)('refuses %s, naming the key', (_n, operator, path) => {
    let err: unknown;
    try { load(operator); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).path).toBe(path);
  });
  it('counts only loopback addresses as loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.evil', '::ffff:10.0.0.1'].some(isLoopback)).toBe(false);
  });
});
