// What a TLS client certificate on an HTTPS listener entitles its holder to: the TLS layer has checked
// the chain to the deployment CA (socket.authorized); this adds the Ferry role marker and refuses
// CA certificates presented as clients.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { endEntityProblem, type FerryRole } from '../pki/roles.js';

export type ClientRoleVerdict =
  | { readonly ok: true; readonly role: FerryRole; readonly subjectCN: string }
  | { readonly ok: false; readonly presented: boolean; readonly detail: string };

/** Whether the connection's client certificate verified against the CA and carries one of `roles`. */
export function clientRole(socket: TLSSocket, roles: readonly FerryRole[]): ClientRoleVerdict {
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  if (!peer || !peer.raw || peer.raw.length === 0) return { ok: false, presented: false, detail: 'no client certificate' };
  const cn = typeof peer.subject?.CN === 'string' ? peer.subject.CN : '';
  if (!socket.authorized) {
    return { ok: false, presented: true, detail: `client certificate CN=${cn} does not verify against the deployment CA (${String(socket.authorizationError)})` };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(peer.raw);
  } catch (e) {
    return { ok: false, presented: true, detail: `client certificate does not parse (${(e as Error).message})` };
  }
  const problems: string[] = [];
  for (const role of roles) {
    const p = endEntityProblem(cert, role);
    if (!p) return { ok: true, role, subjectCN: cn };
    problems.push(p);
  }
  return { ok: false, presented: true, detail: `client certificate CN=${cn}: ${problems.join('; ')}` };
}
