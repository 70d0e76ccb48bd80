/**
 * The authenticated user of a request, attached once by the server's authentication
 * step and read by whatever needs it later (SelfSubjectAccessReview, TokenRequest,
 * admission). Requests served without authentication count as the loopback admin.
 */
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './types.js';

/** Who a request is when the apiserver runs without authentication (plain HTTP, tests, `tkube up` before TLS). */
export const UNSECURED_USER: UserInfo = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

const users = new WeakMap<IncomingMessage, UserInfo>();

export function setRequestUser(req: IncomingMessage, user: UserInfo): void {
  users.set(req, user);
}

export function requestUser(req: IncomingMessage): UserInfo {
  return users.get(req) ?? UNSECURED_USER;
}
