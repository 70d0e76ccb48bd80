/**
 * Client-certificate authentication: the TLS peer certificate, verified by the TLS layer
 * against --client-ca-file, names the user (CN) and groups (O). A certificate that did not
 * verify (another CA, expired, not for client use) is refused.
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
  const byConnection = new WeakMap<object, UserInfo>();
  return {
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      const socket = req.socket as Partial<TLSSocket>;
      if (typeof socket.getPeerCertificate !== 'function') return undefined;
      const known = byConnection.get(socket);
      if (known) return known;
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
      byConnection.set(socket, user);
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
