// Whether a configured listen address stays on this host. A name other than "localhost" is not
// resolved here: it counts as reachable from elsewhere (fail closed).
import { isIPv4, isIPv6 } from 'node:net';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}
