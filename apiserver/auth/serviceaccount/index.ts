/**
 * Service accounts in the apiserver: token keys, the token authenticator and the
 * TokenRequest subresource. server.ts loads the keys (loadServiceAccountKeys), adds the
 * authenticator to its chain and passes the keys to the handlers (HandlerContext.serviceAccountKeys).
 */
export { loadServiceAccountKeys, serviceAccountKeysFromPem, type ServiceAccountKeys } from './keys.js';
export {
  bearerToken,
  createServiceAccountAuthenticator,
  serviceAccountUser,
  validateBoundObjects,
  SERVICE_ACCOUNTS_GROUP,
  type ServiceAccountAuthenticatorOptions,
} from './authenticator.js';
export { signServiceAccountToken, verifyServiceAccountToken, serviceAccountUsername, InvalidTokenError, type ServiceAccountTokenClaims } from './jwt.js';
export { createToken, parseTokenRequest } from './token-request.js';
export { serveTokenRequest, type TokenRequestContext } from './token-request-http.js';
export { serviceAccountLookup, type StoreSource } from './object-lookup.js';
