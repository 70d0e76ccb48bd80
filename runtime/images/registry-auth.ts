// Registry authentication: answer a WWW-Authenticate challenge with Basic credentials
// or with a bearer token fetched from the challenge's token endpoint (the Docker
// token protocol, also used by OCI registries).
import { z } from 'zod';
import type { RegistryAuth } from './types.js';

export interface Challenge {
  scheme: string; // lower-case: 'basic' | 'bearer' | ...
  params: Record<string, string>;
}

/** Parse `Bearer realm="https://auth",service="registry",scope="repository:x:pull"`. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]!)) !== null) {
    if (p[0] === '') break;
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export function basicCredentials(auth?: RegistryAuth): { username: string; password: string } | undefined {
  if (!auth) return undefined;
  if (auth.username !== undefined && auth.username !== '') return { username: auth.username, password: auth.password ?? '' };
  if (auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

const TokenResponse = z.object({ token: z.string().optional(), access_token: z.string().optional() });

export class RegistryAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryAuthError';
  }
}

/**
 * The Authorization header value to retry with after a 401 carrying `challenge`,
 * or undefined when the challenge cannot be answered.
 */
export async function answerChallenge(challenge: Challenge, auth: RegistryAuth | undefined, scope: string, fetchFn: typeof fetch): Promise<string | undefined> {
  const creds = basicCredentials(auth);
  if (challenge.scheme === 'basic') return creds ? basicHeader(creds) : undefined;
  if (challenge.scheme !== 'bearer') return undefined;
  const realm = challenge.params['realm'];
  if (!realm) throw new RegistryAuthError('bearer challenge without a realm');
  const url = new URL(realm);
  const service = challenge.params['service'];
  const wantScope = challenge.params['scope'] ?? scope;

  let res: Response;
  if (auth?.identityToken) {
    // OAuth2 refresh-token grant (what `docker login` stores as identitytoken).
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'tkube', scope: wantScope });
    if (service) form.set('service', service);
    res = await fetchFn(url, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
  } else {
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', wantScope);
    const headers: Record<string, string> = {};
    if (creds) headers['authorization'] = basicHeader(creds);
    res = await fetchFn(url, { headers, signal: AbortSignal.timeout(30_000) });
  }
  if (!res.ok) throw new RegistryAuthError(`token endpoint ${url.origin}${url.pathname} answered ${res.status}`);
  const body = TokenResponse.parse(await res.json());
  const token = body.token ?? body.access_token;
  if (!token) throw new RegistryAuthError('token endpoint returned no token');
  return `Bearer ${token}`;
}
