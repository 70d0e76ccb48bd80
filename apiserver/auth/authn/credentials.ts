/** Reading credentials off a request, and the one answer every refused credential gets. */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../api/meta/errors.js';

/** The bearer token of `Authorization: Bearer <token>`, if the request carries one. */
export function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** 401 with the body kube-apiserver sends: it says nothing about why. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export const AUTHENTICATED_GROUP = 'system:authenticated';

/** Adds system:authenticated, as kube-apiserver does for every authenticated user. */
export function withAuthenticatedGroup(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? groups : [...groups, AUTHENTICATED_GROUP];
}
