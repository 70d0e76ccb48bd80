/**
 * Bootstrap tokens (what `tkube join` presents before a node has a certificate): a bearer
 * token `<id>.<secret>` is valid while the Secret kube-system/bootstrap-token-<id> of type
 * bootstrap.kubernetes.io/token holds that secret, allows authentication and has not
 * expired. The user is system:bootstrap:<id> in system:bootstrappers and the Secret's
 * auth-extra-groups.
 */
import { timingSafeEqual } from 'node:crypto';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, tokenExpiry } from '../../../api/bootstrap/token-secret.js';
import { isApiError } from '../../../api/meta/errors.js';
import { secrets } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { Secret } from '../../../api/types/config.js';
import type { ResourceStore } from '../../registry/resource-store.js';
import type { Authenticator, UserInfo } from '../types.js';
import { bearerToken, withAuthenticatedGroup } from './credentials.js';

export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export interface BootstrapTokenAuthenticatorOptions {
  /** Told why a bootstrap token was refused (with its id, never its secret). */
  onRejected?(tokenId: string, reason: string): void;
  now?(): Date;
}

export function createBootstrapTokenAuthenticator(src: { storeFor(def: ResourceDef): ResourceStore }, opts: BootstrapTokenAuthenticatorOptions = {}): Authenticator {
  const reject = (id: string, reason: string): undefined => {
    opts.onRejected?.(id, reason);
    return undefined;
  };
  return {
    async authenticate(req): Promise<UserInfo | undefined> {
      const m = TOKEN.exec(bearerToken(req) ?? '');
      if (!m) return undefined;
      const [, id, secret] = m as unknown as [string, string, string];
      const s = await readSecret(src.storeFor(secrets as unknown as ResourceDef), `bootstrap-token-${id}`);
      if (!s) return reject(id, 'no such token');
      if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return reject(id, `secret type is ${s.type}`);
      if (s.metadata.deletionTimestamp) return reject(id, 'token is being deleted');
      const data = decode(s.data ?? {});
      if (data['token-id'] !== id) return reject(id, 'token-id does not match the secret name');
      if (!sameSecret(data['token-secret'] ?? '', secret)) return reject(id, 'wrong token secret');
      if (data['usage-bootstrap-authentication'] !== 'true') return reject(id, 'token is not for authentication');
      // Kubernetes' rule: RFC3339, and one that does not parse counts as expired.
      if (tokenExpiry(s, opts.now?.() ?? new Date()).expired) return reject(id, 'token has expired');
      const extra = (data['auth-extra-groups'] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
      const bad = extra.find((g) => !EXTRA_GROUP.test(g));
      if (bad) return reject(id, `invalid auth-extra-groups entry ${JSON.stringify(bad)}`);
      return { name: `system:bootstrap:${id}`, groups: withAuthenticatedGroup([BOOTSTRAPPERS_GROUP, ...extra.filter((g) => g !== BOOTSTRAPPERS_GROUP)]) };
    },
  };
}

/** The watch cache first (every request would otherwise read etcd), etcd when it has not seen the Secret yet. */
async function readSecret(store: ResourceStore, name: string): Promise<Secret | undefined> {
  const cached = store.cache.synced ? store.cache.get(store.key('kube-system', name)) : undefined;
  if (cached) return cached as Secret;
  try {
    return (await store.get('kube-system', name)) as Secret;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

function decode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
