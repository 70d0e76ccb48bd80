/**
 * Several authenticators asked in order (Kubernetes' union authenticator): the first that
 * recognises the request names its user. A credential that none accepts is refused with
 * 401 even where anonymous access would be allowed, as kube-apiserver does: a client that
 * sends a wrong token must learn that it is wrong.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../api/meta/errors.js';
import type { Authenticator, UserInfo } from '../types.js';
import { bearerToken, unauthorized } from './credentials.js';

export function unionAuthenticator(members: readonly Authenticator[]): Authenticator {
  return {
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      let refused: unknown;
      for (const a of members) {
        try {
          const user = await a.authenticate(req);
          if (user) return user;
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 401)) throw err;
          refused = err;
        }
      }
      if (refused || bearerToken(req) !== undefined || req.headers.authorization) throw unauthorized();
      return undefined;
    },
  };
}
