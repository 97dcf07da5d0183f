/**
 * With mTLS on, the TLS layer already refuses a client without a certificate from
 * `tls.clientCAFile`. That CA may sign more than the API server's webhook client certificate
 * (a cluster CA signs every kubelet and controller), so this middleware also checks *which*
 * client it is: the certificate's subject CN or one of its DNS SANs must be in
 * `tls.allowedClientNames`. Anyone else gets HTTP 403 before the body is read, and one log
 * line per connection says who was refused (issue 14: only the API server calls the webhook).
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

export interface ClientIdentityCheck {
  /** mTLS is on at the listener (fixed at start). Off: every caller passes (no identity to check). */
  readonly required: boolean;
  /** The allow-list now (hot-reloadable with the config). */
  allowedNames(): readonly string[];
}

interface Verdict { readonly allowed: boolean; readonly names: readonly string[]; readonly listKey: string }

/** Express middleware enforcing {@link ClientIdentityCheck}. */
export function requireAllowedClient(check: ClientIdentityCheck, logger: Logger) {
  // One verdict per TLS connection (and allow-list): the certificate cannot change on it.
  const verdicts = new WeakMap<TLSSocket, Verdict>();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!check.required) return next();
    const socket = req.socket as TLSSocket;
    const allowed = check.allowedNames();
    const listKey = allowed.join('\n');
    let verdict = verdicts.get(socket);
    if (!verdict || verdict.listKey !== listKey) {
      verdict = judge(socket, allowed, listKey);
      verdicts.set(socket, verdict);
      if (!verdict.allowed) {
        logger.warn({ client: { names: verdict.names.slice(0, 8), address: socket.remoteAddress }, allowed: allowed.slice(0, 8) }, 'caller refused: its client certificate is not in tls.allowedClientNames');
      }
    }
    if (verdict.allowed) return next();
    res.status(403).json({ code: 'CLIENT_NOT_ALLOWED', message: 'this client certificate may not call Portcullis (tls.allowedClientNames)' });
  };
}

function judge(socket: TLSSocket, allowed: readonly string[], listKey: string): Verdict {
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (!peer?.raw || !socket.authorized) return { allowed: false, names: [], listKey };
  const cns = ([] as unknown[]).concat(peer.subject?.CN ?? []).filter((x): x is string => typeof x === 'string');
  let cert: X509Certificate;
  try { cert = new X509Certificate(peer.raw); } catch { return { allowed: false, names: cns, listKey }; }
  const ok = allowed.some((name) => cns.includes(name)
    // checkHost matches DNS SANs only (subject: 'never'), case-insensitively, and no wildcard
    // certificate stands in for an allowed name.
    || cert.checkHost(name, { subject: 'never', wildcards: false, partialWildcards: false }) !== undefined);
  return { allowed: ok, names: [...cns, ...dnsNames(cert)], listKey };
}

function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
}
