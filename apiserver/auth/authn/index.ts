/** Authentication of apiserver requests: who is asking. */
export { bearerToken, unauthorized, withAuthenticatedGroup, AUTHENTICATED_GROUP } from './credentials.js';
export { createX509Authenticator, type X509AuthenticatorOptions } from './x509.js';
export { createTokenFileAuthenticator, loadTokenFile, parseTokenFile } from './token-file.js';
export { createBootstrapTokenAuthenticator, BOOTSTRAPPERS_GROUP, type BootstrapTokenAuthenticatorOptions } from './bootstrap-token.js';
export { unionAuthenticator } from './union.js';
export { isPublicInfoPath } from './public-paths.js';
