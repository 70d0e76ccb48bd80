/** The HTTP side of serviceaccounts/{name}/token: POST only, a TokenRequest in, a TokenRequest out (201). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, methodNotAllowed } from '../../../api/meta/errors.js';
import { mediaType, parseObjectBody, readBody } from '../../http/body.js';
import { writeJson } from '../../http/respond.js';
import type { ServiceAccountKeys } from './keys.js';
import type { StoreSource } from './object-lookup.js';
import { createToken, parseTokenRequest } from './token-request.js';

export interface TokenRequestContext extends StoreSource {
  /** Absent when the apiserver has no service-account signing key: the subresource does not exist then. */
  serviceAccountKeys?: ServiceAccountKeys;
}

export async function serveTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string,
  name: string,
  ctx: TokenRequestContext,
): Promise<void> {
  if (!ctx.serviceAccountKeys) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource (serviceaccounts/token)');
  }
  if (req.method !== 'POST') throw methodNotAllowed(`the server does not allow method ${req.method ?? ''} on serviceaccounts/token`);
  const request = parseTokenRequest(parseObjectBody(await readBody(req), mediaType(req)));
  const issued = await createToken(ctx.serviceAccountKeys, ctx, namespace, name, request);
  writeJson(res, 201, issued);
}
