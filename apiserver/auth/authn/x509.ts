/**
 * Client-certificate authentication: the TLS peer certificate, verified by the TLS layer
 * against --client-ca-file, names the user (CN) and groups (O). A certificate that did not
 * verify (another CA, expired, not for client use) is refused. Its validity dates are also
 * checked on every request, as kube-apiserver verifies the chain per request: a resumed TLS
 * session skips the handshake's checks, and a keep-alive connection outlives its certificate.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Authenticator, UserInfo } from '../types.js';
import { unauthorized, withAuthenticatedGroup } from './credentials.js';

export interface X509AuthenticatorOptions {
  /** Told why a certificate was refused (the TLS error, never key material). */
  onRejected?(reason: string): void;
}

export function createX509Authenticator(opts: X509AuthenticatorOptions = {}): Authenticator {
  // A connection's peer certificate is fixed at the handshake: decode it once per connection, not per request.
  const byConnection = new WeakMap<object, { user: UserInfo; notBefore: number; notAfter: number }>();
  const expired = (c: { notBefore: number; notAfter: number }) => {
    const now = Date.now();
    if (now >= c.notBefore && now < c.notAfter) return false;
    opts.onRejected?.(now < c.notBefore ? 'client certificate is not yet valid' : 'client certificate has expired');
    return true;
  };
  return {
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      const socket = req.socket as Partial<TLSSocket>;
      if (typeof socket.getPeerCertificate !== 'function') return undefined;
      const known = byConnection.get(socket);
      if (known) {
        if (expired(known)) throw unauthorized();
        return known.user;
      }
      const peer = socket.getPeerCertificate();
      if (!peer || Object.keys(peer).length === 0) return undefined;
      if (!socket.authorized) {
        opts.onRejected?.(String(socket.authorizationError ?? 'certificate not verified'));
        throw unauthorized();
      }
      const name = first(peer.subject?.CN);
      if (!name) {
        opts.onRejected?.('client certificate has no common name');
        throw unauthorized();
      }
      const user = { name, groups: withAuthenticatedGroup(all(peer.subject?.O)) };
      const validity = { user, notBefore: Date.parse(peer.valid_from), notAfter: Date.parse(peer.valid_to) };
      // NaN dates compare false: a certificate whose dates do not parse is refused.
      if (expired(validity)) throw unauthorized();
      byConnection.set(socket, validity);
      return user;
    },
  };
}

// Node gives a repeated attribute as an array and a single one as a string.
function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function first(v: string | string[] | undefined): string | undefined {
  return all(v)[0];
}
