// OCI distribution (v2) client: fetch manifests and blobs, authenticating on demand.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import { MANIFEST_ACCEPT } from './oci.js';
import { answerChallenge, parseChallenge } from './registry-auth.js';
import type { RegistryAuth } from './types.js';

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RepositoryRef {
  registry: string;
  repository: string;
}

export interface FetchedManifest {
  body: Buffer;
  contentType?: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostOnly(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(0, registry.indexOf(']') + 1);
  const colon = registry.lastIndexOf(':');
  return colon >= 0 ? registry.slice(0, colon) : registry;
}

/** https, except for loopback and explicitly insecure registries (plain http). */
export function registryBaseUrl(registry: string, insecure: readonly string[] = []): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  const plain = LOCAL_HOSTS.has(hostOnly(registry)) || insecure.includes(registry) || insecure.includes(hostOnly(registry));
  return `${plain ? 'http' : 'https'}://${registry}`;
}

export class RegistryClient {
  /** Authorization header per registry/repository, reused until the next 401. */
  private readonly authz = new Map<string, string>();
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: { insecureRegistries?: string[]; logger?: Logger; fetch?: typeof fetch } = {}) {
    this.fetchFn = opts.fetch ?? fetch;
  }

  private url(ref: RepositoryRef, path: string): string {
    return `${registryBaseUrl(ref.registry, this.opts.insecureRegistries)}/v2/${ref.repository}/${path}`;
  }

  private async request(ref: RepositoryRef, path: string, init: { accept?: string; timeoutMs?: number }, auth?: RegistryAuth): Promise<Response> {
    const key = `${ref.registry}/${ref.repository}`;
    const url = this.url(ref, path);
    if (auth?.registryToken && !this.authz.has(key)) this.authz.set(key, `Bearer ${auth.registryToken}`);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (init.accept) headers['accept'] = init.accept;
      const authorization = this.authz.get(key);
      if (authorization) headers['authorization'] = authorization;
      const res = await this.fetchFn(url, {
        headers,
        redirect: 'follow',
        ...(init.timeoutMs ? { signal: AbortSignal.timeout(init.timeoutMs) } : {}),
      });
      if (res.status === 401 && attempt === 0) {
        const header = res.headers.get('www-authenticate');
        await res.body?.cancel();
        const challenge = header ? parseChallenge(header) : undefined;
        const answer = challenge ? await answerChallenge(challenge, auth, `repository:${ref.repository}:pull`, this.fetchFn) : undefined;
        if (answer === undefined) throw new RegistryError(401, `${key}: authentication required`);
        this.authz.set(key, answer);
        this.opts.logger?.debug({ registry: ref.registry, scheme: challenge?.scheme }, 'registry authentication');
        continue;
      }
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new RegistryError(res.status, `GET ${url}: ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300).trim()}` : ''}`);
      }
      return res;
    }
  }

  async getManifest(ref: RepositoryRef, reference: string, auth?: RegistryAuth): Promise<FetchedManifest> {
    const res = await this.request(ref, `manifests/${reference}`, { accept: MANIFEST_ACCEPT, timeoutMs: 60_000 }, auth);
    const body = Buffer.from(await res.arrayBuffer());
    const contentType = res.headers.get('content-type') ?? undefined;
    return { body, ...(contentType ? { contentType } : {}) };
  }

  async getBlobBuffer(ref: RepositoryRef, digest: string, auth?: RegistryAuth): Promise<Buffer> {
    const res = await this.request(ref, `blobs/${digest}`, { timeoutMs: 60_000 }, auth);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The blob as a stream; the caller verifies its digest. */
  async getBlobStream(ref: RepositoryRef, digest: string, auth?: RegistryAuth): Promise<Readable> {
    const res = await this.request(ref, `blobs/${digest}`, {}, auth);
    if (!res.body) throw new RegistryError(res.status, `GET blob ${digest}: empty body`);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }
}
