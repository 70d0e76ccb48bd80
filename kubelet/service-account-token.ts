/**
 * The kubelet's service-account tokens for projected `serviceAccountToken` volume sources:
 * a TokenRequest for the pod's ServiceAccount bound to the pod, cached per pod, audience
 * and lifetime, and requested again once 80% of its lifetime has passed or it is 24 hours
 * old (Kubernetes' token manager). If a renewal fails the old token is used while valid.
 * Tokens are never logged.
 */
import type { Logger } from 'pino';
import type { RequestOptions } from '../api/client/transport.js';
import type { Pod } from '../api/types/pod.js';

export interface TokenAsk {
  /** Empty: the apiserver's own audiences. */
  audience?: string;
  expirationSeconds: number;
}

/** What the volume manager needs: a token for a pod, and to forget a pod's tokens when it goes. */
export interface ServiceAccountTokenSource {
  token(pod: Pod, ask: TokenAsk): Promise<string>;
  forget(podUid: string): void;
}

interface CachedToken {
  token: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

interface TokenRequestAnswer {
  spec?: { expirationSeconds?: number | null };
  status?: { token?: string; expirationTimestamp?: string };
}

const MAX_TOKEN_AGE_MS = 24 * 3600_000;

/** True once 80% of the token's lifetime has passed, or it is older than a day. */
export function needsRefresh(t: CachedToken, nowMs: number): boolean {
  const lifetime = t.expiresAtMs - t.issuedAtMs;
  return nowMs >= t.issuedAtMs + lifetime * 0.8 || nowMs - t.issuedAtMs > MAX_TOKEN_AGE_MS;
}

export class ServiceAccountTokenManager implements ServiceAccountTokenSource {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly o: {
      client: { request<R>(req: RequestOptions): Promise<R> };
      logger?: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  async token(pod: Pod, ask: TokenAsk): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const key = `${uid}|${ask.audience ?? ''}|${ask.expirationSeconds}`;
    const cached = this.cache.get(key);
    const now = this.now();
    if (cached && !needsRefresh(cached, now)) return cached.token;
    try {
      const fresh = await this.request(pod, ask, now);
      this.cache.set(key, fresh);
      return fresh.token;
    } catch (err) {
      if (cached && now < cached.expiresAtMs) {
        this.o.logger?.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: (err as Error).message }, 'could not renew a service-account token; using the current one');
        return cached.token;
      }
      throw err;
    }
  }

  forget(podUid: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${podUid}|`)) this.cache.delete(key);
  }

  private async request(pod: Pod, ask: TokenAsk, now: number): Promise<CachedToken> {
    const ns = pod.metadata.namespace ?? 'default';
    const sa = pod.spec.serviceAccountName || 'default';
    const answer = await this.o.client.request<TokenRequestAnswer>({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: ask.audience ? [ask.audience] : [],
          expirationSeconds: ask.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
        },
      },
    });
    const token = answer.status?.token;
    if (!token) throw new Error(`the TokenRequest for ${ns}/${sa} returned no token`);
    // The lifetime the apiserver granted, counted on our own clock (the two clocks may differ).
    const lifetimeSeconds = answer.spec?.expirationSeconds ?? ask.expirationSeconds;
    return { token, issuedAtMs: now, expiresAtMs: now + lifetimeSeconds * 1000 };
  }
}
